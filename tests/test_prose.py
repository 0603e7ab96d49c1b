"""Prose lint (issue #19): facts typed by hand in the sources are reported by « build.py check »,
each with its rule, its exact French message and its place (file:line:column).

One throwaway project holds a case of every rule (checked once, read by many tests); a few
more test the levels: a final document being changed, --strict, the exceptions.
"""

from __future__ import annotations

import re
import textwrap

import pytest

from conftest import run_build
from fixture_corpus import CONV, MINIMAL, write_project

NBSP = "\u00a0"
SRC = f"{CONV}/convention.md"
REG = "conventions/_registre"

# The body appended to the minimal convention: one line per rule family, at known lines.
BODY = """\

## Objet {#objet}

Les 23 communes du territoire et les trois communes membres sont concernées.
La présente convention est établie en 5 exemplaires et comporte 12 pages, avec ses 4 annexes et ses deux fiches action.
Les quinze articles de la convention engagent les 2 EAJE soutenus par la Caf.
Le territoire compte 3 communes de moins de 1 000 habitants.

| Code INSEE | Commune |
|---|---|
| 62001 | Acheville |
| 62999 | Ablainzevelle |

La CCT (SIREN 200072461) associe Ablain-St-Nazaire et Ablain Saint Nazaire.
Le plan d'actions (annexe 1) et la liste des équipements (voir l'annexe 2). Voir l'annexe 9 et l'article 7 de la loi.
Le CAMPS et la PMI accompagnent les familles.
Signé le … 2021, puis le XX/XX/2026 par M. ... pour le compte du du territoire.
Il faut recuiellir les avis.
La délibération du 3 février 2023 autorise la signature. Fait à Arras, le 3 janvier 2027.

<!-- ctg: ignorer compte-communes : chiffre de l'enquête de 2019, pas le territoire -->
Les 40 communes de l'enquête.
<!-- ctg: ignorer renvoi-tape -->
Voir l'annexe 4.
Pour les vingt-trois communes. Les quatre cents communes de la note.
<!-- ctg: ignorer compte-commune : faute de frappe dans la règle -->
La commune d'Ablainzevele adhère.
"""

SIGLES = """\
CAF: Caisse d'allocations familiales
CAMSP: Centre d'action médico-sociale précoce
CTG: Convention territoriale globale
EAJE: Établissement d'accueil du jeune enfant
SIREN: Système d'identification du répertoire des entreprises
"""


def draft(body: str = BODY, statut: str = "projet") -> str:
    text = textwrap.dedent(MINIMAL[SRC]).replace("statut: signée", f"statut: {statut}")
    return text.rstrip("\n") + "\n" + body


LINE = draft().split("\n").index("Les 23 communes du territoire et les trois communes membres sont concernées.") + 1
END = len(textwrap.dedent(MINIMAL[SRC]).rstrip("\n").split("\n"))  # last line of the minimal convention


def fr(text: str) -> str:
    """French typography of the expected lines: no-break spaces before : ; ? and inside « »."""
    text = re.sub(r" ([;:?»])", NBSP + r"\1", text)
    return text.replace("« ", "«" + NBSP)


@pytest.fixture(scope="module")
def linted(tmp_path_factory):
    convention = draft().replace("titre_court: CTG Test 2022-2026", "titre_court: CTG Test 2021-2025")
    convention = convention.replace("date: 2022-09-30", "date: 2022-12-01")
    assert convention.split("\n")[LINE - 1].startswith("Les 23 communes")
    department = textwrap.dedent(MINIMAL[f"{REG}/organisations/departement62.yaml"])
    files = {SRC: convention, f"{CONV}/avenants/2023-001.md": None, f"{REG}/sigles.yaml": SIGLES,
             f"{REG}/organisations/departement62.yaml": department.replace("designation: le Département\n",
                                                                          "designation: le Département\nadresse: \"[à compléter]\"\n")}
    root = write_project(tmp_path_factory.mktemp("prose"), files)
    result = run_build(root, "check")
    return result, result.err.splitlines()


def day(text: str) -> str:
    """A date as date_fr writes it: no-break spaces between day, month and year."""
    return text.replace(" ", NBSP)


def expect(linted, line: str) -> None:
    _result, lines = linted
    assert fr(line) in lines, "\n".join(lines)


def at(line: int, col: int) -> str:
    return f"{SRC}:{line}:{col}"


# ---------------------------------------------------------------- 1. counts

def test_count_in_digits_that_disagrees_is_an_error(linted):
    expect(linted, f"{at(LINE, 1)} : erreur : « Les 23 communes » : le texte compte 23 communes mais le document en "
                   "a 3 ; écrivez « {{ communes | length }} », calculé. [compte-communes]")


def test_count_in_words_that_agrees_is_a_warning_naming_the_variable(linted):
    expect(linted, f"{at(LINE, 34)} : avertissement : « les trois communes » : nombre tapé à la main (3, exact "
                   "aujourd'hui) ; écrivez « {{ en_lettres(communes | length) }} », calculé, qui suivra les "
                   "changements. [compte-communes]")


def test_count_in_words_that_disagrees_is_an_error(linted):
    expect(linted, f"{at(LINE + 21, 6)} : erreur : « les vingt-trois communes » : le texte compte 23 communes mais "
                   "le document en a 3 ; écrivez « {{ en_lettres(communes | length) }} », calculé. [compte-communes]")


def test_exemplaires_pages_annexes_fiches(linted):
    expect(linted, f"{at(LINE + 1, 36)} : erreur : « en 5 exemplaires » : le texte compte 5 exemplaires (un par "
                   "signataire) mais le document en a 2 ; écrivez « {{ signataires | length }} », calculé. "
                   "[compte-exemplaires]")
    expect(linted, f"{at(LINE + 1, 56)} : avertissement : « comporte 12 pages » : le nombre de pages est calculé à "
                   "la mise en page et ajouté à la formule finale ; ne le tapez pas. [compte-pages]")
    expect(linted, f"{at(LINE + 1, 80)} : avertissement : « ses 4 annexes » : nombre tapé à la main (4, exact "
                   "aujourd'hui) ; reformulez sans le nombre (le nombre d'annexes découle de la liste du document). "
                   "[compte-annexes]")
    expect(linted, f"{at(LINE + 1, 97)} : avertissement : « ses deux fiches action » : nombre tapé à la main (2, "
                   "exact aujourd'hui) ; écrivez « {{ en_lettres(fiches | length) }} », calculé, qui suivra les "
                   "changements. [compte-fiches]")


def test_articles_and_equipment_by_type(linted):
    expect(linted, f"{at(LINE + 2, 1)} : erreur : « Les quinze articles » : le texte compte 15 articles mais le "
                   "document en a 14 ; reformulez sans le nombre (le nombre d'articles découle de la liste du "
                   "document). [compte-articles]")
    expect(linted, f"{at(LINE + 2, 51)} : erreur : « 2 EAJE » : le texte compte 2 EAJE mais le document en a 1 ; "
                   "reformulez sans le nombre (les équipements sont listés à l'annexe des équipements, tirée de "
                   "donnees/equipements.yaml). [compte-equipements]")


def test_communes_under_a_population_are_counted_from_the_official_data(linted):
    expect(linted, f"{at(LINE + 3, 22)} : erreur : « 3 communes de moins de 1 000 habitants » : le texte compte 3 "
                   "communes mais les données officielles en donnent 2 ; reformulez sans le nombre ou vérifiez la "
                   "liste des communes. [compte-communes]")


def test_a_number_that_is_not_a_count_is_left_alone(linted):
    _result, lines = linted
    assert not any(f"{SRC}:{LINE + 21}:" in line and "quatre cents" in line for line in lines)  # beyond any count
    assert not any("1 000" in line and "compte-communes" in line and "moins de" not in line for line in lines)


# ---------------------------------------------------------------- 2. codes

def test_insee_code_of_another_commune_in_a_typed_table(linted):
    expect(linted, f"{at(LINE + 7, 3)} : erreur : le code INSEE 62001 est celui d'Ablain-Saint-Nazaire, pas "
                   "d'Acheville ; une liste de communes se calcule : « {{ annexe(\"communes\") }} ». [code-insee]")


def test_unknown_insee_code(linted):
    expect(linted, f"{at(LINE + 8, 3)} : erreur : le code INSEE 62999 n'est celui d'aucune commune des données "
                   "officielles (conventions/_registre/officiel/communes.yaml) ; une liste de communes se calcule : "
                   "« {{ annexe(\"communes\") }} ». [code-insee]")


def test_siren_with_a_wrong_check_digit(linted):
    expect(linted, f"{at(LINE + 10, 15)} : erreur : SIREN 200072461 : sa clé de contrôle (Luhn) est invalide. "
                   "[code-siren]")


# ---------------------------------------------------------------- 3. names

def test_commune_name_close_to_the_official_one(linted):
    expect(linted, f"{at(LINE + 10, 34)} : avertissement : « Ablain-St-Nazaire » : le nom officiel de la commune "
                   "s'écrit « Ablain-Saint-Nazaire » (accents, traits d'union, majuscules). [nom-officiel]")
    expect(linted, f"{at(LINE + 10, 55)} : avertissement : « Ablain Saint Nazaire » : le nom officiel de la commune "
                   "s'écrit « Ablain-Saint-Nazaire » (accents, traits d'union, majuscules). [nom-officiel]")


def test_misspelt_commune_name_gets_the_official_word(linted):
    expect(linted, f"{at(LINE + 23, 14)} : avertissement : « Ablainzevele » : nom inconnu, proche du nom officiel de "
                   "la commune « Ablainzevelle » ; vérifiez l'orthographe. [nom-officiel]")
    _result, lines = linted
    assert not any("Ablainzevele" in line and "[orthographe]" in line for line in lines)  # reported once


# ---------------------------------------------------------------- 4. references

def test_reference_to_the_wrong_annex_is_an_error(linted):
    expect(linted, f"{at(LINE + 11, 20)} : erreur : « annexe 1 » : l'annexe 1 est « Liste des communes couvertes », "
                   "or la phrase parle de « plan d'actions » (l'annexe 3) ; écrivez « {{ annexe(\"plan-actions\") }} ». "
                   "[renvoi-faux]")


def test_typed_reference_is_a_warning_naming_the_computed_one(linted):
    expect(linted, f"{at(LINE + 11, 66)} : avertissement : « annexe 2 » tapé à la main ; écrivez "
                   "« {{ annexe(\"equipements\") }} », calculé, qui suivra les changements de numérotation (l'annexe 2 "
                   "est aujourd'hui « Équipements et services soutenus »). [renvoi-tape]")


def test_reference_to_a_missing_annex_and_a_law_article(linted):
    expect(linted, f"{at(LINE + 11, 84)} : erreur : « annexe 9 » : le document n'a que 4 annexes ; écrivez un renvoi "
                   "calculé, par exemple « {{ annexe(\"glossaire\") }} ». [renvoi-faux]")
    _result, lines = linted
    assert not any("article 7" in line for line in lines)  # « l'article 7 de la loi » is not a reference


# ---------------------------------------------------------------- 5. sigles

def test_sigle_close_to_a_glossary_entry(linted):
    expect(linted, f"{at(LINE + 12, 4)} : avertissement : sigle « CAMPS » absent du glossaire ; vouliez-vous dire "
                   "« CAMSP » (Centre d'action médico-sociale précoce) ? [sigle-approchant]")


def test_sigle_missing_from_the_glossary(linted):
    expect(linted, f"{at(LINE + 12, 16)} : avertissement : sigle « PMI » absent du glossaire "
                   "(conventions/_registre/sigles.yaml) ; ajoutez-le avec son développé, ou écrivez le terme en toutes "
                   "lettres. [sigle-inconnu]")


# ---------------------------------------------------------------- 6. blanks

def test_blanks_in_every_form(linted):
    tail = " ; complétez le texte ou écrivez la variable qui le calcule. [blanc]"
    expect(linted, f"{at(LINE + 13, 7)} : avertissement : date laissée en blanc (« le … 2021 »){tail}")
    expect(linted, f"{at(LINE + 13, 26)} : avertissement : date laissée en blanc (« XX/XX/2026 »){tail}")
    expect(linted, f"{at(LINE + 13, 41)} : avertissement : nom laissé en blanc (« M. ... »){tail}")


def test_repeated_word(linted):
    expect(linted, f"{at(LINE + 13, 63)} : avertissement : mot répété « du du » ; supprimez l'un des deux. "
                   "[mot-repete]")


def test_blank_in_registry_data_is_reported_at_the_registry_line(linted):
    expect(linted, f"{REG}/organisations/departement62.yaml:5:11 : avertissement : mention « [à compléter] » "
                   "(« [à compléter] ») dans une donnée du registre ; complétez la donnée. [blanc]")


# ---------------------------------------------------------------- 7. dates

def test_running_header_of_another_period(linted):
    expect(linted, f"{at(4, 23)} : erreur : « 2021-2025 » : la période du document est 2022-2026 (du {day('1er janvier 2022')} "
                   f"au {day('31 décembre 2026')}) ; écrivez « {{{{ periode_texte }}}} » ou corrigez le titre. "
                   "[periode-contredite]")


def test_authorisation_after_the_signature(linted):
    expect(linted, f"{SRC}:19 : erreur : l'autorisation de « cc-test » est datée du {day('1er décembre 2022')}, après "
                   f"la signature du {day('8 novembre 2022')} ; un acte autorise la signature avant qu'elle ait lieu. "
                   "[date-incoherente]")
    expect(linted, f"{at(LINE + 15, 20)} : erreur : « 3 février 2023 » : l'acte qui autorise la signature est daté "
                   f"après elle (signature le {day('8 novembre 2022')}) ; vérifiez les deux dates. [date-incoherente]")


def test_signature_after_the_end_of_the_period(linted):
    expect(linted, f"{at(LINE + 15, 75)} : erreur : « 3 janvier 2027 » : signature après la fin de la période "
                   f"(le {day('31 décembre 2026')}) ; vérifiez les dates. [date-incoherente]")


# ---------------------------------------------------------------- 8. spelling

def test_misspelt_word_with_a_suggestion(linted):
    expect(linted, f"{at(LINE + 14, 9)} : avertissement : « recuiellir » : mot inconnu du dictionnaire français ; "
                   "vouliez-vous dire « recueillir » ? Sinon, ajoutez-le à la liste des mots du projet "
                   "(conventions/_registre/mots.txt). [orthographe]")


# ---------------------------------------------------------------- exceptions

def test_exception_with_a_reason_silences_its_rule(linted):
    _result, lines = linted
    assert not any(f"{SRC}:{LINE + 18}:" in line for line in lines)  # « Les 40 communes », excepted


def test_exception_without_a_reason_is_a_warning(linted):
    _result, lines = linted
    assert (f"{SRC}:{LINE + 19}:1{NBSP}: avertissement{NBSP}: exception sans motif{NBSP}; écrivez la raison après la "
            f"règle{NBSP}: «{NBSP}<!-- ctg: ignorer renvoi-tape : raison -->{NBSP}». [exception-sans-motif]") in lines
    assert not any(f"{SRC}:{LINE + 20}:" in line for line in lines)  # its rule is silenced all the same


def test_exception_for_an_unknown_rule(linted):
    expect(linted, f"{at(LINE + 22, 1)} : avertissement : exception pour une règle inconnue « compte-commune » ; les "
                   "règles sont listées dans docs/verifications.md (« Relecture du texte »). [exception-inconnue]")


def test_all_findings_reported_together_with_one_exit_code(linted):
    result, lines = linted
    assert result.code == 1
    assert lines[-2] == "15 erreurs et 20 avertissements."  # RPE and PMI of fiches/rpe.yaml: not in SIGLES


# ---------------------------------------------------------------- levels

def test_final_document_being_changed_turns_findings_into_errors(make_project):
    """Outside git nothing tells an unchanged signed text from a changed one: a « signée » document's
    prose findings are errors there (in a git checkout, only when one of its files differs from HEAD)."""
    root = make_project({SRC: draft("\nSes trois communes sont couvertes.\n", statut="signée")})
    result = run_build(root, "check")
    assert result.code == 1
    assert fr(f"{SRC}:{END + 2}:1 : erreur : « Ses trois communes » : nombre tapé à la main (3, exact aujourd'hui) ; "
              "écrivez « {{ en_lettres(communes | length) }} », calculé, qui suivra les changements. "
              "[compte-communes]") in result.err.splitlines()


def test_draft_warnings_pass_check_and_fail_strict(make_project):
    root = make_project({SRC: draft("\nLes 3 communes sont couvertes.\n"), f"{CONV}/avenants/2023-001.md": None})
    result = run_build(root, "check")
    assert result.code == 0, result.err
    expected = fr(f"{SRC}:{END + 2}:1 : avertissement : « Les 3 communes » : nombre tapé à la main (3, exact aujourd'hui) ; "
                  "écrivez « {{ communes | length }} », calculé, qui suivra les changements. [compte-communes]")
    assert expected in result.err.splitlines()
    strict = run_build(root, "--strict", "check")
    assert strict.code == 1
    assert fr(expected.replace("avertissement", "erreur")) not in strict.err  # the level printed is the rule's own
    assert expected in strict.err.splitlines()


def test_jinja_code_and_urls_are_not_prose(make_project):
    body = ("\nLes {{ communes | length }} communes, `les 7 communes`, <https://exemple.fr/les-9-communes> "
            "et [le site](https://exemple.fr/annexe-2).\n")
    root = make_project({SRC: draft(body), f"{CONV}/avenants/2023-001.md": None})
    result = run_build(root, "--strict", "check")
    assert result.code == 0, result.err


def test_number_words_read_back():
    from ctg.checks.prose.numbers import value

    assert [value(w) for w in ("vingt-trois", "vingt et un", "vingt-et-un", "quatre-vingt-dix-neuf", "cent",
                               "soixante-dix", "23", "un")] == [23, 21, 21, 99, 100, 70, 23, None]


def test_in_git_only_a_changed_final_document_turns_findings_into_errors(make_project):
    import subprocess

    root = make_project({SRC: draft("\nSes trois communes sont couvertes.\n", statut="signée")})
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "corpus"]):
        subprocess.run(git + cmd, cwd=root, check=True, capture_output=True)
    committed = run_build(root, "check")
    assert committed.code == 0, committed.err
    assert f"{SRC}:{END + 2}:1{NBSP}: avertissement{NBSP}: «{NBSP}Ses trois communes{NBSP}»" in committed.err
    (root / CONV / "annexes/communes.md").write_text("---\ntitre: Liste des communes couvertes\ncontenu: communes\n"
                                                     "---\n\nLa liste suit.\n", encoding="utf-8")
    changed = run_build(root, "check")
    assert changed.code == 1
    assert f"{SRC}:{END + 2}:1{NBSP}: erreur{NBSP}: «{NBSP}Ses trois communes{NBSP}»" in changed.err
