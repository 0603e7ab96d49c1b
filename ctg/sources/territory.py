"""Official territorial data, read: conventions/_registre/officiel/ (written by official_data.py)
into the Registry, and organisations of type commune or epci given their official name, SIREN
and member communes, so that they are never retyped."""

from __future__ import annotations

from pathlib import Path

from ..core.diagnostics import Diagnostics
from . import schemas
from .corpus import Millesime, Registry
from .schema_errors import validate
from .sources import read_yaml

OFFICIAL_DIR = "officiel"
COMMUNES_FILE = "communes.yaml"
EPCI_FILE = "epci.yaml"


def load_official(registry: Path, reg: Registry, diags: Diagnostics) -> None:
    """Read officiel/communes.yaml and officiel/epci.yaml into the registry (absent folder: no data)."""
    folder = registry / OFFICIAL_DIR
    communes_file, epci_file = folder / COMMUNES_FILE, folder / EPCI_FILE  # one object each: pickled once
    communes, source_c = _read_records(communes_file, "communes", schemas.Commune, diags)
    for commune, line in communes:
        if commune.insee in reg.communes:
            first = reg.commune_src[commune.insee]
            diags.error(communes_file, line, "commune-en-double",
                        f"la commune {commune.insee} est déjà décrite dans {diags.rel(first[0])}:{first[1]}.")
            continue
        reg.communes[commune.insee] = commune
        reg.commune_src[commune.insee] = (communes_file, line)
    epcis, source_e = _read_records(epci_file, "epci", schemas.Epci, diags)
    for epci, line in epcis:
        reg.epci[epci.siren] = epci
        reg.epci_src[epci.siren] = (epci_file, line)
    sources = [source_c, source_e]
    sources = [s for s in sources if s is not None]
    if sources:
        reg.source_officielle = sources[0]
        if any(s != sources[0] for s in sources[1:]):
            diags.error(folder / EPCI_FILE, 1, "donnees-incoherentes",
                        "communes.yaml et epci.yaml ne viennent pas de la même version du paquet ; "
                        "relancez « python build.py registre --mettre-a-jour ».")
    if reg.source_officielle is not None:
        reg.millesimes[reg.source_officielle.cog] = Millesime(folder, dict(reg.communes), dict(reg.epci),
                                                             reg.source_officielle)
    for sub in sorted(p for p in folder.glob("[0-9][0-9][0-9][0-9]") if p.is_dir()):
        _load_vintage(sub, reg, diags)
    legacy = sorted((registry / "communes").glob("*.yaml"))
    for path in legacy:
        diags.error(path, 1, "communes-saisies",
                    f"les communes viennent désormais des données officielles ({diags.rel(folder)}) ; "
                    "supprimez ce fichier saisi à la main.")


def _load_vintage(folder: Path, reg: Registry, diags: Diagnostics) -> None:
    """officiel/ANNEE/: an earlier or later vintage, kept beside the default one for the conventions pinned to it."""
    communes, source_c = _read_records(folder / COMMUNES_FILE, "communes", schemas.Commune, diags)
    epcis, source_e = _read_records(folder / EPCI_FILE, "epci", schemas.Epci, diags)
    source = source_c or source_e
    if source is None:
        return  # reported by _read_records (absent « source: »), or an empty folder
    if source.cog != int(folder.name):
        diags.error(folder / COMMUNES_FILE, 1, "millesime-incoherent",
                    f"le dossier {diags.rel(folder)} contient les données du code officiel géographique {source.cog} ; "
                    f"renommez-le « {source.cog} ».")
        return
    if source.cog in reg.millesimes:
        diags.error(folder / COMMUNES_FILE, 1, "millesime-en-double",
                    f"le code officiel géographique {source.cog} est déjà dans "
                    f"{diags.rel(reg.millesimes[source.cog].folder)} ; supprimez l'un des deux.")
        return
    reg.millesimes[source.cog] = Millesime(folder, {c.insee: c for c, _ in communes}, {e.siren: e for e, _ in epcis},
                                           source)


def _read_records(path: Path, key: str, model, diags: Diagnostics) -> tuple[list, schemas.SourceTerritoire | None]:
    """The valid records of one generated file, each with its line, and the file's source."""
    doc = read_yaml(path, diags) if path.exists() else None
    if doc is None:
        return [], None
    records = []
    for i, item in enumerate(_items(doc, path, key, diags)):
        record = validate(model, _Sub(doc, (key, i)), path, diags, data=item)
        if record is not None:
            records.append((record, doc.line((key, i))))
    return records, _source(doc, path, diags)


def _items(doc, path: Path, key: str, diags: Diagnostics) -> list:
    if not isinstance(doc.data, dict) or not isinstance(doc.data.get(key), list):
        diags.error(path, 1, "type-invalide",
                    f"le fichier doit contenir la liste « {key}: » ; régénérez-le avec « python build.py registre "
                    "--mettre-a-jour ».")
        return []
    return doc.data[key]


def _source(doc, path: Path, diags: Diagnostics) -> schemas.SourceTerritoire | None:
    data = doc.data.get("source") if isinstance(doc.data, dict) else None
    if data is None:
        diags.error(path, 1, "source-absente", "la source des données (« source: ») est absente ; régénérez le fichier.")
        return None
    return validate(schemas.SourceTerritoire, _Sub(doc, ("source",)), path, diags, data=data)


class _Sub:
    """View of a YamlDoc rooted at a sub-path (so item errors map to the item's lines)."""

    def __init__(self, doc, prefix: tuple):
        self.doc, self.prefix = doc, prefix
        self.data = None

    def line(self, loc: tuple) -> int:
        return self.doc.line(self.prefix + tuple(loc))


def resolve_organisations(reg: Registry) -> None:
    """Organisations of type commune (insee) or epci (siren) take their official facts from the data.

    A typed value is kept as typed, so that territory_checks can compare it with the data
    and explain the difference; missing values are filled in.
    """
    for oid, org in list(reg.organisations.items()):
        update: dict = {}
        if org.type == schemas.TypeOrganisation.epci and org.siren in reg.epci:
            e = reg.epci[org.siren]
            if org.nom is None:
                update["nom"] = e.nom_complet
            if not org.communes:
                update["communes"] = list(e.membres)
        elif org.type == schemas.TypeOrganisation.commune and org.insee in reg.communes:
            c = reg.communes[org.insee]
            if org.nom is None:
                update["nom"] = c.nom
            if org.siren is None and c.siren:
                update["siren"] = c.siren
        if org.nom is None and "nom" not in update:
            update["nom"] = org.designation or org.id  # unknown code: reported by territory_checks
        if update:
            reg.organisations[oid] = org.model_copy(update=update)


def members_source(reg: Registry, source: schemas.SourceTerritoire | None = None) -> str:
    """« au 1er janvier 2026 (code officiel géographique 2026) » for messages (of the default data, or of source)."""
    s = source or reg.source_officielle
    return f"au 1er janvier {s.cog} (code officiel géographique {s.cog})" if s else "dans les données officielles"

