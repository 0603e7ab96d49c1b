"""Avenants as structured changes: the drafted avenant, consolidated versions by date,
Word redlines with native tracked changes, and French errors for broken operations."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile

import pytest
from PIL import Image

from conftest import run_build
from fixture_corpus import CONV

AV1 = f"{CONV}/avenants/2023-001.md"
AV2 = f"{CONV}/avenants/2025-001.md"
OLD_DUREE = "Elle ne peut être reconduite que de manière expresse."
NEW_DUREE = "prorogée par accord exprès des parties"

FICHE = """\
titre: Forum naissance du territoire
pilotes: [caf62]
diagnostic_initial: Les futurs parents connaissent mal leurs droits.
public_cible: Futurs parents.
objectifs_operationnels: Informer les futurs parents.
modalites: Un forum annuel.
echeances: "2024"
services_mobilises: Caf.
resultats_attendus: Des parents informés.
indicateurs: [Nombre de participants]
"""

AVENANT_1 = """\
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
annexes: [plan-actions]
modifications:
  - remplacer_article: duree
    texte: |
      La présente convention prend effet le 1er janvier 2022. Elle peut être prorogée par accord exprès des parties.
  - inserer_article: champs-departement
    apres: champs-epci
    titre: Champs d'intervention du Département
    texte: |
      Le Département agit au titre de la protection maternelle et infantile ({{ article("duree") }}).
  - inserer_alinea: enjeux
    apres: 1
    texte: Les parents de jeunes enfants sont au cœur de la démarche.
  - ajouter_fiche: forum
    apres: rpe
  - ajouter_equipement: "62002"
    type: LAEP
    nom: LAEP Les Petits Pas
---

## Objet de l'avenant {#objet}

Le présent avenant a pour objet l'adhésion du Département à la convention.
"""

AVENANT_2 = """\
---
numero: 2025-001
convention: ctg-test-2022-2026
statut: projet
effet: 2025-01-01
modifications:
  - supprimer_article: recours
---

## Objet de l'avenant {#objet}

Le présent avenant supprime la clause de recours.
"""

PLAN_ANNEX = "---\ntitre: Plan d'actions mis à jour\ncontenu: plan-actions\norientation: paysage\n---\n"


def files(av1: str = AVENANT_1, av2: str | None = AVENANT_2) -> dict:
    out = {AV1: av1, f"{CONV}/avenants/2023-001/plan-actions.md": PLAN_ANNEX,
           f"{CONV}/avenants/2023-001/fiches/forum.yaml": FICHE}
    if av2 is not None:
        out[AV2] = av2
    return out


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    from fixture_corpus import write_project

    return write_project(tmp_path_factory.mktemp("avenants"), files())


def section(markdown: str, anchor: str) -> str:
    """The text of one article of an assembled document, up to the next article."""
    start = markdown.index(f"{{#{anchor}}}")
    end = markdown.find("\n# ", start)
    return markdown[start:end if end > 0 else None]


# ---------------------------------------------------------------- the avenant's own text


def test_avenant_text_is_drafted_from_its_operations(project):
    result = run_build(project, "markdown", "ctg-test-2022-2026-avenant-2023-001")
    assert result.code == 0, result.err
    text = section(result.out, "article-modifications")
    assert "L'article 10 est remplacé par les dispositions suivantes\u00a0:" in text
    assert NEW_DUREE in text
    assert "Il est inséré, après l'article 3, un article 3 bis ainsi rédigé\u00a0:" in text
    assert "(article\u00a010)" in text  # a renvoi of the new text, as numbered in the convention amended
    assert "Il est inséré, après le premier alinéa de l'article 4, un alinéa ainsi rédigé" in text
    assert "La fiche action n°\u00a01 bis, «\u00a0Forum naissance du territoire\u00a0», est ajoutée à l'annexe 3" in text
    assert "LAEP Les Petits Pas" in text
    # the avenant's plan d'actions: the new fiche in bold and marked, and only it reproduced
    plan = result.out[result.out.index("{#annexe-plan-actions}"):]
    assert "**[fiche action n°\u00a01 bis](#fiche-forum) – Forum naissance du territoire** (nouvelle)" in plan
    assert "## Fiche action n°\u00a01 bis – Forum naissance du territoire (nouvelle)" in plan
    assert "## Fiche action n°\u00a01 –" not in plan


# ---------------------------------------------------------------- consolidation


def consolidated(project, date: str) -> str:
    result = run_build(project, "consolidate", "ctg-test-2022-2026", "--date", date, "--markdown")
    assert result.code == 0, result.err
    return result.out


def test_consolidated_version_applies_the_avenants_in_force_at_the_date(project):
    text = consolidated(project, "2024-06-01")
    assert "Version consolidée au 1er\u00a0juin\u00a02024 — document de travail\u202f; seuls les textes signés font foi" in text
    assert "l'avenant n°\u00a02023-001" in text and "2025-001" not in text
    duree = section(text, "article-duree")
    assert NEW_DUREE in duree and OLD_DUREE not in duree
    assert "# Article 3 bis – Champs d'intervention du Département" in text
    assert "([article\u00a010](#article-duree))" in text
    enjeux = section(text, "article-enjeux")
    assert enjeux.index("au cœur de la démarche") < enjeux.index("Petite enfance")
    assert "## Fiche action n°\u00a01 bis – Forum naissance du territoire {#fiche-forum}" in text
    # the avenant dated later (2025-01-01) is not applied yet
    assert "(Supprimé)" not in text and "{#article-recours}" in text
    # the signatory added by the avenant is a party and signs
    parties = text[text.index("::: {.parties}"):text.index("::: {.sommaire}")]
    assert "Le Département du Pas-de-Calais, représenté par M.\u00a0Pierre LEROUX" in parties
    assert "{.signataire #signataire-departement62" in text


def test_consolidation_by_date(project):
    before = consolidated(project, "2022-12-31")
    assert "Aucun avenant n'a pris effet à cette date" in before
    assert OLD_DUREE in before and "departement62" not in before
    later = consolidated(project, "2025-01-01")
    assert "# Article 13 – (Supprimé) {#article-recours}" in later
    assert "Article supprimé par l'avenant n°\u00a02025-001." in later
    assert "l'avenant n°\u00a02025-001, ayant pris effet le 1er\u00a0janvier\u00a02025 (non signé à ce jour\u00a0: projet)" in later


def test_two_avenants_of_the_same_date_apply_in_number_order(make_project):
    second = AVENANT_2.replace("2025-001", "2023-002").replace("effet: 2025-01-01", "effet: 2023-01-01") \
        .replace("supprimer_article: recours", "remplacer_article: duree\n    texte: Texte du second avenant.")
    root = make_project({**files(av2=None), f"{CONV}/avenants/2023-002.md": second})
    text = consolidated(root, "2023-01-01")
    duree = section(text, "article-duree")
    assert "Texte du second avenant." in duree and NEW_DUREE not in duree


# ---------------------------------------------------------------- errors


def error_lines(root, *args) -> list[str]:
    result = run_build(root, *(args or ("check",)))
    assert result.code == 1, result.out
    assert "Traceback" not in result.err
    return result.err.splitlines()


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), start=1) if needle in line)


def test_operation_on_an_unknown_article_is_a_french_error_with_its_line(make_project):
    broken = AVENANT_1.replace("remplacer_article: duree", "remplacer_article: duree-convention")
    root = make_project(files(av1=broken, av2=None))
    lines = error_lines(root)
    line = line_of(broken, "remplacer_article: duree-convention")
    assert f"{AV1}:{line}\u00a0: erreur\u00a0: l'article « duree-convention » n'existe pas dans la convention. " \
           "[cible-inconnue]" in lines, lines


def test_deleting_twice_is_a_french_error_with_its_line(make_project):
    twice = AVENANT_2.replace("supprimer_article: recours", "supprimer_article: champs-departement")
    root = make_project(files(av2=twice))
    assert run_build(root, "check").code == 0  # inserted by the first avenant, deleted by the second
    again = AVENANT_2.replace("supprimer_article: recours", "supprimer_article: recours\n  - supprimer_article: recours")
    root = make_project(files(av2=again))
    lines = error_lines(root)
    line = len(again.split("supprimer_article: recours")[0].split("\n")) + 1
    assert f"{AV2}:{line}\u00a0: erreur\u00a0: l'article « recours » a déjà été supprimé par l'avenant " \
           "n°\u00a02025-001 ; il n'y a plus rien à modifier. [deja-supprime]" in lines, lines


def test_malformed_operations_are_reported(make_project):
    bad = AVENANT_1.replace("  - inserer_alinea: enjeux\n    apres: 1\n", "  - inserer_alinea: enjeux\n    apres: 7\n") \
        .replace("  - ajouter_fiche: forum\n    apres: rpe\n", "  - ajouter_fiche: forum\n    supprimer_fiche: rpe\n")
    root = make_project(files(av1=bad, av2=None))
    err = "\n".join(error_lines(root))
    assert f"{AV1}:{line_of(bad, 'ajouter_fiche: forum')}\u00a0: erreur\u00a0: « modifications[4] » : " \
           "une modification ne fait qu'une chose" in err
    ok = AVENANT_1.replace("  - inserer_alinea: enjeux\n    apres: 1\n", "  - inserer_alinea: enjeux\n    apres: 7\n")
    err = "\n".join(error_lines(make_project(files(av1=ok, av2=None))))
    assert f"{AV1}:{line_of(ok, 'apres: 7')}\u00a0: erreur\u00a0: l'article 4 (enjeux) compte 2 alinéas : " \
           "l'alinéa 7 n'existe pas" in err


# ---------------------------------------------------------------- redline

needs_office = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice absent")


@needs_office
def test_redline_is_a_docx_with_word_tracked_changes(project, tmp_path):
    result = run_build(project, "redline", "ctg-test-2022-2026", "ctg-test-2022-2026-avenant-2023-001")
    assert result.code == 0, result.err
    assert "modifications suivies, attribuées à «\u00a0Avenant n°\u00a02023-001\u00a0»" in result.err
    path = project / "dist/ctg-test-2022-2026/comparaison-ctg-test-2022-2026--ctg-test-2022-2026-consolidee-2023-01-01.docx"
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    ins = re.findall(r'<w:ins w:id="(\d+)" w:author="([^"]*)" w:date="([^"]*)">(.*?)</w:ins>', xml, re.S)
    dels = re.findall(r'<w:del w:id="(\d+)" w:author="([^"]*)" w:date="([^"]*)">(.*?)</w:del>', xml, re.S)
    assert ins and dels
    assert {(a, d) for _, a, d, _ in ins + dels} == {("Avenant n°\u00a02023-001", "2023-01-01T00:00:00Z")}
    ids = re.findall(r'<w:(?:ins|del) w:id="(\d+)"', xml)
    assert len(ids) == len(set(ids))  # pandoc gave insertions and deletions the same ids
    inserted = " ".join(re.sub(r"<[^>]+>", " ", body) for *_, body in ins)
    deleted = " ".join(re.sub(r"<[^>]+>", " ", body) for *_, body in dels)
    assert "prorogée" in inserted and "reconduite" in deleted  # word by word, inside article 10
    assert "Forum naissance du territoire" in inserted and "LAEP Les Petits Pas" in inserted
    assert "<w:delText" in xml
    assert re.search(r"<w:trPr>.*?<w:ins ", xml)  # the new signatory's row, the new équipement's row
    # LibreOffice opens it and shows the changes when it renders the document
    out = tmp_path / "rendu"
    out.mkdir()
    conv = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profil",
                           "--convert-to", "pdf", "--outdir", str(out), str(path)],
                          capture_output=True, text=True, timeout=300)
    pdf = out / (path.stem + ".pdf")
    assert pdf.is_file(), conv.stderr
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split())
    assert "prorogée par accord exprès" in text and "reconduite que de manière expresse" in text
    assert "Le Département agit au titre de la protection maternelle et infantile (article 10)" in text
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "6", "-l", "6", str(pdf), str(out / "page")], check=True)
    image = Image.open(next(out.glob("page*.png"))).convert("RGB")
    colours = [c for _n, c in image.getcolors(1 << 24) if max(c) - min(c) > 80]  # tracked changes are in colour
    assert colours


# ---------------------------------------------------------------- site


def test_site_shows_the_consolidated_versions_and_their_changes(project):
    import datetime as dt

    from ctg.diagnostics import Diagnostics
    from ctg.pipeline import Project, assemble_checked, load_and_check
    from ctg.site.model import build_model

    diags = Diagnostics(project)
    corpus = load_and_check(Project(project), diags)
    docs = assemble_checked(Project(project), corpus, diags)
    assert not diags.errors
    model = build_model(corpus, docs, public=False, downloads={}, today=dt.date(2024, 6, 1))
    base = "conventions/ctg-test-2022-2026"
    page = model.pages[f"{base}/index.md"].html
    assert "Versions consolidées" in page and "Version consolidée au 1er\u00a0janvier\u00a02023" in page
    assert "(en vigueur)" in page
    version = model.pages[f"{base}/versions/2023-01-01.md"].html
    assert NEW_DUREE in version and OLD_DUREE not in version
    changes = model.pages[f"{base}/versions/2023-01-01-comparaison.md"].html
    assert re.search(r"<ins>[^<]*prorogée", changes) and re.search(r"<del>[^<]*reconduite", changes)
    public = build_model(corpus, docs, public=True, downloads={}, today=dt.date(2024, 6, 1))
    assert f"{base}/versions/2025-01-01.md" not in public.pages  # applies an avenant still « projet »


# ---------------------------------------------------------------- the bundled corpus

OPALE = "ctg-cc-pays-opale-2022-2026"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A copy of the bundled corpus (conventions and templates), to build from."""
    import shutil

    from fixture_corpus import ROOT

    root = tmp_path_factory.mktemp("corpus") / "depot"
    for name in ("conventions", "templates"):
        shutil.copytree(ROOT / name, root / name)
    return root


def test_drafted_text_never_doubles_the_guillemets(corpus):
    from ctg.french import guillemets

    assert guillemets("Agir pour les parents isolés") == "« Agir pour les parents isolés »"
    assert guillemets("« Agir pour les parents isolés »") == "« Agir pour les parents isolés »"
    assert guillemets("Service « Agir » et « Réussir »") == "« Service “Agir” et “Réussir” »"
    result = run_build(corpus, "markdown", f"{OPALE}-avenant-2023-001")
    assert result.code == 0, result.err
    assert not re.findall(r"«[^»]*«", result.out)  # never « … « … » … »
    assert ("La fiche action n°\u00a015, «\u00a0Service public de l'insertion et de l'emploi “Agir pour les parents "
            "isolés”\u00a0», est ajoutée à l'annexe 4.") in result.out
