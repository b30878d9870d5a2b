"""The parse floor: read every plan file in a folder and parse it with PyYAML's C loader, nothing else.

    python bench/parse_floor.py FOLDER

No program that reads these plans can be faster than this in one process; bench/run.py measures fourp
against it.
"""
from __future__ import annotations

import os
import sys

import yaml


def main(folder: str) -> int:
    loader = yaml.CSafeLoader  # fails loudly if PyYAML was built without libyaml: no silent slow floor
    names = sorted(n for n in os.listdir(folder) if n.endswith((".yaml", ".yml")) and not n.startswith("."))
    for name in names:
        with open(os.path.join(folder, name), "rb") as handle:
            yaml.load(handle.read(), Loader=loader)
    print(f"parsed {len(names)} files", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
