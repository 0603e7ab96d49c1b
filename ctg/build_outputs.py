"""Build the outputs of assembled documents: first produce every file in memory,
then write them all atomically. A failure leaves dist/ as it was."""

from __future__ import annotations

import hashlib
from pathlib import Path

from . import pandoc
from .assemble import AssembledDocument
from .corpus import Corpus
from .diagnostics import Diagnostics
from .outputs import output_path, remove_stale_temporaries, write_atomic
from .pipeline import Project
from .progress import Progress


def build_docx(project: Project, docs: dict[str, AssembledDocument], asts: dict[str, dict],
               progress: Progress) -> dict[Path, bytes]:
    from .libreoffice import bookmark_pages
    from .writers.docx import fill_pages, write_docx
    from .writers.docx_layout import END_BOOKMARK
    from .writers.docx_post import pageref_targets

    raw = {}
    for ident, doc in docs.items():
        progress.step(f"DOCX : {ident}")
        raw[ident] = write_docx(doc, asts[ident], project.templates / "reference.docx", project.conventions)
    progress.step(f"Mise en page par LibreOffice ({len(raw)} documents) pour les numéros de page")
    layouts = bookmark_pages([(data, [END_BOOKMARK, *pageref_targets(data)]) for data in raw.values()])
    out = {}
    for (ident, data), lay in zip(raw.items(), layouts):
        doc = docs[ident]
        out[output_path(project.dist, ident, doc.parent, "docx")] = fill_pages(data, lay, doc.date)
    return out


MANIFEST = "MANIFEST.sha256"


def write_manifest(dist: Path) -> None:
    """dist/MANIFEST.sha256, in « sha256sum » format, so anyone can check a downloaded file."""
    lines = []
    for path in sorted(p for p in dist.rglob("*") if p.is_file() and p.name != MANIFEST and not p.name.startswith(".")):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {path.relative_to(dist).as_posix()}\n")
    write_atomic(dist / MANIFEST, "".join(lines).encode("utf-8"))


def build(project: Project, corpus: Corpus, docs: dict[str, AssembledDocument], formats: list[str],
          progress: Progress, diags: Diagnostics, interne: bool = False) -> int:
    asts = {}
    for ident, doc in docs.items():
        progress.step(f"Analyse du texte assemblé : {ident}")
        asts[ident] = pandoc.to_ast(doc.markdown)
    files: dict[Path, bytes] = {}
    if "docx" in formats:
        files |= build_docx(project, docs, asts, progress)
    if "pdf" in formats:
        from .build_pdf import build_pdf

        files |= build_pdf(project, docs, asts, progress)
    remove_stale_temporaries(project.dist)
    for path, data in sorted(files.items()):
        write_atomic(path, data)
    if formats == ["docx", "pdf", "site"]:
        write_manifest(project.dist)
    if "site" in formats or "serve" in formats:
        from .site_build import build_site

        return build_site(project, corpus, docs, serve="serve" in formats, progress=progress, interne=interne or None)
    n = len(files)
    progress.done(f"{n} fichier{'s' if n > 1 else ''} écrit{'s' if n > 1 else ''} dans "
                  f"{project.dist.relative_to(project.root)}/.")
    return 0
