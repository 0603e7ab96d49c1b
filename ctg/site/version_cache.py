"""Consolidated versions kept between site builds (.cache/versions/, one file per convention).

Applying a convention's avenants, comparing each version with the one before and
rendering both as HTML is the costliest part of the site model; it depends only on:
- the convention's own folder (its text, annexes, data, fiches, avenants and their
  statuses, hence which versions are published);
- the shared registry (conventions/_registre/) and the templates (templates/);
- the project's code and pandoc's version;
- the public or internal variant of the site.
The key hashes all of them, so editing one annex recomputes that convention's
versions and no other; a change to the registry or a template recomputes them all.
Entries are pickled results of ctg/site/versions.py, written atomically; --force
ignores them (and writes them again).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from .. import pandoc
from ..cache import code_hash

FOLDER = Path(".cache") / "versions"


def _hash_tree(h, folder: Path) -> None:
    if not folder.is_dir():
        h.update(b"<absent>")
        return
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0" + path.read_bytes() + b"\0")


class VersionCache:
    _open: dict[tuple[int, bool], tuple[object, VersionCache]] = {}  # one per corpus and variant in a run

    def __init__(self, conventions: Path, public: bool, reuse: bool):
        self.conventions, self.reuse = conventions, reuse
        self.folder = conventions.parent / FOLDER
        h = hashlib.sha256()
        h.update(f"{code_hash()}\0{pandoc.version()}\0{public}\0".encode("utf-8"))
        _hash_tree(h, conventions / "_registre")
        _hash_tree(h, conventions.parent / "templates")
        self.base = h.hexdigest()
        self.memo: dict[str, list] = {}

    @classmethod
    def for_corpus(cls, corpus, public: bool, reuse: bool = True) -> VersionCache:
        """The same store for every call of one build (the site asks twice: downloads, then pages)."""
        held = cls._open.get((id(corpus), public))
        if held is None or held[0] is not corpus:
            cls._open.clear()  # a new build: forget the previous corpus
            held = (corpus, cls(corpus.root, public, reuse))
            cls._open[(id(corpus), public)] = held
        return held[1]

    def _key(self, cid: str) -> str:
        h = hashlib.sha256(self.base.encode("ascii"))
        _hash_tree(h, self.conventions / cid)
        return h.hexdigest()

    def _path(self, cid: str) -> Path:
        return self.folder / f"{cid}.{self._key(cid)}.pickle"

    def get(self, cid: str) -> list | None:
        if cid in self.memo:
            return self.memo[cid]
        if not self.reuse:
            return None
        try:
            with open(self._path(cid), "rb") as fh:
                self.memo[cid] = pickle.load(fh)  # noqa: S301 - written by this program in the project's .cache/
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None
        return self.memo[cid]

    def put(self, cid: str, versions: list) -> None:
        self.memo[cid] = versions
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(cid)
        for old in self.folder.glob(f"{cid}.*.pickle"):  # one entry per convention
            if old != path:
                old.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(versions, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
