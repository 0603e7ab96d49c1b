"""Prose lint (issue #19, the rest): the page count typed in prose against the layout a build cached,
the text fields of the fiches and data files, the délibérations and their rapports, and one name
spelt two ways in one document. Each case with its exact French message and its place.
"""

from __future__ import annotations

import io
import re
import textwrap

import pytest

from conftest import run_build
from fixture_corpus import CONV, MINIMAL
from test_deliberations import DELIB, FILES as DELIB_FILES, RAPPORT, RAPPORT_TEXT as DELIB_RAPPORT, \
    _with_engagement_annex

NBSP = "\u00a0"
SRC = f"{CONV}/convention.md"
FICHE = f"{CONV}/fiches/rpe.yaml"


def fr(text: str) -> str:
    """French typography of the expected lines: no-break spaces before : ; ? and inside « »."""
    text = re.sub(r" ([;:?»])", NBSP + r"\1", text)
    return text.replace("« ", "«" + NBSP)


def draft(body: str = "", base: str | None = None) -> str:
    text = textwrap.dedent(base or MINIMAL[SRC]).replace("statut: signée", "statut: projet")
    return text.rstrip("\n") + "\n" + body


def where(root, rel: str, needle: str, nth: int = 1) -> str:
    """« rel:line:column » of the nth occurrence of needle in the file as written."""
    seen = 0
    for n, line in enumerate((root / rel).read_text(encoding="utf-8").split("\n"), start=1):
        for m in re.finditer(re.escape(needle), line):
            seen += 1
            if seen == nth:
                return f"{rel}:{n}:{m.start() + 1}"
    raise AssertionError(f"{needle!r} not in {rel}")


def lines_of(result) -> list[str]:
    return result.err.splitlines()


def misspelt(place: str, level: str) -> str:
    """The expected line of « recuiellir » (typed in every kind of source below)."""
    return fr(f"{place} : {level} : « recuiellir » : mot inconnu du dictionnaire français ; vouliez-vous dire "
              "« recueillir » ? Sinon, ajoutez-le à la liste des mots du projet (conventions/_registre/mots.txt). "
              "[orthographe]")


# ---------------------------------------------------------------- fiches and data files

FICHE_TEXT = """\
    titre: Renforcer le relais petite enfance
    pilotes: [cc-test]
    diagnostic_initial: |
      Le RPE couvre les 5 communes du territoire ; les trois communes membres le financent.
      Il faut recuiellir les besoins d'Ablain St Nazaire (voir l'annexe 9).
    public_cible: Assistants maternels et parents (voir le plan d'actions, annexe 1).
    objectifs_operationnels: Étendre le relais à toutes les communes.
    modalites: Recrutement d'une animatrice au CAMPS.
    echeances: Pendant la présente convention 2021-2025.
    services_mobilises: Service petite enfance de la CCT.
    resultats_attendus: Un relais sur tout le territoire.
    partenaires: [Département, PMI]
    indicateurs:
      - Nombre d'assistants maternels accompagnés
      - Code INSEE 62001 d'Acheville
    """


@pytest.fixture(scope="module")
def fiche_checked(tmp_path_factory):
    from fixture_corpus import write_project

    sigles = textwrap.dedent(MINIMAL["conventions/_registre/sigles.yaml"]) + "CAMSP: Centre d'action médico-sociale précoce\n"
    root = write_project(tmp_path_factory.mktemp("fiche"), {SRC: draft(), FICHE: FICHE_TEXT,
                                                            f"{CONV}/avenants/2023-001.md": None,
                                                            "conventions/_registre/sigles.yaml": sigles})
    return root, run_build(root, "check")


def test_count_in_a_fiche_field_that_disagrees_is_an_error_at_the_yaml_line(fiche_checked):
    """A YAML field cannot use a variable: the advice is to write the sentence without the number."""
    root, result = fiche_checked
    assert result.code == 1
    assert fr(f"{where(root, FICHE, 'les 5 communes')} : erreur : « les 5 communes » : le texte compte 5 communes mais "
              "le document en a 3 ; reformulez sans le nombre (le nombre de communes découle de la liste du document)."
              " [compte-communes]") in lines_of(result)


def test_count_that_agrees_in_a_fiche_field_is_not_reported(fiche_checked):
    """A YAML field cannot use a variable: a count that is right today has nothing better to write."""
    root, result = fiche_checked
    assert not any("trois communes" in line for line in lines_of(result)), result.err


def test_spelling_name_and_reference_in_a_fiche_field(fiche_checked):
    root, result = fiche_checked
    found = lines_of(result)
    assert misspelt(where(root, FICHE, "recuiellir"), "avertissement") in found
    assert fr(f"{where(root, FICHE, 'Ablain St Nazaire')} : avertissement : « Ablain St Nazaire » : le nom officiel de "
              "la commune s'écrit « Ablain-Saint-Nazaire » (accents, traits d'union, majuscules). [nom-officiel]") in found
    assert fr(f"{where(root, FICHE, 'annexe 9')} : erreur : « annexe 9 » : le document n'a que 4 annexes ; corrigez le "
              "renvoi. [renvoi-faux]") in found
    assert fr(f"{where(root, FICHE, 'annexe 1')} : erreur : « annexe 1 » : l'annexe 1 est « Liste des communes "
              "couvertes », or la phrase parle de « plan d'actions » (l'annexe 3) ; écrivez « annexe 3 ». "
              "[renvoi-faux]") in found


def test_sigle_period_and_code_in_a_fiche_field(fiche_checked):
    root, result = fiche_checked
    found = lines_of(result)
    assert fr(f"{where(root, FICHE, 'CAMPS')} : avertissement : sigle « CAMPS » absent du glossaire ; vouliez-vous "
              "dire « CAMSP » (Centre d'action médico-sociale précoce) ? [sigle-approchant]") in found
    assert fr(f"{where(root, FICHE, '2021-2025')} : erreur : « 2021-2025 » : la période du document est 2022-2026 "
              f"(du 1er{NBSP}janvier{NBSP}2022 au 31{NBSP}décembre{NBSP}2026) ; corrigez la période. "
              "[periode-contredite]") in found
    assert fr(f"{where(root, FICHE, '62001')} : erreur : le code INSEE 62001 est celui d'Ablain-Saint-Nazaire, pas "
              "d'Acheville ; une liste de communes se calcule : « {{ annexe(\"communes\") }} ». [code-insee]") in found


def test_keys_and_identifiers_of_a_fiche_are_not_prose(fiche_checked):
    root, result = fiche_checked
    assert not any(f"{FICHE}:2:" in line for line in lines_of(result))  # pilotes: [cc-test]
    assert not any("diagnostic_initial" in line or "cc-test" in line for line in lines_of(result))


# ---------------------------------------------------------------- délibérations

RAPPORT_TEXT = (textwrap.dedent(DELIB_RAPPORT)
                .replace("Le Département rejoint la convention du Test.",
                         "Le Département rejoint la convention du du Test ; il faut recuiellir les avis.")
                .replace("La convention suivante est prête pour signature.",
                         "La convention suivante est prête pour signature depuis le … 2023.")
                .replace("L'avenant fait entrer le Département dans la convention.",
                         "L'avenant concerne les 5 communes de la communauté ; les trois communes membres l'ont "
                         "approuvé."))


@pytest.fixture(scope="module")
def delib_checked(tmp_path_factory):
    from fixture_corpus import write_project

    delib = textwrap.dedent(DELIB_FILES[DELIB]).replace(
        "  - Vu le code général des collectivités territoriales\n",
        "  - Vu le code général des collectivités territoriales\n  - Vu la délibération du 3 février 2024 "
        "du Conseil départemental\n")
    assert delib != textwrap.dedent(DELIB_FILES[DELIB])
    assert "les 5 communes" in RAPPORT_TEXT and "du du" in RAPPORT_TEXT
    files = _with_engagement_annex({**DELIB_FILES, DELIB: delib, RAPPORT: RAPPORT_TEXT})
    root = write_project(tmp_path_factory.mktemp("delib-prose"), files)
    return root, run_build(root, "check")


def test_deliberation_prose_is_read_at_its_file_and_line(delib_checked):
    """A délibération is a signed act: outside git (nothing tells it is unchanged) its findings are errors."""
    root, result = delib_checked
    found = lines_of(result)
    assert result.code == 1
    assert fr(f"{where(root, RAPPORT, 'du du')} : erreur : mot répété « du du » ; supprimez l'un des deux. "
              "[mot-repete]") in found
    assert misspelt(where(root, RAPPORT, "recuiellir"), "erreur") in found
    assert fr(f"{where(root, RAPPORT, 'le … 2023')} : erreur : date laissée en blanc (« le … 2023 ») ; complétez le "
              "texte. [blanc]") in found  # a délibération has no variables
    assert fr(f"{where(root, DELIB, '3 février 2024')} : erreur : « 3 février 2024 » : l'acte qui autorise la "
              f"signature est daté après elle (signature le 11{NBSP}décembre{NBSP}2023) ; vérifiez les deux dates. "
              "[date-incoherente]") in found


def test_rapport_section_counts_against_the_document_it_is_about(delib_checked):
    root, result = delib_checked
    found = lines_of(result)
    assert fr(f"{where(root, RAPPORT, 'les 5 communes')} : erreur : « les 5 communes » : le texte compte 5 communes "
              "mais le document en a 3 ; reformulez sans le nombre (le nombre de communes découle de la liste du "
              "document). [compte-communes]") in found
    assert not any("trois communes" in line for line in found), result.err  # right today: nothing to write instead


# ---------------------------------------------------------------- one name, two spellings

TWO_WAYS = """\

## Objet {#objet}

Les familles de Saint-Pol sont accueillies à la Maison du Département Solidarité.
Une permanence se tient à St-Pol et à la Maison du Département solidarité.
La Communauté de Communes du Test et la Communauté de communes du Test financent.
"""


def test_one_name_spelt_two_ways_in_one_document(make_project):
    fiche = textwrap.dedent(MINIMAL[FICHE]).replace("modalites: Recrutement d'une animatrice.",
                                                     "modalites: Recrutement d'une animatrice à Saint Pol.")
    root = make_project({SRC: draft(TWO_WAYS), FICHE: fiche, f"{CONV}/avenants/2023-001.md": None})
    result = run_build(root, "check")
    found = lines_of(result)
    first = where(root, SRC, "Saint-Pol")
    assert fr(f"{where(root, SRC, 'St-Pol')} : avertissement : « St-Pol » : ce nom est écrit « Saint-Pol » ailleurs "
              f"dans le document ({first}) ; écrivez-le d'une seule façon. [nom-deux-graphies]") in found
    assert fr(f"{where(root, FICHE, 'Saint Pol')} : avertissement : « Saint Pol » : ce nom est écrit « Saint-Pol » "
              f"ailleurs dans le document ({first}) ; écrivez-le d'une seule façon. [nom-deux-graphies]") in found
    # a registry name written otherwise is reported once, by nom-officiel, which gives the official spelling
    assert fr(f"{where(root, SRC, 'Communauté de Communes du Test')} : avertissement : « Communauté de Communes du "
              "Test » : le nom officiel de l'intercommunalité s'écrit « Communauté de communes du Test » (accents, "
              "traits d'union, majuscules). [nom-officiel]") in found
    assert not any("Communes du Test" in line and "nom-deux-graphies" in line for line in found)
    assert not any("solidarité" in line.lower() and "nom-deux-graphies" in line for line in found)  # not one name
    assert result.code == 0, result.err  # warnings


def test_a_document_with_one_spelling_of_each_name_passes(make_project):
    body = "\n## Objet {#objet}\n\nLes familles de Saint-Pol. Saint-Pol accueille. Le Département agit.\n"
    root = make_project({SRC: draft(body), f"{CONV}/avenants/2023-001.md": None})
    result = run_build(root, "--strict", "check")
    assert result.code == 0, result.err


# ---------------------------------------------------------------- pages

PAGES = "\n## Objet {#objet}\n\nLa présente convention comporte 99 pages. Elle est la présente convention de quatre-vingt-dix-huit pages.\n"


def _pdf_page_counts(pdf: bytes) -> tuple[int, int]:
    """(pages up to the signatures, as the closing formula prints it; pages in all) of a built PDF."""
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(pdf)).pages
    text = " ".join(" ".join(p.extract_text().split()) for p in pages)
    body = re.search(r"La présente convention comporte (\d+) pages, hors annexes", text.replace(NBSP, " "))
    assert body, text[-2000:]
    return int(body.group(1)), len(pages)


def test_typed_page_count_is_an_error_once_a_build_knows_the_pages(make_project):
    root = make_project({SRC: draft(PAGES), f"{CONV}/avenants/2023-001.md": None})
    before = run_build(root, "check")
    assert before.code == 0, before.err  # no layout of this text yet: the count is not known
    advice = "le nombre de pages est calculé à la mise en page et ajouté à la formule finale ; ne le tapez pas."
    assert fr(f"{where(root, SRC, 'comporte 99 pages')} : avertissement : « comporte 99 pages » : {advice} "
              "[compte-pages]") in lines_of(before)
    built = run_build(root, "pdf", "ctg-test-2022-2026")
    assert built.code == 0, built.err
    body, total = _pdf_page_counts((root / "dist/ctg-test-2022-2026/ctg-test-2022-2026.pdf").read_bytes())
    after = run_build(root, "check")
    assert after.code == 1
    found = lines_of(after)
    assert fr(f"{where(root, SRC, 'comporte 99 pages')} : erreur : « comporte 99 pages » : le texte compte 99 pages "
              f"mais la dernière mise en page du document en a {body} jusqu'aux signatures ({total} en tout) ; "
              f"{advice} [compte-pages]") in found
    assert fr(f"{where(root, SRC, 'présente convention de quatre')} : erreur : « présente convention de "
              f"quatre-vingt-dix-huit pages » : le texte compte 98 pages mais la dernière mise en page du document en "
              f"a {body} jusqu'aux signatures ({total} en tout) ; {advice} [compte-pages]") in found


# ---------------------------------------------------------------- forms of the issue not tested elsewhere

GAPS = """\

## Objet {#objet}

Les 3 signataires s'engagent, voir la fiche 2.
Signé Le..... 2021 ou le __/__/2026 par Monsieur ? pour le compte de [à compléter].

| Commune | SIREN |
|---|---|
| Acheville | 216200014 |
"""


def test_counts_references_blanks_and_siren_forms_of_the_issue(make_project):
    root = make_project({SRC: draft(GAPS), f"{CONV}/avenants/2023-001.md": None})
    result = run_build(root, "check")
    found = lines_of(result)
    tail = " ; complétez le texte ou écrivez la variable qui le calcule. [blanc]"
    expected = [
        f"{where(root, SRC, 'Les 3 signataires')} : erreur : « Les 3 signataires » : le texte compte 3 signataires mais "
        "le document en a 2 ; écrivez « {{ signataires | length }} », calculé. [compte-signataires]",
        f"{where(root, SRC, 'fiche 2')} : avertissement : « fiche 2 » tapé à la main ; écrivez « {{{{ fiche(\"guichet\") }}}} », "
        "calculé, qui suivra les changements de numérotation (la fiche action 2 est aujourd'hui « Créer un guichet unique "
        "d'information »). [renvoi-tape]",
        f"{where(root, SRC, 'Le..... 2021')} : avertissement : date laissée en blanc (« Le..... 2021 »){tail}",
        f"{where(root, SRC, '__/__/2026')} : avertissement : date laissée en blanc (« __/__/2026 »){tail}",
        f"{where(root, SRC, 'Monsieur ?')} : avertissement : nom laissé en blanc (« Monsieur ? »){tail}",
        f"{where(root, SRC, '[à compléter]')} : avertissement : mention « [à compléter] » (« [à compléter] »){tail}",
        f"{where(root, SRC, '216200014')} : erreur : le SIREN 216200014 est celui d'Ablain-Saint-Nazaire, pas "
        "d'Acheville. [code-siren]",
    ]
    for line in expected:
        assert fr(line) in found, result.err


def test_exception_in_a_yaml_field_as_the_guide_writes_it(make_project):
    """docs/verifications.md, « Une exception justifiée »: the comment on the line before the field."""
    guide = (textwrap.dedent(MINIMAL[FICHE]).replace(
        "diagnostic_initial: Le RPE couvre la moitié du territoire.\n",
        "# ctg: ignorer compte-communes : chiffre de l'enquête de 2019, pas le territoire actuel\n"
        "diagnostic_initial: En 2019, les 40 communes de l'enquête comptaient 3 000 familles.\n"))
    assert "les 40 communes" in guide
    root = make_project({SRC: draft(), FICHE: guide, f"{CONV}/avenants/2023-001.md": None})
    result = run_build(root, "--strict", "check")
    assert result.code == 0, result.err
    unexcepted = make_project({SRC: draft(), FICHE: guide.replace("# ctg: ignorer", "# ignorer"),
                               f"{CONV}/avenants/2023-001.md": None})
    assert fr(f"{where(unexcepted, FICHE, 'les 40 communes')} : erreur : « les 40 communes » : le texte compte 40 "
              "communes mais le document en a 3 ; reformulez sans le nombre (le nombre de communes découle de la liste "
              "du document). [compte-communes]") in lines_of(run_build(unexcepted, "check"))


WORDS = """\

## Objet {#objet}

La convention est établie en cinq exemplaires.
Les quatre signataires la mettent en œuvre avec ses sept annexes.
Elle finance les deux EAJE soutenus par la Caf.
"""


def test_counts_in_words(make_project):
    root = make_project({SRC: draft(WORDS), f"{CONV}/avenants/2023-001.md": None})
    result = run_build(root, "check")
    found = lines_of(result)
    expected = [
        f"{where(root, SRC, 'en cinq exemplaires')} : erreur : « en cinq exemplaires » : le texte compte 5 exemplaires "
        "(un par signataire) mais le document en a 2 ; écrivez « {{ en_lettres(signataires | length) }} », calculé. "
        "[compte-exemplaires]",
        f"{where(root, SRC, 'Les quatre signataires')} : erreur : « Les quatre signataires » : le texte compte 4 "
        "signataires mais le document en a 2 ; écrivez « {{ en_lettres(signataires | length) }} », calculé. "
        "[compte-signataires]",
        f"{where(root, SRC, 'ses sept annexes')} : erreur : « ses sept annexes » : le texte compte 7 annexes mais le "
        "document en a 4 ; reformulez sans le nombre (le nombre d'annexes découle de la liste du document). "
        "[compte-annexes]",
        f"{where(root, SRC, 'deux EAJE')} : erreur : « deux EAJE » : le texte compte 2 EAJE mais le document en a 1 ; "
        "reformulez sans le nombre (les équipements sont listés à l'annexe des équipements, tirée de "
        "donnees/equipements.yaml). [compte-equipements]",
    ]
    for line in expected:
        assert fr(line) in found, result.err
