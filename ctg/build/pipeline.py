"""load → validate → assemble, for the command line and the site plugin."""

from __future__ import annotations

from pathlib import Path

from ..assembly.assemble import Assembler
from ..checks.images import check_images
from ..checks.markdown_limits import check_complexity
from ..checks.validate import find_placeholders, validate_corpus
from ..core.diagnostics import Diagnostics
from ..core.document import AssembledDocument
from ..core.project import Project
from ..sources.corpus import Corpus
from ..sources.loader import load_corpus
from ..versions.avenant_text import avenant_extras


def load_and_check(project: Project, diags: Diagnostics) -> Corpus:
    corpus = load_corpus(project.conventions, diags)
    validate_corpus(corpus, diags)
    return corpus


def assemble(corpus: Corpus, templates: Path, diags: Diagnostics, only: list[str] | None = None
             ) -> dict[str, AssembledDocument]:
    assembler = Assembler(corpus, templates, diags)
    out: dict[str, AssembledDocument] = {}
    for ident in corpus.documents():
        if only and ident not in only:
            continue
        doc = (assembler.convention(corpus.conventions[ident]) if ident in corpus.conventions
               else assembler.avenant(corpus.avenants[ident], avenant_extras))
        if doc is not None:
            out[ident] = doc
    return out


def assemble_checked(project: Project, corpus: Corpus, diags: Diagnostics,
                     only: list[str] | None = None) -> dict[str, AssembledDocument]:
    docs = assemble(corpus, project.templates, diags, only)
    check_images(docs, project.conventions, diags)  # nothing outside the project is read into an output
    check_complexity(docs, diags)  # nor a text pandoc would take minutes to read
    for doc in docs.values():
        if doc.status in ("prêt pour signature", "signée"):
            _final_text_check(doc, corpus, diags)
    return docs


def _final_text_check(doc: AssembledDocument, corpus: Corpus, diags: Diagnostics) -> None:
    """Safety net on the assembled text: templates may also leave blanks."""
    source = corpus.conventions[doc.id].path if doc.id in corpus.conventions else corpus.avenants[doc.id].path
    if any(d.code == "texte-a-completer" and d.path in doc.sources for d in diags.errors):
        return  # already reported at the line of its source
    for _i, what, excerpt in find_placeholders(doc.markdown):
        diags.error(source, 1, "texte-a-completer",
                    f"le texte assemblé de « {doc.id} » contient {what} (« {excerpt} ») ; complétez la source "
                    "ou repassez le document au statut « projet ».")


def load_check_assemble(project: Project, diags: Diagnostics, only: list[str] | None = None
                        ) -> tuple[Corpus, dict[str, AssembledDocument]]:
    """The whole checked corpus and its assembled documents (only those of `only` when given), through
    the dependency index (incremental.py); no assembly when the sources have errors."""
    from .incremental import load_check_assemble as through_index

    checked = through_index(project, diags, only=only)
    return checked.corpus, checked.docs
