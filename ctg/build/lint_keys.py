"""The keys of the prose check's inputs (checks/prose), by unit and by délibération: the dependency
index keeps each one's findings under its key (incremental.py), and a run reads again the prose of
those whose key changed."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..core.project import Project
from . import cache, dependency_index as di


class LintKeys:
    """The keys of the prose check's inputs.

    A unit's: its files, the layouts a build cached for its documents (typed page counts), the files
    git sees changed in it (signed texts being changed). A délibération's: the keys of the units of
    the documents it approves (its rapport's sections are read against their facts) and the files git
    sees changed in its folder; its own files are shared inputs (a change reads everything again)."""

    def __init__(self, project: Project, scan: di.Scan):
        from ..checks.prose import spelling
        from ..checks.prose.lint import changed_files

        self.project, self.scan = project, scan
        self.changed = sorted(str(p) for p in changed_files(project.root) or ())
        base = spelling.dictionary_base()  # the French dictionary installed, or none (spelling not checked)
        self.dictionary = cache.sha256(repr([base, base and cache.file_identity(base + ".dic")]))
        self.layouts: dict[str, tuple[int, int] | None] = {}  # this run's look at each layout file

    def _layout(self, paths: list[str]) -> tuple | None:
        """The first layout a build cached for a document, by size and time: a build writes a new
        one, never changes one (its name is the key of the document's text), so looking at every
        document's costs a stat, not a read (page counts: build_outputs.page_counts_at)."""
        for k, path in enumerate(paths):
            if path not in self.layouts:
                try:
                    st = os.stat(path)
                    self.layouts[path] = (st.st_size, st.st_mtime_ns)
                except OSError:
                    self.layouts[path] = None
            if self.layouts[path] is not None:
                return (k, *self.layouts[path])
        return None

    def _changed_in(self, folder: Path) -> list[str]:
        prefix = str(folder) + "/"
        return [c for c in self.changed if c.startswith(prefix)]

    def units(self, facts: dict[str, di.DocumentFacts], names=None) -> dict[str, str]:
        """The keys of the units named (default: every unit)."""
        scan = self.scan
        names = scan.unit_names if names is None else [n for n in scan.unit_names if n in names]
        wanted = set(names)
        by_unit: dict[str, list] = {}
        for ident, f in facts.items():
            if f.unit in wanted:
                by_unit.setdefault(f.unit, []).append((ident, self._layout(f.pages_keys)))
        out = {}
        for name in names:
            h = hashlib.sha256((scan.units[name] + self.dictionary).encode())
            h.update(repr(sorted(by_unit.get(name, []))).encode())
            h.update(repr(self._changed_in(self.project.conventions / name)).encode())
            out[name] = h.hexdigest()
        return out

    def deliberation(self, ident: str, approved: list[str], facts: dict[str, di.DocumentFacts],
                     unit_keys: dict[str, str]) -> str:
        from ..sources.deliberation_sources import DELIBERATIONS_DIR

        units = [facts[i].unit if i in facts else None for i in approved]
        h = hashlib.sha256(repr([ident, self.dictionary, approved, [unit_keys.get(u or "") for u in units]]).encode())
        h.update(repr(self._changed_in(self.project.conventions / DELIBERATIONS_DIR / ident)).encode())
        return h.hexdigest()
