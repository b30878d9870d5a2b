"""`names-own-threat`: the plan names no organised crime group or operation but its own (a named Python check)."""
from __future__ import annotations

import re
from typing import Iterator, NamedTuple, Tuple

from ..names import name_forms, name_key, plain_words, without_group_suffix, without_operation_prefix
from ..pack.context import Context, Problem, describe
from ..pack.pointers import compile_pattern
from ..read.plan import as_mapping

__all__ = ["NamesOwnThreat"]


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
#: Words that begin the names of a force's own structures ("the Force OCG", "the District OCG"): a group
#: is not named after them.
_FORCE_WORDS = {"force", "regional", "region", "district", "area", "county", "monthly", "weekly", "daily",
                "soc", "serocu", "rocu", "partnership", "multi-agency", "constabulary", "police", "all",
                "new", "known", "mapped", "identified", "urban", "street", "tier", "priority", "lead",
                "national", "south", "east", "west", "north", "central", "sussex", "surrey", "kent",
                "hampshire", "thames", "valley", "essex", "berkshire", "oxfordshire", "buckinghamshire",
                "wight", "isle", "hiow", "tvp"}


class NamesOptions(NamedTuple):
    allowed: Tuple[str, ...]
    force_names: Tuple[str, ...] = ()


def _contains(haystack: str, needle: str) -> bool:
    """Whether the words of `needle` stand in `haystack` as whole words (both plain, lower case)."""
    return bool(needle) and f" {needle} " in f" {haystack} "


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
        return NamesOptions(tuple(name_key(without_group_suffix(a)) for a in options.get("allowed", ())),
                            tuple(f for name in options.get("force_names", ()) for f in name_forms(name)))

    @classmethod
    def check(cls, ctx: Context, options: NamesOptions) -> Iterator[Problem]:
        data = as_mapping(ctx.data)
        threat = as_mapping(data.get("threat"))
        operation = as_mapping(data.get("operation"))
        own = (set(name_forms(threat.get("name"))) | set(name_forms(operation.get("name")))
               | set(options.allowed))
        own_groups = {name_key(without_group_suffix(threat.get("name")))} | set(options.allowed)
        own_groups.discard("")
        own_ops = {name_key(without_operation_prefix(operation.get("name")))} | set(options.allowed)
        own_ops.discard("")
        exempt = own | set(options.force_names)
        known = []
        for name in ctx.other_names:
            forms = [f for f in name_forms(name) if not any(f == o or _contains(o, f) for o in exempt)]
            if forms:
                known.append((name, forms))
        reported = set()
        for path, text in ctx.select(cls._TEXTS):
            if not isinstance(text, str) or path[:1] in (("threat",), ("operation",), ("waivers",)):
                continue
            plain = plain_words(text) if known else ""
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
                key = name_key(match.group(1))
                if not key or key.split()[0] in _FORCE_WORDS:
                    continue
                plain = plain or plain_words(text)
                if any(_contains(plain, f) and _contains(f, key) for f in options.force_names):
                    continue
                if not any(key == o or key in o or o in key for o in own_groups) \
                        and ("group", key) not in reported:
                    reported.add(("group", key))
                    yield Problem(path, f"{describe(path)} names “{match.group(0).strip()}”, which is not "
                                  "this plan's threat", {"issue": "group", "name": match.group(0).strip()})
            for match in (_OPERATION.finditer(text) if "Op" in text else ()):
                key = name_key(match.group(1))
                if key and key not in own_ops and ("op", key) not in reported \
                        and key not in options.force_names:
                    reported.add(("op", key))
                    yield Problem(path, f"{describe(path)} names “{match.group(0).strip()}”, which is not "
                                  "this plan's operation", {"issue": "operation",
                                                             "name": match.group(0).strip()})
