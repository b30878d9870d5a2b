"""How fast, and in how much memory, fourp refuses hostile input: prints one row per case.

    python bench/hostile.py            # every case
    python bench/hostile.py alias-bomb oversized

Each case runs in a fresh Python process, so its memory is its own: `rss` is how much the process's
peak resident memory grew during the case (after fourp and the pack were loaded and a plan read once),
`traced` the peak of Python allocations during a second, untimed run (tracemalloc). Times are
wall-clock seconds for the first run alone. The tests
assert what happens (tests/test_hostile.py); this script measures how quickly.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from typing import Dict, List, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Each case: (name, what it is, setup code writing the input to `path`, the code measured).
CASES: List[Tuple[str, str, str, str]] = [
    ("plan", "a real 190-line plan, read and checked (for scale)",
     "shutil.copy(os.path.join(ROOT, 'examples', 'sussex-harbour-lane.yaml'), path)",
     "fourp.evaluate(fourp.load_plan(path), pack, AS_OF)"),
    ("scan", "the same plan read 100 times (the depth and alias scan is part of each read)",
     "shutil.copy(os.path.join(ROOT, 'examples', 'sussex-harbour-lane.yaml'), path)",
     "[fourp.load_plan(path) for _ in range(100)][-1]"),
    ("alias-bomb", "billion laughs: 9 levels of 10 aliases (10^9 values once expanded)",
     "write(path, bomb(9, 10))", "refused(lambda: fourp.load_plan(path))"),
    ("alias-bomb-wide", "5 levels of 200 aliases (3.2 x 10^11 values)",
     "write(path, bomb(5, 200))", "refused(lambda: fourp.load_plan(path))"),
    ("oversized", "a 6 MB plan of real entries, over the default 5 MB limit",
     "write(path, big_plan(6_000_000))", "refused(lambda: fourp.load_plan(path))"),
    ("oversized-read", "the same file with the limit raised to 8 MB: read, then refused for its "
     "200,000+ values", "write(path, big_plan(6_000_000))",
     "refused(lambda: fourp.load_plan(path, max_bytes=8_000_000))"),
    ("deep", "[[[[...]]]] 100,000 deep (the C composer used to crash on it)",
     "write(path, 'fourp: 1\\nlog: ' + '[' * 100_000 + ']' * 100_000 + '\\n')",
     "refused(lambda: fourp.load_plan(path))"),
    ("deep-json", "the same in JSON", "write(path + '.json', '{\"log\": ' + '[' * 100_000 + ']' * 100_000 + '}')",
     "refused(lambda: fourp.load_plan(path + '.json'))"),
    ("catastrophic-re2", "pattern (a+)+$ on 100,000 a's and a '!', on RE2 (what fourp runs)",
     "", "fourp.regex.compile_regex('(a+)+$').search('a' * 100_000 + '!')"),
    ("catastrophic-python-re", "the same pattern on Python's re, on only 26 a's (doubles with each a)",
     "", "re.compile('(a+)+$').search('a' * 26 + '!')"),
    ("long-capitals", "a plan whose log is 1 MB of capitals and 1 MB of spaces (names-own-threat)",
     "write(path, long_text_plan(1_000_000))", "fourp.evaluate(fourp.load_plan(path), pack, AS_OF)"),
]

# The hostile Word and Excel files of tests/hostile/office/ (the tests assert what each gives; here, how fast).
_OFFICE = os.path.join(ROOT, "tests", "hostile", "office")
_READABLE_OFFICE = ("macros.docm", "macros.xlsm", "tracked-changes.docx")
CASES += [
    (f"office:{name}", f"tests/hostile/office/{name}, read through fourp.read",
     f"office = os.path.join(os.path.dirname(path), {name!r}); "
     f"shutil.copy(os.path.join({_OFFICE!r}, {name!r}), office)",
     "fourp.read.read(office)" if name in _READABLE_OFFICE else "refused(lambda: fourp.read.read(office))")
    for name in sorted(os.listdir(_OFFICE))
]

HARNESS = textwrap.dedent('''
    import datetime, json, os, re, resource, shutil, sys, time, tracemalloc
    sys.path.insert(0, {root!r})
    import fourp, fourp.read, fourp.regex
    ROOT = {root!r}
    AS_OF = datetime.date(2024, 9, 30)
    pack = fourp.load_pack()
    path = {path!r}

    def write(target, text):
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(text)

    def bomb(levels, width):
        lines = ["fourp: 1", "a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
        for i in range(1, levels):
            lines.append(f"a{{i}}: &a{{i}} [" + ", ".join([f"*a{{i - 1}}"] * width) + "]")
        return "\\n".join(lines) + "\\n"

    def big_plan(size):
        entry = "  - {{at: 2024-03-01T10:00, by: DS Priya Nair, text: Observation at the address, nothing of note.}}\\n"
        return "fourp: 1\\nid: BIG\\nlog:\\n" + entry * (size // len(entry) + 1)

    def long_text_plan(size):
        return ("fourp: 1\\nid: LONG\\nthreat: {{name: Whitmore Way OCG}}\\nlog:\\n"
                f"  - {{{{at: 2024-03-01T10:00, text: '{{'A' * size}}'}}}}\\n"
                f"  - {{{{at: 2024-03-01T10:00, text: 'x{{' ' * size}}y'}}}}\\n")

    def refused(load):
        try:
            load()
        except fourp.PlanError as error:
            return error.reason
        raise SystemExit("not refused")

    {setup}
    fourp.load_plan(os.path.join(ROOT, "examples", "good-plan.yaml"))  # warm: lazy imports, compiled regexes
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = {measured}
    seconds = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()  # a second run for Python's own allocations: tracing slows it, so it is not timed
    {measured}
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is bytes on macOS, KiB elsewhere
    print(json.dumps({{"seconds": seconds, "traced": traced, "rss": (rss_after - rss_before) * scale,
                      "rss_total": rss_after * scale, "result": str(result)[:90]}}))
''')


def run(name: str, setup: str, measured: str) -> Dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, f"{name}.yaml")
        code = HARNESS.format(root=ROOT, path=path, setup=setup or "pass", measured=measured)
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            return {"error": (done.stderr or done.stdout).strip().splitlines()[-1]}
        return json.loads(done.stdout.strip().splitlines()[-1])


def mb(value: object) -> str:
    return f"{int(value) / 1e6:7.1f}" if isinstance(value, (int, float)) else "      -"


def main(names: List[str]) -> None:
    print(f"{'case':26} {'seconds':>8} {'rss MB':>7} {'traced MB':>9}  result")
    for name, what, setup, measured in CASES:
        if names and name not in names:
            continue
        row = run(name, setup, measured)
        if "error" in row:
            print(f"{name:26} failed: {row['error']}")
            continue
        print(f"{name:26} {row['seconds']:8.3f} {mb(row['rss'])} {mb(row['traced']):>9}  {row['result']}")
        print(f"{'':26} {what}; process peak {int(row['rss_total']) / 1e6:.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1:])
