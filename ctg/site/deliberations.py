"""Délibérations on the site: one page each (délibération and rapport, links to the approved
documents), and, on every convention or avenant page, the délibérations that approved it."""

from __future__ import annotations

from markupsafe import Markup

from ..core import pandoc
from ..core.diagnostics import Diagnostics
from ..core.document import AssembledDocument
from ..core.french import date_fr
from ..deliberations.deliberation import approving, assemble_deliberation
from ..sources.corpus import Corpus
from .content import shift_headers
from .pages import render_page
from .sanitize import sanitize

FOLDER = "deliberations"


def page_uri(ident: str) -> str:
    return f"{FOLDER}/{ident}.md"


def approvals(corpus: Corpus, doc_id: str, published: set[str]) -> list[dict]:
    """The délibérations approving a document, for its page (only those that have a page)."""
    return [{"title": f"Délibération n°\u00a0{d.meta.numero} du {date_fr(d.meta.seance)}", "uri": page_uri(d.id),
             "assemblee": d.meta.assemblee} for d in approving(corpus, doc_id) if d.id in published]


def _html(markdown: str) -> str:
    """The page's title is its only h1: the texts' headings go one level down."""
    ast = pandoc.to_ast(markdown)
    ast["blocks"] = shift_headers(ast["blocks"], 1)
    return sanitize(pandoc.from_ast(ast, "html5").decode("utf-8"))


def published_texts(corpus: Corpus, docs: dict[str, AssembledDocument], published: set[str]) -> dict:
    """{id: the délibération's texts} of the délibérations whose approved documents are all published."""
    out = {}
    for ident, delib in sorted(corpus.deliberations.items()):
        if all(a in published for a in delib.meta.approuve):
            texts = assemble_deliberation(corpus, delib, docs, Diagnostics(corpus.root.parent))
            if texts is not None:
                out[ident] = texts
    return out


def download_uri(ident: str, ext: str) -> str:
    return f"telechargements/{FOLDER}/{ident}.{ext}"


def pages(corpus: Corpus, docs: dict[str, AssembledDocument], doc_uris: dict[str, str],
          downloads: dict | None = None, files: dict | None = None) -> dict[str, tuple[str, str]]:
    """{src_uri: (title, html)} of the délibérations whose approved documents are all published;
    downloads: {id: {ext: file}} of the délibérations' texts, added to files and offered on their page."""
    out = {}
    labels = {"docx": "Word (DOCX)", "pdf": "PDF"}
    for ident, texts in published_texts(corpus, docs, set(doc_uris)).items():
        delib = corpus.deliberations[ident]
        offered = []
        for ext in ("docx", "pdf"):
            content = (downloads or {}).get(ident, {}).get(ext)
            if content is not None and files is not None:
                files[download_uri(ident, ext)] = content
                offered.append({"label": labels[ext], "uri": download_uri(ident, ext), "ext": ext})
        approved = [{"title": d.title[:1].upper() + d.title[1:], "uri": doc_uris[d.id], "status": d.status}
                    for d in texts.approved]
        body = _html(texts.deliberation.markdown)
        rapport = _html(texts.rapport.markdown) if texts.rapport is not None else None
        title = f"Délibération n°\u00a0{delib.meta.numero}"
        out[page_uri(ident)] = (title, render_page(
            "deliberation.html", body=Markup(body), title=texts.deliberation.title, approved=approved,
            rapport=Markup(rapport) if rapport else None, v={"downloads": offered},
            seance=date_fr(delib.meta.seance), assemblee=delib.meta.assemblee))
    return out
