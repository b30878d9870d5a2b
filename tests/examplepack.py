"""A pack built from rules' examples and run through `fourp verify`: shared by the tests of the kinds'
documentation, the pack language's page and CONTRIBUTING.md's how-tos."""
from __future__ import annotations

import yaml

import fourp


#: What a rule needs besides `check`, `options` and `examples`, which a kind's example leaves out.
RULE_FILLING = {"title": "Example", "severity": "warning", "weight": 1, "message": "{{ detail }}",
                "rationale": "An example.", "basis": [{"source": "fourp", "quote": "An example."}],
                "remediation": "Put it right."}


def example_pack(tmp_path, rules: list, name: str = "examples") -> fourp.RulePack:
    """A pack of the given rules (each `check`, `options`, `examples`...), filled out to load."""
    full = [dict(RULE_FILLING, id=f"example-{n}", **rule) for n, rule in enumerate(rules, 1)]
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"fourp-pack": 1, "name": name, "rules": full}, sort_keys=False),
                    encoding="utf-8")
    return fourp.load_pack(str(path))


def run_examples(pack: fourp.RulePack) -> list:
    """Each example's (expected, got), after checking that every one came out as it says."""
    results = list(fourp.verify_pack(pack))
    wrong = [f"{r.rule} {r.name}: expected {r.expected}, got {r.got} {r.messages}" for r in results if not r.ok]
    assert not wrong, wrong
    return [(r.expected, r.got) for r in results]
