"""Reading the sources of délibérations, rapports, form templates and mayors (called by loader.py).

conventions/_deliberations/<identifiant>/deliberation.md   the délibération (front matter, optional body)
conventions/_deliberations/<identifiant>/rapport.md        the rapport it answers (optional)
conventions/<convention>/formulaires/<id>.md               form templates listed by an annex
conventions/_registre/maires.yaml                          mayors by INSEE code (optional)

Reads files; never formats.
"""

from __future__ import annotations

from pathlib import Path

from ..core.diagnostics import Diagnostics
from . import deliberation_schemas
from .corpus import ConventionSource, Corpus, DeliberationSource, FormSource, Located, RapportSource, Registry
from .schema_errors import validate
from .sections import split_sections
from .sources import document_folders, read_markdown, read_yaml

DELIBERATIONS_DIR = "_deliberations"
FORMS_DIR = "formulaires"
MAYORS_FILE = "maires.yaml"


def load_deliberations(root: Path, corpus: Corpus, diags: Diagnostics) -> None:
    folder = root / DELIBERATIONS_DIR
    if not folder.is_dir():
        return
    for sub in document_folders(folder, "deliberation.md", "deliberation-absente", "créez-le ou supprimez le dossier",
                                diags):
        path = sub / "deliberation.md"
        src = read_markdown(path, diags)
        if src is None:
            continue
        meta = validate(deliberation_schemas.Deliberation, src.meta, path, diags)
        if meta is None:
            continue
        if meta.identifiant != sub.name:
            diags.error(path, src.meta.line(("identifiant",)), "identifiant-fichier",
                        f"l'identifiant « {meta.identifiant} » doit être le nom du dossier (« {sub.name} »).")
        if meta.identifiant in corpus.deliberations or meta.identifiant in corpus.conventions:
            diags.error(path, src.meta.line(("identifiant",)), "identifiant-en-double",
                        f"l'identifiant « {meta.identifiant} » est déjà utilisé.")
            continue
        delib = DeliberationSource(sub, path, meta, Located(path, src.meta), src.body, src.body_line)
        rapport = sub / "rapport.md"
        if rapport.exists():
            delib.rapport = load_rapport(rapport, diags)
        corpus.deliberations[meta.identifiant] = delib


def load_rapport(path: Path, diags: Diagnostics) -> RapportSource | None:
    src = read_markdown(path, diags)
    if src is None:
        return None
    meta = validate(deliberation_schemas.Rapport, src.meta, path, diags)
    if meta is None:
        return None
    sections = split_sections(src.body, src.body_line, path, diags)
    return RapportSource(path, meta, Located(path, src.meta), sections)


def load_forms(conv: ConventionSource, diags: Diagnostics) -> None:
    """The form templates the convention's annexes list (« formulaires »), from formulaires/<id>.md."""
    folder = conv.folder / FORMS_DIR
    for annex in conv.annexes:
        for i, ident in enumerate(annex.meta.formulaires):
            path = folder / f"{ident}.md"
            line = annex.src.line("formulaires", i)
            if ident in conv.formulaires:
                diags.error(annex.path, line, "formulaire-en-double", f"le formulaire « {ident} » est listé deux fois.")
                continue
            if not path.is_file():
                diags.error(annex.path, line, "formulaire-absent",
                            f"le formulaire « {ident} » est listé mais le fichier {diags.rel(path)} n'existe pas.")
                continue
            src = read_markdown(path, diags)
            if src is None:
                continue
            meta = validate(deliberation_schemas.Formulaire, src.meta, path, diags)
            if meta is not None:
                conv.formulaires[ident] = FormSource(ident, path, meta, Located(path, src.meta), src.body,
                                                     src.body_line)
    listed = {f for a in conv.annexes for f in a.meta.formulaires}
    if folder.is_dir():
        for path in sorted(folder.glob("*.md")):
            if path.stem not in listed:
                diags.error(path, 1, "formulaire-non-liste",
                            f"le formulaire « {path.stem} » n'est listé dans « formulaires » d'aucune annexe ; "
                            "ajoutez-le à l'annexe qui le présente ou supprimez le fichier.")


def load_mayors(folder: Path, reg: Registry, diags: Diagnostics) -> None:
    path = folder / MAYORS_FILE
    if not path.exists():
        return
    doc = read_yaml(path, diags)
    if doc is None:
        return
    data = validate(deliberation_schemas.Maires, doc, path, diags)
    if data is None:
        return
    reg.maires = {code: list(terms) for code, terms in data.maires.items()}
    reg.maires_src = Located(path, doc)
