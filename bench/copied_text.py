"""How the copied-text rule's cost grows with the number of plans: it should grow about linearly.

    python bench/copied_text.py                 # 500, 1,000, 2,000, 4,000 and 8,000 plans
    python bench/copied_text.py 1000 10000      # other sizes

Plans are made in memory with prose of their own (words drawn from a large vocabulary with a Zipf-like
spread, so common words recur as in real text), a 20-word stock phrase every plan shares (shorter than
the rule's 30 words, so never a finding, but a candidate for every plan), and a share of plans that
carry a 40-to-70-word passage pasted from an earlier plan for another threat. For each size it prints
the time to sketch each plan (done in the audit's workers), the time to find, confirm and quote the
copied passages across all plans (done once), the candidate pairs measured against the pairs a
comparison of every pair would need, and whether exactly the pasted passages were found. Detection is
timed as the best of three runs.
"""
from __future__ import annotations

import datetime as dt
import gc
import os
import random
import sys
import time
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import fourp  # noqa: E402
from fourp.portfolio import fingerprint  # noqa: E402
from fourp.portfolio.evaluate import evaluate_portfolio  # noqa: E402
from fourp.portfolio.facts import plan_facts  # noqa: E402

AS_OF = dt.date(2024, 9, 30)
REPEATS = 3
COPY_SHARE = 0.02
_SYLLABLES = "ka lo mi ne ru sa te vo wi xa ye zu ba ce di fo gu ha je ki".split()
STOCK = ("refer every young person found at an address to the MASH and the youth diversion scheme "
         "without delay today")  # 20 words


def vocabulary(size: int = 6000) -> List[str]:
    rng = random.Random(1)
    words: Set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def make_plans(count: int, seed: int = 7) -> Tuple[List[Dict[str, Any]], Set[Tuple[int, int]]]:
    """`count` plan mappings and the (source, copy) pairs of pasted passages."""
    rng = random.Random(seed)
    vocab = vocabulary()
    cumulative, total = [], 0.0
    for rank in range(len(vocab)):  # Zipf-like: a few words are very common
        total += 1.0 / (rank + 1)
        cumulative.append(total)

    def text(words: int) -> str:
        return " ".join(rng.choices(vocab, cum_weights=cumulative, k=words))

    plans: List[Dict[str, Any]] = []
    pasted: Set[Tuple[int, int]] = set()
    for index in range(count):
        sections = {p: {"objectives": [text(rng.randint(15, 40))],
                        "actions": [{"action": text(rng.randint(8, 20)), "result": {"text": text(rng.randint(10, 30))}}
                                    for _ in range(rng.randint(2, 6))]}
                    for p in ("pursue", "prevent", "protect", "prepare")}
        sections["protect"]["objectives"].append(STOCK)
        plan = {"fourp": 1, "id": f"BENCH-{index:05d}", "status": "active",
                "threat": {"name": f"Bench {index} OCG", "reference": f"SOCML-B-{index}"},
                "lro": {"name": f"Insp Bench {index % 997}"}, **sections,
                "log": [{"text": text(rng.randint(10, 35))} for _ in range(rng.randint(5, 20))]}
        if index and rng.random() < COPY_SHARE:
            source = rng.randrange(index)
            if any(source in pair for pair in pasted):
                plans.append(plan)
                continue  # each source lends one passage, so each pasted pair is known
            words = plans[source]["pursue"]["objectives"][0].split() + plans[source]["prevent"]["objectives"][0].split()
            passage = " ".join(words[:rng.randint(40, 70)]) if len(words) >= 40 else None
            if passage is not None and len(passage.split()) >= 40:
                # Pasted into the source's own text: a passage the source has word for word.
                plans[source]["pursue"]["objectives"][0] = passage
                plan["prevent"]["objectives"].append(passage)
                pasted.add((source, index))
        plans.append(plan)
    return plans, pasted


def measure(count: int, pack: Any) -> Dict[str, Any]:
    plans, pasted = make_plans(count)
    names = [f"plan-{i:05d}.yaml" for i in range(count)]
    loaded = {name: fourp.plan_from_data(data, name) for name, data in zip(names, plans)}
    start = time.perf_counter()
    facts = [(name, plan_facts(loaded[name], pack)) for name in names]
    sketched = time.perf_counter() - start
    prose = {name: fingerprint.prose_of(loaded[name].data) for name in names}  # stands in for re-reading
    detected = float("inf")
    for _ in range(REPEATS):  # the best of a few runs: the least disturbed by the rest of the machine
        gc.collect()
        start = time.perf_counter()
        result = evaluate_portfolio(facts, pack, AS_OF, read_prose=prose.get, only=["no-copied-text"])
        detected = min(detected, time.perf_counter() - start)
    found: Set[Tuple[int, int]] = set()
    for finding in result.findings:
        indexes = sorted(names.index(f) for f in finding.files)
        found.update((indexes[0], other) for other in indexes[1:])
    sizes = [len(f["text"]["fingerprints"]) + len(f["text"]["codes"]) + len(f["text"]["fields"]) for _, f in facts]
    words = sum(f["text"]["words"] for _, f in facts)
    candidates = _candidates(facts)
    return {"plans": count, "words": words, "sketch_us": 1e6 * sketched / count,
            "detect_us": 1e6 * detected / count, "detect_s": detected, "candidates": candidates,
            "all_pairs": count * (count - 1) // 2, "pasted": len(pasted), "found": len(found),
            "exact": found == {tuple(sorted(p)) for p in pasted}, "sketch_bytes": sum(sizes) / count}


def _candidates(facts: Sequence[Tuple[str, Optional[Dict[str, Any]]]]) -> int:
    texts = [f["text"] for _, f in facts if f and f.get("text")]
    prints = [fingerprint.decode(t["fingerprints"]) for t in texts]
    k = texts[0]["k"]
    _, counts = fingerprint.find_shared(prints, [str(i) for i in range(len(texts))], k, 10 ** 9, lambda i: None)
    return counts["candidate_pairs"]


def main(argv: Sequence[str]) -> int:
    sizes = [int(a) for a in argv] or [500, 1000, 2000, 4000, 8000]
    pack = fourp.load_pack()
    print(f"copied-text rule (min_words {pack.rule('no-copied-text').params['min_words']}), one process; "
          f"{COPY_SHARE:.0%} of plans carry a pasted passage, every plan a 20-word stock phrase")
    print(f"{'plans':>7} {'words':>10} {'sketch µs/plan':>15} {'detect µs/plan':>15} {'detect s':>9} "
          f"{'candidate pairs':>16} {'all pairs':>12} {'sketch B/plan':>14} {'pasted':>7} {'found':>6}  exact")
    base: Optional[Dict[str, Any]] = None
    for count in sizes:
        row = measure(count, pack)
        base = base or row
        print(f"{row['plans']:>7} {row['words']:>10,} {row['sketch_us']:>15,.0f} {row['detect_us']:>15,.0f} "
              f"{row['detect_s']:>9.2f} {row['candidates']:>16,} {row['all_pairs']:>12,} "
              f"{row['sketch_bytes']:>14,.0f} {row['pasted']:>7} {row['found']:>6}  {'yes' if row['exact'] else 'NO'}")
    if base is not None and len(sizes) > 1:
        print(f"\nfrom {sizes[0]:,} to {sizes[-1]:,} plans ({sizes[-1] / sizes[0]:.0f}x): detection time "
              f"x{row['detect_s'] / base['detect_s']:.1f}, "
              f"candidate pairs x{row['candidates'] / base['candidates']:.1f}, "
              f"all pairs x{row['all_pairs'] / base['all_pairs']:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
