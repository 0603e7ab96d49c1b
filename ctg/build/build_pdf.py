"""PDF outputs of the assembled documents (called by build_outputs.py)."""

from __future__ import annotations

import os
from pathlib import Path

from ..core.document import AssembledDocument
from ..core.diagnostics import Diagnostic, UserError
from ..core.project import Project
from ..core.progress import Progress


def source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH, when set, overrides the documents' own dates (reproducible builds)."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise UserError([Diagnostic("SOURCE_DATE_EPOCH", 0, "source-date-epoch",
                                    f"la variable d'environnement SOURCE_DATE_EPOCH vaut « {value} » : "
                                    "un nombre entier de secondes depuis le 1er janvier 1970 est attendu.")])
    return int(value)


def pdf_options(project: Project):
    from ..writers.pdf import PdfOptions

    # Logos are relative to _registre/ (validate.py checks them there); other images to conventions/.
    options = PdfOptions(template=project.templates / "typst" / "convention.typ", resources=(project.conventions, project.conventions / "_registre"),
                         timestamp=source_date_epoch())
    if not options.template.is_file():
        raise UserError([Diagnostic("templates/typst/convention.typ", 0, "modele-pdf-absent",
                                    "le modèle de mise en page du PDF est introuvable ; "
                                    "restaurez templates/typst/convention.typ.")])
    return options


def build_pdf(project: Project, docs: dict[str, AssembledDocument], asts: dict[str, dict] | None,
              progress: Progress) -> dict[Path, bytes]:
    """{dist path: PDF bytes}, through the cache and the parallel build of build_outputs.py."""
    from .build_outputs import produce

    return {p: entry.read_bytes() for p, entry in produce(project, docs, ["pdf"], progress).files.items()}
