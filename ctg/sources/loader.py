"""Load every source under conventions/ into a Corpus. Reads files; never formats."""

from __future__ import annotations

import datetime as dt

from pathlib import Path

from ..core.confine import excerpt
from ..core.diagnostics import Diagnostics
from . import schemas, territory
from .corpus import AnnexSource, AvenantSource, ConventionSource, Corpus, FicheSource, Located, Registry
from .plan import HEADER_KEYS, levels_of, parse_plan
from .schema_errors import validate
from .sections import split_sections
from .sources import document_folders, read_markdown, read_yaml

REGISTRY_DIR = "_registre"


def load_corpus(root: Path, diags: Diagnostics, registry: Registry | None = None,
                folders: list[Path] | None = None) -> Corpus:
    """root is the conventions/ folder. registry: already loaded (the dependency index keeps it);
    folders: only these convention folders (an incremental run), else every one."""
    registry = registry if registry is not None else load_registry(root / REGISTRY_DIR, diags)
    corpus = Corpus(root, registry)
    if not root.is_dir():
        diags.error(root, 0, "dossier-absent", "le dossier des conventions est introuvable.")
        return corpus
    if folders is None:
        folders = list(document_folders(root, "convention.md", "convention-absente",
                                        "créez-le ou déplacez le dossier", diags))
    for folder in folders:
        load_unit(folder, corpus, diags)
    from .commune_parties import resolve_commune_parties
    from .deliberation_sources import load_deliberations

    resolve_commune_parties(corpus)  # « signataires: - commune: "62178" »
    load_deliberations(root, corpus, diags)  # conventions/_deliberations/<id>/
    return corpus


def load_unit(folder: Path, corpus: Corpus, diags: Diagnostics) -> None:
    """One convention folder into the corpus: the convention and its avenants."""
    conv = load_convention(folder, diags)
    if conv is None:  # its avenants are still read: every error of the run together
        for path in sorted((folder / "avenants").glob("*.md")):
            load_avenant(path, folder, diags)
        return
    if conv.id != folder.name:  # the documented rule: conventions/<identifiant>/
        diags.error(conv.path, conv.src.line("identifiant"), "dossier-identifiant",
                    f"le dossier « {folder.name} » doit porter le nom de l'identifiant « {conv.id} » ; "
                    f"renommez le dossier en conventions/{conv.id}/ (ou corrigez l'identifiant).")
    if conv.id in corpus.conventions:
        other = corpus.conventions[conv.id]
        diags.error(conv.path, conv.src.line("identifiant"), "identifiant-en-double",
                    f"l'identifiant « {conv.id} » est déjà celui de {diags.rel(other.path)} ; "
                    "chaque convention doit avoir son propre identifiant.")
        return
    corpus.conventions[conv.id] = conv
    for path in sorted((folder / "avenants").glob("*.md")):
        av = load_avenant(path, folder, diags)
        if av is None:
            continue
        if av.id in corpus.avenants:
            diags.error(path, av.src.line("numero"), "identifiant-en-double",
                        f"l'avenant {av.meta.numero} de « {av.meta.convention} » existe déjà "
                        f"({diags.rel(corpus.avenants[av.id].path)}).")
            continue
        corpus.avenants[av.id] = av


def load_registry(folder: Path, diags: Diagnostics) -> Registry:
    reg = Registry(folder)
    if not folder.is_dir():
        diags.error(folder, 0, "registre-absent", "le registre partagé (dossier « _registre ») est introuvable.")
        return reg
    for path in sorted((folder / "organisations").glob("*.yaml")):
        doc = read_yaml(path, diags)
        if doc is None:
            continue
        org = validate(schemas.Organisation, doc, path, diags)
        if org is None:
            continue
        if org.id != path.stem:
            diags.error(path, doc.line(("id",)), "identifiant-fichier",
                        f"l'identifiant « {org.id} » doit être le nom du fichier (« {path.stem} »).")
        if org.id in reg.organisations:
            diags.error(path, doc.line(("id",)), "identifiant-en-double", f"l'organisation « {org.id} » existe déjà.")
            continue
        reg.organisations[org.id] = org
        reg.organisation_src[org.id] = Located(path, doc)
    territory.load_official(folder, reg, diags)  # communes and EPCI: generated official data
    territory.resolve_organisations(reg)
    from .deliberation_sources import load_mayors

    load_mayors(folder, reg, diags)  # optional maires.yaml
    reg.types_equipements, reg.types_equipements_src = _load_types(folder / "types-equipements.yaml", diags)
    sigles = folder / "sigles.yaml"
    if sigles.exists():
        doc = read_yaml(sigles, diags)
        if doc is not None:
            bad = ([k for k, v in doc.data.items() if not _sigle_ok(v)] if isinstance(doc.data, dict)
                   else [None])
            if not bad:
                reg.sigles = {str(k): (v if isinstance(v, str) else v["sens"]).strip() for k, v in doc.data.items()}
                reg.sigles_depuis = {str(k): _date(v["depuis"]) for k, v in doc.data.items()
                                     if isinstance(v, dict) and "depuis" in v}
                reg.sigles_src = Located(sigles, doc)
            for key in bad:  # each at its line
                diags.error(sigles, doc.line((key,)) if key is not None else doc.first_line, "type-invalide",
                            "le glossaire doit associer chaque sigle à son développé (« SIGLE: développé », ou "
                            "« SIGLE: {sens: développé, depuis: AAAA-MM-JJ} »)"
                            + (f" ; « {excerpt(key)} » n'est pas suivi d'un texte." if key is not None else "."))
    return reg


def _sigle_ok(value) -> bool:
    """« développé », or {sens: développé, depuis: date}: a sigle added after a text was signed (the glossary of
    a text signed before that date leaves it out, so that its signed text does not change)."""
    if isinstance(value, str):
        return True
    return (isinstance(value, dict) and isinstance(value.get("sens"), str) and set(value) <= {"sens", "depuis"}
            and _date(value.get("depuis", dt.date.min)) is not None)


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def load_convention(folder: Path, diags: Diagnostics) -> ConventionSource | None:
    path = folder / "convention.md"
    src = read_markdown(path, diags)
    meta = validate(schemas.Convention, src.meta, path, diags) if src is not None else None
    if meta is None:  # the rest of the folder is still read: every error of the run together
        load_fiches(folder / "fiches", diags)
        _load_data(folder / "donnees" / "equipements.yaml", schemas.Equipements, diags)
        load_plan(folder / "donnees" / "plan-actions.yaml", diags)
        for annex in sorted((folder / "annexes").glob("*.md")):
            annex_src = read_markdown(annex, diags)
            if annex_src is not None:
                validate(schemas.Annexe, annex_src.meta, annex, diags)
        return None
    sections = split_sections(src.body, src.body_line, path, diags)
    conv = ConventionSource(folder, path, meta, Located(path, src.meta), sections, src.body_line)
    conv.annexes = load_annexes(folder / "annexes", meta.annexes, conv.src, diags)
    conv.equipements, conv.equipements_src = _load_data(folder / "donnees" / "equipements.yaml",
                                                        schemas.Equipements, diags)
    conv.plan, conv.plan_src = load_plan(folder / "donnees" / "plan-actions.yaml", diags)
    conv.fiches = load_fiches(folder / "fiches", diags)
    from .deliberation_sources import load_forms

    load_forms(conv, diags)  # formulaires/<id>.md listed by the annexes
    return conv


def _load_types(path: Path, diags: Diagnostics) -> tuple:
    """The registry's types of équipements, in their order; the former fixed list without the file."""
    from .equipment_types import LEGACY_TYPES

    data, src = _load_data(path, schemas.TypesEquipements, diags)
    if src is None:
        return LEGACY_TYPES, None
    return (tuple(data.types) if data is not None else ()), src


def _load_data(path: Path, model, diags: Diagnostics) -> tuple:
    """(validated data, Located) of an optional data file; (None, None) when absent or unreadable."""
    if not path.exists() and not path.is_symlink():
        return None, None
    doc = read_yaml(path, diags)
    if doc is None:
        return None, None
    return validate(model, doc, path, diags), Located(path, doc)


def load_plan(path: Path, diags: Diagnostics) -> tuple:
    """(Plan, Located) of donnees/plan-actions.yaml: its header by its schema, its tree by its levels."""
    if not path.exists() and not path.is_symlink():
        return None, None
    doc = read_yaml(path, diags)
    if doc is None:
        return None, None
    if not isinstance(doc.data, dict):
        diags.error(path, doc.first_line, "type-invalide", "le plan d'actions est une suite de clés "
                    "(« niveaux », « champs » et la liste du premier niveau, par exemple « thematiques : »).")
        return None, Located(path, doc)
    header = validate(schemas.PlanActions, doc, path, diags,
                      data={k: v for k, v in doc.data.items() if k in HEADER_KEYS})
    if header is None:
        return None, Located(path, doc)
    return parse_plan(doc, path, diags, levels_of(header.niveaux)), Located(path, doc)


def load_fiches(folder: Path, diags: Diagnostics) -> dict[str, FicheSource]:
    out = {}
    for fpath in sorted(folder.glob("*.yaml")):
        doc = read_yaml(fpath, diags)
        if doc is None:
            continue
        fiche = validate(schemas.Fiche, doc, fpath, diags)
        if fiche is not None:
            out[fpath.stem] = FicheSource(fpath.stem, fpath, fiche, Located(fpath, doc))
    return out


def load_annexes(folder: Path, listed: list[str], owner: Located, diags: Diagnostics) -> list[AnnexSource]:
    out = []
    present = {p.stem: p for p in folder.glob("*.md")} if folder.is_dir() else {}
    seen: set[str] = set()
    for i, ident in enumerate(listed):
        line = owner.line("annexes", i)
        if ident in seen:
            diags.error(owner.path, line, "annexe-en-double", f"l'annexe « {ident} » est listée deux fois.")
            continue
        seen.add(ident)
        path = present.get(ident)
        if path is None:
            diags.error(owner.path, line, "annexe-absente",
                        f"l'annexe « {ident} » est listée mais le fichier {diags.rel(folder / (ident + '.md'))} "
                        "n'existe pas ; créez-le ou retirez l'annexe de la liste.")
            continue
        src = read_markdown(path, diags)
        if src is None:
            continue
        meta = validate(schemas.Annexe, src.meta, path, diags)
        if meta is None:
            continue
        out.append(AnnexSource(ident, path, meta, Located(path, src.meta), src.body, src.body_line))
    for ident, path in sorted(present.items()):
        if ident not in seen:
            diags.error(path, 1, "annexe-non-listee",
                        f"le fichier d'annexe « {ident} » n'est pas listé dans « annexes » de "
                        f"{diags.rel(owner.path)} ; ajoutez-le à la liste ou supprimez le fichier.")
    return out


def load_avenant(path: Path, folder: Path, diags: Diagnostics) -> AvenantSource | None:
    src = read_markdown(path, diags)
    if src is None:
        return None
    meta = validate(schemas.Avenant, src.meta, path, diags)
    if meta is None:
        return None
    if meta.numero != path.stem:
        diags.error(path, src.meta.line(("numero",)), "numero-fichier",
                    f"le numéro « {meta.numero} » doit être le nom du fichier (« {path.stem} »).")
    sections = split_sections(src.body, src.body_line, path, diags)
    av = AvenantSource(path, meta, Located(path, src.meta), sections, src.body_line, folder=folder)
    av.annexes = load_annexes(path.parent / path.stem, meta.annexes, av.src, diags)
    av.fiches = load_fiches(path.parent / path.stem / "fiches", diags)
    return av
