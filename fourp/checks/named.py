"""Named Python checks, for criteria no declarative kind expresses: `plan-author`, `names-own-threat`."""
from __future__ import annotations

import re
from typing import Any, Iterator, NamedTuple, Tuple

from ..pack.context import Context, Problem, describe, present
from ..names import person_key, same_person
from ..pack.pointers import compile_pattern
from ._common import as_mapping


class AuthorOptions(NamedTuple):
    roles: frozenset


class PlanAuthor:
    """`plan-author`: the plan was written by its LRO or a deputy.

    What it checks:
      The plan's `author` is its LRO or one of its `deputies` (names match without rank, spacing or
      case), or, where the names cannot be matched, records one of the owning `roles`. No author at all
      is a finding; so is an author in an owning role whose name is not the LRO's or a deputy's, and an
      author in another role (an analyst, the SIO).

    Options:
      roles: [str]   author roles that own a plan (default [lro, deputy])

    Example:
      check: plan-author
      examples:
        - {expect: pass, plan: {lro: {name: Ch Insp Tom Reade}, author: {name: Tom Reade, role: lro}}}
        - name: written by the SIO
          expect: fail
          plan: {lro: {name: Ch Insp Tom Reade}, author: {name: DCI Ann Oakes, role: sio}}
        - {name: no author, expect: fail, plan: {lro: {name: Ch Insp Tom Reade}}}
    """

    SCHEMA = {"type": "object", "properties": {"roles": {"type": "array", "items": {"type": "string"}}},
              "additionalProperties": False}

    @staticmethod
    def prepare(options: dict) -> AuthorOptions:
        return AuthorOptions(frozenset(r.lower() for r in options.get("roles", ("lro", "deputy"))))

    @staticmethod
    def check(ctx: Context, options: AuthorOptions) -> Iterator[Problem]:
        data = as_mapping(ctx.data)
        author = as_mapping(data.get("author"))
        lro = as_mapping(data.get("lro"))
        owners = [lro.get("name")] + [as_mapping(d).get("name") for d in data.get("deputies") or ()
                                      if isinstance(data.get("deputies"), list)]
        owners = [o for o in owners if present(o)]
        name, role = author.get("name"), author.get("role")
        role = role.strip().lower() if isinstance(role, str) else None
        if not present(name) and not role:
            yield Problem(("author",), "the plan does not record who wrote it", {"issue": "missing"})
            return
        is_owner = any(same_person(name, o) for o in owners)
        if is_owner:
            return
        who = name if present(name) else "someone unnamed"
        if role in options.roles:
            if present(name) and owners:
                yield Problem(("author", "name"), f"the author {who} is recorded as {role} but is not the "
                              "named LRO or a deputy", {"issue": "mismatch", "author": str(who)})
            return
        shown = f"{who} ({role})" if role else str(who)
        yield Problem(("author",), f"the plan was written by {shown}, not the LRO or a deputy",
                      {"issue": "delegated", "author": str(who), "role": role or ""})


# Each match starts where a word starts (the look-behind): starting inside words made a long run of capitals
# cost time in the square of its length, which a hostile plan could use to hang an audit.
_OCG = re.compile(r"(?<![\w'’&-])((?:[A-Z][\w'’&-]*\s+){1,4})(?:OCG|[Oo]rganised [Cc]rime [Gg]roup)\b"
                  # Not a group when the words after it make it the title of something of the force's
                  # own ("OCG Disruption Panel", "OCG management meeting").
                  r"(?!\s+[A-Z])(?!\s*[-‑]?\s*(?i:%s)\b)" % "|".join((
                      "meetings?", "management", "co-?ordinators?", "coordinators?", "leads?", "boards?",
                      "panels?", "tasking", "mapping", "teams?", "units?", "desks?", "forums?", "scoring",
                      "process(?:es)?", "protocols?", "lists?", "registers?", "matrix", "reviews?",
                      "programmes?", "officers?", "managers?", "analysts?", "portfolios?", "governance",
                      "strategy", "tactical", "strategic", "briefings?", "groups? meeting")),
                  )
_OPERATION = re.compile(r"\b(?:Op|Operation)\.?\s+([A-Z][\w-]+)")
_NOT_NAMES = {"the", "this", "that", "a", "an", "each", "every", "our", "their", "its", "rival",
              "any", "another", "other", "same", "local", "serious", "and", "of", "named", "for", "no"}
#: Words that begin the names of a force's own structures ("the Force OCG", "the District OCG"): a group
#: is not named after them.
_FORCE_WORDS = {"force", "regional", "region", "district", "area", "county", "monthly", "weekly", "daily",
                "soc", "serocu", "rocu", "partnership", "multi-agency", "constabulary", "police", "all",
                "new", "known", "mapped", "identified", "urban", "street", "tier", "priority", "lead",
                "national", "south", "east", "west", "north", "central", "sussex", "surrey", "kent",
                "hampshire", "thames", "valley", "essex", "berkshire", "oxfordshire", "buckinghamshire",
                "wight", "isle", "hiow", "tvp"}


def _name_key(text: str) -> str:
    words = [w for w in re.split(r"\s+", text.strip().lower()) if w]
    while words and words[0] in _NOT_NAMES:
        words.pop(0)
    return " ".join(words)


class NamesOptions(NamedTuple):
    allowed: Tuple[str, ...]
    force_names: Tuple[str, ...] = ()


def _plain(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+(?:['’][^\W_]+)*", text.lower()))


def _contains(haystack: str, needle: str) -> bool:
    """Whether the words of `needle` stand in `haystack` as whole words (both plain, lower case)."""
    return bool(needle) and f" {needle} " in f" {haystack} "


def _forms(name: Any) -> Tuple[str, ...]:
    """The ways a threat or operation's name is written in text: whole, without `OCG`, without `Op`."""
    if not isinstance(name, str):
        return ()
    forms = {_plain(name), _plain(_strip_suffix(name)), _plain(_strip_op(name))}
    forms = {_name_key(f) for f in forms}
    return tuple(sorted(f for f in forms if len(f) >= 4))


class NamesOwnThreat:
    """`names-own-threat`: the plan names no organised crime group or operation other than its own.

    What it checks:
      Every text of the plan, outside `threat`, `operation` and `waivers`, for the name of an organised
      crime group ("Hill Road OCG") or an operation ("Op Kestrel") that is not the plan's own threat or
      operation: a sign of text copied from another plan. Each other name is one finding, the first time
      it appears. Names the force manages (its register's threats and, in an audit, the other plans'
      threats and operations, given as `other_names`) are found wherever they stand, with or without
      "OCG"; an `X OCG` or `Op X` the force does not list is guessed from its form. The force's own
      meetings, roles and programmes (`force_names`, and forms such as "OCG management meeting" or
      "Force OCG Co-ordinator") are not threats.

    Options:
      allowed: [str]      other names the plan may mention (a rival group it is right to name)
      force_names: [str]  force-wide names that are not threats (a meeting, a role, a programme)

    Example:
      check: names-own-threat
      options:
        allowed: [Eastside OCG]
      examples:
        - expect: pass
          plan:
            threat: {name: Fore Street OCG}
            operation: {name: Op Kestrel}
            pursue:
              objectives:
                - "Disrupt the Fore Street OCG supply line (Op Kestrel), watching the Eastside OCG"
        - name: another plan's group
          expect: fail
          plan: {threat: {name: Fore Street OCG}, pursue: {objectives: [Disrupt the Hill Road OCG supply line]}}
        - name: another plan's operation
          expect: fail
          plan: {operation: {name: Op Kestrel}, prevent: {objectives: ["As under Op Harrier, refer runners"]}}
    """

    SCHEMA = {"type": "object", "properties": {"allowed": {"type": "array", "items": {"type": "string"}},
                                               "force_names": {"type": "array", "items": {"type": "string"}}},
              "additionalProperties": False}
    _TEXTS = compile_pattern("/**")

    @staticmethod
    def prepare(options: dict) -> NamesOptions:
        return NamesOptions(tuple(_name_key(_strip_suffix(a)) for a in options.get("allowed", ())),
                            tuple(f for name in options.get("force_names", ()) for f in _forms(name)))

    @classmethod
    def check(cls, ctx: Context, options: NamesOptions) -> Iterator[Problem]:
        data = as_mapping(ctx.data)
        threat = as_mapping(data.get("threat"))
        operation = as_mapping(data.get("operation"))
        own = set(_forms(threat.get("name"))) | set(_forms(operation.get("name"))) | set(options.allowed)
        own_groups = {_name_key(_strip_suffix(threat.get("name")))} | set(options.allowed)
        own_groups.discard("")
        own_ops = {_name_key(_strip_op(operation.get("name")))} | set(options.allowed)
        own_ops.discard("")
        exempt = own | set(options.force_names)
        known = []
        for name in ctx.other_names:
            forms = [f for f in _forms(name) if not any(f == o or _contains(o, f) for o in exempt)]
            if forms:
                known.append((name, forms))
        reported = set()
        for path, text in ctx.select(cls._TEXTS):
            if not isinstance(text, str) or path[:1] in (("threat",), ("operation",), ("waivers",)):
                continue
            plain = _plain(text) if known else ""
            for name, forms in known:
                if ("known", name) not in reported and any(_contains(plain, f) for f in forms):
                    reported.add(("known", name))
                    for form in forms:
                        reported.add(("group", form))
                        reported.add(("op", form))
                    yield Problem(path, f"{describe(path)} names “{name}”, another threat or operation the "
                                  "force manages, not this plan's", {"issue": "known", "name": name})
            # The patterns need these words; most texts lack them and skip the regular expressions.
            for match in (_OCG.finditer(text) if "OCG" in text or "rganised" in text else ()):
                key = _name_key(match.group(1))
                if not key or key.split()[0] in _FORCE_WORDS:
                    continue
                plain = plain or _plain(text)
                if any(_contains(plain, f) and _contains(f, key) for f in options.force_names):
                    continue
                if not any(key == o or key in o or o in key for o in own_groups) \
                        and ("group", key) not in reported:
                    reported.add(("group", key))
                    yield Problem(path, f"{describe(path)} names “{match.group(0).strip()}”, which is not "
                                  "this plan's threat", {"issue": "group", "name": match.group(0).strip()})
            for match in (_OPERATION.finditer(text) if "Op" in text else ()):
                key = _name_key(match.group(1))
                if key and key not in own_ops and ("op", key) not in reported \
                        and key not in options.force_names:
                    reported.add(("op", key))
                    yield Problem(path, f"{describe(path)} names “{match.group(0).strip()}”, which is not "
                                  "this plan's operation", {"issue": "operation",
                                                             "name": match.group(0).strip()})


def _strip_suffix(name: Any) -> str:
    if not isinstance(name, str):
        return ""
    # `(?<!\s)`: try a run of spaces once, from its start, not from each space in it (quadratic)
    return re.sub(r"(?<!\s)\s*(?:OCG|organised crime group)\s*$", "", name.strip(), flags=re.IGNORECASE)


def _strip_op(name: Any) -> str:
    if not isinstance(name, str):
        return ""
    return re.sub(r"^(?:Op|Operation)\.?\s+", "", name.strip(), flags=re.IGNORECASE)


__all__ = ["PlanAuthor", "NamesOwnThreat", "person_key"]
