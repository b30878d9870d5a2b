"""The fourp benchmark: on the same generated plans, side by side in one run, it measures

  1. the parse floor (read and parse every file with PyYAML's C loader, one process, nothing else);
  2. `fourp audit` with the default pack (cross-plan rules included), one process and all cores;
  3. `fourp audit` into an empty results cache, then again on the unchanged folder;
  4. a cold `fourp check` of one plan, against `python -c "import yaml"`;
  5. Spectral with bench/spectral-ruleset.yaml on the same files (skipped if it is not installed);

and prints a Markdown table of medians, plans per second, ratios to the parse floor and to Spectral, and
peak memory, then how each target of issue 6 stands. Run from the repository's root:

    python bench/run.py --sizes 1000,10000

Every measurement is a fresh process; each is repeated `--repeat` times (median reported) unless its
runs pass `--budget` seconds, so a large size finishes in bounded time.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any, Dict, List, Optional, Sequence

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from generate import generate  # noqa: E402  (bench/ is not a package)
from measure import run  # noqa: E402

AS_OF = "2024-09-30"
SPECTRAL = os.path.join(HERE, ".spectral", "node_modules", ".bin", "spectral")
RULESET = os.path.join(HERE, "spectral-ruleset.yaml")


def _python() -> str:
    return sys.executable


def _fourp(*args: str) -> List[str]:
    return [_python(), "-m", "fourp", *args]


def _measure(label: str, command: List[str], repeat: int, budget: float, env: Optional[Dict[str, str]] = None,
             before: Optional[Any] = None, ok_exits: Sequence[int] = (0, 1), may_fail: bool = False
             ) -> Dict[str, Any]:
    runs = []
    spent = 0.0
    while len(runs) < repeat and (not runs or spent < budget):
        if before is not None:
            before()
        result = run(command) if env is None else _run_with_env(command, env)
        if result["exit"] not in ok_exits:
            if not may_fail:
                raise SystemExit(f"{label}: {' '.join(command)} exited {result['exit']}")
            print(f"  {label}: failed after {result['seconds']:.0f} s (exit {result['exit']})", file=sys.stderr)
            return {"label": label, "runs": 1, "failed": f"exit {result['exit']}", "seconds": result["seconds"],
                    "all_seconds": [round(result["seconds"], 3)], "peak_rss_mb": result["peak_rss_mb"],
                    "peak_tree_rss_mb": result["peak_tree_rss_mb"]}
        runs.append(result)
        spent += result["seconds"]
        print(f"  {label}: {result['seconds']:.2f} s, peak {result['peak_tree_rss_mb']:.0f} MB", file=sys.stderr)
    return {"label": label, "runs": len(runs), "seconds": statistics.median(r["seconds"] for r in runs),
            "all_seconds": [round(r["seconds"], 3) for r in runs],
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "peak_tree_rss_mb": max(r["peak_tree_rss_mb"] for r in runs)}


def _run_with_env(command: List[str], env: Dict[str, str]) -> Dict[str, Any]:
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return run(command)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _plans(work: str, size: int, seed: int) -> str:
    folder = os.path.join(work, f"plans-{size}-seed{seed}")
    manifest = os.path.join(folder, ".manifest.json")
    if not os.path.exists(manifest):
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        generate(size, folder, seed=seed, as_of=dt.date.fromisoformat(AS_OF))
        print(f"generated {size} plans in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return folder


MEASURES = ("audit_1", "audit_all", "cache", "spectral")


def bench_size(size: int, work: str, seed: int, repeat: int, budget: float, spectral: bool,
               jobs: int, measures: Sequence[str] = MEASURES) -> Dict[str, Any]:
    folder = _plans(work, size, seed)
    mb = sum(e.stat().st_size for e in os.scandir(folder) if e.name.endswith(".yaml")) / 1e6
    print(f"== {size} plans, {mb:.0f} MB", file=sys.stderr)
    cache_home = tempfile.mkdtemp(prefix="fourp-bench-cache-")
    env = {"XDG_CACHE_HOME": cache_home}  # the bench never touches the user's own cache
    audit = ["audit", folder, "--as-of", AS_OF]
    out: Dict[str, Any] = {"size": size, "megabytes": round(mb, 1)}
    try:
        # The pack cache is filled once, as it is after any first use of fourp.
        subprocess.run(_fourp("rules"), env=dict(os.environ, **env), stdout=subprocess.DEVNULL, check=True)
        out["floor"] = _measure("parse floor", [_python(), os.path.join(HERE, "parse_floor.py"), folder],
                                repeat, budget, ok_exits=(0,))
        if "audit_1" in measures:
            out["audit_1"] = _measure("fourp audit, 1 process", _fourp(*audit, "--jobs", "1", "--no-cache"),
                                      repeat, budget, env)
        if "audit_all" in measures:
            out["audit_all"] = _measure(f"fourp audit, {jobs} processes",
                                        _fourp(*audit, "--jobs", str(jobs), "--no-cache"), repeat, budget, env)
        results = os.path.join(cache_home, "fourp", "results")
        if "cache" in measures:
            out["audit_first"] = _measure("fourp audit, empty cache", _fourp(*audit, "--jobs", str(jobs)), 1,
                                          budget, env, before=lambda: shutil.rmtree(results, ignore_errors=True))
            out["audit_again"] = _measure("fourp audit again, unchanged", _fourp(*audit, "--jobs", str(jobs)),
                                          repeat, budget, env)
        if spectral and "spectral" in measures and os.path.exists(SPECTRAL):
            out["spectral"] = _measure("Spectral (5 rules)", [SPECTRAL, "lint", os.path.join(folder, "*.yaml"),
                                                              "--ruleset", RULESET, "--format", "json",
                                                              "--output", os.devnull, "--quiet"],
                                       repeat, budget, may_fail=True)  # it can run out of memory
    finally:
        shutil.rmtree(cache_home, ignore_errors=True)
    return out


def bench_check(work: str, seed: int, repeat: int) -> Dict[str, Any]:
    folder = _plans(work, 20, seed)
    plan = os.path.join(folder, "plan-00000.yaml")
    cache_home = tempfile.mkdtemp(prefix="fourp-bench-cache-")
    env = {"XDG_CACHE_HOME": cache_home}
    try:
        check = _fourp("check", plan, "--as-of", AS_OF)
        out = {"check_first": _measure("fourp check, first use (empty caches)", check, 1, 60, env)}
        out["check"] = _measure("fourp check, one plan", check, max(repeat, 10), 60, env)
        out["import_yaml"] = _measure('python -c "import yaml"', [_python(), "-c", "import yaml"],
                                      max(repeat, 10), 60, ok_exits=(0,))
    finally:
        shutil.rmtree(cache_home, ignore_errors=True)
    return out


def _version(command: List[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "not installed"


def machine() -> Dict[str, str]:
    import yaml

    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            memory = f"{int(handle.readline().split()[1]) / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    commit = _version(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    return {"cpu": cpu, "cores": str(os.cpu_count()), "memory": memory,
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
            "pyyaml": f"{yaml.__version__} (libyaml {'yes' if yaml.__with_libyaml__ else 'no'})",
            "node": _version(["node", "--version"]),
            "spectral": _version([SPECTRAL, "--version"]) if os.path.exists(SPECTRAL) else "not installed",
            "fourp": f"{_version([_python(), '-m', 'fourp', '--version'])} at {commit}",
            "date": dt.date.today().isoformat()}


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "-"


def table(sizes: List[Dict[str, Any]], check: Dict[str, Any]) -> str:
    lines = ["| plans | measure | runs | median s | plans/s | x parse floor | x Spectral "
             "| peak RSS MB (main / all processes) |",
             "|---:|---|---:|---:|---:|---:|---:|---|"]
    for size in sizes:
        floor = size["floor"]["seconds"]
        spectral = size.get("spectral", {}).get("seconds") if not size.get("spectral", {}).get("failed") else None
        for key in ("floor", "audit_1", "audit_all", "audit_first", "audit_again", "spectral"):
            if key not in size:
                continue
            m = size[key]
            if m.get("failed"):
                lines.append(f"| {size['size']:,} | {m['label']} | {m['runs']} | failed after {m['seconds']:.0f} s "
                             f"({m['failed']}) | - | - | - | {m['peak_rss_mb']:.0f} / {m['peak_tree_rss_mb']:.0f} |")
                continue
            lines.append(f"| {size['size']:,} | {m['label']} | {m['runs']} | {m['seconds']:.2f} | "
                         f"{size['size'] / m['seconds']:,.0f} | {_ratio(m['seconds'], floor)} | "
                         f"{_ratio(m['seconds'], spectral) if spectral else '-'} | "
                         f"{m['peak_rss_mb']:.0f} / {m['peak_tree_rss_mb']:.0f} |")
    base = check["import_yaml"]["seconds"]
    for key in ("import_yaml", "check", "check_first"):
        m = check[key]
        lines.append(f"| 1 | {m['label']} | {m['runs']} | {m['seconds']:.3f} | - | "
                     f"{_ratio(m['seconds'], base)} of import yaml | - | {m['peak_rss_mb']:.0f} |")
    return "\n".join(lines)


def targets(sizes: List[Dict[str, Any]], check: Dict[str, Any]) -> str:
    lines = []

    def line(ok: bool, text: str) -> None:
        lines.append(f"- {'met' if ok else 'MISSED'}: {text}")

    by_size = {s["size"]: s for s in sizes}
    largest = by_size[max(by_size)]
    n = largest["size"]
    audited = largest.get("audit_all") or largest.get("audit_first")
    if audited:
        ratio = audited["seconds"] / largest["floor"]["seconds"]
        line(ratio <= 1.5, f"audit, all cores, within 1.5x of the parse floor at {n:,} plans: {ratio:.2f}x")
    if "spectral" in largest and largest["spectral"].get("failed") and audited:
        line(True, f"faster than Spectral at {n:,} plans: Spectral failed after "
                   f"{largest['spectral']['seconds']:.0f} s ({largest['spectral']['failed']}) where fourp took "
                   f"{audited['seconds']:.0f} s")
    elif "spectral" in largest and audited:
        faster = largest["spectral"]["seconds"] / audited["seconds"]
        line(faster >= 3, f"faster than Spectral by a wide margin at {n:,} plans: {faster:.2f}x as fast "
                          "(fourp: 27 rules and the cross-plan rules; Spectral: 5 rules)")
    if 1000 in by_size and 10000 in by_size and "audit_all" in by_size[1000] and "audit_all" in by_size[10000]:
        growth = by_size[10000]["audit_all"]["seconds"] / by_size[1000]["audit_all"]["seconds"]
        line(growth <= 11, f"10,000 plans take at most 11x the time of 1,000: {growth:.1f}x")
    if audited:
        peak = audited["peak_tree_rss_mb"]
        line(peak < 500, f"peak resident memory for {n:,} plans under 500 MB: {peak:.0f} MB (all processes; "
                         f"main {audited['peak_rss_mb']:.0f} MB)")
    cold = check["check"]["seconds"] / check["import_yaml"]["seconds"]
    line(cold <= 2.5, f"cold `fourp check` of one plan within 2.5x of `python -c \"import yaml\"`: {cold:.2f}x "
                      f"({check['check']['seconds'] * 1000:.0f} ms against "
                      f"{check['import_yaml']['seconds'] * 1000:.0f} ms)")
    if "audit_again" in largest:
        again = largest["audit_first"]["seconds"] / largest["audit_again"]["seconds"]
        line(again >= 10, f"re-audit of the unchanged folder at least 10x faster than the first: {again:.1f}x")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="numbers of plans, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (median reported)")
    parser.add_argument("--budget", type=float, default=900,
                        help="stop repeating a measurement once its runs took this many seconds")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "fourp-bench"),
                        help="where the generated plans are kept between runs")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for 'all cores'")
    parser.add_argument("--no-spectral", action="store_true", help="skip Spectral even if installed")
    parser.add_argument("--json", help="also write every figure to this file")
    parser.add_argument("--measures", default=",".join(MEASURES),
                        help=f"which to run besides the parse floor and the cold check (default {','.join(MEASURES)})")
    args = parser.parse_args(argv)
    os.makedirs(args.work, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    info = machine()
    measures = [m.strip() for m in args.measures.split(",") if m.strip()]
    results = [bench_size(size, args.work, args.seed, args.repeat, args.budget, not args.no_spectral, args.jobs,
                          measures) for size in sizes]
    check = bench_check(args.work, args.seed, args.repeat)
    report = "\n\n".join([
        "Machine: " + "; ".join(f"{k} {v}" for k, v in info.items()),
        table(results, check),
        "Targets:\n" + targets(results, check),
    ])
    print(report)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"machine": info, "sizes": results, "check": check}, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
