"""`plan-author`: the plan was written by its LRO or a deputy (a named Python check)."""
from __future__ import annotations

from typing import Iterator, NamedTuple

from ..names import same_person
from ..pack.context import Context, Problem, present
from ..read.plan import as_mapping

__all__ = ["PlanAuthor"]


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
