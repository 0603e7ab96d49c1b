"""Plans d'actions of the shape the convention declares (niveaux, champs) and équipements from an
open list of types (issue 18, points 1 and 2): fixture conventions built with the real command line."""

from __future__ import annotations

import re
import textwrap

import yaml
from conftest import run_build
from fixture_corpus import CONV, MINIMAL, ROOT, as_typed

from ctg.sources.plan import FICHE_CHAMPS
from ctg.sources.schemas import Equipement, Equipements, NiveauPlan, PlanActions, TypeEquipement, TypesEquipements

TYPES = "conventions/_registre/types-equipements.yaml"

AXES_PLAN = """\
    niveaux:
      - cle: axes
        nom: Axe
        prefixe: Axe
      - cle: objectifs_generaux
        nom: Objectif général
        prefixe: OG
      - cle: objectifs_operationnels
        nom: Objectif opérationnel
        prefixe: OO
    champs: [pilotes, calendrier, budget, exemples_actions, indicateurs]
    axes:
      - titre: Petite enfance
        objectifs_generaux:
          - titre: Développer l'accueil du jeune enfant
            objectifs_operationnels:
              - titre: Mieux informer les familles
                fiches: [rpe, guichet]
              - titre: Soutenir les assistants maternels
                fiches: [rpe]
          - titre: Accompagner la parentalité
      - titre: Jeunesse
        objectifs_generaux:
          - titre: Favoriser l'engagement des jeunes
            objectifs_operationnels:
              - titre: Créer un conseil des jeunes
    """

RPE_FICHE = """\
    titre: Renforcer le relais petite enfance
    pilotes: [cc-test]
    calendrier: 2023-2024
    budget: 40 000 € par an
    exemples_actions:
      - Permanences dans chaque commune
      - Temps collectifs itinérants
    indicateurs: [Nombre d'assistants maternels accompagnés]
    """

GUICHET_FICHE = """\
    titre: Créer un guichet unique d'information
    """

ENJEUX_PLAN = """\
    niveaux:
      - cle: enjeux
        nom: Enjeu
      - cle: ambitions
        nom: Ambition
        prefixe: Ambition
    champs: [pilotes, budget, calendrier, exemples_actions, indicateurs]
    enjeux:
      - titre: Une offre lisible
        ambitions:
          - titre: Informer toutes les familles
            fiches: [rpe, guichet]
          - titre: Coordonner les acteurs
    """

EQUIPEMENTS = """\
    types:
      - code: Halte-répit
        definition: Halte-répit pour les parents d'enfants en situation de handicap
        famille: Parentalité
    tri: [gestionnaire, nom]
    colonnes: remplies
    collectivites:
      - collectivite: "62001"
        equipements:
          - type: EVS
            nom_adresse: Espace de vie sociale « La Passerelle », 3 place du Marché
            gestionnaire: Association La Passerelle
          - type: ALSH péri et extra
            nom: Accueil de loisirs municipal
            gestionnaire: Commune
          - type: EAJE
            nom: Multi-accueil « Les Lutins »
            gestionnaire: Commune
          - type: Halte-répit
            nom: Halte-répit « Le Cocon »
            gestionnaire: Association Répit 62
      - collectivite: cc-test
        equipements:
          - type: RPE
            nom: Relais petite enfance intercommunal
            gestionnaire: CCT
    """

COUNTS_TEXT = """\

    ## Équipements {#equipements-soutenus apres="enjeux"}

    La convention soutient {{ nombre_equipements() }} équipements, dont {{ nombre_equipements(type="EAJE") }} EAJE et {{ nombre_equipements(collectivite="62001") }} à Ablain-Saint-Nazaire ; la liste compte {{ equipements | length }} lignes.
    {% for t in equipements_par_type() %}
    - type {{ t.nom }} : {{ t.nombre }}
    {%- endfor %}
    {% for g in equipements_par_gestionnaire() %}
    - gestionnaire {{ g.nom }} : {{ g.nombre }}
    {%- endfor %}
    {% for c in equipements_par_collectivite() %}
    - collectivité {{ c.nom }} : {{ c.nombre }}
    {%- endfor %}
    """


def _project(make_project, plan: str = AXES_PLAN, fiches: dict | None = None, extra: dict | None = None):
    files = {f"{CONV}/donnees/plan-actions.yaml": plan, f"{CONV}/fiches/rpe.yaml": RPE_FICHE,
             f"{CONV}/fiches/guichet.yaml": GUICHET_FICHE, TYPES: (ROOT / TYPES).read_text(encoding="utf-8")}
    files.update(fiches or {})
    files.update(extra or {})
    return make_project(files)


def _annex(markdown: str, title: str) -> str:
    start = markdown.index("# Annexe")
    start = markdown.index(title, start)
    end = markdown.find("\n# ", start)
    return markdown[start:end if end != -1 else None]


def _markdown(root) -> str:
    result = run_build(root, "markdown", "ctg-test-2022-2026")
    assert result.code == 0, result.err
    return result.out.replace("\u00a0", " ").replace("\u202f", " ")  # French spaces: compared as spaces


# ------------------------------------------------------------------ plan d'actions


def test_three_levels_numbered_objective_without_fiche_and_shared_fiche(make_project):
    md = _markdown(_project(make_project))
    plan = _annex(md, "Plan d'actions")
    assert "| Axe | Objectif général | Objectif opérationnel | Fiche action | Pilote |" in plan
    rows = [line for line in plan.splitlines() if line.startswith("| Axe ")][1:]
    assert rows == [
        "| Axe 1 – Petite enfance | OG 1.1 – Développer l'accueil du jeune enfant | "
        "OO 1.1.1 – Mieux informer les familles | [fiche action n° 1](#fiche-rpe) – Renforcer le relais "
        "petite enfance | la CCT |",
        "| Axe 1 – Petite enfance | OG 1.1 – Développer l'accueil du jeune enfant | "
        "OO 1.1.1 – Mieux informer les familles | [fiche action n° 2](#fiche-guichet) – Créer un guichet "
        "unique d'information |  |",
        "| Axe 1 – Petite enfance | OG 1.1 – Développer l'accueil du jeune enfant | "
        "OO 1.1.2 – Soutenir les assistants maternels | [fiche action n° 1](#fiche-rpe) – Renforcer le "
        "relais petite enfance | la CCT |",
        "| Axe 1 – Petite enfance | OG 1.2 – Accompagner la parentalité |  |  |  |",
        "| Axe 2 – Jeunesse | OG 2.1 – Favoriser l'engagement des jeunes | "
        "OO 2.1.1 – Créer un conseil des jeunes |  |  |",
    ]
    assert "compte 2 fiches action, réparties en 2 axes." in plan
    assert plan.count("## Fiche action n° 1 – Renforcer le relais petite enfance") == 1
    fiche = plan[plan.index("## Fiche action n° 1"):plan.index("## Fiche action n° 2")]
    assert ("- **Objectifs opérationnels** : OO 1.1.1 – Mieux informer les familles ; "
            "OO 1.1.2 – Soutenir les assistants maternels") in fiche
    assert "- **Objectif général** : OG 1.1 – Développer l'accueil du jeune enfant" in fiche
    assert "- **Budget** : 40 000 € par an" in fiche
    assert "### Exemples d'actions\n\n- Permanences dans chaque commune\n- Temps collectifs itinérants" in fiche
    assert "Diagnostic initial" not in plan and "Partenaires" not in plan
    # a fiche with only its title: its identity, nothing else
    guichet = plan[plan.index("## Fiche action n° 2"):]
    assert "- **Axe** : Axe 1 – Petite enfance" in guichet and "###" not in guichet.split(":::")[1]


def test_two_levels_enjeu_ambition(make_project):
    md = _markdown(_project(make_project, ENJEUX_PLAN))
    plan = _annex(md, "Plan d'actions")
    assert "| Enjeu | Ambition | Fiche action | Pilote |" in plan
    assert "| Une offre lisible | Ambition 1.2 – Coordonner les acteurs |  |  |" in plan
    assert "réparties en 1 enjeu." in plan
    fiche = plan[plan.index("## Fiche action n° 1"):plan.index("## Fiche action n° 2")]
    assert fiche.index("**Budget**") < fiche.index("**Calendrier**")  # in the order of « champs »
    assert "- **Enjeu** : Une offre lisible\n- **Ambition** : Ambition 1.1 – Informer toutes les familles\n" in fiche


def test_plan_errors_are_collected_with_their_lines(make_project):
    plan = AXES_PLAN.replace("[rpe, guichet]", "[rpe, guichet, rpe-bis]").replace(
        "champs: [pilotes, calendrier, budget, exemples_actions, indicateurs]",
        "champs: [pilotes, calendrier, indicateurs, budget, exemples]").replace(
        "          - titre: Accompagner la parentalité\n",
        "          - titre: Accompagner la parentalité\n            objectifs:\n              - titre: X\n")
    root = _project(make_project, plan, {f"{CONV}/fiches/orpheline.yaml": "titre: Une fiche oubliée\n"})
    result = run_build(root, "check")
    assert result.code == 1
    err = result.err
    path = f"{CONV}/donnees/plan-actions.yaml"
    assert (f"{path}:11 : erreur : « champs[5] » vaut « exemples » : valeurs possibles « pilotes », « echeances », "
            "« calendrier », « budget », « diagnostic_initial », « contexte », « public_cible », "
            "« objectifs_operationnels », « description », « exemples_actions », « modalites », "
            "« services_mobilises », « moyens », « financements », « resultats_attendus », « partenaires », "
            "« indicateurs » ; vouliez-vous dire « exemples_actions » ? [valeur-inconnue]") in err.replace("\u00a0", " "), err
    root = _project(make_project, AXES_PLAN.replace("[rpe, guichet]", "[rpe, guichet, rpe-bis]").replace(
        "          - titre: Accompagner la parentalité\n",
        "          - titre: Accompagner la parentalité\n            objectifs:\n              - titre: X\n"),
        {f"{CONV}/fiches/orpheline.yaml": "titre: Une fiche oubliée\nbudget: 10 €\n",
         f"{CONV}/fiches/guichet.yaml": "titre: Créer un guichet\ndiagnostic_initial: Rien.\n"})
    err = run_build(root, "check").err.replace("\u00a0", " ")
    assert (f"{path}:18 : erreur : la fiche « rpe-bis » n'existe pas (fichier fiches/rpe-bis.yaml absent)"
            " ; vouliez-vous dire « rpe » ? [fiche-inconnue]") in err, err
    assert (f"{path}:22 : erreur : la clé « objectifs » n'est pas attendue dans un élément « objectif général » "
            "(clés permises : titre, fiches, objectifs_operationnels). [cle-inconnue]") in err, err
    assert (f"{CONV}/fiches/orpheline.yaml:1 : erreur : la fiche « orpheline » n'est rattachée à aucun élément du "
            f"plan d'actions ({path}). [fiche-non-placee]") in err, err
    assert (f"{CONV}/fiches/guichet.yaml:2 : erreur : le champ « diagnostic_initial » n'est pas retenu par le plan "
            f"d'actions ({path}, clé « champs » : pilotes, calendrier, budget, exemples_actions, indicateurs) ; "
            "ajoutez-le à cette liste ou retirez-le de la fiche. [champ-non-retenu]") in err, err


def test_a_level_without_its_list_is_reported(make_project):
    root = _project(make_project, AXES_PLAN.replace("\n    axes:\n", "\n    thematiques:\n"))
    err = run_build(root, "check").err.replace("\u00a0", " ")
    path = f"{CONV}/donnees/plan-actions.yaml"
    assert (f"{path}:12 : erreur : la clé « thematiques » n'est pas attendue ici : le premier niveau de ce plan, "
            "déclaré dans « niveaux », s'écrit « axes : ». [cle-inconnue]") in err, err
    root = _project(make_project, AXES_PLAN.split("    axes:")[0])
    err = run_build(root, "check").err.replace("\u00a0", " ")
    assert (f"{path}:1 : erreur : le plan d'actions n'a aucun élément de premier niveau : écrivez la liste "
            "« axes : » (axes). [niveau-absent]") in err, err


# ------------------------------------------------------------------ équipements


def test_equipements_types_columns_order_and_counts(make_project):
    text = textwrap.dedent(MINIMAL[f"{CONV}/convention.md"]) + textwrap.dedent(COUNTS_TEXT)  # counts appended
    root = _project(make_project, extra={f"{CONV}/donnees/equipements.yaml": EQUIPEMENTS,
                                         f"{CONV}/convention.md": text})
    md = _markdown(root)
    assert ("La convention soutient 5 équipements, dont 1 EAJE et 4 à Ablain-Saint-Nazaire ; la liste compte "
            "5 lignes.") in md
    assert ("- type EAJE : 1\n- type RPE : 1\n- type Espace de vie sociale : 1\n- type ALSH péri et extrascolaire : 1\n"
            "- type Halte-répit : 1") in md
    assert ("- gestionnaire Association La Passerelle : 1\n- gestionnaire Association Répit 62 : 1\n"
            "- gestionnaire CCT : 1\n- gestionnaire Commune : 2") in md
    assert "- collectivité Ablain-Saint-Nazaire : 4\n- collectivité Communauté de communes du Test : 1" in md \
        or "- collectivité Ablain-Saint-Nazaire : 4\n- collectivité" in md
    annex = _annex(md, "Équipements et services soutenus")
    assert "5 équipements et services, portés par 2 collectivités" in annex
    table = [line for line in annex.splitlines() if line.startswith("|")]
    assert table[:6] == [
        "| Type | Nom et adresse | Gestionnaire |",
        "|:------------|:--------------------------------------------------|:----------------------|",
        "| Espace de vie sociale | Espace de vie sociale « La Passerelle », 3 place du Marché | Association La Passerelle |",
        "| Halte-répit | Halte-répit « Le Cocon » | Association Répit 62 |",
        "| ALSH péri et extrascolaire | Accueil de loisirs municipal | Commune |",
        "| EAJE | Multi-accueil « Les Lutins » | Commune |",
    ]


def test_unknown_type_and_name_twice_are_reported(make_project):
    data = EQUIPEMENTS.replace("type: EAJE", "type: Creche").replace(
        "            nom: Accueil de loisirs municipal\n",
        "            nom: Accueil de loisirs municipal\n            nom_adresse: Accueil, rue Haute\n").replace(
        "      - code: Halte-répit", "      - code: LAEP")
    root = _project(make_project, extra={f"{CONV}/donnees/equipements.yaml": data})
    err = run_build(root, "check").err.replace("\u00a0", " ")
    path = f"{CONV}/donnees/equipements.yaml"
    assert (f"{path}:13 : erreur : « collectivites[1].equipements[2] » : écrivez soit « nom_adresse », soit "
            "« nom » (et « adresse »), pas les deux. [valeur-invalide]") in err, err
    root = _project(make_project, extra={f"{CONV}/donnees/equipements.yaml": EQUIPEMENTS.replace(
        "type: EAJE", "type: Creche").replace("      - code: Halte-répit", "      - code: LAEP").replace(
        "type: Halte-répit", "type: LAEP")})
    err = run_build(root, "check").err.replace("\u00a0", " ")
    assert (f"{path}:2 : erreur : le type « LAEP » existe déjà dans le registre "
            "(conventions/_registre/types-equipements.yaml) ; utilisez-le tel quel ou choisissez un autre code. "
            "[type-en-double]") in err, err
    assert (f"{path}:16 : erreur : le type « Creche » n'est pas dans la liste des types d'équipements (types "
            "connus : EAJE, LAEP, RPE, ALSH extrascolaire, ALSH périscolaire, Accueil jeunes, Ludothèque, Séjours, "
            "BAFA / BAFD, Poste de coordination, Centre social, Espace de vie sociale, CLAS, REAAP, ALSH péri et "
            "extra, CAJ, PIJ, MAM, Micro-crèche, Médiation familiale, Espace rencontre). Ajoutez-le à "
            "conventions/_registre/types-equipements.yaml, ou à « types » de ce fichier s'il est propre à la "
            "convention. [type-inconnu]") in err, err



# ------------------------------------------------------------------ the guide is true


def _yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", text, re.S)


def test_guide_examples_build(make_project):
    """The plans of docs/annexes.md build as they are written; its équipements are valid."""
    guide = (ROOT / "docs/annexes.md").read_text(encoding="utf-8")
    plans = [b for b in _yaml_blocks(guide) if b.startswith("niveaux:")]
    assert len(plans) == 2
    for plan in plans:
        fields = "champs: [pilotes, calendrier, budget, exemples_actions, indicateurs]\n"
        md = _markdown(_project(make_project, textwrap.indent(fields + plan, "    ")))
        assert "## Fiche action n° 2 – Créer un guichet unique d'information" in md
    registry = yaml.safe_load((ROOT / TYPES).read_text(encoding="utf-8"))
    known = {n for t in TypesEquipements.model_validate(registry).types for n in (t.code, *t.synonymes)}
    blocks = [yaml.safe_load(b) for b in _yaml_blocks(guide) if "collectivites:" in b]
    assert len(blocks) == 2
    for block in blocks:
        data = Equipements.model_validate(block)
        own = {t.code for t in data.types}
        assert all(e.type in known | own for g in data.collectivites for e in g.equipements)
    example = yaml.safe_load(next(b for b in _yaml_blocks(guide) if b.startswith("types:\n  - code: ALSH")))
    assert {t.code for t in TypesEquipements.model_validate(example).types} <= known


def test_every_key_of_plans_and_equipements_is_documented():
    guide = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md"))
    for model in (NiveauPlan, PlanActions, Equipements, Equipement, TypeEquipement):
        for key in model.model_fields:
            assert f"`{key}`" in guide, f"{model.__name__}.{key}"
    for key, (label, _kind) in FICHE_CHAMPS.items():
        assert f"| `{key}` | {label} |" in guide, key


def test_docx_and_site_of_an_axes_plan(make_project):
    """Built for real: the DOCX tables (plan, équipements, a fiche) and the site's page of the plan."""
    import docx

    root = _project(make_project, extra={f"{CONV}/donnees/equipements.yaml": EQUIPEMENTS})
    result = run_build(root, "site")
    assert result.code == 0, result.err
    document = docx.Document(str(root / "site/telechargements/ctg-test-2022-2026/ctg-test-2022-2026.docx"))
    tables = [[[as_typed(c.text).replace("\u00a0", " ") for c in row.cells] for row in t.rows]
              for t in document.tables]
    plan = next(t for t in tables if t[0] == ["Axe", "Objectif général", "Objectif opérationnel", "Fiche action",
                                             "Pilote"])
    assert plan[4] == ["Axe 1 – Petite enfance", "OG 1.2 – Accompagner la parentalité", "", "", ""]
    assert plan[3][2:4] == ["OO 1.1.2 – Soutenir les assistants maternels",
                            "fiche action n° 1 – Renforcer le relais petite enfance"]
    assert len(plan) == 6
    equipment = next(t for t in tables if t[0] == ["Type", "Nom et adresse", "Gestionnaire"])
    assert equipment[1] == ["Espace de vie sociale", "Espace de vie sociale « La Passerelle », 3 place du Marché",
                            "Association La Passerelle"]
    fiche = next(t for t in tables if t[0][0] == "Axe" and len(t[0]) == 2 and "Renforcer" not in t[0][1]
                 and any(r[0] == "Budget" for r in t))
    assert [r[0] for r in fiche] == ["Axe", "Objectif général", "Objectifs opérationnels", "Pilote", "Calendrier",
                                     "Budget", "Exemples d'actions", "Indicateurs d'évaluation"]
    page = (root / "site/conventions/ctg-test-2022-2026/annexes/plan-actions/index.html").read_text(encoding="utf-8")
    assert '<td style="text-align:left">OG 1.2 – Accompagner la parentalité</td>' in page
    assert page.count('href="../../fiches/rpe/">fiche action n°&nbsp;1</a>') == 2
    fiche_page = (root / "site/conventions/ctg-test-2022-2026/fiches/rpe/index.html").read_text(encoding="utf-8")
    fiche_page = fiche_page.replace("\u202f", " ").replace("\u00a0", " ").replace("&nbsp;", " ")
    assert "Exemples d&#39;actions" in fiche_page or "Exemples d'actions" in fiche_page
    assert "OO 1.1.1 – Mieux informer les familles ; OO 1.1.2 – Soutenir les assistants maternels" in fiche_page


def test_avenant_adds_and_removes_fiches_of_an_axes_plan(make_project):
    """An avenant changes a plan of any shape: a fiche added after another (where it is first cited),
    a fiche removed (the element it leaves empty stays, with its number: numbers never move)."""
    avenant = textwrap.dedent(MINIMAL[f"{CONV}/avenants/2023-001.md"]).replace(
        "\n---\n\n## Objet", "\nannexes: [plan-actions]\nmodifications:\n  - ajouter_fiche: forum\n    apres: rpe\n"
        "  - supprimer_fiche: guichet\n---\n\n## Objet")
    assert "supprimer_fiche" in avenant
    plan = AXES_PLAN.replace("fiches: [rpe, guichet]", "fiches: [rpe]\n              - titre: Guichet\n"
                             "                fiches: [guichet]")
    root = _project(make_project, plan, extra={
        f"{CONV}/avenants/2023-001.md": avenant,
        f"{CONV}/avenants/2023-001/plan-actions.md": "---\ntitre: Plan d'actions mis à jour\ncontenu: plan-actions\n"
                                                     "orientation: paysage\n---\n",
        f"{CONV}/avenants/2023-001/fiches/forum.yaml": "titre: Forum naissance\npilotes: [caf62]\n"})
    result = run_build(root, "markdown", "ctg-test-2022-2026-avenant-2023-001")
    assert result.code == 0, result.err
    md = result.out.replace("\u00a0", " ").replace("\u202f", " ")
    rows = [line for line in md.splitlines() if line.startswith("| Axe ")][1:]
    assert [r.split(" | ")[2:4] for r in rows] == [
        ["OO 1.1.1 – Mieux informer les familles", "[fiche action n° 1](#fiche-rpe) – Renforcer le relais petite enfance"],
        ["OO 1.1.1 – Mieux informer les familles", "**[fiche action n° 1 bis](#fiche-forum) – Forum naissance** (nouvelle)"],
        ["OO 1.1.2 – Guichet", ""],
        ["OO 1.1.3 – Soutenir les assistants maternels", "[fiche action n° 1](#fiche-rpe) – Renforcer le relais petite enfance"],
        ["", ""],
        ["OO 2.1.1 – Créer un conseil des jeunes", ""],
    ]
    assert "La fiche action n° 2, « Créer un guichet unique d'information », est supprimée de l'annexe 3." in md
