"""Diagnostics are values: collected across all files, printed once, one exit code."""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

NBSP = "\u00a0"


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    code: str
    message: str
    level: str = "erreur"  # "erreur" or "avertissement"
    column: int = 0  # 1-based column in the line, 0 when the finding is about the whole line

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        if self.line and self.column:
            where += f":{self.column}"
        return f"{where}{NBSP}: {self.level}{NBSP}: {self.message} [{self.code}]"


class UserError(Exception):
    """A mistake in the sources: carries the diagnostics to report, never a traceback."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__(f"{len(diagnostics)} erreur(s)")
        self.diagnostics = diagnostics


@dataclass
class Diagnostics:
    """Collector passed through load, validate and assemble."""

    root: Path = field(default_factory=Path.cwd)
    items: list[Diagnostic] = field(default_factory=list)

    def rel(self, path: Path | str) -> str:
        return _relative(str(path), str(self.root))

    def error(self, path: Path | str, line: int, code: str, message: str, column: int = 0) -> None:
        self.items.append(Diagnostic(self.rel(path), line or 0, code, message, "erreur", column))

    def warning(self, path: Path | str, line: int, code: str, message: str, column: int = 0) -> None:
        self.items.append(Diagnostic(self.rel(path), line or 0, code, message, "avertissement", column))

    def extend(self, other: "Diagnostics") -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level == "erreur"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level != "erreur"]

    def failed(self, path: Path | str) -> bool:
        """An error was reported on this file, or on a file in this folder: a follow-up message about
        what it should have held would be false (« absent », « unknown »), so none is given."""
        rel = self.rel(path)
        return any(d.path == rel or d.path.startswith(rel + "/") for d in self.errors)

    def has_errors(self, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))

    def raise_if_errors(self, strict: bool = False) -> None:
        if self.has_errors(strict):
            raise UserError(self.sorted())

    def sorted(self) -> list[Diagnostic]:
        seen: set[Diagnostic] = set()
        out = []
        for d in sorted(self.items, key=lambda d: (d.path, d.line, d.column, d.code, d.message)):
            if d not in seen:
                seen.add(d)
                out.append(d)
        return out


def report(diagnostics: list[Diagnostic], stream=None) -> None:
    """Print every diagnostic, then a French summary line."""
    stream = stream or sys.stderr
    for d in diagnostics:
        print(d.format(), file=stream)
    n_err = sum(1 for d in diagnostics if d.level == "erreur")
    n_warn = len(diagnostics) - n_err
    if n_err or n_warn:
        parts = []
        if n_err:
            parts.append(f"{n_err} erreur{'s' if n_err > 1 else ''}")
        if n_warn:
            parts.append(f"{n_warn} avertissement{'s' if n_warn > 1 else ''}")
        print(" et ".join(parts) + ".", file=stream)


@lru_cache(maxsize=65536)
def _relative(path: str, root: str) -> str:
    """path relative to root when inside it (both resolved), else as given; memoized: every
    document lists its sources, most of them shared (registry, templates)."""
    p = Path(path)
    try:  # the folder resolved, not the file: a symbolic link is named where it is, not where it leads
        where = p.absolute().parent.resolve() / p.name if p.name else p.resolve()
        return where.relative_to(Path(root).resolve()).as_posix()
    except (ValueError, RuntimeError, OSError):
        return p.as_posix()


def closest(word: str, candidates) -> str:
    """« ; vouliez-vous dire « X » ? » after a name not found, or « . » when nothing is close."""
    guess = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" ; vouliez-vous dire « {guess[0]} » ?" if guess else "."
