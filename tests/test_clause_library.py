"""The clause library: a convention's or a territory's own version of one clause, text added before
or after a library clause, lettered sub-articles, the list of annexes and unnumbered pieces after the
signatures, hand-typed heading numbers refused, and docs/clauses.md true to the library."""

from __future__ import annotations

import docx
import pytest
from conftest import run_build
from fixture_corpus import CONV, MINIMAL, ROOT, as_typed

CONVENTION = f"{CONV}/convention.md"
DOC = "dist/ctg-test-2022-2026/ctg-test-2022-2026.docx"

OWN_CLAUSES = {
    # the convention's version of « duree », and the territory's versions of « duree » (hidden by the
    # convention's) and of « recours »
    f"{CONV}/clauses/duree.md.j2": "La présente convention court du {{ date(convention.periode.debut) }} "
                                   "au {{ date(convention.periode.fin) }} (version de la convention).\n",
    "conventions/_registre/clauses/cc-test/duree.md.j2": "Version du territoire, cachée par celle de la convention.\n",
    "conventions/_registre/clauses/cc-test/recours.md.j2": "Tout litige est porté devant le tribunal administratif "
                                                           "de Lille (version du territoire).\n",
}

ADDED = """
        ## Avant les engagements {#avant-engagements}

        Texte ajouté avant la clause des engagements.

        ## Après les engagements {#apres-engagements}

        Texte ajouté après la clause des engagements.

        ### Engagements propres au territoire

        Un sous-article ajouté.

        ## Territoire couvert {#territoire-couvert apres="signatures"}

        La convention couvre les {{ communes | length }} communes de {{ territoire.designation }}.
        """


def convention(extra_meta: str = "", extra_body: str = ADDED) -> str:
    text = MINIMAL[CONVENTION]
    text = text.replace("        annexes:\n", extra_meta + "        annexes:\n", 1)
    return text + extra_body


NUMBERING = """\
        numerotation:
          sous_articles: lettres
          sommaire_annexes: apres-signatures
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    from fixture_corpus import write_project

    root = write_project(tmp_path_factory.mktemp("clauses"), OWN_CLAUSES | {CONVENTION: convention(NUMBERING)})
    result = run_build(root, "docx", "ctg-test-2022-2026")
    assert result.code == 0, result.err
    return root


def paragraphs(root) -> list[str]:
    return [as_typed(p.text) for p in docx.Document(root / DOC).paragraphs if p.text.strip()]


def markdown(root) -> str:
    result = run_build(root, "markdown", "ctg-test-2022-2026")
    assert result.code == 0, result.err
    return result.out


def errors(root) -> list[str]:
    """The error lines of « check »: it fails, with no traceback."""
    result = run_build(root, "check")
    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    return [line for line in result.err.splitlines() if "\u00a0: erreur\u00a0: " in line]


# ------------------------------------------------------------------ the document


def test_own_clauses_come_first_convention_then_territory_then_library(project):
    text = paragraphs(project)
    assert "La présente convention court du 1er\u00a0janvier\u00a02022 au 31\u00a0décembre\u00a02026 (version de la convention)." in text
    assert "Tout litige est porté devant le tribunal administratif de Lille (version du territoire)." in text
    assert not any("cachée par celle de la convention" in p for p in text)
    assert not any("relève de la compétence du tribunal administratif" in p for p in text)  # the library's recours
    # the other clauses stay the library's
    assert "Les parties conviennent ensemble des actions de communication relatives à la présente convention. " \
           "Les supports communs portent le logo de chacune d'elles." in text


def test_text_added_before_and_after_a_library_clause(project):
    text = paragraphs(project)
    start = text.index("Article 5 – Engagements des partenaires")
    end = text.index("Article 6 – Collaboration, pilotage et animation de la démarche")
    article = text[start + 1:end]
    assert article[0] == "Texte ajouté avant la clause des engagements."
    assert article[1].startswith("Les 3 communes du territoire (Annexe\u00a01) contribuent")
    assert article[-3:] == ["Texte ajouté après la clause des engagements.",
                            "5\u00a0-\u00a0a – Engagements propres au territoire", "Un sous-article ajouté."]
    # an addition is no article of its own: the numbers of the articles do not move
    headings = [p for p in text if p.startswith("Article ") and "\t" not in p]  # not the sommaire's lines
    assert len(headings) == 14 and headings[-1] == "Article 14 – Confidentialité"


def test_lettered_sub_articles(project):
    d = docx.Document(project / DOC)
    level2 = [as_typed(p.text) for p in d.paragraphs if p.style.name == "Heading 2"]
    assert "4\u00a0-\u00a0a – Petite enfance" in level2
    assert ["12\u00a0-\u00a0a – Résiliation après mise en demeure", "12\u00a0-\u00a0b – Résiliation sans mise en demeure",
            "12\u00a0-\u00a0c – Résiliation d'un commun accord", "12\u00a0-\u00a0d – Effets de la résiliation"] == \
        [t for t in level2 if t.startswith("12")]
    assert not any(t.startswith("12.") for t in level2)


def test_annex_list_and_unnumbered_piece_follow_the_signatures(project):
    d = docx.Document(project / DOC)
    body = d.element.body
    order = []  # the top-level blocks in order: paragraphs' text, and « TABLE » for the signature table
    for el in body.iterchildren():
        if el.tag.endswith("}tbl"):
            order.append("TABLE")
        elif el.tag.endswith("}p"):
            text = as_typed("".join(t.text or "" for t in el.iter() if t.tag.endswith("}t")))
            if text.strip():
                order.append(text)
    closing = next(i for i, t in enumerate(order) if t.startswith("Fait à Arras, le 8\u00a0novembre\u00a02022"))
    annexes = order.index("Sommaire des annexes")
    assert order[closing + 2] == "TABLE"  # the closing, « comporte N pages », then the signatures
    assert order[closing + 3:closing + 11] == [
        "Sommaire des annexes",
        "Annexe\u00a01 – Liste des communes couvertes", "Annexe\u00a02 – Équipements et services soutenus",
        "Annexe\u00a03 – Plan d'actions", "Annexe\u00a04 – Glossaire des sigles",
        "Territoire couvert", "La convention couvre les 3 communes de la CCT.",
        "Annexe\u00a01 – Liste des communes couvertes"]
    assert annexes == closing + 3
    heading = next(p for p in d.paragraphs if p.text == "Territoire couvert")
    assert heading.style.name == "Heading 1"  # unnumbered: no « Article 15 »


def test_default_numbering_and_sources_written_today_are_unchanged(make_project):
    root = make_project()
    text = markdown(root)
    assert "## 4.1 – Petite enfance" in text
    assert "Sommaire des annexes" not in text
    assert "relève de la compétence du tribunal administratif" in text


def test_own_clause_files_are_sources_of_the_document(project):
    from ctg.build.pipeline import assemble_checked, load_and_check
    from ctg.core.diagnostics import Diagnostics
    from ctg.core.project import Project

    diags = Diagnostics(project)
    corpus = load_and_check(Project(project), diags)
    docs = assemble_checked(Project(project), corpus, diags)
    sources = docs["ctg-test-2022-2026"].sources
    assert f"{CONV}/clauses/duree.md.j2" in sources
    assert "conventions/_registre/clauses/cc-test/recours.md.j2" in sources
    assert "conventions/_registre/clauses/cc-test/duree.md.j2" not in sources  # hidden: not read
    assert "templates/clauses/ctg/duree.md.j2" not in sources


# ------------------------------------------------------------------ communes that sign the convention


def test_engagements_clause_adapts_when_communes_sign(make_project):
    files = {f"conventions/_registre/organisations/{oid}.yaml": f"id: {oid}\ntype: commune\nnom: {nom}\ninsee: \"{insee}\"\n"
             for oid, nom, insee in (("ablain", "Ablain-Saint-Nazaire", "62001"), ("acheville", "Acheville", "62003"))}
    signataires = "          - organisation: ablain\n          - organisation: acheville\n"
    conv = MINIMAL[CONVENTION].replace("statut: signée", "statut: projet").replace(
        "        annexes:\n", signataires + "        annexes:\n", 1)
    root = make_project(files | {CONVENTION: conv, f"{CONV}/avenants/2023-001.md": None}, fingerprints=False)
    text = markdown(root)
    assert ("Les 2 communes signataires, parmi les 3 communes du territoire ([Annexe\u00a01](#annexe-communes)), "
            "contribuent, par leurs actions de proximité et la gestion de leurs équipements, aux objectifs de la "
            "présente convention. Elles s'y engagent par la signature de la présente convention, autorisée par "
            "délibération de leur conseil municipal,") in text
    assert "fiche d'engagement" not in text


# ------------------------------------------------------------------ mistakes, each at its file:line


def line_of(root, rel: str, needle: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


TYPED = """
        ## Article 6 - b Gouvernance locale {#gouvernance-locale apres="enjeux"}

        Texte.

        ### 1. Le comité local

        Texte.

        ### Les 3 comités de 2024

        Un titre qui commence par un mot n'est pas un numéro.
        """


def test_a_hand_typed_heading_number_is_an_error(make_project):
    root = make_project({CONVENTION: convention("", TYPED)}, fingerprints=False)
    found = errors(root)
    article = line_of(root, CONVENTION, "## Article 6 - b")
    sub = line_of(root, CONVENTION, "### 1. Le comité")
    numbered = [line for line in found if line.endswith("[numero-tape]")]
    assert numbered == [
        f"{CONVENTION}:{article}\u00a0: erreur\u00a0: le titre « Article 6 - b Gouvernance locale » commence "
        "par un numéro tapé (« Article 6 - b ») ; les numéros d'articles et de sous-articles sont calculés : "
        "retirez-le du titre. [numero-tape]",
        f"{CONVENTION}:{sub}\u00a0: erreur\u00a0: le titre « 1. Le comité local » commence par un numéro "
        "tapé (« 1. ») ; les numéros d'articles et de sous-articles sont calculés : retirez-le du titre. [numero-tape]",
    ]


def test_mistakes_with_own_clauses_and_additions(make_project):
    body = """
        ## Durée {#duree}

        Écrite dans le corps.

        ## Ajout {#apres-engagement}

        L'identifiant de l'article est mal orthographié.
        """
    files = {CONVENTION: convention("", body),
             f"{CONV}/clauses/duree.md.j2": "Aussi dans un fichier.\n",
             f"{CONV}/clauses/duree-convention.md.j2": "Nom qui n'est pas celui d'un article.\n",
             "conventions/_registre/clauses/cc-test/recours.md.j2": "Premier alinéa.\n\n{{ tribunal }}\n"}
    root = make_project(files, fingerprints=False)
    found = errors(root)
    addition = line_of(root, CONVENTION, "{#apres-engagement}")
    duree = line_of(root, CONVENTION, "{#duree}")
    assert f"{CONV}/clauses/duree-convention.md.j2:1\u00a0: erreur\u00a0: le fichier « duree-convention.md.j2 » " \
           "ne remplace aucune clause du modèle « ctg » (clauses : preambule, objet, champs-caf, " \
           "engagements, gouvernance, evaluation, echanges-donnees, communication, duree, execution, fin, recours, " \
           "confidentialite) ; nommez-le d'après l'identifiant de l'article. [clause-inconnue]" in found
    assert f"{CONV}/clauses/duree.md.j2:1\u00a0: erreur\u00a0: l'article « duree » est déjà écrit dans " \
           f"{CONVENTION} (ligne {duree}) ; gardez l'un des deux. [clause-en-double]" in found
    assert f"{CONVENTION}:{addition}\u00a0: erreur\u00a0: « apres-engagement » ajoute un texte après celui " \
           "de l'article « engagement », qui n'existe pas dans ce document (articles : objet, champs-caf, " \
           "champs-epci, enjeux, engagements, gouvernance, evaluation, echanges-donnees, communication, duree, " \
           "execution, fin, recours, confidentialite). [ajout-sans-article]" in found
    # an error in the territory's version of a clause is reported in that file, at its line
    assert "conventions/_registre/clauses/cc-test/recours.md.j2:3\u00a0: erreur\u00a0: variable ou attribut inconnu : " \
           "« tribunal » n'est pas défini ; vérifiez l'orthographe (variables disponibles : voir le " \
           "guide de rédaction). [variable-indefinie]" in found
    assert len(found) == 4, found


# ------------------------------------------------------------------ the guide's list of clauses


def test_the_guide_lists_the_clauses_of_the_library_as_they_are():
    from ctg.assembly.clause_catalog import NAMES, START, catalog, clause_entry, with_catalog

    page = (ROOT / "docs" / "clauses.md").read_text(encoding="utf-8")
    assert START in page
    assert with_catalog(page, ROOT / "templates") == page, \
        "docs/clauses.md n'est plus à jour : lancez « python -m ctg.assembly.clause_catalog »"
    listed = catalog(ROOT / "templates")
    for path in sorted((ROOT / "templates" / "clauses").rglob("*.md.j2")):
        clause = path.relative_to(ROOT / "templates" / "clauses").as_posix()
        assert f"(`templates/clauses/{clause}`)" in listed, clause
        names, assumes = clause_entry(ROOT / "templates", clause)
        assert assumes, f"{clause} : pas de commentaire « {{# suppose : … #}} »"
        assert set(names) <= set(NAMES), set(names) - set(NAMES)  # every variable is explained
        for name in names:
            assert f"| `{name}` |" in page


def test_the_catalog_follows_a_change_of_the_library(tmp_path):
    import shutil

    from ctg.assembly.clause_catalog import catalog

    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    clause = tmp_path / "templates" / "clauses" / "ctg" / "recours.md.j2"
    clause.write_text("{# suppose : un tribunal fixé. #}\nLe tribunal de {{ territoire.designation }}.\n",
                      encoding="utf-8")
    listed = catalog(tmp_path / "templates")
    assert "- **`recours`** — Recours (`templates/clauses/ctg/recours.md.j2`)\n" \
           "  - variables : `territoire`\n  - suppose : un tribunal fixé.\n" in listed


def test_the_consolidated_version_keeps_own_clauses_additions_and_pieces(project):
    result = run_build(project, "consolidate", "ctg-test-2022-2026", "--date", "2024-01-01", "--markdown")
    assert result.code == 0, result.err
    text = result.out
    assert "(version de la convention)" in text and "(version du territoire)" in text
    engagements = text[text.index("# Article 5 – Engagements des partenaires"):text.index("# Article 6 –")]
    assert engagements.index("Texte ajouté avant") < engagements.index("Les 3 communes") < \
        engagements.index("Texte ajouté après")
    assert "## 5\u00a0-\u00a0a – Engagements propres au territoire" in engagements
    tail = text[text.index("::: {.signatures}"):]
    assert tail.index("# Sommaire des annexes") < tail.index("# Territoire couvert") < tail.index("# Annexe\u00a01 –")


def test_a_hand_typed_annex_number_is_an_error(make_project):
    annex = f"{CONV}/annexes/communes.md"
    root = make_project({annex: MINIMAL[annex].replace("titre: Liste", "titre: Annexe 3 – Liste")}, fingerprints=False)
    found = [line for line in errors(root) if line.endswith("[numero-tape]")]
    assert found == [
        f"{annex}:2\u00a0: erreur\u00a0: le titre « Annexe 3 – Liste des communes couvertes » commence par un numéro "
        "tapé (« Annexe 3 ») ; le numéro d'une annexe est calculé d'après la liste « annexes » : retirez-le du titre. "
        "[numero-tape]"]


def test_clause_files_that_would_be_silently_unused_are_errors(make_project):
    root = make_project({f"{CONV}/clauses/duree.md": "Extension oubliée.\n",
                         "conventions/_registre/clauses/cc-tset/recours.md.j2": "Territoire mal orthographié.\n",
                         "conventions/_registre/clauses/recours.md.j2": "Hors d'un dossier de territoire.\n"},
                        fingerprints=False)
    found = errors(root)
    assert f"{CONV}/clauses/duree.md\u00a0: erreur\u00a0: « duree.md » n'est pas lu : une clause s'appelle " \
           "<identifiant>.md.j2 (par exemple « duree.md.j2 »). [clause-mal-nommee]" in found
    assert "conventions/_registre/clauses/cc-tset\u00a0: erreur\u00a0: le dossier « cc-tset » ne porte le nom d'aucune " \
           "organisation du registre ; ses clauses ne serviraient à aucune convention (territoires : cc-test). " \
           "[territoire-inconnu]" in found
    assert "conventions/_registre/clauses/recours.md.j2:1\u00a0: erreur\u00a0: « recours.md.j2 » doit être rangé dans " \
           "un dossier au nom du territoire : conventions/_registre/clauses/<territoire>/recours.md.j2. " \
           "[clause-mal-placee]" in found
    assert len(found) == 3, found


def test_a_signed_text_does_not_change_through_its_territory_clause(make_project):
    root = make_project(OWN_CLAUSES | {CONVENTION: convention(NUMBERING)})  # signed, fingerprint recorded
    assert run_build(root, "check").code == 0
    clause = root / "conventions/_registre/clauses/cc-test/recours.md.j2"
    clause.write_text("Tout litige est porté devant le tribunal administratif d'Amiens.\n", encoding="utf-8")
    found = errors(root)
    assert any(line.startswith(f"{CONVENTION}:") and "ctg-test-2022-2026" in line and "[texte-signe-modifie]" in line
               for line in found), found


def test_the_site_shows_the_pieces_after_the_signatures_and_the_guide_page(project, tmp_path):
    import os
    import re
    import shutil
    import subprocess
    import sys

    root = tmp_path / "site-project"
    shutil.copytree(project, root, ignore=shutil.ignore_patterns("dist", ".cache"))
    shutil.copytree(ROOT / "docs", root / "docs")  # the authoring guide, on the internal site
    env = dict(os.environ, SOURCE_DATE_EPOCH="1735689600", CTG_SITE_INTERNE="1")
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--racine", str(root), "site"],
                            capture_output=True, text=True, timeout=900, env=env)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    site = next(p for p in (root / "site-interne", root / "site") if p.is_dir())
    page = (site / "conventions/ctg-test-2022-2026/index.html").read_text(encoding="utf-8")
    listed = page[page.index('id="sommaire-annexes"'):page.index('id="territoire-couvert"')]
    assert re.findall(r'<a href="([^"]+)">Annexe&nbsp;(\d)', listed) == [
        ("annexes/communes/", "1"), ("annexes/equipements/", "2"), ("annexes/plan-actions/", "3"),
        ("annexes/glossaire/", "4")]
    assert "La convention couvre les 3 communes de la CCT." in page
    guide = (site / "guide/clauses/index.html").read_text(encoding="utf-8")
    assert "Modèle «&nbsp;ctg&nbsp;»" in guide or "Modèle « ctg »" in guide


def test_an_own_clause_that_links_out_of_the_project_is_refused(make_project, tmp_path):
    outside = tmp_path / "secret.md.j2"
    outside.write_text("Texte hors du projet.\n", encoding="utf-8")
    root = make_project(fingerprints=False)
    link = root / CONV / "clauses" / "duree.md.j2"
    link.parent.mkdir()
    link.symlink_to(outside)
    result = run_build(root, "markdown", "ctg-test-2022-2026")
    assert result.code == 1 and "Traceback" not in result.err
    assert "Texte hors du projet" not in result.out
    assert any(line.startswith(f"{CONV}/clauses/duree.md.j2") and line.endswith("[lien-interdit]")
               for line in result.err.splitlines()), result.err


def test_annexes_follow_the_order_of_the_list(make_project):
    conv = MINIMAL[CONVENTION].replace("          - communes\n          - equipements\n          - plan-actions\n"
                                       "          - glossaire\n",
                                       "          - glossaire\n          - plan-actions\n          - communes\n"
                                       "          - equipements\n")
    assert conv != MINIMAL[CONVENTION]
    root = make_project({CONVENTION: conv, f"{CONV}/avenants/2023-001.md": None})
    text = markdown(root)
    import re

    assert re.findall(r"^# Annexe\u00a0(\d) – (.*?) \{", text, re.M) == [
        ("1", "Glossaire des sigles"), ("2", "Plan d'actions"), ("3", "Liste des communes couvertes"),
        ("4", "Équipements et services soutenus")]
    assert "([Annexe\u00a02](#annexe-plan-actions))" in text  # the references follow
