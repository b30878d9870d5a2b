"""How long building the report data and rendering each format take, for an audit of N plans.

    python bench/render_formats.py 1000 --fail-share 0.1

Generates N synthetic plans with bench/generate.py (in a temporary folder), audits them once, then times
`audit_data` and each of the seven formats (best of --repeat runs) and prints the figures with each
report's size. Evaluation is measured elsewhere; this is only what `fourp audit --report ...` adds.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from fourp import load_pack  # noqa: E402
from fourp.audit import audit  # noqa: E402
from fourp.output import FORMATS, format_report  # noqa: E402
from fourp.output.json import audit_document  # noqa: E402
from fourp.output.render import audit_data  # noqa: E402


def best_of(repeat: int, work):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plans", type=int, nargs="?", default=1000)
    parser.add_argument("--fail-share", default="0.1")
    parser.add_argument("--seed", default="6")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    as_of = dt.date(2024, 9, 30)
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), str(args.plans), folder,
                        "--seed", args.seed, "--fail-share", args.fail_share], check=True,
                       stdout=subprocess.DEVNULL)
        pack = load_pack()
        start = time.perf_counter()
        result = audit([folder], pack=pack, as_of=as_of)
        evaluated = time.perf_counter() - start
        findings = sum(len(r.findings) for r in result.reports)
        print(f"{len(result.reports)} plans, {findings} findings; audit (evaluation, all cores) {evaluated:.2f} s")
        seconds, data = best_of(args.repeat, lambda: audit_data(result, pack))
        print(f"{'audit_data':>10}  {seconds * 1000:8.1f} ms")
        document = audit_document(result)
        for fmt in FORMATS:
            seconds, text = best_of(args.repeat, lambda: format_report(fmt, data, document))
            print(f"{fmt:>10}  {seconds * 1000:8.1f} ms  {len(text.encode('utf-8')) / 1e6:7.2f} MB")


if __name__ == "__main__":
    main()
