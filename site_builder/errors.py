"""One error type that carries a location, and a collection of them.

Errors are values: they are raised where a problem is discovered, gathered by
the build, and printed once by the CLI as ``path:line: message``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

MAX_REPORTED_ERRORS = 50


@dataclass(frozen=True, order=True)
class Problem:
    """A located message about the content: an error or a warning."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class BuildError(Exception):
    """A content or build error at ``path:line``."""

    def __init__(self, path: str | Path, line: int, message: str) -> None:
        self.problem = Problem(str(path), max(int(line), 1), message)
        super().__init__(str(self.problem))


class BuildErrors(Exception):
    """Several build errors found together, reported sorted by file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems[:MAX_REPORTED_ERRORS]))

    def report(self) -> str:
        """The text the CLI prints: each problem on a line, capped, with a count."""
        lines = [str(p) for p in self.problems[:MAX_REPORTED_ERRORS]]
        hidden = len(self.problems) - MAX_REPORTED_ERRORS
        if hidden > 0:
            lines.append(f"... and {hidden} more errors")
        return "\n".join(lines)


class StrictWarnings(BuildErrors):
    """Warnings that ``--strict`` turns into errors: reported as ``path:line: warning: ...``, nothing written."""

    def __init__(self, warnings: list[Problem]) -> None:
        self.warnings = tuple(sorted(set(warnings)))
        super().__init__([Problem(w.path, w.line, f"warning: {w.message}") for w in self.warnings])


@dataclass
class ErrorCollector:
    """Gathers problems so that one build reports all of them at once."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, path: str | Path, line: int, message: str) -> None:
        """Record one problem."""
        self.problems.append(Problem(str(path), max(int(line), 1), message))

    def add_error(self, error: BuildError) -> None:
        """Record a raised BuildError."""
        self.problems.append(error.problem)

    def raise_if_any(self) -> None:
        """Raise BuildErrors when anything was recorded."""
        if self.problems:
            raise BuildErrors(self.problems)
