"""The project's folders: sources, templates and outputs, from its root."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Project:
    root: Path
    outputs: Path | None = None  # where dist/ and site/ are written (a build's staging folder), else root

    @property
    def output_root(self) -> Path:
        return self.outputs or self.root

    @property
    def conventions(self) -> Path:
        return self.root / "conventions"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def dist(self) -> Path:
        return self.output_root / "dist"
