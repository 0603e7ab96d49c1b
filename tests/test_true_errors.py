"""Issue #21: every error of a run together, only true ones, each at its line; dates that
contradict each other; the folder rule; signed texts frozen whatever their status."""

from __future__ import annotations

import textwrap

import pytest
from conftest import run_build
from fixture_corpus import CONV, MINIMAL
from test_validation import AVENANT, CONVENTION, FICHE, check_fails, fails_at, line_of, replace

SIGLES = "conventions/_registre/sigles.yaml"


def plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


# ------------------------------------------------------------------ 7. all errors, only true ones


def test_three_errors_in_three_files_in_one_run(make_project):
    files = replace(CONVENTION, "titre_court:", "titre_cour:")  # the convention itself is invalid
    files |= replace(FICHE, "titre:", "titre_x:")
    files |= replace(AVENANT, "effet: 2023-01-01", "effe: 2023-01-01")
    root = make_project(files, fingerprints=False)
    err = run_build(root, "check").err
    for rel, needle in ((CONVENTION, "titre_cour:"), (FICHE, "titre_x:"), (AVENANT, "effe:")):
        assert f"{rel}:{line_of(root, rel, needle)}\u00a0: erreur" in err, err


def test_invalid_front_matter_does_not_make_the_document_unknown(make_project):
    root = make_project(replace(CONVENTION, "titre_court:", "titre_cour:"), fingerprints=False)
    result = run_build(root, "docx", CONV.split("/")[1])
    assert result.code == 1 and "clé inconnue « titre_cour »" in result.err
    assert "aucun document" not in result.err and "vouliez-vous dire « ctg" not in result.err


def test_invalid_fiche_is_not_called_missing(make_project):
    root = make_project(replace(FICHE, "titre:", "titre_x:"), fingerprints=False)
    err = check_fails(root, FICHE, "titre_x:", "clé inconnue « titre_x »")
    assert "n'existe pas" not in err and "absent" not in err


def test_oversized_data_file_is_not_called_missing(make_project):
    root = make_project(fingerprints=False)
    with open(root / CONV / "donnees/equipements.yaml", "ab") as fh:
        fh.write(b"#" * (6 * 1024 * 1024))
    err = fails_at(root, f"{CONV}/donnees/equipements.yaml", "fichier-trop-gros")
    assert "est absent" not in err


def test_corrupted_fingerprints_file_does_not_make_signed_texts_unrecorded(make_project):
    root = make_project()
    (root / CONV / "empreintes.yaml").write_text("ctg-test-2022-2026: [pas, une, empreinte]\n", encoding="utf-8")
    err = check_fails(root, f"{CONV}/empreintes.yaml", "ctg-test-2022-2026:", "empreintes-invalides")
    assert "n'est pas enregistrée" not in err and "empreinte-absente" not in err


def test_blanks_in_front_matter_are_reported_with_the_other_errors_at_their_line(make_project):
    files = replace(CONVENTION, "titre_court: CTG Test 2022-2026",
                    "titre_court: CTG Test 2022-2026\n        visas:\n          - Vu le code de la sécurité sociale\n"
                    "          - Vu la délibération n° XXX du JJ/MM/AAAA")
    files |= replace(FICHE, "titre:", "titre_x:")
    root = make_project(files, fingerprints=False)
    err = check_fails(root, CONVENTION, "Vu la délibération n° XXX", "texte-a-completer")
    assert f"{FICHE}:" in err  # together with the error of another file
    assert f"{CONVENTION}:1\u00a0:" not in err


# ------------------------------------------------------------------ 8. the right line, no « None »


def test_malformed_sigle_is_reported_at_its_line(make_project):
    lines = "".join(f"S{i}: Sigle numéro {i}\n" for i in range(120))
    root = make_project({SIGLES: lines + "MAUVAIS:\n  - liste\n"}, fingerprints=False)
    check_fails(root, SIGLES, "MAUVAIS:", "« MAUVAIS » n'est pas suivi d'un texte")


def test_jinja_syntax_error_in_a_shared_clause_is_french(make_project):
    root = make_project(fingerprints=False)
    clause = root / "templates/clauses/ctg/recours.md.j2"
    clause.write_text(clause.read_text(encoding="utf-8") + "\n{% if x %}\nsans fin\n", encoding="utf-8")
    result = run_build(root, "check")
    assert result.code == 1 and "Traceback" not in result.err
    lines = [line for line in result.err.splitlines() if "jinja-syntaxe" in line]
    assert lines and all(line.startswith("templates/clauses/ctg/recours.md.j2:") for line in lines), result.err
    assert "« {% if %} » n'est jamais fermée" in lines[0]
    for english in ("Unexpected", "unexpected", "expected", "Jinja was looking", "innermost"):
        assert english not in lines[0]


@pytest.mark.parametrize("old,new", [("  debut: 2022-01-01", "  debut:"), ("numero: 2023-001", "numero:")],
                         ids=["empty-date", "empty-number"])
def test_no_python_none_in_messages(make_project, old, new):
    rel = CONVENTION if old in MINIMAL[CONVENTION] else AVENANT
    root = make_project(replace(rel, old, new), fingerprints=False)
    result = run_build(root, "check")
    assert result.code == 1 and "Traceback" not in result.err
    assert "None" not in result.err, result.err


# ------------------------------------------------------------------ 9. signed texts stay frozen


def test_signed_text_stays_frozen_whatever_its_status(make_project):
    files = replace(CONVENTION, "statut: signée", "statut: prêt pour signature")
    files[CONVENTION] = files[CONVENTION].replace("Développer l'offre d'accueil", "Développer un peu l'offre d'accueil")
    root = make_project({AVENANT: None})  # signed and recorded
    (root / CONVENTION).write_text(textwrap.dedent(files[CONVENTION]), encoding="utf-8")
    err = check_fails(root, CONVENTION, "statut:", "texte-signe-modifie", "il reste figé quel que soit son statut")
    assert "prêt pour signature" in err
    forced = run_build(root, "empreintes", "--forcer")
    assert forced.code == 0, forced.err
    assert "ATTENTION" in forced.err and "de force (--forcer)" in forced.err and "[empreinte-forcee]" in forced.err
    assert run_build(root, "check").code == 0


# ------------------------------------------------------------------ 10. dates


def test_avenant_signed_before_its_convention(make_project):
    root = make_project(replace(AVENANT, "  date: 2023-12-15", "  date: 2021-05-03"), fingerprints=False)
    check_fails(root, AVENANT, "date: 2021-05-03", "avenant-signe-avant", "avant la convention qu'il modifie")


@pytest.mark.parametrize("args", [["consolidate", "ctg-test-2022-2026", "--date", "2030-01-01"],
                                  ["redline", "ctg-test-2022-2026", "ctg-test-2022-2026@2019-06-30"]],
                         ids=["consolidate", "redline"])
def test_version_outside_the_period_is_an_error_and_writes_nothing(make_project, args):
    root = make_project()
    result = run_build(root, *args)
    assert result.code == 1 and "Traceback" not in result.err
    assert f"{CONVENTION}:{line_of(root, CONVENTION, 'periode:')}\u00a0: erreur" in result.err
    assert "date-hors-periode" in result.err and "hors de la période" in result.err
    assert not (root / "dist").exists()


# ------------------------------------------------------------------ 11. the folder rule


def test_convention_folder_named_as_its_identifier(make_project):
    moved = {f"conventions/ctg-mal-nomme/{k[len(CONV) + 1:]}": v for k, v in MINIMAL.items() if k.startswith(CONV + "/")}
    root = make_project({**{k: None for k in MINIMAL if k.startswith(CONV + "/")}, **moved}, fingerprints=False)
    check_fails(root, "conventions/ctg-mal-nomme/convention.md", "identifiant:", "dossier-identifiant",
                "le dossier « ctg-mal-nomme » doit porter le nom de l'identifiant « ctg-test-2022-2026 »")
