"""Avenants as structured changes: the drafted avenant, consolidated versions by date,
Word redlines with native tracked changes, and French errors for broken operations."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile

import pytest
from conftest import run_build
from fixture_corpus import CONV, MINIMAL, as_typed
from PIL import Image

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
    text = render(path, tmp_path)
    assert "prorogée par accord exprès" in text and "reconduite que de manière expresse" in text
    assert "Le Département agit au titre de la protection maternelle et infantile (article 10)" in text
    out = tmp_path / "rendu"
    pdf = out / (path.stem + ".pdf")
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "6", "-l", "6", str(pdf), str(out / "page")], check=True)
    image = Image.open(next(out.glob("page*.png"))).convert("RGB")
    colours = [c for _n, c in image.getcolors(1 << 24) if max(c) - min(c) > 80]  # tracked changes are in colour
    assert colours


# ---------------------------------------------------------------- site


def site_model(root, today, public: bool = False):
    """The site as data (pages, downloads), without mkdocs."""
    from ctg.build.pipeline import assemble_checked, load_and_check
    from ctg.core.diagnostics import Diagnostics
    from ctg.core.project import Project
    from ctg.site.model import build_model

    diags = Diagnostics(root)
    corpus = load_and_check(Project(root), diags)
    docs = assemble_checked(Project(root), corpus, diags)
    assert not diags.errors
    return build_model(corpus, docs, public=public, downloads={}, today=today)


def test_site_shows_the_consolidated_versions_and_their_changes(project):
    import datetime as dt

    model = site_model(project, dt.date(2024, 6, 1))
    base = "conventions/ctg-test-2022-2026"
    page = model.pages[f"{base}/index.md"].html
    assert "Versions consolidées" in page and "Version consolidée au 1er\u00a0janvier\u00a02023" in page
    assert 'ctg-statut--en-vigueur">en vigueur</span>' in page
    version = model.pages[f"{base}/versions/2023-01-01.md"].html
    assert NEW_DUREE in version and OLD_DUREE not in version
    changes = model.pages[f"{base}/versions/2023-01-01-comparaison.md"].html
    assert re.search(r"<ins>[^<]*prorogée", changes) and re.search(r"<del>[^<]*reconduite", changes)
    public = site_model(project, dt.date(2024, 6, 1), public=True)
    assert f"{base}/versions/2025-01-01.md" not in public.pages  # applies an avenant still « projet »


# ---------------------------------------------------------------- moves, attribution, footnotes

EQUIPEMENTS = MINIMAL[f"{CONV}/donnees/equipements.yaml"].replace(
    "          - collectivite: cc-test\n",
    "              - type: Ludothèque\n                nom: Ludothèque municipale\n          - collectivite: cc-test\n")

# a second avenant that moves a paragraph to another article and an équipement to another
# collectivité, and changes the footnote of article 3
AVENANT_MOVES = """\
---
numero: 2024-001
convention: ctg-test-2022-2026
statut: signée
effet: 2024-09-01
signature:
  lieu: Arras
  date: 2024-07-01
modifications:
  - remplacer_article: champs-epci
    texte: |
      La CCT exerce la compétence petite enfance sur les {{ communes | length }} communes.[^1]

      [^1]: Statuts de la communauté de communes, modifiés le 1er mars 2024.
  - inserer_alinea: champs-epci
    apres: 1
    texte: Développer l'offre d'accueil (voir l'{{ article("duree") }}).
  - supprimer_alinea: enjeux
    alinea: 3
  - retirer_equipement: "62001"
    nom: Multi-accueil « Les Lutins »
  - ajouter_equipement: cc-test
    type: EAJE
    nom: Multi-accueil « Les Lutins »
    gestionnaire: Commune
    adresse: 1 rue de la Mairie, 62153 Ablain-Saint-Nazaire
---

## Objet de l'avenant {#objet}

Le présent avenant réorganise les articles 3 et 4 et la liste des équipements.
"""

W_CHANGE = re.compile(r'<w:(ins|del|moveFrom|moveTo) w:id="(\d+)" w:author="([^"]*)" w:date="([^"]*)"'
                      r'(?:/>|>(.*?)</w:\1>)', re.S)


def _text(xml: str) -> str:
    return as_typed(" ".join(re.sub(r"<[^>]+>", "", re.sub(r"</w:p>", " ", xml)).split()))


def changes(xml: str) -> list[tuple[str, str, str, str]]:
    """(kind, author, date, text) of every tracked change of a part, paragraph marks included (no text)."""
    return [(kind, author, date[:10], _text(body or "")) for kind, _id, author, date, body in W_CHANGE.findall(xml)]


def render(path, tmp_path) -> str:
    """The DOCX through LibreOffice headless: the text of its PDF, one line."""
    out = tmp_path / "rendu"
    out.mkdir(exist_ok=True)
    conv = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profil",
                           "--convert-to", "pdf", "--outdir", str(out), str(path)],
                          capture_output=True, text=True, timeout=300, env=dict(os.environ, TMPDIR=str(tmp_path)))
    pdf = out / (path.stem + ".pdf")
    assert pdf.is_file(), conv.stderr
    return as_typed(" ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split()))


@pytest.fixture(scope="module")
def moves_project(tmp_path_factory):
    from fixture_corpus import write_project

    return write_project(tmp_path_factory.mktemp("deplacements"), {
        **files(av2=None), f"{CONV}/avenants/2024-001.md": AVENANT_MOVES,
        f"{CONV}/donnees/equipements.yaml": EQUIPEMENTS})


@pytest.fixture(scope="module")
def moves_redline(moves_project):
    """The signed convention against the version after both avenants: (stderr, document.xml, footnotes.xml, path)."""
    result = run_build(moves_project, "redline", "ctg-test-2022-2026", "ctg-test-2022-2026-avenant-2024-001")
    assert result.code == 0, result.err
    path = moves_project / ("dist/ctg-test-2022-2026/comparaison-ctg-test-2022-2026--"
                            "ctg-test-2022-2026-consolidee-2024-09-01.docx")
    with zipfile.ZipFile(path) as z:
        return (result.err, z.read("word/document.xml").decode("utf-8"),
                z.read("word/footnotes.xml").decode("utf-8"), path)


@needs_office
def test_moved_paragraphs_and_rows_are_word_moves(moves_redline, tmp_path):
    err, xml, _notes, path = moves_redline
    assert re.search(r"et [3-9] déplacements en modifications suivies", err), err
    # each move between a start and an end of the same id, the start named, with author and date
    texts: dict[str, dict[str, str]] = {}
    for kind in ("moveFrom", "moveTo"):
        starts = re.findall(rf'<w:{kind}RangeStart w:id="(\d+)" w:author="([^"]+)" w:date="([^"]+)" '
                            rf'w:name="(move\d+)"/>', xml)
        for rid, author, date, name in starts:
            assert xml.count(f'<w:{kind}RangeEnd w:id="{rid}"/>') == 1
            start, end = xml.index(f'<w:{kind}RangeStart w:id="{rid}"'), xml.index(f'<w:{kind}RangeEnd w:id="{rid}"/>')
            inside = xml[start:end]
            assert f"<w:{kind} " in inside and "<w:delText" not in inside  # moved text is w:t, not w:delText
            moved = _text(re.sub(r"<w:(ins|del) .*?</w:\1>", "", inside, flags=re.S))
            texts.setdefault(name, {})[kind] = f"{author} {date[:10]} {moved}"
    assert all(set(halves) == {"moveFrom", "moveTo"} for halves in texts.values()), texts
    for words in ("Développer l'offre d'accueil (voir l'article 10).",  # a paragraph, to another article
                  "EAJE Multi-accueil « Les Lutins » Commune 1 rue de la Mairie"):  # a row, to another table
        found = [h for h in texts.values() if words in h["moveFrom"] and words in h["moveTo"]]
        assert len(found) == 1, (words, texts)
        assert all(found[0][k].startswith("Avenant n°\u00a02024-001 2024-09-01 ") for k in found[0])
    # moved, not deleted and inserted: those words are in no w:del / w:ins
    plain = " ".join(t for k, _a, _d, t in changes(xml) if k in ("ins", "del"))
    assert "Développer l'offre d'accueil (voir" not in plain and "Les Lutins" not in plain
    # a moved paragraph has a moved paragraph mark; a moved row is deleted here and inserted there
    assert re.search(r"<w:pPr>(?:(?!</w:pPr>).)*<w:rPr><w:moveFrom ", xml, re.S)
    assert re.search(r"<w:pPr>(?:(?!</w:pPr>).)*<w:rPr><w:moveTo ", xml, re.S)
    assert re.search(r"<w:trPr>(?:(?!</w:trPr>).)*<w:del ", xml, re.S)
    # LibreOffice opens it and keeps the moved text at both places
    text = render(path, tmp_path)
    assert text.count("Développer l'offre d'accueil (voir l'article 10).") == 2
    assert text.count("Multi-accueil « Les Lutins »") == 2


def test_each_change_is_credited_to_the_avenant_that_made_it(moves_redline):
    err, xml, notes, _path = moves_redline
    assert "attribuées à «\u00a0Avenant n°\u00a02023-001\u00a0» et «\u00a0Avenant n°\u00a02024-001\u00a0»" in err
    found = changes(xml) + changes(notes)
    first = " ".join(t for _k, a, d, t in found if (a, d) == ("Avenant n°\u00a02023-001", "2023-01-01"))
    second = " ".join(t for _k, a, d, t in found if (a, d) == ("Avenant n°\u00a02024-001", "2024-09-01"))
    assert {(a, d) for _k, a, d, _t in found} == {("Avenant n°\u00a02023-001", "2023-01-01"),
                                                   ("Avenant n°\u00a02024-001", "2024-09-01")}
    for words in ("prorogée", "Champs d'intervention du Département", "LAEP Les Petits Pas",
                  "Forum naissance du territoire", "au cœur de la démarche"):
        assert words in first and words not in second, words
    for words in ("modifiés le 1er", "Les Lutins"):
        assert words in second and words not in first, words


def test_footnote_changes_have_ids_unique_in_the_whole_package(moves_redline):
    _err, xml, notes, _path = moves_redline
    # the note is compared inside, word by word, in word/footnotes.xml
    assert changes(notes) == [("del", "Avenant n°\u00a02024-001", "2024-09-01", "communes."),
                              ("ins", "Avenant n°\u00a02024-001", "2024-09-01", "communes, modifiés le 1er mars 2024.")]
    ids = re.findall(r'<w:(?:ins|del|moveFrom|moveTo|moveFromRangeStart|moveToRangeStart) w:id="(\d+)"', xml + notes)
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    # numbered in one sequence with the document's (pandoc starts again at 1 in the footnotes)
    in_notes = [int(i) for i in re.findall(r'<w:(?:ins|del) w:id="(\d+)"', notes)]
    assert in_notes and min(in_notes) > max(int(i) for i in re.findall(r'<w:(?:ins|del) w:id="(\d+)"', xml))


FICHE_MD = """## Fiche action n° {n} – {title} {{#fiche-{id}}}

::: {{.fiche-action}}
- **Pilote** : la CCT

### Diagnostic initial

{text}
:::
"""


def test_a_moved_fiche_is_one_move_and_list_items_move_too():
    from ctg.core import pandoc
    from ctg.core.ast import stringify
    from ctg.versions.redline import compare_asts
    from ctg.versions.redline_marks import Mark, change_of, change_spans, move_name

    fiches = [FICHE_MD.format(n=n, title=title, id=ident, text=text) for n, title, ident, text in [
        (1, "Renforcer le relais petite enfance", "rpe", "Le relais couvre la moitié des communes du territoire."),
        (2, "Créer un guichet unique", "guichet", "Les familles connaissent mal l'offre du territoire."),
        (3, "Soutenir les ludothèques", "ludo", "Deux ludothèques seulement pour vingt communes rurales.")]]
    items = ["- accueillir les jeunes enfants des communes rurales", "- soutenir les parents dans leur rôle éducatif",
             "- animer la vie sociale des bourgs-centres"]

    def document(order: list[int], item_order: list[int]) -> dict:
        annex = "::: {.annexe}\n# Annexe 3 – Plan d'actions {#annexe-plan-actions}\n\n" + \
            "\n".join(fiches[i] for i in order) + "\n:::\n\n"
        return pandoc.to_ast(annex + "\n".join(items[i] for i in item_order) + "\n")

    merged = compare_asts(document([0, 1, 2], [0, 1, 2]), document([1, 2, 0], [1, 2, 0]), Mark("A", "2023-01-01T00:00:00Z"))
    moves: dict[str, dict[str, str]] = {}
    for span in change_spans(merged):
        assert change_of(span) in ("move-from", "move-to"), stringify(span)  # nothing else changed
        half = moves.setdefault(move_name(span), {})
        half[change_of(span)] = (half.get(change_of(span), "") + " " + stringify(span["c"][1])).strip()
    assert moves == {  # the fiche moved last (its heading and its text: one move), the item too
        "move1": {"move-from": "Fiche action n° 1 – Renforcer le relais petite enfance Pilote : la CCT Diagnostic "
                               "initial Le relais couvre la moitié des communes du territoire.",
                  "move-to": "Fiche action n° 1 – Renforcer le relais petite enfance Pilote : la CCT Diagnostic "
                             "initial Le relais couvre la moitié des communes du territoire."},
        "move2": {"move-from": "accueillir les jeunes enfants des communes rurales",
                  "move-to": "accueillir les jeunes enfants des communes rurales"}}


def test_site_comparison_shows_moves(moves_project):
    import datetime as dt

    model = site_model(moves_project, dt.date(2024, 12, 1))
    html = model.pages["conventions/ctg-test-2022-2026/versions/2024-09-01-comparaison.md"].html
    assert html.count('class="ctg-deplacement"') == 4  # two moves, marked at both places
    assert re.search(r'<a class="ctg-deplacement" id="move1-origine" href="#move1-arrivee"[^>]*>déplacé</a> '
                     r'<del class="ctg-deplace">[^<]*Développer', html), html
    assert re.search(r'<a class="ctg-deplacement" id="move1-arrivee" href="#move1-origine"[^>]*>déplacé ici</a> '
                     r'<ins class="ctg-deplace">[^<]*Développer', html)
    assert "«\u00a0déplacé\u00a0»" in html
    assert not re.search(r"<del>[^<]*Développer", html) and not re.search(r"<ins>[^<]*Développer", html)


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


@needs_office
def test_bundled_redline_credits_each_avenant_with_its_own_changes(corpus):
    """Pays d'Opale: the signed convention against the version after 2024-001 (two avenants apart)."""
    result = run_build(corpus, "redline", OPALE, f"{OPALE}-avenant-2024-001")
    assert result.code == 0, result.err
    path = corpus / f"dist/{OPALE}/comparaison-{OPALE}--{OPALE}-consolidee-2024-09-01.docx"
    with zipfile.ZipFile(path) as z:
        found = changes(z.read("word/document.xml").decode("utf-8"))
    first = " ".join(t for _k, a, d, t in found if (a, d) == ("Avenant n°\u00a02023-001", "2023-01-01"))
    second = " ".join(t for _k, a, d, t in found if (a, d) == ("Avenant n°\u00a02024-001", "2024-09-01"))
    assert {(a, d) for _k, a, d, _t in found} == {("Avenant n°\u00a02023-001", "2023-01-01"),
                                                   ("Avenant n°\u00a02024-001", "2024-09-01")}
    for words in ("accompagner les familles monoparentales",  # the alinéa inserted in article 4
                  "Forum naissance de l'arrondissement de Calais",  # fiche 3 bis
                  "Le Département du Pas-de-Calais"):  # the party that joins
        assert words in first and words not in second, words
    for words in ("et, depuis 2024, à Licques", "Ludothèque de Licques", "Maison des jeunes d'Hardinghen"):
        assert words in second and words not in first, words
    assert ("del", "Avenant n°\u00a02024-001", "2024-09-01", "bourgs-centres ;") in found  # article 3, word by word


def test_drafted_text_never_doubles_the_guillemets(corpus):
    from ctg.core.french import guillemets

    assert guillemets("Agir pour les parents isolés") == "« Agir pour les parents isolés »"
    assert guillemets("« Agir pour les parents isolés »") == "« Agir pour les parents isolés »"
    assert guillemets("Service « Agir » et « Réussir »") == "« Service “Agir” et “Réussir” »"
    result = run_build(corpus, "markdown", f"{OPALE}-avenant-2023-001")
    assert result.code == 0, result.err
    assert not re.findall(r"«[^»]*«", result.out)  # never « … « … » … »
    assert ("La fiche action n°\u00a015, «\u00a0Service public de l'insertion et de l'emploi “Agir pour les parents "
            "isolés”\u00a0», est ajoutée à l'annexe 4.") in result.out


LATER = """\
---
numero: "2024-001"
convention: ctg-test-2022-2026
statut: projet
effet: 2024-09-01
---

## Objet de l'avenant {#objet}

Le présent avenant précise le calendrier du comité de pilotage.
"""


def test_an_avenant_follows_the_avenants_before_it_and_check_warns_the_earlier_must_be_signed(make_project):
    """Avenant 2023-001 makes the Département a party: avenant 2024-001 is concluded with it too and
    cites 2023-001 among its visas; while 2023-001 is not signed, check says so at 2024-001's line."""
    from conftest import run_build
    from fixture_corpus import CONV, MINIMAL

    earlier = MINIMAL[f"{CONV}/avenants/2023-001.md"].replace("statut: signée", "statut: prêt pour signature").replace(
        "          date: 2023-12-15\n", "")
    root = make_project({f"{CONV}/avenants/2024-001.md": LATER, f"{CONV}/avenants/2023-001.md": earlier})
    check = run_build(root, "check")
    assert check.code == 0, check.err
    assert (f"{CONV}/avenants/2024-001.md:2\u00a0: avertissement\u00a0: l'avenant n°\u00a02023-001" in check.err
            and "[avenant-precedent-non-signe]" in check.err)
    text = run_build(root, "markdown", "ctg-test-2022-2026-avenant-2024-001").out
    parties = text[text.index("::: {.parties}"):]
    parties = parties[:parties.index("\n:::")]
    assert "Vu l'avenant n°\u00a02023-001 à cette convention" in parties
    assert "Le Département du Pas-de-Calais" in parties and parties.count("ci-après") == 3
    assert "#signataire-departement62" in text and "en trois exemplaires originaux" in text
    signed = run_build(make_project({f"{CONV}/avenants/2024-001.md": LATER}), "check")
    assert signed.code == 0 and "avenant-precedent-non-signe" not in signed.err
