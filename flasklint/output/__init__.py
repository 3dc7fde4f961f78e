"""Output formats: each turns the engine's diagnostics into one textual report.

Every formatter takes the same `Report` and returns a string; the CLI picks one by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from flasklint.diagnostics import Diagnostic


@dataclass
class Report:
    """What a run found: each diagnostic with the absolute path of its file."""

    entries: list[tuple[Path, Diagnostic]] = field(default_factory=list)
    fixed: int = 0

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for _, d in self.entries]

    @staticmethod
    def display_path(file: Path) -> str:
        """Paths relative to the working directory when inside it, as ruff and flake8 print them."""
        try:
            return str(file.relative_to(Path.cwd()))
        except ValueError:
            return str(file)


Formatter = Callable[[Report], str]


def formatters() -> dict[str, Formatter]:
    from flasklint.output.json import format_json
    from flasklint.output.text import format_text

    return {"text": format_text, "json": format_json}
