"""The site's downloads: where each document's DOCX and PDF are published (telechargements/), the
links to them, and their SHA-256 manifest."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..core.document import AssembledDocument

DOWNLOAD_DIR = "telechargements"
MANIFEST = "MANIFEST.sha256"


def download_uri(doc: AssembledDocument, ext: str) -> str:
    return f"{DOWNLOAD_DIR}/{doc.parent or doc.id}/{doc.id}.{ext}"


def manifest(files: dict[str, bytes | Path]) -> bytes:
    """SHA-256 of every published download, « sha256sum -c » format, relative to telechargements/."""
    lines = []
    for uri, content in sorted(files.items()):
        data = content.read_bytes() if isinstance(content, Path) else content
        lines.append(f"{hashlib.sha256(data).hexdigest()}  {uri.removeprefix(DOWNLOAD_DIR + '/')}\n")
    return "".join(lines).encode("utf-8")


def download_links(doc: AssembledDocument, files: dict[str, bytes | Path]) -> list[dict]:
    """The document's downloads the site publishes, as links (label, uri, ext)."""
    labels = {"docx": "Word (DOCX)", "pdf": "PDF"}
    return [{"label": labels[ext], "uri": download_uri(doc, ext), "ext": ext}
            for ext in ("docx", "pdf") if download_uri(doc, ext) in files]


def preview_downloads(project, corpus, docs: dict[str, AssembledDocument], public: bool,
                      known: dict | None = None) -> dict:
    """While serving: the DOCX and PDF already in dist/ of the documents and of their consolidated
    versions (« build.py site » and « build.py consolidate » make them); on the public site, none for
    a document with internal annexes (its public variant is made by « build.py site » only).
    known: the downloads of an earlier build, taken instead of dist/ (what its pages link to)."""
    from ..core.outputs import output_path
    from .content import has_internal_annexes
    from .model import published_documents
    from .versions import consolidated_versions

    versions = consolidated_versions(corpus, published_documents(docs, public))
    out: dict = {}
    for ident, doc in (docs | versions).items():
        if known is not None:
            if ident in known:
                out[ident] = known[ident]
            continue
        if public and has_internal_annexes(doc):
            continue
        for ext in ("docx", "pdf"):
            path = output_path(project.dist, ident, doc.parent, ext)
            if path.is_file():
                out.setdefault(ident, {})[ext] = path
    return out
