"""The persistent dependency index: after an edit, load, check and assemble only what it changed.

A convention folder (conventions/<id>/: the convention, its avenants, annexes, fiches, data,
clauses, fingerprints) is a *unit*. Everything else a unit's checks and assembly read is
*shared*: the registry (_registre/), the délibérations (_deliberations/), any other file under
conventions/, templates/ (the clause library, models, reference.docx), the project's code and
the tools' versions. The index (.cache/index/, written after every run whose sources had no
error) records:

- the content hash of every input file, with its size and modification time (a file whose size
  and time did not change is not read again; one modified in the second before the index was
  written is read again, as git does for « racy » files);
- per unit: what its sources declare that other units' checks read (identifiers, territory,
  « remplace »), the diagnostics reported on its files, its prose findings, and its loaded
  sources and assembled documents (one pickle per unit);
- the prose findings on the registry's data files (kept while no shared input changes);
- every délibération as loaded (one pickle, like the registry's), and its prose findings under
  the key of what they read: its approved documents' units (kept while no shared input changes).

A run then compares the inputs with the index:

- a shared input changed (or the code, a tool, the set of convention folders): everything is
  loaded, checked and assembled again, as without an index;
- otherwise the units whose files changed are *dirty*; they are loaded, checked and assembled
  with the units their checks compare them with (same territory, « remplace » in either
  direction, a délibération approving both), with the registry and the délibérations kept from
  the last run; those are loaded and checked, their documents taken from their entries (a
  text depends on its own folder and the shared inputs alone); the prose check reads the délibérations whose approved documents were all read; the
  other units give back their diagnostics, and, when the caller needs the whole corpus (the
  site, « list », a full build), their sources and documents from their pickle.

An entry can only be unused, never wrong: every key hashes content, and a unit is reused only
when all of its files and every shared input are byte for byte those of the run that wrote it.
« --force » ignores the index (and writes it again).
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..core.diagnostics import Diagnostic, Diagnostics
from . import cache

FOLDER = Path(".cache") / "index"
VERSION = "4"
RACY_SECONDS = 2  # a file modified this close to the index's writing is hashed again


@dataclass
class DocumentFacts:
    """What « check » reports about a document of a unit that was not loaded."""

    id: str
    status: str
    sources: list[str]
    pages_keys: list[str]  # where a build cached its layout (pages.json), for the prose check
    unit: str  # the convention folder it is written in


@dataclass
class UnitRecord:
    key: str  # hash of the unit's files
    conv_id: str | None
    territoire: str | None
    remplace: str | None
    documents: list[DocumentFacts]
    diagnostics: list[Diagnostic]  # reported on its files by load, checks and assembly
    lint_key: str = ""  # the prose check's inputs for this unit, when it ran
    lint: list[Diagnostic] = field(default_factory=list)


@dataclass
class Index:
    version: str
    shared: str  # hash of the shared inputs
    files: dict[str, tuple[int, int, str]]  # rel path → (size, mtime_ns, sha256)
    written: float  # time.time() when written
    units: dict[str, UnitRecord]  # by folder name
    shared_diagnostics: list[Diagnostic]  # reported on files outside the units
    deliberations: dict[str, list[str]]  # délibération id → documents it approves
    registry_lint: list[Diagnostic] | None = None  # the prose findings on the registry (for these shared inputs)
    # délibération id → (key of its prose check's inputs, its prose findings), for these shared inputs
    deliberation_lint: dict[str, tuple[str, list[Diagnostic]]] = field(default_factory=dict)


# ------------------------------------------------------------------ reading the inputs


class Scan:
    """The input files now: their hashes (from the index when size and time are unchanged).

    saved: the files a long-lived process (the preview) was told were written, created, moved or
    deleted since it read or wrote `previous` (preview_update.py); then only they are looked at, the
    others are as `previous` has them. None: every file is looked at."""

    def __init__(self, root: Path, previous: Index | None, saved: set[str] | None = None):
        self.root = root
        self.through_links = False  # a folder reached through a symbolic link (its saves are not seen)
        self.saved_only = saved is not None and previous is not None
        conventions = root / "conventions"
        if self.saved_only:
            self.unit_names = sorted(previous.units)
            self.files = self._patched(previous, saved)
        else:
            self.unit_names = sorted(p.name for p in conventions.iterdir()
                                     if not p.name.startswith(("_", ".")) and p.is_dir()) if conventions.is_dir() else []
            self.files = self._walked(previous)
        self.units: dict[str, str] = {}
        shared = hashlib.sha256(VERSION.encode())
        shared.update(repr(sorted(cache.toolchain().items())).encode())
        shared.update(repr(self.unit_names).encode())
        shared.update(str(root).encode())  # the pickled sources hold absolute paths
        by_unit: dict[str, list[str]] = {name: [] for name in self.unit_names}
        folders = {folder: hashlib.sha256() for folder in SHARED_FOLDERS}
        for rel in sorted(self.files):
            unit = _unit_of(rel)
            if unit in by_unit:
                by_unit[unit].append(rel)
            else:
                line = f"{rel}\0{self.files[rel][2]}\0".encode()
                shared.update(line)
                folder = next((f for f in SHARED_FOLDERS if rel.startswith(f + "/")), None)
                if folder is not None:
                    folders[folder].update(line)
        self.shared = shared.hexdigest()
        self.folder_keys = {folder: h.hexdigest() for folder, h in folders.items()}  # Corpus.shared_keys
        for name, rels in by_unit.items():
            h = hashlib.sha256()
            for rel in rels:
                h.update(f"{rel}\0{self.files[rel][2]}\0".encode())
            self.units[name] = h.hexdigest()

    def _walked(self, previous: Index | None) -> dict[str, tuple[int, int, str]]:
        files: dict[str, tuple[int, int, str]] = {}
        old = previous.files if previous is not None else {}
        racy = ((previous.written - RACY_SECONDS) * 1e9) if previous is not None else 0
        base = len(str(self.root)) + 1
        links: list[str] = []
        sep = os.sep != "/"
        for name in cache.input_names(self.root, links):
            rel = name[base:].replace(os.sep, "/") if sep else name[base:]
            if not _is_input(rel):
                continue  # docs/, site_overrides/, mkdocs.yml: the site's, not the documents'
            ident = _identity(name)
            known = old.get(rel)
            if known is not None and known[:2] == ident and ident[1] < racy:
                files[rel] = known
            else:
                files[rel] = (*ident, cache.hash_files([Path(name)], self.root))
        self.through_links = any(_is_input(p[base:].replace(os.sep, "/")) for p in links)
        return files

    def _patched(self, previous: Index, saved: set[str]) -> dict[str, tuple[int, int, str]]:
        files = dict(previous.files)
        base = str(self.root) + os.sep
        for name in saved:
            rel = name[len(base):].replace(os.sep, "/") if name.startswith(base) else ""
            if not _is_input(rel) or "/__pycache__/" in rel:
                continue
            path = Path(name)
            if os.path.isfile(path):
                files[rel] = (*_identity(path), cache.hash_files([path], self.root))
            else:
                files.pop(rel, None)
        return files


SHARED_FOLDERS = ("conventions/_registre", "templates")  # keyed apart: the site's version cache


def _is_input(rel: str) -> bool:
    return rel.startswith(("conventions/", "templates/")) or rel == "conventions"


def _identity(path: Path | str) -> tuple[int, int]:
    try:
        st = os.stat(path)
        return st.st_size, st.st_mtime_ns
    except OSError:
        return -1, 0


def _unit_of(rel: str) -> str | None:
    """The unit (convention folder name) a path relative to the project lies in, if any."""
    parts = rel.split("/")
    if len(parts) >= 2 and parts[0] == "conventions" and parts[1] and not parts[1].startswith(("_", ".")):
        return parts[1]
    return None


unit_of_path = _unit_of


# ------------------------------------------------------------------ storing


def _folder(root: Path) -> Path:
    return root / FOLDER


def read_index(root: Path) -> Index | None:
    path = _folder(root) / "index.pickle"
    kept = _KEPT.get("index") if _KEPT is not None else None
    if kept is not None and kept[0] == (path, _stat(path)):
        return kept[1]  # the one this process wrote, still there
    index = cache.read_pickle(path)
    return index if isinstance(index, Index) and index.version == VERSION else None


def write_index(root: Path, index: Index) -> None:
    path = _folder(root) / "index.pickle"
    cache.write_pickle(path, index)
    if _KEPT is not None:
        _KEPT["index"] = ((path, _stat(path)), index)


def _stat(path: Path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def unit_entry_path(root: Path, name: str, key: str) -> Path:
    return _folder(root) / "units" / f"{name}.{key[:16]}.pickle"


# A long-lived process (the preview) keeps the units' entries it read or wrote, the registry and the
# index: the next run takes an unchanged unit's sources and documents from memory, the very objects of
# the last run (the preview compares documents by identity first). Each value is (what identifies the
# file it was read from or written to, the object). None: not kept (one run per process).
_KEPT: dict[str, tuple] | None = None


def keep_entries_in_memory() -> None:
    global _KEPT
    if _KEPT is None:
        _KEPT = {}


def write_unit_entry(root: Path, name: str, key: str, value) -> None:
    path = unit_entry_path(root, name, key)
    for old in path.parent.glob(f"{name}.*.pickle") if path.parent.is_dir() else []:
        if old != path:
            old.unlink(missing_ok=True)
    cache.write_pickle(path, value)
    if _KEPT is not None:
        _KEPT[name] = (path, value)


def read_unit_entry(root: Path, name: str, key: str):
    path = unit_entry_path(root, name, key)
    kept = _KEPT.get(name) if _KEPT is not None else None
    if kept is not None and kept[0] == path:
        return kept[1]
    value = cache.read_pickle(path)
    if _KEPT is not None and value is not None:
        _KEPT[name] = (path, value)
    return value


def new_written_time() -> float:
    return time.time()


def split_diagnostics(diags: Diagnostics, start: int = 0) -> tuple[dict[str, list[Diagnostic]], list[Diagnostic]]:
    """Diagnostics (from index start) by unit, and those on shared files."""
    by_unit: dict[str, list[Diagnostic]] = {}
    shared: list[Diagnostic] = []
    for d in diags.items[start:]:
        unit = unit_of_path(d.path)
        (by_unit.setdefault(unit, []) if unit else shared).append(d)
    return by_unit, shared


def split_deliberation_diagnostics(diags: Diagnostics) -> dict[str, list[Diagnostic]]:
    """Diagnostics on the files of a délibération (conventions/_deliberations/<id>/…), by its id."""
    from ..sources.deliberation_sources import DELIBERATIONS_DIR

    out: dict[str, list[Diagnostic]] = {}
    for d in diags.items:
        parts = str(d.path).split("/")
        if len(parts) >= 4 and parts[0] == "conventions" and parts[1] == DELIBERATIONS_DIR:
            out.setdefault(parts[2], []).append(d)
    return out


class IndexIncomplete(Exception):
    """A unit's entry is missing (removed by hand): the run is done again without the index."""


def write_blob(root: Path, name: str, data: bytes) -> None:
    folder = _folder(root)
    for old in folder.glob(name.split(".")[0] + ".*.pickle") if folder.is_dir() else []:
        old.unlink(missing_ok=True)
    cache.write_atomic(folder / f"{name}.pickle", data)


def read_blob(root: Path, name: str, fresh=None):
    """The object of a blob; a long-lived process keeps it (see _KEPT) and, with fresh, hands out
    fresh(kept): a copy the run may change without changing what is kept."""
    path = _folder(root) / f"{name}.pickle"
    kept = _KEPT.get(f"blob:{name.split('.')[0]}") if _KEPT is not None else None
    if kept is not None and kept[0] == path:
        value = kept[1]
    else:
        value = cache.read_pickle(path)
        if _KEPT is not None and value is not None and fresh is not None:
            _KEPT[f"blob:{name.split('.')[0]}"] = (path, value)
    return fresh(value) if fresh is not None and value is not None else value
