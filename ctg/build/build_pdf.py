"""PDF outputs of the assembled documents (called by build_outputs.py and the commands).

The PDF of a document is LibreOffice's export of its DOCX (build_outputs.produce): both come
from one layout."""

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


def build_pdf(project: Project, docs: dict[str, AssembledDocument], asts: dict[str, dict] | None,
              progress: Progress) -> dict[Path, bytes]:
    """{dist path: PDF bytes}, through the cache and the parallel build of build_outputs.py."""
    from .build_outputs import produce

    return {p: entry.read_bytes() for p, entry in produce(project, docs, ["pdf"], progress).files.items()}
