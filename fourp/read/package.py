"""Opening a Word or Excel file safely: what it really is, zip-bomb limits before inflating, no XML tricks.

An Office file is a zip archive of XML parts. Before any library opens it, fourp reads the archive's
directory (no part is inflated) and refuses one with too many parts, parts that declare more than the
size limit, or parts that inflate far more than any Office XML does; zipfile then never inflates a part
past the size it declares. Every XML part is scanned for a document type or entity declaration, as
defusedxml does, and the file refused if one has any, so no entity can expand (billion laughs) or reach
outside the file (XXE); the parts fourp reads are parsed by defusedxml itself (openpyxl uses it too).
Macros are never run: fourp only ever reads the XML, and a macro-enabled file gets a note that its
macros were ignored.
"""
from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any, Optional, Tuple

from .plan import PlanError, _read_bytes

__all__ = ["OfficePackage", "open_package", "MAX_PARTS", "MAX_UNPACKED", "MAX_RATIO", "MAX_XML_PART",
           "OFFICE_SIZE_FACTOR"]

#: A Word or Excel plan has a few dozen parts (more with pictures); ten thousand is an archive of something else.
MAX_PARTS = 2_000
#: All parts together, inflated. A plan of a hundred pages with pictures is a few megabytes.
MAX_UNPACKED = 100 * 1024 * 1024
#: One XML part parsed whole: a hundred-page document or a sheet of thousands of rows is a few megabytes.
MAX_XML_PART = 16 * 1024 * 1024
#: A Word or Excel plan carries styles, and often pictures (a map, an OCG chart): its file may be this many
#: times the size limit of a text plan (`--max-bytes`).
OFFICE_SIZE_FACTOR = 10
#: Office XML inflates 5 to 30 times; a part inflating more than this (and over a megabyte) is a bomb.
MAX_RATIO = 200
_RATIO_FROM = 1024 * 1024

_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file of old .doc/.xls and of encrypted files
_ZIP = b"PK\x03\x04"


@dataclass(frozen=True)
class OfficePackage:
    """A checked archive: its bytes (read once; what was checked is what is parsed) and notes for the user."""

    raw: bytes
    names: Tuple[str, ...]
    notes: Tuple[str, ...] = ()

    def stream(self) -> io.BytesIO:
        return io.BytesIO(self.raw)

    def xml(self, name: str) -> Any:
        """A part parsed by defusedxml (an ElementTree element), or None when the file has no such part."""
        import defusedxml.ElementTree as SafeET

        if name not in self.names:
            return None
        with zipfile.ZipFile(self.stream()) as archive:
            return SafeET.fromstring(archive.read(name), forbid_dtd=True)

    def related(self, source: str, kind: str) -> Optional[str]:
        """The part a relationship of type `.../kind` from part `source` ("" for the package) points to."""
        folder, base = posixpath.split(source)
        rels = self.xml(posixpath.join(folder, "_rels", base + ".rels"))
        if rels is None:
            return None
        for relationship in rels:
            if relationship.get("Type", "").endswith("/" + kind) and relationship.get("TargetMode") != "External":
                target = relationship.get("Target", "")
                if target.startswith("/"):
                    return target.lstrip("/")
                return posixpath.normpath(posixpath.join(folder, target))
        return None


def _what_compound_file_is(raw: bytes, kind: str) -> PlanError:
    """A compound (OLE) file where an Office Open XML file was expected: a password, or an old format."""
    if "EncryptedPackage".encode("utf-16-le") in raw:
        return PlanError(None, f"this {kind} file is protected by a password, so fourp cannot read it",
                         hint="save a copy without the password (File > Info > Protect) and check that copy; "
                              "keep the copy as securely as the original", code="password-protected")
    if "WordDocument".encode("utf-16-le") in raw:
        return PlanError(None, "this is an old-format Word document (.doc), whatever its name says",
                         hint="open it in Word or LibreOffice and save it as a Word document (.docx)",
                         code="old-format")
    if "Workbook".encode("utf-16-le") in raw or "Book".encode("utf-16-le") in raw:
        return PlanError(None, "this is an old-format Excel workbook (.xls), whatever its name says",
                         hint="open it in Excel or LibreOffice and save it as an Excel workbook (.xlsx)",
                         code="old-format")
    return PlanError(None, "this is an old-format Office file, not a Word or Excel file of today",
                     hint="open it in Word or Excel and save it as .docx or .xlsx", code="old-format")


def _not_office(raw: bytes, kind: str, suffix: str) -> PlanError:
    if raw.startswith(_CFB):
        return _what_compound_file_is(raw, kind)
    if raw.lstrip()[:5] == b"%PDF-":
        return PlanError(None, f"this is a PDF, not a {kind} file, whatever its name says",
                         hint="fourp cannot read plans from PDFs; check the Word or Excel file it was made from",
                         code="wrong-format")
    if not raw:
        return PlanError(None, "the file is empty", hint=f"start from `fourp new --format {suffix.lstrip('.')[:4]}`",
                         code="empty")
    return PlanError(None, f"this is not a {kind} file, whatever its name says (it is not a zip archive of "
                     "Office XML)", hint=f"open it in {kind} and save it again as {suffix}, or rename it to what it is",
                     code="wrong-format")


class _Declared(Exception):
    """A document type or entity declaration, met while scanning a part."""


def _refuse(*args: Any) -> None:
    raise _Declared()


def _check_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Scans a part for what defusedxml forbids (a document type, entity declarations, external entities)
    with expat's own declaration handlers, as defusedxml does, but without building a tree: the parts fourp
    reads are then parsed by defusedxml (`OfficePackage.xml`) or by openpyxl, which uses it."""
    import xml.parsers.expat as expat

    if info.file_size > MAX_XML_PART:
        raise PlanError(None, f"the part {info.filename} is {info.file_size:,} bytes of XML, more than any plan "
                        f"holds ({MAX_XML_PART // 2 ** 20} MB)", hint="split the document, or keep it out of "
                        "the folder if it is not a plan", code="too-large")
    data = archive.read(info)
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse  # type: ignore[assignment]  # it raises, so returns nothing
    try:
        parser.Parse(data, True)
    except _Declared:
        raise PlanError(None, f"the part {info.filename} declares XML entities or a document type, which "
                        "Word and Excel never write (an entity-expansion or external-entity attack?)",
                        hint="do not open the file; ask whoever sent it where it came from",
                        code="xml-entities") from None
    except expat.ExpatError as exc:
        raise PlanError(None, f"the part {info.filename} is not well-formed XML (line {exc.lineno})",
                        hint="the file is damaged; open it in Word or Excel, which may repair it, and save "
                             "it again", code="damaged") from None


def open_package(path: str, max_bytes: int, kind: str, suffix: str, data: Optional[bytes] = None) -> OfficePackage:
    """Reads and checks an Office file (`data`: its bytes, already read through the safe reader with the
    Office limit). Raises PlanError (with the file) for anything it will not read."""
    try:
        return _open(path, max_bytes, kind, suffix, data)
    except PlanError as exc:
        if exc.file is None:
            raise PlanError(path, exc.reason, exc.line, exc.column, exc.hint, code=exc.code) from None
        raise


def _open(path: str, max_bytes: int, kind: str, suffix: str, data: Optional[bytes] = None) -> OfficePackage:
    raw = _read_bytes(path, max_bytes * OFFICE_SIZE_FACTOR) if data is None else data
    if not raw.startswith(_ZIP):
        raise _not_office(raw, kind, suffix)
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise PlanError(None, f"the {kind} file is damaged (its archive cannot be read)",
                        hint=f"open it in {kind}, which may repair it, and save it again", code="damaged") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_PARTS:
            raise PlanError(None, f"the file holds {len(infos):,} parts, more than the {MAX_PARTS:,} any {kind} "
                            "plan has (a zip bomb?)", hint="do not open it; ask whoever sent it what it is",
                            code="zip-bomb")
        total = 0
        for info in infos:
            total += info.file_size
            if total > MAX_UNPACKED:
                raise PlanError(None, f"the file's parts would unpack to more than {MAX_UNPACKED // 2 ** 20:,} MB "
                                "(a zip bomb?)", hint="do not open it; ask whoever sent it what it is",
                                code="zip-bomb")
            if info.file_size > _RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise PlanError(None, f"the part {info.filename} would unpack to {info.file_size:,} bytes from "
                                f"{info.compress_size:,}, far more than Office files compress (a zip bomb?)",
                                hint="do not open it; ask whoever sent it what it is", code="zip-bomb")
            if info.flag_bits & 0x1:
                raise PlanError(None, f"the part {info.filename} is encrypted",
                                hint="save a copy without the password and check that copy",
                                code="password-protected")
        names = tuple(info.filename for info in infos)
        if "[Content_Types].xml" not in names:
            raise PlanError(None, f"this zip archive is not a {kind} file (it has no [Content_Types].xml)",
                            hint=f"open it in {kind} and save it as {suffix}, or unzip it if it is an archive",
                            code="wrong-format")
        try:
            for info in infos:
                if info.filename.lower().endswith((".xml", ".rels")):
                    _check_xml(archive, info)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, zlib.error, NotImplementedError):
            raise PlanError(None, f"the {kind} file is damaged (a part cannot be unpacked)",
                            hint=f"open it in {kind}, which may repair it, and save it again", code="damaged") from None
    notes: Tuple[str, ...] = ()
    if any(name.lower().endswith("vbaproject.bin") for name in names) or suffix in (".docm", ".xlsm"):
        notes = ("the file is macro-enabled; its macros were ignored (fourp reads the text and never runs "
                 "anything)",)
    return OfficePackage(raw, names, notes)
