"""Official territorial data: communes and EPCI from the official geographic code.

Source of truth: the npm package @etalab/decoupage-administratif (data/communes.json,
data/epci.json). Three steps, kept apart so that each can be tested alone:

- fetch:     ``npm pack <paquet>@<version>`` into a temporary folder (the only network use);
             a local tarball or unpacked folder can be given instead (tests, offline machines);
- transform: a pure function from the package's JSON to our records;
- write:     deterministic YAML under conventions/_registre/officiel/ (sorted, no timestamps),
             committed so that builds never need the network.

territory.py reads those files into the Registry; cli/registry.py is « build.py registre ».
"""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..core.diagnostics import Diagnostics
from . import schemas
from .schema_errors import validate
from .sources import read_yaml
from .territory import COMMUNES_FILE, EPCI_FILE, OFFICIAL_DIR

PACKAGE = "@etalab/decoupage-administratif"
CONFIG_FILE = "territoire.yaml"

#: INSEE rule: the legal populations of vintage N come into force on 1 January N+3,
#: i.e. with the geographic code of year N+3.
POPULATION_LAG = 3

EPCI_NATURES = {
    "CA": "Communauté d'agglomération",
    "CC": "Communauté de communes",
    "CU": "Communauté urbaine",
}


# ---------------------------------------------------------------- transform (pure)


@dataclass(frozen=True)
class Source:
    paquet: str
    version: str
    cog: int
    millesime_population: int

    def as_flow(self) -> str:
        return (f"{{paquet: {_q(self.paquet)}, version: {_q(self.version)}, cog: {self.cog}, "
                f"millesime_population: {self.millesime_population}}}")


@dataclass(frozen=True)
class CommuneRecord:
    insee: str
    nom: str
    siren: str | None
    departement: str
    population: int
    annee: int


@dataclass(frozen=True)
class EpciRecord:
    siren: str
    nom: str
    nom_complet: str
    nature: str
    population: int
    annee: int
    membres: tuple[str, ...]


@dataclass(frozen=True)
class Official:
    source: Source
    departements: tuple[str, ...]
    communes: tuple[CommuneRecord, ...]
    epci: tuple[EpciRecord, ...]


def epci_full_name(nom: str) -> str:
    """« CC du Ternois » → « Communauté de communes du Ternois » (the DGCL abbreviates the nature)."""
    head, _, rest = nom.partition(" ")
    if head in EPCI_NATURES and rest:
        return f"{EPCI_NATURES[head]} {rest}"
    return nom


def transform(communes_json: list[dict], epci_json: list[dict], departements: list[str], source: Source) -> Official:
    """The package's JSON → our records, for the given départements.

    Kept: every current commune of those départements; every EPCI with at least one
    member there; and every member of those EPCI even in another département (an EPCI
    may straddle a border: the CC du Ternois has a commune in the Somme). Populations
    are the communes' municipal populations (one vintage); an EPCI's population is the
    sum of its members', so that totals in documents add up.
    """
    wanted = set(departements)
    current = {c["code"]: c for c in communes_json if c.get("type") == "commune-actuelle"}
    chosen_epci = []
    for e in epci_json:
        members = e.get("membres") or []
        if any(current.get(m["code"], {}).get("departement", m["code"][:2]) in wanted for m in members):
            chosen_epci.append(e)
    codes = {code for code, c in current.items() if c.get("departement") in wanted}
    member_fallback = {}
    for e in chosen_epci:
        for m in e["membres"]:
            codes.add(m["code"])
            member_fallback[m["code"]] = m
    records = []
    for code in sorted(codes):
        c = current.get(code)
        m = member_fallback.get(code, {})
        if c is None and not m:
            continue
        population = (c or {}).get("population", m.get("populationMunicipale"))
        if population is None:
            continue  # no legal population published (never seen in metropolitan départements)
        records.append(CommuneRecord(
            insee=code,
            nom=(c or m)["nom"],
            siren=(c or {}).get("siren") or m.get("siren"),
            departement=(c or {}).get("departement") or code[:2],
            population=int(population),
            annee=source.millesime_population,
        ))
    by_code = {r.insee: r for r in records}
    epcis = []
    for e in sorted(chosen_epci, key=lambda e: e["code"]):
        members = tuple(sorted(m["code"] for m in e["membres"] if m["code"] in by_code))
        epcis.append(EpciRecord(
            siren=e["code"],
            nom=e["nom"],
            nom_complet=epci_full_name(e["nom"]),
            nature=e.get("type", ""),
            population=sum(by_code[m].population for m in members),
            annee=source.millesime_population,
            membres=members,
        ))
    return Official(source, tuple(sorted(wanted)), tuple(records), tuple(epcis))


# ---------------------------------------------------------------- write (deterministic text)


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _header(what: str, official: Official) -> str:
    s = official.source
    deps = ", ".join(official.departements)
    return (
        f"# Fichier généré par « python build.py registre --mettre-a-jour » : ne pas modifier à la main.\n"
        f"# {what}\n"
        f"# Source : {s.paquet} {s.version} (code officiel géographique {s.cog} ; population municipale,\n"
        f"# millésime {s.millesime_population}). Départements : {deps}, et les communes d'autres départements\n"
        f"# membres d'une intercommunalité de ceux-ci.\n"
        f"source: {s.as_flow()}\n"
        f"departements: [{', '.join(_q(d) for d in official.departements)}]\n"
    )


def render_communes(official: Official) -> str:
    lines = [_header("Communes : code INSEE, nom officiel, SIREN, département, population.", official), "communes:\n"]
    for c in official.communes:
        siren = f", siren: {_q(c.siren)}" if c.siren else ""
        lines.append(f"  - {{insee: {_q(c.insee)}, nom: {_q(c.nom)}{siren}, departement: {_q(c.departement)}, "
                     f"population: {c.population}, annee: {c.annee}}}\n")
    return "".join(lines)


def render_epci(official: Official) -> str:
    lines = [_header("Intercommunalités à fiscalité propre : SIREN, nom, communes membres, population "
                     "(somme de celles des membres).", official), "epci:\n"]
    for e in official.epci:
        lines.append(f"  - siren: {_q(e.siren)}\n")
        lines.append(f"    nom: {_q(e.nom)}\n")
        lines.append(f"    nom_complet: {_q(e.nom_complet)}\n")
        lines.append(f"    nature: {_q(e.nature)}\n")
        lines.append(f"    population: {e.population}\n")
        lines.append(f"    annee: {e.annee}\n")
        lines.append(f"    membres:  # {len(e.membres)} communes\n")
        lines.extend(f"      - {_q(m)}\n" for m in e.membres)
    return "".join(lines)


def render_config(source: Source, departements: list[str]) -> str:
    return (
        "# Données territoriales officielles : d'où elles viennent et pour quels départements.\n"
        "# « python build.py registre --mettre-a-jour » régénère le dossier officiel/ à partir de ce fichier\n"
        "# (et le met à jour quand on lui donne --version, --departements, --cog ou --millesime).\n"
        "source:\n"
        f"  paquet: {_q(source.paquet)}\n"
        f"  version: {_q(source.version)}\n"
        f"  cog: {source.cog}                     # année du code officiel géographique\n"
        f"  millesime_population: {source.millesime_population}    # millésime des populations légales\n"
        f"departements: [{', '.join(_q(d) for d in sorted(departements))}]\n"
    )


# ---------------------------------------------------------------- fetch


class TerritoryError(Exception):
    """A problem fetching or reading the package: a French message for the user."""


def fetch(spec: str, dest: Path) -> Path:
    """npm pack <spec> into dest; returns the tarball. The only network access of the project."""
    try:
        proc = subprocess.run(["npm", "pack", spec, "--silent"], cwd=dest, capture_output=True, text=True,
                              timeout=600)
    except FileNotFoundError:
        raise TerritoryError("la commande « npm » est introuvable ; installez Node.js et npm, ou donnez une archive "
                             "du paquet téléchargée ailleurs avec --paquet CHEMIN.tgz.") from None
    except subprocess.TimeoutExpired:
        raise TerritoryError(f"« npm pack {spec} » n'a pas abouti en 10 minutes (réseau ?).") from None
    tarballs = sorted(dest.glob("*.tgz"))
    if proc.returncode != 0 or not tarballs:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise TerritoryError(f"« npm pack {spec} » a échoué" + (f" : {detail[-1]}" if detail else "") +
                             " ; vérifiez le numéro de version et l'accès au registre npm.")
    return tarballs[0]


def read_package(path: Path) -> tuple[dict, list, list, str]:
    """(package.json, communes.json, epci.json, README text) from a tarball or an unpacked folder."""
    wanted = ("package.json", "data/communes.json", "data/epci.json", "README.md")
    found: dict[str, bytes] = {}
    if path.is_dir():
        base = path / "package" if (path / "package").is_dir() else path
        for name in wanted:
            if (base / name).is_file():
                found[name] = (base / name).read_bytes()
    elif path.is_file():
        try:
            with tarfile.open(path, "r:*") as tar:
                for member in tar.getmembers():
                    name = member.name.split("/", 1)[-1] if "/" in member.name else member.name
                    if name in wanted and member.isfile():
                        found[name] = tar.extractfile(member).read()
        except (tarfile.TarError, OSError) as exc:
            raise TerritoryError(f"l'archive {path} est illisible ({exc}).") from None
    else:
        raise TerritoryError(f"le paquet « {path} » est introuvable.")
    for name in wanted[:3]:
        if name not in found:
            raise TerritoryError(f"le paquet {path} ne contient pas « {name} » : est-ce bien {PACKAGE} ?")
    try:
        meta = json.loads(found["package.json"])
        communes = json.loads(found["data/communes.json"])
        epci = json.loads(found["data/epci.json"])
    except (ValueError, UnicodeDecodeError) as exc:
        raise TerritoryError(f"le paquet {path} contient un JSON invalide ({exc}).") from None
    return meta, communes, epci, found.get("README.md", b"").decode("utf-8", "replace")


def cog_year_from_readme(readme: str, version: str) -> int | None:
    """The package's README maps each year of the geographic code to a version: « | 2026 | 6.0.0 | »."""
    m = re.search(rf"^\|\s*(\d{{4}})\s*\|\s*{re.escape(version)}\s*\|", readme, re.M)
    return int(m.group(1)) if m else None


# ---------------------------------------------------------------- update (command)


@dataclass
class UpdateResult:
    source: Source
    departements: list[str]
    n_communes: int
    n_epci: int
    changed: list[Path]


def read_config(registry: Path, diags: Diagnostics) -> schemas.Territoire | None:
    path = registry / CONFIG_FILE
    if not path.exists():
        return None
    doc = read_yaml(path, diags)
    return validate(schemas.Territoire, doc, path, diags) if doc is not None else None


def _departements(departements: list[str] | None, config, config_path: Path, diags: Diagnostics) -> list[str] | None:
    """The départements asked for (« 62 », 2A, 2B, 97x), else those of territoire.yaml; None if invalid (reported)."""
    if departements:
        deps = sorted({d.strip().upper().zfill(2) for d in departements})
        bad = [d for d in deps if not re.fullmatch(r"\d{2}|2A|2B|97\d", d)]
        if bad:
            diags.error(config_path, 0, "departement-invalide",
                        f"département « {bad[0]} » invalide : deux chiffres (« 62 »), 2A, 2B ou 97x.")
            return None
        return deps
    if config is not None:
        return list(config.departements)
    diags.error(config_path, 0, "territoire-absent",
                f"{diags.rel(config_path)} est absent ; indiquez les départements avec --departements 62.")
    return None


def update(registry: Path, diags: Diagnostics, version: str | None = None, departements: list[str] | None = None,
           paquet: Path | None = None, cog: int | None = None, millesime: int | None = None) -> UpdateResult | None:
    """Fetch the package, regenerate officiel/ (recording the source in territoire.yaml), or write
    another year of the geographic code beside it, in officiel/ANNEE/.

    Returns None (with diagnostics) on error; nothing is written then.
    """
    config_path = registry / CONFIG_FILE
    config = read_config(registry, diags)
    if diags.errors:
        return None
    deps = _departements(departements, config, config_path, diags)
    if deps is None:
        return None
    old = config.source if config is not None else None
    requested = version
    version = version or (old.version if old else None)
    if paquet is None and not version:
        diags.error(config_path, 0, "version-absente", "indiquez la version du paquet avec --version (par exemple 6.0.0).")
        return None
    try:
        with tempfile.TemporaryDirectory(prefix="ctg-territoire-") as tmp:
            tarball = paquet if paquet is not None else fetch(f"{PACKAGE}@{version}", Path(tmp))
            meta, communes_json, epci_json, readme = read_package(tarball)
    except TerritoryError as exc:
        diags.error(config_path, 0, "paquet-inaccessible", str(exc))
        return None
    name, got = meta.get("name", PACKAGE), str(meta.get("version", version or "?"))
    expected = version if paquet is None else requested
    if expected and got != expected:
        diags.error(config_path, 0, "version-inattendue",
                    f"le paquet fourni est la version {got}, pas la version {expected} demandée.")
        return None
    same = old is not None and old.version == got and old.paquet == name
    cog = cog or (old.cog if same else None) or cog_year_from_readme(readme, got)
    if cog is None:
        diags.error(config_path, 0, "cog-inconnu",
                    f"l'année du code officiel géographique de {name} {got} est introuvable dans son README ; "
                    "précisez-la avec --cog ANNEE.")
        return None
    millesime = millesime or (old.millesime_population if same and old.cog == cog else cog - POPULATION_LAG)
    source = Source(name, got, cog, millesime)
    official = transform(communes_json, epci_json, deps, source)
    if not official.communes:
        diags.error(config_path, 0, "departement-vide",
                    f"aucune commune des départements {', '.join(deps)} dans {name} {got}.")
        return None
    folder = vintage_folder(registry, cog, diags)
    outputs = {folder / COMMUNES_FILE: render_communes(official), folder / EPCI_FILE: render_epci(official)}
    if folder == registry / OFFICIAL_DIR:  # territoire.yaml describes the default data; another vintage leaves it
        outputs[config_path] = render_config(source, deps)
    return UpdateResult(source, deps, len(official.communes), len(official.epci), _write(outputs))


def _write(outputs: dict[Path, str]) -> list[Path]:
    """Write the files whose text changed; returns them."""
    from ..core.outputs import write_atomic

    changed = []
    for path, text in outputs.items():
        data = text.encode("utf-8")
        if not path.exists() or path.read_bytes() != data:
            write_atomic(path, data)
            changed.append(path)
    return changed


def vintage_folder(registry: Path, cog: int, diags: Diagnostics) -> Path:
    """Where the data of this geographic code go: officiel/ when it holds that same code (or nothing yet),
    else officiel/ANNEE/ beside it, so that a new vintage never changes the conventions pinned to another."""
    folder = registry / OFFICIAL_DIR
    current = folder / COMMUNES_FILE
    if not current.exists():
        return folder
    doc = read_yaml(current, Diagnostics(diags.root))
    source = doc.data.get("source") if doc is not None and isinstance(doc.data, dict) else None
    if isinstance(source, dict) and source.get("cog") == cog:
        return folder
    return folder / str(cog)
