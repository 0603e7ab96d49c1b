"""Each published document's site pages, split and rendered to HTML, kept between site builds
(.cache/site-documents/, one file per document and variant).

Splitting a document into its text, annex and fiche pages (content.py) and having pandoc
render each of them is, after the versions, the costliest part of the site model, and it
depends only on:
- the assembled document (its Markdown and the fields the split reads: id, kind, parent,
  title, annexes), which already embeds its sources, the registry entries and the clause
  templates it uses;
- the public or internal variant of the site;
- the project's code and pandoc's version.
The key hashes all of them (cache.document_fingerprint), so editing one annex renders that
convention's pages again and no other. Entries are pickled DocumentPages, rendered (HTML,
no AST blocks), without their document (given back on reading); --force ignores them (and
writes them again).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..build.cache import code_hash, document_fingerprint, read_pickle, sha256, write_pickle
from ..core import pandoc
from ..core.document import AssembledDocument
from .content import DocumentPages

FOLDER = Path(".cache") / "site-documents"


class DocumentCache:
    def __init__(self, root: Path, public: bool, reuse: bool = True):
        self.folder = root / FOLDER
        self.variant = "public" if public else "interne"
        self.reuse = reuse
        self.base = "\0".join([code_hash(), pandoc.version(), self.variant])

    def _path(self, doc: AssembledDocument) -> Path:
        key = sha256(f"{self.base}\0{document_fingerprint(doc, ())}")
        return self.folder / f"{doc.id}.{self.variant}.{key}.pickle"

    def get(self, doc: AssembledDocument) -> DocumentPages | None:
        if not self.reuse:
            return None
        pages = read_pickle(self._path(doc))
        if not isinstance(pages, DocumentPages):
            return None
        pages.doc = doc
        return pages

    def put(self, pages: DocumentPages) -> None:
        path = self._path(pages.doc)
        for old in self.folder.glob(f"{pages.doc.id}.{self.variant}.*.pickle"):  # one entry per document
            if old != path:
                old.unlink(missing_ok=True)
        write_pickle(path, replace(pages, doc=None))  # rendered: its segments hold HTML, no blocks
