"""DOCX writer: assembled document (parsed AST) → signature-ready DOCX bytes.

Page numbers of the sommaire and of « comporte N pages » need a layout
engine: build_outputs.py asks LibreOffice for them (libreoffice.py) and then
calls fill_pages(); this module stays a pure function of its inputs.
"""

from __future__ import annotations

from pathlib import Path

from ..core import pandoc
from ..core.document import AssembledDocument
from .docx_layout import layout, with_logos
from .docx_post import fill_pages, finish

__all__ = ["write_docx", "fill_pages"]


def write_docx(doc: AssembledDocument, ast: dict, reference: Path, resources: Path) -> bytes:
    docx_ast, last_orientation = layout(with_logos(ast, doc.logos))
    # The cover is ours: keep pandoc from writing its own title block (core properties are set later).
    docx_ast["meta"] = {k: v for k, v in docx_ast["meta"].items() if k not in ("title", "author", "date")}
    docx_ast["meta"]["lang"] = {"t": "MetaString", "c": "fr-FR"}  # every document is French (a dossier has no metadata)
    raw = pandoc.from_ast(docx_ast, "docx", ["--reference-doc", str(reference),
                                             "--resource-path", str(resources)], cwd=resources)
    return finish(raw, short_title=doc.short_title, draft=doc.is_draft, last_orientation=last_orientation,
                  date=doc.date, title=doc.title, author=doc.author, keywords=doc.keywords)
