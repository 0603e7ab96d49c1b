"""Official territorial data: regeneration from a (fake) package, determinism, and the
French errors of check against it, each at its file:line."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
import yaml
from conftest import run_build
from fixture_corpus import CONV, MINIMAL, OFFICIAL_COMMUNES, OFFICIAL_EPCI, PACKAGE, ROOT, SOURCE, record_fingerprints
from test_validation import CONVENTION, check_fails, replace

from ctg.assembly.context import covered_communes
from ctg.build.pipeline import assemble_checked, load_and_check
from ctg.core.diagnostics import Diagnostics
from ctg.core.project import Project
from ctg.sources import official_data

CCT = "conventions/_registre/organisations/cc-test.yaml"
README = "| Année | Version du package |\n|---|---|\n| 2026  | 6.0.0 |\n| 2025  | 5.3.0 |\n"


def make_package(folder: Path, communes=None, epci=None, readme: str = README, version: str = "6.0.0") -> Path:
    """A tarball laid out like « npm pack @etalab/decoupage-administratif »."""
    files = {
        "package/package.json": json.dumps({"name": official_data.PACKAGE, "version": version}),
        "package/data/communes.json": json.dumps(PACKAGE["communes"] if communes is None else communes),
        "package/data/epci.json": json.dumps(PACKAGE["epci"] if epci is None else epci),
        "package/README.md": readme,
    }
    path = folder / f"decoupage-administratif-{version}.tgz"
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def digest(root: Path) -> dict[str, str]:
    files = [root / OFFICIAL_COMMUNES, root / OFFICIAL_EPCI, root / "conventions/_registre/territoire.yaml"]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


# ---------------------------------------------------------------- transform


def test_transform_keeps_current_communes_and_epci_of_the_departements():
    official = official_data.transform(PACKAGE["communes"], PACKAGE["epci"], ["62"], SOURCE)
    assert [c.insee for c in official.communes] == ["62001", "62002", "62003", "62004"]  # no associated commune
    first = official.communes[0]
    assert (first.nom, first.siren, first.departement, first.population, first.annee) == \
        ("Ablain-Saint-Nazaire", "216200014", "62", 1968, 2023)
    cct = official.epci[1]
    assert cct.siren == "200072460" and cct.nom == "CC du Test"
    assert cct.nom_complet == "Communauté de communes du Test"
    assert cct.membres == ("62001", "62002", "62003")
    assert cct.population == 1968 + 220 + 601  # sum of the members, same vintage
    assert official.epci[0].nom_complet == "Communauté urbaine d'Arras"


def test_transform_keeps_members_in_another_departement():
    epci = json.loads(json.dumps(PACKAGE["epci"]))
    epci[0]["membres"].append({"code": "80810", "siren": "218007615", "nom": "Vitz-sur-Authie"})
    official = official_data.transform(PACKAGE["communes"], epci, ["62"], SOURCE)
    vitz = next(c for c in official.communes if c.insee == "80810")
    assert vitz.departement == "80" and vitz.population == 136
    assert "80810" in next(e for e in official.epci if e.siren == "200072460").membres


def test_epci_full_name():
    assert official_data.epci_full_name("CA de Béthune-Bruay, Artois-Lys Romane") == \
        "Communauté d'agglomération de Béthune-Bruay, Artois-Lys Romane"
    assert official_data.epci_full_name("Métropole Européenne de Lille") == "Métropole Européenne de Lille"


# ---------------------------------------------------------------- command


def test_regenerate_from_package_is_deterministic(make_project, tmp_path):
    root = make_project({OFFICIAL_COMMUNES: None, OFFICIAL_EPCI: None}, fingerprints=False)
    tgz = make_package(tmp_path)
    result = run_build(root, "registre", "--mettre-a-jour", "--paquet", str(tgz), "--departements", "62")
    assert result.code == 0, result.err
    assert "4 communes, 2 intercommunalités" in result.out
    text = (root / OFFICIAL_COMMUNES).read_text(encoding="utf-8")
    assert text.startswith("# Fichier généré par « python build.py registre --mettre-a-jour » : "
                           "ne pas modifier à la main.")
    assert '{insee: "62003", nom: "Acheville", siren: "216200030", departement: "62", population: 601, annee: 2023}' in text
    # the fixture corpus carries exactly what the command writes
    assert text == MINIMAL[OFFICIAL_COMMUNES]
    assert (root / OFFICIAL_EPCI).read_text(encoding="utf-8") == MINIMAL[OFFICIAL_EPCI]
    config = yaml.safe_load((root / "conventions/_registre/territoire.yaml").read_text(encoding="utf-8"))
    assert config == {"source": {"paquet": "@etalab/decoupage-administratif", "version": "6.0.0", "cog": 2026,
                                 "millesime_population": 2023}, "departements": ["62"]}
    before = digest(root)
    again = run_build(root, "registre", "--mettre-a-jour", "--paquet", str(tgz))
    assert again.code == 0, again.err
    assert "Aucun changement" in again.out
    assert digest(root) == before
    record_fingerprints(root)
    assert run_build(root, "check").code == 0
    status = run_build(root, "registre")
    assert status.code == 0 and "6.0.0" in status.out and "4 communes" in status.out


def test_year_of_the_geographic_code_must_be_known(make_project, tmp_path):
    root = make_project(fingerprints=False)
    tgz = make_package(tmp_path, readme="")
    result = run_build(root, "registre", "--mettre-a-jour", "--paquet", str(tgz), "--departements", "62")
    assert result.code == 1
    assert "précisez-la avec --cog ANNEE" in result.err and "Traceback" not in result.err
    assert not (root / "conventions/_registre/territoire.yaml").exists()
    ok = run_build(root, "registre", "--mettre-a-jour", "--paquet", str(tgz), "--departements", "62",
                   "--cog", "2025", "--millesime", "2022")
    assert ok.code == 0, ok.err
    # another year of the geographic code than officiel/'s (2026): written beside it, officiel/ unchanged
    assert "annee: 2022}" in (root / "conventions/_registre/officiel/2025/communes.yaml").read_text(encoding="utf-8")
    assert "annee: 2022}" not in (root / OFFICIAL_COMMUNES).read_text(encoding="utf-8")
    # territoire.yaml describes the default data (officiel/): another vintage does not rewrite it
    assert not (root / "conventions/_registre/territoire.yaml").exists()


def test_missing_package_is_a_french_error(make_project, tmp_path):
    root = make_project(fingerprints=False)
    result = run_build(root, "registre", "--mettre-a-jour", "--paquet", str(tmp_path / "absent.tgz"),
                       "--departements", "62")
    assert result.code == 1 and "est introuvable" in result.err and "Traceback" not in result.err


# ---------------------------------------------------------------- the bundled corpus


def test_bundled_corpus_uses_the_official_data():
    project = Project(ROOT)
    diags = Diagnostics(ROOT)
    corpus = load_and_check(project, diags)
    docs = assemble_checked(project, corpus, diags)
    # the one diagnostic is meant: avenant 2024-001 follows 2023-001, not signed yet (test_docs_and_cli)
    assert [d.code for d in diags.items] == ["avenant-precedent-non-signe"]
    reg = corpus.registry
    config = yaml.safe_load((ROOT / "conventions/_registre/territoire.yaml").read_text(encoding="utf-8"))
    assert reg.source_officielle.version == config["source"]["version"]
    assert not (ROOT / "conventions/_registre/communes").exists()
    cabbalr = corpus.conventions["ctg-cabbalr-2021-2025"]
    communes = covered_communes(corpus, cabbalr)
    assert len(communes) == 100
    assert all(c.annee == config["source"]["millesime_population"] and c.population > 0 and c.nom for c in communes)
    assert reg.organisations["cabbalr"].nom == "Communauté d'agglomération de Béthune-Bruay, Artois-Lys Romane"
    assert len(reg.organisations["cc-ternois"].communes) == 103  # one of them in the Somme
    assert "80810" in reg.organisations["cc-ternois"].communes
    md = docs["ctg-cabbalr-2021-2025"].markdown
    assert "Les 100 communes de la CABBALR" in md
    assert f"(population municipale {config['source']['millesime_population']})" in md


# ---------------------------------------------------------------- check against the data


def commune_org(insee: str, nom: str | None = None) -> dict[str, str]:
    text = f"id: mairie\ntype: commune\ninsee: \"{insee}\"\n" + (f"nom: {nom}\n" if nom else "")
    return {"conventions/_registre/organisations/mairie.yaml": text}


MAIRIE = "conventions/_registre/organisations/mairie.yaml"

ERRORS = [
    ("wrong-insee-code", commune_org("62004", "Ablain-Saint-Nazaire"), MAIRIE, "nom:",
     ["le code INSEE 62004 est celui de « Achicourt », pas de « Ablain-Saint-Nazaire », qui a le code 62001"]),
    ("unknown-insee-code", commune_org("62999", "Acheville"), MAIRIE, "insee:",
     ["le code INSEE 62999 n'est celui d'aucune commune au 1er janvier 2026",
      "« Acheville » a le code 62003."]),
    ("unknown-insee-code-no-name", commune_org("62005"), MAIRIE, "insee:", ["code le plus proche : 6200"]),
    ("misspelt-name-saint", commune_org("62001", "Ablain-St-Nazaire"), MAIRIE, "nom:",
     ["la commune 62001 s'écrit « Ablain-Saint-Nazaire » et non « Ablain-St-Nazaire »",
      "« Saint » et « Sainte » s'écrivent en toutes lettres"]),
    ("misspelt-name-hyphen", commune_org("62001", "Ablain Saint Nazaire"), MAIRIE, "nom:",
     ["traits d'union"]),
    ("misspelt-name-typo", commune_org("62003", "Achevile"), MAIRIE, "nom:",
     ["le code INSEE 62003 est celui de « Acheville », pas de « Achevile »"]),
    ("missing-member", replace(CCT, 'siren: "200072460"', 'siren: "200072460"\n        communes: ["62001", "62002"]'),
     CCT, "communes:", ["ne correspond pas aux 3 membres de la CCT au 1er janvier 2026",
                        "manquent 62003 (Acheville)"]),
    ("extra-member", replace(CCT, 'siren: "200072460"', 'siren: "200072460"\n        communes: ["62001", "62002", "62003", "62004"]'),
     CCT, "communes:", ["en trop : 62004 (Achicourt)"]),
    ("unknown-epci", replace(CCT, '"200072460"', '"246200844"'), CCT, "siren:",
     ["le SIREN 246200844 n'est celui d'aucune intercommunalité"]),
    ("wrong-epci-name", replace(CCT, "type: epci", "type: epci\n        nom: Communauté de communes du Teste"), CCT, "nom:",
     ["le nom officiel de l'intercommunalité 200072460 est « Communauté de communes du Test »"]),
    ("commune-signatory-outside",
     commune_org("62004") | replace(CONVENTION, "  - organisation: caf62", "  - organisation: caf62\n          - organisation: mairie"),
     CONVENTION, "organisation: mairie", ["la commune 62004 (Achicourt) signe la convention mais n'est pas membre de la CCT"]),
    ("added-commune-already-member",
     replace(CONVENTION, "annexes:\n", 'communes_ajoutees:\n          - {insee: "62002", motif: par erreur}\n        annexes:\n'),
     CONVENTION, '"62002"', ["la commune 62002 (Ablainzevelle) est déjà membre de la CCT"]),
    ("removed-commune-not-member",
     replace(CONVENTION, "annexes:\n", 'communes_retirees:\n          - {insee: "62004", motif: par erreur}\n        annexes:\n'),
     CONVENTION, '"62004"', ["la commune 62004 (Achicourt) n'est pas membre de la CCT"]),
    ("declared-name-misspelt",
     replace(CONVENTION, "annexes:\n", 'communes_ajoutees:\n          - insee: "62004"\n            nom: Achicour\n'
             '            motif: relais commun\n        annexes:\n'),
     CONVENTION, "nom: Achicour", ["le code INSEE 62004 est celui de « Achicourt », pas de « Achicour »"]),
    ("removed-commune-with-equipment",
     replace(CONVENTION, "annexes:\n", 'communes_retirees:\n          - {insee: "62001", motif: sortie}\n        annexes:\n'),
     f"{CONV}/donnees/equipements.yaml", 'collectivite: "62001"', ["a des équipements soutenus"]),
]


@pytest.mark.parametrize("files,rel,needle,fragments", [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_territorial_error_is_reported_at_its_line(make_project, files, rel, needle, fragments):
    root = make_project(files, fingerprints=False)
    check_fails(root, rel, needle, *fragments)


def test_commune_added_on_purpose_is_covered(make_project):
    conv = MINIMAL[CONVENTION].replace("  - organisation: caf62", "  - organisation: caf62\n          - organisation: mairie")
    conv = conv.replace("annexes:\n", 'communes_ajoutees:\n          - insee: "62004"\n'
                        '            nom: Achicourt\n            motif: relais petite enfance commun\n'
                        '          - {insee: "80810", motif: accueil de loisirs partagé}\n        annexes:\n', 1)
    data = official_data.transform(PACKAGE["communes"], PACKAGE["epci"], ["62", "80"], SOURCE)
    mairie = commune_org("62004")
    mairie[MAIRIE] += "representants:\n  - {civilite: Mme, prenom: Anne, nom: Maire, fonction: Maire, debut: 2020-05-01}\n"
    files = {CONVENTION: conv, OFFICIAL_COMMUNES: official_data.render_communes(data),
             OFFICIAL_EPCI: official_data.render_epci(data)} | mairie
    root = make_project(files, fingerprints=False)
    project = Project(root)
    diags = Diagnostics(root)
    corpus = load_and_check(project, diags)
    assert [d.format() for d in diags.errors] == []
    communes = covered_communes(corpus, corpus.conventions["ctg-test-2022-2026"])
    assert [(c.insee, c.nom) for c in communes] == [("62001", "Ablain-Saint-Nazaire"), ("62002", "Ablainzevelle"),
                                                    ("62003", "Acheville"), ("62004", "Achicourt"),
                                                    ("80810", "Vitz-sur-Authie")]
    assert corpus.registry.organisations["mairie"].nom == "Achicourt"
    assert corpus.registry.organisations["mairie"].siren == "216200048"
