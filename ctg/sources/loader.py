"""Load every source under conventions/ into a Corpus. Reads files; never formats."""

from __future__ import annotations

from pathlib import Path

from ..core.diagnostics import Diagnostics
from . import schemas, territory
from .corpus import AnnexSource, AvenantSource, ConventionSource, Corpus, FicheSource, Located, Registry
from .schema_errors import validate
from .sections import split_sections
from .sources import document_folders, read_markdown, read_yaml

REGISTRY_DIR = "_registre"


def load_corpus(root: Path, diags: Diagnostics) -> Corpus:
    """root is the conventions/ folder."""
    registry = load_registry(root / REGISTRY_DIR, diags)
    corpus = Corpus(root, registry)
    if not root.is_dir():
        diags.error(root, 0, "dossier-absent", "le dossier des conventions est introuvable.")
        return corpus
    for folder in document_folders(root, "convention.md", "convention-absente", "créez-le ou déplacez le dossier",
                                   diags):
        conv = load_convention(folder, diags)
        if conv is None:
            continue
        if conv.id in corpus.conventions:
            other = corpus.conventions[conv.id]
            diags.error(conv.path, conv.src.line("identifiant"), "identifiant-en-double",
                        f"l'identifiant « {conv.id} » est déjà celui de {diags.rel(other.path)} ; "
                        "chaque convention doit avoir son propre identifiant.")
            continue
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
    from .deliberation_sources import load_deliberations

    load_deliberations(root, corpus, diags)  # conventions/_deliberations/<id>/
    return corpus


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
    sigles = folder / "sigles.yaml"
    if sigles.exists():
        doc = read_yaml(sigles, diags)
        if doc is not None:
            if isinstance(doc.data, dict) and all(isinstance(v, str) for v in doc.data.values()):
                reg.sigles = {str(k): v.strip() for k, v in doc.data.items()}
                reg.sigles_src = Located(sigles, doc)
            else:
                diags.error(sigles, 1, "type-invalide", "le glossaire doit associer chaque sigle à son développé (« SIGLE: développé »).")
    return reg


def load_convention(folder: Path, diags: Diagnostics) -> ConventionSource | None:
    path = folder / "convention.md"
    src = read_markdown(path, diags)
    if src is None:
        return None
    meta = validate(schemas.Convention, src.meta, path, diags)
    if meta is None:
        return None
    sections = split_sections(src.body, src.body_line, path, diags)
    conv = ConventionSource(folder, path, meta, Located(path, src.meta), sections, src.body_line)
    conv.annexes = load_annexes(folder / "annexes", meta.annexes, conv.src, diags)
    data = folder / "donnees"
    eq = data / "equipements.yaml"
    if eq.exists():
        doc = read_yaml(eq, diags)
        if doc is not None:
            conv.equipements = validate(schemas.Equipements, doc, eq, diags)
            conv.equipements_src = Located(eq, doc)
    plan = data / "plan-actions.yaml"
    if plan.exists():
        doc = read_yaml(plan, diags)
        if doc is not None:
            conv.plan = validate(schemas.PlanActions, doc, plan, diags)
            conv.plan_src = Located(plan, doc)
    conv.fiches = load_fiches(folder / "fiches", diags)
    from .deliberation_sources import load_forms

    load_forms(conv, diags)  # formulaires/<id>.md listed by the annexes
    return conv


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
