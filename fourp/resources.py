"""Where the shipped packs and templates are: inside the installed package, or beside it in a checkout."""
from __future__ import annotations

import pathlib
from importlib import resources
from typing import Any

__all__ = ["shipped"]


def shipped(name: str) -> Any:
    """The folder of shipped `rules` or `templates` (installed as fourp.rules and fourp.templates)."""
    try:
        return resources.files(f"fourp.{name}")
    except ModuleNotFoundError:  # a source checkout run without installing: the folders sit at the top
        return pathlib.Path(__file__).resolve().parent.parent / name
