"""A small but complete corpus, built in a throwaway folder for each test.

Tests start from MINIMAL (every kind of source, valid) and change one file to
produce exactly one problem. The real templates/ of the project are copied in,
so the tests exercise the real clause library.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import spelling_answers
from ctg.sources import official_data

ROOT = Path(__file__).resolve().parents[1]

CONV = "conventions/ctg-test-2022-2026"
OFFICIAL_COMMUNES = "conventions/_registre/officiel/communes.yaml"
OFFICIAL_EPCI = "conventions/_registre/officiel/epci.yaml"


def _commune(code: str, nom: str, siren: str, population: int, dep: str = "62") -> dict:
    return {"code": code, "nom": nom, "type": "commune-actuelle", "departement": dep, "region": "32",
            "siren": siren, "codesPostaux": ["62000"], "population": population}


#: A tiny @etalab/decoupage-administratif: the fields of data/communes.json and data/epci.json
#: that the transform reads, plus a few it ignores (real codes, names and SIREN of version 6.0.0;
#: populations of the earlier hand-typed fixture).
PACKAGE = {
    "communes": [
        _commune("62001", "Ablain-Saint-Nazaire", "216200014", 1968),
        _commune("62002", "Ablainzevelle", "216200022", 220),
        _commune("62003", "Acheville", "216200030", 601),
        _commune("62004", "Achicourt", "216200048", 7700),
        _commune("80810", "Vitz-sur-Authie", "218007615", 136, dep="80"),
        {"code": "62110", "nom": "Berguette", "type": "commune-associee", "chefLieu": "62473", "departement": "62"},
    ],
    "epci": [
        {"code": "200072460", "nom": "CC du Test", "type": "CC", "modeFinancement": "FPU",
         "populationTotale": 2900, "populationMunicipale": 2778,
         "membres": [{"code": c, "siren": "", "nom": "", "populationTotale": 0, "populationMunicipale": 0}
                     for c in ("62003", "62001", "62002")]},
        {"code": "200033579", "nom": "CU d'Arras", "type": "CU", "modeFinancement": "FPU",
         "populationTotale": 8000, "populationMunicipale": 7873,
         "membres": [{"code": "62004", "siren": "216200048", "nom": "Achicourt", "populationTotale": 8000,
                      "populationMunicipale": 7700}]},
    ],
}
SOURCE = official_data.Source("@etalab/decoupage-administratif", "6.0.0", 2026, 2023)
OFFICIAL = official_data.transform(PACKAGE["communes"], PACKAGE["epci"], ["62"], SOURCE)

MINIMAL: dict[str, str] = {
    "conventions/_registre/organisations/caf62.yaml": """\
        id: caf62
        type: caf
        nom: Caisse d'allocations familiales du Pas-de-Calais
        designation: la Caf
        adresse: 11 rue Félix Adam, 62000 Arras
        representants:
          - civilite: M.
            prenom: Jean
            nom: Martin
            fonction: Directeur
            debut: 2015-01-01
            fin: 2022-08-31
          - civilite: Mme
            prenom: Claire
            nom: Durand
            fonction: Directrice
            debut: 2022-09-01
        """,
    "conventions/_registre/organisations/cc-test.yaml": """\
        id: cc-test
        type: epci
        designation: la CCT
        siren: "200072460"
        representants:
          - civilite: M.
            prenom: Paul
            nom: Lefebvre
            fonction: Président
            debut: 2020-07-01
        """,
    "conventions/_registre/organisations/departement62.yaml": """\
        id: departement62
        type: département
        nom: Département du Pas-de-Calais
        designation: le Département
        representants:
          - civilite: M.
            prenom: Pierre
            nom: Leroux
            fonction: Président du Conseil départemental
            debut: 2015-04-01
        """,
    # official data, in the format « build.py registre --mettre-a-jour » writes (from PACKAGE below)
    OFFICIAL_COMMUNES: official_data.render_communes(OFFICIAL),
    OFFICIAL_EPCI: official_data.render_epci(OFFICIAL),
    "conventions/_registre/sigles.yaml": """\
        CAF: Caisse d'allocations familiales
        CTG: Convention territoriale globale
        EAJE: Établissement d'accueil du jeune enfant
        PMI: Protection maternelle et infantile
        RPE: Relais petite enfance
        SDSF: Schéma départemental des services aux familles
        """,
    f"{CONV}/convention.md": """\
        ---
        identifiant: ctg-test-2022-2026
        titre: Convention territoriale globale au service du projet de territoire de la Communauté de communes du Test
        titre_court: CTG Test 2022-2026
        territoire: cc-test
        statut: signée
        periode:
          debut: 2022-01-01
          fin: 2026-12-31
        signature:
          lieu: Arras
          date: 2022-11-08
        signataires:
          - organisation: caf62
          - organisation: cc-test
            autorisation:
              acte: délibération du conseil communautaire
              numero: "2022-045"
              date: 2022-09-30
        annexes:
          - communes
          - equipements
          - plan-actions
          - glossaire
        ---

        ## Champs d'intervention de {{ territoire.designation }} {#champs-epci}

        La CCT exerce la compétence petite enfance sur les {{ communes | length }} communes.[^1]

        [^1]: Statuts de la communauté de communes.

        ## Enjeux et objectifs partagés {#enjeux}

        Les enjeux sont détaillés au plan d'actions ({{ annexe("plan-actions") }}), en particulier la {{ fiche("rpe") }}.

        ### Petite enfance

        Développer l'offre d'accueil (voir l'{{ article("duree") }}).
        """,
    f"{CONV}/annexes/communes.md": """\
        ---
        titre: Liste des communes couvertes
        contenu: communes
        ---
        """,
    f"{CONV}/annexes/equipements.md": """\
        ---
        titre: Équipements et services soutenus
        contenu: equipements
        orientation: paysage
        ---
        """,
    f"{CONV}/annexes/plan-actions.md": """\
        ---
        titre: Plan d'actions
        contenu: plan-actions
        orientation: paysage
        ---
        """,
    f"{CONV}/annexes/glossaire.md": """\
        ---
        titre: Glossaire des sigles
        contenu: glossaire
        ---
        """,
    f"{CONV}/donnees/equipements.yaml": """\
        collectivites:
          - collectivite: "62001"
            equipements:
              - type: EAJE
                nom: Multi-accueil « Les Lutins »
                gestionnaire: Commune
                adresse: 1 rue de la Mairie, 62153 Ablain-Saint-Nazaire
          - collectivite: cc-test
            equipements:
              - type: RPE
                nom: Relais petite enfance intercommunal
        """,
    f"{CONV}/donnees/plan-actions.yaml": """\
        thematiques:
          - titre: Petite enfance
            enjeux:
              - titre: Développer l'offre d'accueil
                objectifs:
                  - titre: Mieux informer les familles
                    fiches: [rpe, guichet]
        """,
    f"{CONV}/fiches/rpe.yaml": """\
        titre: Renforcer le relais petite enfance
        pilotes: [cc-test]
        diagnostic_initial: Le RPE couvre la moitié du territoire.
        public_cible: Assistants maternels et parents.
        objectifs_operationnels: |
          - Étendre le relais à toutes les communes ;
          - proposer des temps collectifs.
        modalites: Recrutement d'une animatrice.
        echeances: 2023-2024
        services_mobilises: Service petite enfance de la CCT.
        resultats_attendus: Un relais sur tout le territoire.
        partenaires: [Département, PMI]
        indicateurs: [Nombre d'assistants maternels accompagnés]
        """,
    f"{CONV}/fiches/guichet.yaml": """\
        titre: Créer un guichet unique d'information
        pilotes: [caf62, cc-test]
        diagnostic_initial: Les familles connaissent mal l'offre.
        public_cible: Familles.
        objectifs_operationnels: Informer les familles.
        modalites: Un site et une permanence.
        echeances: "2024"
        services_mobilises: Caf et CCT.
        resultats_attendus: Des familles mieux informées.
        indicateurs: [Nombre de demandes traitées]
        """,
    f"{CONV}/avenants/2023-001.md": """\
        ---
        numero: 2023-001
        convention: ctg-test-2022-2026
        statut: signée
        effet: 2023-01-01
        signature:
          lieu: Arras
          date: 2023-12-15
        signataires_ajoutes:
          - organisation: departement62
            autorisation:
              acte: délibération de la commission permanente du Conseil départemental
              numero: "2023-578"
              date: 2023-12-11
        ---

        ## Objet de l'avenant {#objet}

        Le présent avenant a pour objet l'adhésion du Département à la convention.
        """,
}


def record_fingerprints(root: Path) -> None:
    """Record the fingerprints of the signed documents, as « build.py empreintes » does in a real
    repository; skipped when the corpus is invalid (the test then expects errors anyway)."""
    from ctg.build.pipeline import assemble_checked, load_and_check
    from ctg.checks import integrity
    from ctg.core.diagnostics import Diagnostics
    from ctg.core.project import Project

    project = Project(root)
    diags = Diagnostics(root)
    corpus = load_and_check(project, diags)
    if diags.errors:
        return
    docs = assemble_checked(project, corpus, diags)
    if not diags.errors:
        integrity.record(corpus, docs, diags, force=False)


def write_project(root: Path, files: dict[str, str | bytes | None] | None = None, base: dict | None = None,
                  fingerprints: bool = True) -> Path:
    """Write templates/ (copied) and the corpus; files override base (None: a base file not written)."""
    shutil.copytree(ROOT / "templates", root / "templates")
    merged = dict(MINIMAL if base is None else base)
    merged.update(files or {})
    for rel, content in merged.items():
        if content is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    if fingerprints:
        record_fingerprints(root)
    spelling_answers.seed(root)  # the dictionary's answers found by the session's earlier runs
    return root


def as_typed(text: str) -> str:
    """Printed text back to the characters the sources type: the DOCX and PDF print the typographic
    apostrophe and « n° » as n + superscript o (ctg/writers/docx_typography.py)."""
    import re as _re

    return _re.sub(r"\b([nN])o(?=[\u00a0 ]?\d)", r"\1°", text.replace("\u2019", "'"))
