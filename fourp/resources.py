"""Where the shipped packs and templates are: inside the installed package, or beside it in a checkout."""
from __future__ import annotations

import os
import pathlib
from importlib import import_module
from typing import Any

__all__ = ["shipped"]


def shipped(name: str) -> Any:
    """The folder of shipped `rules` or `templates` (installed as fourp.rules and fourp.templates)."""
    try:
        package = import_module(f"fourp.{name}")
    except ModuleNotFoundError:  # a source checkout run without installing: the folders sit at the top
        return pathlib.Path(__file__).resolve().parent.parent / name
    # A package that is one folder on disk (an ordinary install, or an editable one) is that folder:
    # importlib.resources, which also reads zipped installs, costs a cold `fourp check` more to import.
    folders = list(getattr(package, "__path__", ()))
    if len(folders) == 1 and os.path.isdir(folders[0]):
        return pathlib.Path(folders[0])
    from importlib import resources

    return resources.files(package)
