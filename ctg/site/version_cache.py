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

from pathlib import Path

from ..build.cache import code_hash, hash_tree, read_pickle, sha256, write_pickle
from ..core import pandoc

FOLDER = Path(".cache") / "versions"


class VersionCache:
    _open: dict = {"corpus": None, "stores": {}}  # the current build's corpus and its store per variant

    def __init__(self, conventions: Path, public: bool, reuse: bool, shared_keys: dict[str, str] | None = None):
        self.conventions, self.reuse = conventions, reuse
        self.folder = conventions.parent / FOLDER
        shared = shared_keys or {}  # the index's hashes of the registry and the templates, when it made them
        self.base = "\0".join([code_hash(), pandoc.version(), str(public),
                                shared.get("conventions/_registre") or hash_tree(conventions / "_registre"),
                                shared.get("templates") or hash_tree(conventions.parent / "templates")])
        self.written: set[str] = set()  # conventions computed by this build (read back even with --force)
        self.input_keys: dict[str, str] = {}

    @classmethod
    def for_corpus(cls, corpus, public: bool, reuse: bool = True) -> VersionCache:
        """The same store for every call of one build (the site asks twice: downloads, then pages)."""
        if cls._open["corpus"] is not corpus:  # a new build: forget the previous corpus
            cls._open.update(corpus=corpus, stores={})
        stores = cls._open["stores"]
        if public not in stores:
            stores[public] = cls(corpus.root, public, reuse, corpus.shared_keys)
            stores[public].input_keys = corpus.input_keys  # the folders' hashes the index already made
        return stores[public]

    def _key(self, cid: str) -> str:
        sources = self.input_keys.get(cid) or hash_tree(self.conventions / cid)
        return sha256(f"{self.base}\0{sources}")

    def _path(self, cid: str) -> Path:
        return self.folder / f"{cid}.{self._key(cid)}.pickle"

    def get(self, cid: str) -> list | None:
        """Read from disk at each call, not kept in memory: at national scale the versions' HTML
        (text and comparison of every version) is hundreds of megabytes, and the downloads need
        only the documents."""
        return read_pickle(self._path(cid)) if self._readable(cid) else None

    def has(self, cid: str) -> bool:
        return self._readable(cid) and self._path(cid).is_file()

    def _readable(self, cid: str) -> bool:
        """--force ignores the entries of earlier builds, not those this build wrote."""
        return self.reuse or cid in self.written

    def put(self, cid: str, versions: list) -> None:
        self.written.add(cid)
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(cid)
        for old in self.folder.glob(f"{cid}.*.pickle"):  # one entry per convention
            if old != path:
                old.unlink(missing_ok=True)
        write_pickle(path, versions)
