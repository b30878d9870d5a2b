"""The fourp benchmark: on the same generated plans, side by side in one run, it measures

  1. the parse floor (read and parse every file with PyYAML's C loader, one process, nothing else);
  2. `fourp audit` with the default pack (cross-plan rules included), one process and all cores;
  3. `fourp audit` into an empty results cache, then again on the unchanged folder;
  4. a cold `fourp check` of one plan (text and JSON), against `python -c "import yaml"`, interleaved;
  5. Spectral with bench/spectral-ruleset.yaml on the same files (skipped if it is not installed);

and prints a Markdown table of medians, plans per second, ratios to the parse floor and to Spectral, and
peak memory, then how each target of issue 16 stands. Run from the repository's root:

    python bench/run.py --sizes 1000,10000

Every measurement is a fresh process; each is repeated `--repeat` times (median reported) unless its
runs pass `--budget` seconds, so a large size finishes in bounded time. `--plans-dir` reuses folders of
plans made by bench/generate.py (read only), e.g. `--plans-dir '/work/bench/p{size}'`.
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
from typing import Any, Dict, List, Optional, Sequence, Tuple

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


def _environment(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """Every measured command's environment: this one, with `extra`, and with Python free to keep its
    compiled bytecode, as it does for an installed package (PYTHONDONTWRITEBYTECODE would make each run
    compile every module of an editable install afresh: a cost no user pays)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra or {})
    return env


def _summary(label: str, runs: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {"label": label, "runs": len(runs), "seconds": statistics.median(r["seconds"] for r in runs),
            "all_seconds": [round(r["seconds"], 3) for r in runs],
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "peak_tree_rss_mb": max(r["peak_tree_rss_mb"] for r in runs)}


def _measure(label: str, command: List[str], repeat: int, budget: float, env: Optional[Dict[str, str]] = None,
             before: Optional[Any] = None, ok_exits: Sequence[int] = (0, 1), may_fail: bool = False
             ) -> Dict[str, Any]:
    runs = []
    spent = 0.0
    while len(runs) < repeat and (not runs or spent < budget):
        if before is not None:
            before()
        result = run(command, _environment(env))
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
    return _summary(label, runs)


def _interleaved(commands: Dict[str, Tuple[str, List[str], Sequence[int]]], repeat: int, env: Dict[str, str]
                 ) -> Dict[str, Dict[str, Any]]:
    """Short commands measured in turn, round after round, so that the machine's load falls on each alike:
    a ratio between them is then fair on a busy machine, where back-to-back series are not."""
    runs: Dict[str, List[Dict[str, Any]]] = {key: [] for key in commands}
    for _ in range(repeat):
        for key, (label, command, ok_exits) in commands.items():
            result = run(command, _environment(env))
            if result["exit"] not in ok_exits:
                raise SystemExit(f"{label}: {' '.join(command)} exited {result['exit']}")
            runs[key].append(result)
    out = {key: _summary(commands[key][0], found) for key, found in runs.items()}
    for m in out.values():
        print(f"  {m['label']}: median {m['seconds'] * 1000:.0f} ms of {m['runs']}", file=sys.stderr)
    return out


def _given(plans_dir: Optional[str], size: int, seed: int) -> Optional[str]:
    """A folder of `size` plans made by bench/generate.py with this seed, named by --plans-dir (its
    `{size}` filled in), if there is one; used as it is, never written to."""
    if not plans_dir:
        return None
    folder = plans_dir.replace("{size}", str(size))
    try:
        with open(os.path.join(folder, ".manifest.json"), encoding="utf-8") as handle:
            manifest = json.load(handle)
    except (OSError, ValueError):
        try:
            count = sum(1 for name in os.listdir(folder) if name.endswith(".yaml") and not name.startswith("."))
        except OSError:
            return None
        if count != size:
            return None
        print(f"{folder}: no manifest; taking its {count} plans as they are", file=sys.stderr)
        return folder
    if manifest.get("count") != size or manifest.get("seed") != seed or manifest.get("as_of") != AS_OF:
        print(f"{folder} holds other plans (count {manifest.get('count')}, seed {manifest.get('seed')}): "
              "generating afresh", file=sys.stderr)
        return None
    return folder


def _plans(work: str, size: int, seed: int, plans_dir: Optional[str] = None) -> str:
    given = _given(plans_dir, size, seed)
    if given is not None:
        return given
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
               jobs: int, measures: Sequence[str] = MEASURES, plans_dir: Optional[str] = None) -> Dict[str, Any]:
    folder = _plans(work, size, seed, plans_dir)
    mb = sum(e.stat().st_size for e in os.scandir(folder) if e.name.endswith(".yaml")) / 1e6
    print(f"== {size} plans, {mb:.0f} MB, in {folder}", file=sys.stderr)
    cache_home = tempfile.mkdtemp(prefix="fourp-bench-cache-")
    env = {"XDG_CACHE_HOME": cache_home}  # the bench never touches the user's own cache
    audit = ["audit", folder, "--as-of", AS_OF]
    out: Dict[str, Any] = {"size": size, "megabytes": round(mb, 1), "folder": folder}
    try:
        # The pack cache is filled once, as it is after any first use of fourp.
        subprocess.run(_fourp("rules"), env=_environment(env), stdout=subprocess.DEVNULL, check=True)
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


def bench_check(work: str, seed: int, repeat: int, plans_dir: Optional[str] = None) -> Dict[str, Any]:
    """A cold `fourp check` of one generated plan (text, then JSON), interleaved with `python -c "import
    yaml"`, the least any Python program reading YAML starts in; after one first use, as a user runs it."""
    folder = _given(plans_dir, 1000, seed) or _plans(work, 20, seed)
    plan = os.path.join(folder, min(n for n in os.listdir(folder) if n.endswith(".yaml") and not n.startswith(".")))
    cache_home = tempfile.mkdtemp(prefix="fourp-bench-cache-")
    env = {"XDG_CACHE_HOME": cache_home}
    try:
        check = _fourp("check", plan, "--as-of", AS_OF)
        out = {"check_first": _measure("fourp check, first use (empty caches)", check, 1, 60, env)}
        out.update(_interleaved({
            "import_yaml": ('python -c "import yaml"', [_python(), "-c", "import yaml"], (0,)),
            "check": ("fourp check, one plan", check, (0, 1)),
            "check_json": ("fourp check --format json, one plan", check + ["--format", "json"], (0, 1)),
        }, max(repeat, 10), env))
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
            "fourp": f"{_version([_python(), '-m', 'fourp', '--version']).replace('fourp, ', '')} at {commit}",
            "date": dt.date.today().isoformat()}


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "-"


def _peak(m: Dict[str, Any]) -> str:
    return f"{m['peak_rss_mb']:.0f} / {m['peak_tree_rss_mb']:.0f}"


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
                             f"({m['failed']}) | - | - | - | {_peak(m)} |")
                continue
            lines.append(f"| {size['size']:,} | {m['label']} | {m['runs']} | {m['seconds']:.2f} | "
                         f"{size['size'] / m['seconds']:,.0f} | {_ratio(m['seconds'], floor)} | "
                         f"{_ratio(m['seconds'], spectral) if spectral else '-'} | {_peak(m)} |")
    base = check["import_yaml"]["seconds"]
    for key in ("import_yaml", "check", "check_json", "check_first"):
        if key not in check:
            continue
        m = check[key]
        lines.append(f"| 1 | {m['label']} | {m['runs']} | {m['seconds']:.3f} | - | "
                     f"{_ratio(m['seconds'], base)} of import yaml | - | {_peak(m)} |")
    return "\n".join(lines)


#: Issue 16's targets, on this machine, at the largest size run (10,000 plans in the full run).
AUDIT_FLOOR, REAUDIT, COLD_CHECK, PEAK_MB, PEAK_AT, GROWTH = 1.0, 0.05, 2.5, 300, 10000, 1.05


def targets(sizes: List[Dict[str, Any]], check: Dict[str, Any]) -> str:
    """How each target of issue 16 stands: `met`, or `MISSED` and by how much."""
    lines = []

    def line(ok: bool, text: str, bound: Optional[float] = None, measured: Optional[float] = None) -> None:
        by = f" (missed by {measured / bound:.2f}x)" if not ok and bound and measured else ""
        lines.append(f"- {'met' if ok else 'MISSED'}: {text}{by}")

    by_size = {s["size"]: s for s in sizes}
    largest = by_size[max(by_size)]
    n = largest["size"]
    audited = largest.get("audit_all")
    if audited:
        ratio = audited["seconds"] / largest["floor"]["seconds"]
        line(ratio <= AUDIT_FLOOR, f"audit, all cores, at most {AUDIT_FLOOR:.1f}x the one-process parse floor at "
             f"{n:,} plans: {ratio:.2f}x ({audited['seconds']:.1f} s against {largest['floor']['seconds']:.1f} s)",
             AUDIT_FLOOR, ratio)
    for size in sizes:
        mine, theirs = size.get("audit_all"), size.get("spectral")
        if not mine or not theirs:
            continue
        if theirs.get("failed"):
            line(True, f"faster than Spectral at {size['size']:,} plans: Spectral failed after "
                       f"{theirs['seconds']:.0f} s ({theirs['failed']}) where fourp took {mine['seconds']:.1f} s")
        else:
            speed = theirs["seconds"] / mine["seconds"]
            line(mine["seconds"] < theirs["seconds"], f"faster than Spectral at {size['size']:,} plans: fourp "
                 f"{mine['seconds']:.1f} s, Spectral {theirs['seconds']:.1f} s ({speed:.2f}x as fast; fourp: "
                 "every rule of its pack and the cross-plan rules; Spectral: 5 rules)",
                 theirs["seconds"], mine["seconds"])
    if "audit_again" in largest and "audit_first" in largest:
        again = largest["audit_again"]["seconds"] / largest["audit_first"]["seconds"]
        line(again <= REAUDIT, f"re-audit of the unchanged folder at most {REAUDIT}x the first audit at {n:,} "
             f"plans: {again:.3f}x ({largest['audit_again']['seconds']:.2f} s against "
             f"{largest['audit_first']['seconds']:.1f} s)", REAUDIT, again)
    cold = check["check"]["seconds"] / check["import_yaml"]["seconds"]
    line(cold <= COLD_CHECK, f"cold `fourp check` of one plan at most {COLD_CHECK}x `python -c \"import yaml\"`: "
         f"{cold:.2f}x ({check['check']['seconds'] * 1000:.0f} ms against "
         f"{check['import_yaml']['seconds'] * 1000:.0f} ms, medians of {check['check']['runs']} interleaved runs)",
         COLD_CHECK, cold)
    if audited:
        peak = max(audited["peak_tree_rss_mb"], (largest.get("audit_first") or audited)["peak_tree_rss_mb"])
        text = (f"peak memory at most {PEAK_MB} MB at {PEAK_AT:,} plans: {peak:.0f} MB at {n:,} plans (all "
                f"processes of the audit together; main process {audited['peak_rss_mb']:.0f} MB)")
        if n >= PEAK_AT:
            line(peak <= PEAK_MB, text, PEAK_MB, peak)
        else:
            lines.append(f"- not judged below {PEAK_AT:,} plans: {text}")
    smallest = by_size[min(by_size)]
    if smallest is not largest and "audit_all" in smallest and audited:
        growth = audited["seconds"] / smallest["audit_all"]["seconds"]
        bound = GROWTH * n / smallest["size"]
        line(growth <= bound, f"cost linear: {n:,} plans at most {bound:.1f}x the time of {smallest['size']:,}: "
             f"{growth:.1f}x", bound, growth)
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
    parser.add_argument("--plans-dir", metavar="DIR",
                        help="use the plans bench/generate.py wrote here (read only) when they match the size and "
                             "seed; `{size}` in DIR is replaced by each size, e.g. /work/bench/p{size}")
    parser.add_argument("--measures", default=",".join(MEASURES),
                        help=f"which to run besides the parse floor and the cold check (default {','.join(MEASURES)})")
    args = parser.parse_args(argv)
    os.makedirs(args.work, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    info = machine()
    measures = [m.strip() for m in args.measures.split(",") if m.strip()]
    results = [bench_size(size, args.work, args.seed, args.repeat, args.budget, not args.no_spectral, args.jobs,
                          measures, args.plans_dir) for size in sizes]
    check = bench_check(args.work, args.seed, args.repeat, args.plans_dir)
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
