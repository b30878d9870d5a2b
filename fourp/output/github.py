"""`github`: GitHub Actions workflow commands, one annotation a finding at its file and line."""
from __future__ import annotations

from typing import Any, Dict, Iterator, List, Tuple

from .places import placed_message, places

__all__ = ["to_github", "github_escape_data", "github_escape_property", "report_text"]


_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def github_escape_data(text: Any) -> str:
    """A workflow command's message, escaped as GitHub's toolkit does (`escapeData`)."""
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_escape_property(text: Any) -> str:
    """A workflow command's property value (file, title), escaped as GitHub's toolkit does
    (`escapeProperty`): also `:` and `,`, which would otherwise end the value."""
    return github_escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(data: Dict[str, Any]) -> str:
    """GitHub Actions workflow commands, one line per finding (`::error file=...,line=...,col=...,
    title=...::message`), which GitHub shows as annotations on the plan's lines in a pull request and
    in the run's summary. Errors are `error`, warnings `warning`, info `notice`; an unreadable file is
    an error; a cross-plan finding is annotated in each plan it concerns."""
    return "".join(github_lines(data))


def github_lines(data: Dict[str, Any]) -> Iterator[str]:
    """`to_github`, a line at a time."""
    for item, file, line, column in places(data):
        properties: List[Tuple[str, Any]] = [("file", file)] if file else []
        if line is not None and line >= 1:
            properties.append(("line", line))
            if column is not None and column >= 1:
                properties.append(("col", column))
        properties.append(("title", f"fourp {item['rule']}: {item['title']}"))
        message = placed_message(item) + (f"\nFix: {item['remediation']}" if item.get("remediation") else "")
        fields = ",".join(f"{name}={github_escape_property(value)}" for name, value in properties)
        yield f"::{_GITHUB_LEVEL[item['severity']]} {fields}::{github_escape_data(message)}\n"


def report_pieces(fmt: str, data: Dict[str, Any], document: Any = None, colour: bool = False) -> Iterator[str]:
    """The `github` format a line at a time, as `fourp.output.format_pieces` calls each format."""
    return github_lines(data)


def report_text(fmt: str, data: Dict[str, Any], document: Any = None, colour: bool = False) -> str:
    """The `github` format, as `fourp.output.FORMATS` calls each format."""
    return to_github(data)
