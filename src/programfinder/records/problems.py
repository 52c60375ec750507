"""A problem found in a record: which file, line and field, what is wrong and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a corpus file: where, what, and how to fix it."""

    severity: Severity
    path: Path
    message: str
    hint: str = ""
    line: int | None = None
    field: str | None = None

    @property
    def location(self) -> str:
        """``file:line`` (or just ``file``), relative to the working folder where possible."""
        shown = display_path(self.path)
        return f"{shown}:{self.line}" if self.line else shown

    def __str__(self) -> str:
        where = f"{self.location}: "
        what = f"{self.field}: {self.message}" if self.field else self.message
        return where + what + (f" {self.hint}" if self.hint else "")

    def to_json(self) -> dict[str, Any]:
        """A dict for storing the problem (with the full path); see ``from_json``."""
        return {
            "severity": self.severity,
            "path": str(self.path),
            "message": self.message,
            "hint": self.hint,
            "line": self.line,
            "field": self.field,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Problem:
        """The problem stored by ``to_json``."""
        return cls(
            severity=data["severity"],
            path=Path(data["path"]),
            message=data["message"],
            hint=data.get("hint", ""),
            line=data.get("line"),
            field=data.get("field"),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict for output (the file as a user would type it)."""
        return {
            "severity": self.severity,
            "file": display_path(self.path),
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
        }


def display_path(path: Path) -> str:
    """A path as a user would type it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
