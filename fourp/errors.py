"""The one exception fourp raises for a file it cannot use: where, why, what to do, and a code to test."""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

__all__ = ["FourpError", "CODES"]

#: Every code a FourpError carries, and what it means. Programs decide by these, never by the words.
CODES = {
    # any file fourp reads
    "not-found": "no such file, a link to nothing, or a circle of links",
    "not-a-file": "a folder, pipe, socket or device where a file was expected",
    "unreadable": "the file or folder cannot be opened or read (permissions, a disconnected drive)",
    "too-large": "the file is larger than the limit (--max-bytes)",
    "bad-encoding": "the file is not text in the encoding it declares",
    "binary": "the file is binary (a picture, an office document, an archive)",
    "empty": "the file holds nothing",
    "no-document": "the file holds only comments or `---`",
    "invalid-yaml": "not valid YAML (the reason is libyaml's, in plain words where fourp knows them)",
    "invalid-json": "not valid JSON",
    "invalid-character": "a character YAML does not allow (a control character)",
    "duplicate-key": "a key appears twice in one mapping",
    "not-allowed": "a tag (`!!python/...`, `!!binary`, ...) or a key fourp does not build",
    "too-deep": "nested deeper than any plan (more than 64 levels)",
    "too-many-values": "more values than any plan holds",
    "alias-bomb": "aliases that expand to more values than any plan holds",
    "self-alias": "an alias inside the anchor it repeats",
    # plans
    "not-a-mapping": "the top level is a list or a single value, not a plan's fields",
    "not-a-plan": "a mapping with none of a plan's fields",
    "other-template": "a 4P plan on another template (Group:, Owner:, Pursue: ...); an audit counts it",
    "is-a-pack": "a rule pack where a plan was expected",
    "internal-error": "fourp (or a plug-in check) failed on this file; a fault to report, not the plan's",
    "out-of-memory": "the process evaluating this file was killed twice (as when memory runs out)",
    "is-a-mapping": "a mapping of a Word or Excel template where a plan was expected",
    "not-read": "a kind of file fourp does not read as a plan (a PDF, a picture, an old .doc)",
    # Word and Excel files
    "wrong-format": "the file's content is not what its name says (a PDF or a text file named .docx)",
    "old-format": "an old-format .doc or .xls file, whatever its name says",
    "password-protected": "a Word or Excel file protected by a password",
    "damaged": "a Word or Excel file whose archive, or a part of it, cannot be read",
    "zip-bomb": "an Office file whose parts would unpack to far more than any plan (too many, too big, too packed)",
    "xml-entities": "an Office file whose XML declares entities or a document type (entity expansion, XXE)",
    "invalid-mapping": "a mapping file that does not follow its format (`fourp schema mapping`)",
    # packs
    "not-a-pack": "a file given as a pack has no `fourp-pack:` line",
    "invalid-pack": "the pack does not follow the pack format (`fourp schema pack`)",
    "unknown-pack": "`extends` or --pack names no shipped pack",
    "extends-circle": "packs that extend each other in a circle",
    "duplicate-rule": "a rule defined again in a pack that extends the pack defining it",
    "unknown-rule": "`overrides` names a rule no pack in the chain defines",
    "unknown-check": "a rule's `check:` names no check kind",
    "bad-parameter": "a parameter that does not exist or has the wrong type",
    "bad-options": "a rule's options (or applies_when) cannot be used, such as a pattern RE2 refuses",
    "bad-message": "a rule's message is not a valid template",
    # configuration files (.fourp.yaml)
    "invalid-config": "a .fourp.yaml does not follow its format (`fourp schema config`)",
    # registers, baselines, templates
    "invalid-register": "the register cannot be used",
    "invalid-baseline": "the baseline cannot be used",
    "invalid-template": "the template cannot be loaded or rendered",
    # audit histories and partner packs
    "invalid-history": "the history file cannot be used: not SQLite, or a SQLite database that is not a fourp history",
    "newer-history": "the history was written by a newer fourp (its schema is newer than this fourp reads)",
    "history-busy": "another audit held the history longer than the busy timeout",
    "no-allow-list": "the pack has no `partners:` allow-list, so nothing may leave a plan",
    "unsafe-output": "a partner file would be written outside its folder, through a link or over a plan",
    "invalid": "any other problem",
}


class FourpError(Exception):
    """A file fourp cannot use (a plan, pack, register, baseline or template).

    `file`, `line` and `column` say where, `reason` and `hint` say why and what to do, in words a person
    can act on; `code` (`too-deep`, `duplicate-key`, `not-a-plan`, ...) says what kind of problem it is, so
    programs and tests decide by the code, never by reading the words, which may change.
    """

    #: What the location says when no file is known.
    unnamed = "<file>"
    #: The code of an error raised without one.
    default_code = "invalid"

    def __init__(self, file: Optional[str], reason: str, line: Optional[int] = None,
                 column: Optional[int] = None, hint: str = "", *, code: Optional[str] = None) -> None:
        self.file, self.reason, self.line, self.column, self.hint = file, reason, line, column, hint
        self.code = code or self.default_code
        super().__init__(str(self))

    @property
    def location(self) -> str:
        parts = [self.file or self.unnamed]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        text = f"{self.location}: {self.reason}"
        return f"{text} ({self.hint})" if self.hint else text

    def __reduce__(self) -> Tuple[Any, ...]:
        # Errors cross process boundaries (audit workers); Exception's default would rebuild from the text.
        return (type(self), (self.file, self.reason, self.line, self.column, self.hint), {"code": self.code})

    def to_dict(self) -> Dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "code": self.code,
                "reason": self.reason, "hint": self.hint}
