"""Runs one command and reports its wall time and peak memory, for bench/run.py.

    python bench/measure.py OUT.json -- COMMAND...

Writes {"seconds", "peak_rss_mb", "peak_tree_rss_mb", "exit"} to OUT.json: the command's own peak
resident memory (VmHWM, read as it runs; the kernel's figure when /proc is not there), and the largest
total resident memory of the command and all the processes it started (an audit's workers) at any one
time, sampled every 20 ms. Output goes to /dev/null: printing is not what is measured.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Dict, List, Mapping, Optional


def _kb(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _tree(pid: int) -> List[int]:
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as handle:
                    stack.extend(int(p) for p in handle.read().split())
        except OSError:
            pass
    return found


def run(command: List[str], env: Optional[Mapping[str, str]] = None) -> Dict[str, float]:
    """Runs `command` (with `env` as its whole environment, if given) and measures it."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=None if env is None else dict(env))
    own = tree = 0
    while True:
        waited, status, usage = os.wait4(process.pid, os.WNOHANG)
        if waited:
            break
        own = max(own, _kb(process.pid, "VmHWM"))
        tree = max(tree, sum(_kb(p, "VmRSS") for p in _tree(process.pid)))
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    own = own or usage.ru_maxrss  # a command too quick to sample
    return {"seconds": seconds, "peak_rss_mb": own / 1024, "peak_tree_rss_mb": max(tree, own) / 1024,
            "exit": os.waitstatus_to_exitcode(status)}


def main(argv: List[str]) -> int:
    out, rest = argv[0], argv[1:]
    if rest[:1] == ["--"]:
        rest = rest[1:]
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(run(rest), handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
