"""Every bad input of the issue gives its French error at the right file:line, exit code 1,
no traceback, and nothing written."""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

import pytest
from conftest import run_build
from fixture_corpus import CONV, MINIMAL, OFFICIAL_COMMUNES

CONVENTION = f"{CONV}/convention.md"
AVENANT = f"{CONV}/avenants/2023-001.md"


def replace(path: str, old: str, new: str) -> dict[str, str]:
    text = MINIMAL[path]
    assert old in text, f"fixture text not found: {old!r}"
    return {path: text.replace(old, new, 1)}


def line_of(root: Path, rel: str, needle: str) -> int:
    for i, line in enumerate((root / rel).read_text(encoding="utf-8", errors="replace").split("\n"), start=1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in {rel}")


def check_fails(root: Path, rel: str, needle: str, *fragments: str) -> str:
    return fails_at(root, f"{rel}:{line_of(root, rel, needle)}", *fragments)


def fails_at(root: Path, where: str, *fragments: str, command: str = "check") -> str:
    """The command fails without a traceback, with errors at where (« fichier:ligne », or a file
    alone for an error about the whole file) holding each fragment."""
    result = run_build(root, command)
    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    lines = [line for line in result.err.splitlines() if line.startswith(where + "\u00a0:")]
    assert lines, f"no error at {where}:\n{result.err}"
    for fragment in fragments:
        assert any(fragment in line for line in lines), f"{fragment!r} not in {lines}"
    return result.err


CASES = [
    # (id, files changed, file with the error, text on the error line, expected fragments)
    ("yaml-syntax", replace(CONVENTION, "titre_court: CTG Test 2022-2026", "titre_court: [CTG Test"),
     CONVENTION, "titre_court:", ["syntaxe YAML invalide"]),
    ("misspelt-key", replace(CONVENTION, "titre_court:", "titre_cour:"),
     CONVENTION, "titre_cour:", ["clé inconnue « titre_cour »", "vouliez-vous dire « titre_court » ?"]),
    ("wrong-type", replace(CONVENTION, "  debut: 2022-01-01", "  debut: bientôt"),
     CONVENTION, "debut: bientôt", ["doit être une date au format AAAA-MM-JJ"]),
    ("unknown-status", replace(CONVENTION, "statut: signée", "statut: signee"),
     CONVENTION, "statut: signee", ["vouliez-vous dire « signée » ?"]),
    ("unknown-signatory", replace(CONVENTION, "  - organisation: caf62", "  - organisation: caf26"),
     CONVENTION, "organisation: caf26", ["n'existe pas dans le registre", "vouliez-vous dire « caf62 » ?"]),
    ("avenant-parent-missing", replace(AVENANT, "convention: ctg-test-2022-2026", "convention: ctg-test-2021-2025"),
     AVENANT, "convention: ctg-test-2021-2025", ["la convention « ctg-test-2021-2025 » n'existe pas"]),
    ("period-inverted", replace(CONVENTION, "  fin: 2026-12-31", "  fin: 2020-12-31"),
     CONVENTION, "periode:", ["précède son début"]),
    ("avenant-effect-outside", replace(AVENANT, "effet: 2023-01-01", "effet: 2027-03-01"),
     AVENANT, "effet: 2027-03-01", ["hors de la période de la convention"]),
    ("annex-missing", {f"{CONV}/annexes/glossaire.md": None},
     CONVENTION, "  - glossaire", ["est listée mais le fichier", "n'existe pas"]),
    ("annex-not-listed", {f"{CONV}/annexes/diagnostic.md": "---\ntitre: Diagnostic\n---\nTexte.\n"},
     f"{CONV}/annexes/diagnostic.md", "---", ["n'est pas listé dans « annexes »"]),
    ("unknown-cross-reference", replace(CONVENTION, 'annexe("plan-actions")', 'annexe("plan-action")'),
     CONVENTION, 'annexe("plan-action")', ["renvoi à une annexe inconnue « plan-action »"]),
    ("unknown-article-reference", replace(CONVENTION, 'article("duree")', 'article("duree-convention")'),
     CONVENTION, 'article("duree-convention")', ["renvoi à un article inconnu"]),
    ("representative-out-of-office",
     replace("conventions/_registre/organisations/cc-test.yaml", "debut: 2020-07-01", "debut: 2023-07-01"),
     CONVENTION, "organisation: cc-test", ["aucun représentant de « cc-test » n'est en fonction le 8"]),
    ("equipment-commune-not-covered",
     replace(f"{CONV}/donnees/equipements.yaml", 'collectivite: "62001"', 'collectivite: "62004"'),
     f"{CONV}/donnees/equipements.yaml", 'collectivite: "62004"', ["(Achicourt) a des équipements soutenus"]),
    ("malformed-insee", replace(OFFICIAL_COMMUNES, 'insee: "62003"', 'insee: "6203"'),
     OFFICIAL_COMMUNES, '"6203"', ["code INSEE « 6203 » est mal formé"]),
    ("malformed-siren", replace("conventions/_registre/organisations/cc-test.yaml", '"200072460"', '"200072461"'),
     "conventions/_registre/organisations/cc-test.yaml", "siren:", ["clé de contrôle (Luhn) invalide"]),
    ("placeholder-in-signed", replace(CONVENTION, "Développer l'offre d'accueil", "Fait le JJ/MM/AAAA, TODO"),
     CONVENTION, "JJ/MM/AAAA", ["dans un document prêt pour signature ou signé"]),
    ("duplicate-key", replace(CONVENTION, "titre_court: CTG Test 2022-2026", "titre_court: A\n        titre_court: B"),
     CONVENTION, "titre_court: B", ["la clé « titre_court » est déjà définie"]),
    ("unknown-fiche-in-plan", replace(f"{CONV}/donnees/plan-actions.yaml", "[rpe, guichet]", "[rpe, guichet, creche]"),
     f"{CONV}/donnees/plan-actions.yaml", "creche", ["la fiche « creche » n'existe pas"]),
    ("jinja-undefined", replace(CONVENTION, "{{ communes | length }} communes", "{{ comunes | length }} communes"),
     CONVENTION, "comunes", ["« comunes » n'est pas défini"]),
]


@pytest.mark.parametrize("files,rel,needle,fragments", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_reported_at_its_line(make_project, files, rel, needle, fragments):
    root = make_project(files)
    check_fails(root, rel, needle, *fragments)


def test_duplicate_convention_identifier(make_project):
    copy = {f"conventions/ctg-copie/{k[len(CONV) + 1:]}": v for k, v in MINIMAL.items()
            if k.startswith(CONV + "/") and "/avenants/" not in k}
    root = make_project(copy)
    check_fails(root, CONVENTION, "identifiant:", "est déjà celui de conventions/ctg-copie/convention.md")


def test_all_errors_are_reported_together(make_project):
    files = replace(CONVENTION, "titre_court:", "titre_cour:")
    files |= replace(AVENANT, "effet: 2023-01-01", "effet: 2027-03-01")
    files |= replace(OFFICIAL_COMMUNES, 'insee: "62003"', 'insee: "6203"')
    root = make_project(files)
    result = run_build(root, "check")
    assert result.code == 1
    assert result.err.count("erreur\u00a0:") >= 3
    assert "erreurs." in result.err.splitlines()[-2]


def test_failed_build_writes_nothing_and_keeps_previous_outputs(make_project):
    root = make_project()
    assert run_build(root, "docx").code == 0
    outputs = sorted((root / "dist").rglob("*.docx"))
    assert len(outputs) == 2
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in outputs}
    convention = root / CONVENTION
    convention.write_text(convention.read_text(encoding="utf-8").replace("titre_court:", "titre_cour:"),
                          encoding="utf-8")
    result = run_build(root, "docx")
    assert result.code == 1 and "Traceback" not in result.err
    assert "Aucun fichier n'a été écrit ni remplacé." in result.err
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((root / "dist").rglob("*.docx"))}
    assert after == before
    assert not list((root / "dist").rglob("*.tmp"))


def test_bad_input_writes_no_output(make_project):
    root = make_project(replace(CONVENTION, "statut: signée", "statut: signee"))
    assert run_build(root, "docx").code == 1
    assert not (root / "dist").exists()


def test_projet_may_keep_blanks_but_not_once_ready(make_project):
    blank = replace(CONVENTION, "Développer l'offre d'accueil", "Date du comité : JJ/MM/AAAA")
    draft = dict(blank)
    draft[CONVENTION] = draft[CONVENTION].replace("statut: signée", "statut: projet")
    draft[AVENANT] = None  # an avenant amends signed conventions only
    assert run_build(make_project(draft), "check").code == 0
    check_fails(make_project(blank), CONVENTION, "JJ/MM/AAAA", "JJ/MM/AAAA")


# ------------------------------------------------------------------ signed texts


def test_signed_document_without_fingerprint_is_refused(make_project):
    root = make_project(fingerprints=False)
    check_fails(root, CONVENTION, "statut: signée", "son empreinte n'est pas enregistrée")
    result = run_build(root, "empreintes")
    assert result.code == 0, result.err
    assert "ctg-test-2022-2026" in result.out
    assert (root / CONV / "empreintes.yaml").exists()
    assert run_build(root, "check").code == 0


@pytest.mark.parametrize("rel,old,new", [
    ("templates/clauses/ctg/duree.md.j2", "Elle ne peut être reconduite", "Elle peut être reconduite"),
    ("conventions/_registre/organisations/caf62.yaml", "prenom: Claire", "prenom: Clara"),
    (f"{CONV}/fiches/rpe.yaml", "Recrutement d'une animatrice.", "Recrutement de deux animatrices."),
], ids=["clause-template", "registry", "data-file"])
def test_change_that_would_alter_a_signed_text_fails(make_project, rel, old, new):
    root = make_project()
    assert run_build(root, "check").code == 0
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    err = check_fails(root, CONVENTION, "statut: signée", "le texte signé de « ctg-test-2022-2026 » serait modifié")
    assert "ne change que par avenant" in err
    forced = run_build(root, "empreintes")
    assert forced.code == 1 and "--forcer" in forced.err


def test_unrelated_change_keeps_signed_text(make_project):
    root = make_project()
    sigles = root / "conventions/_registre/sigles.yaml"
    sigles.write_text(sigles.read_text(encoding="utf-8") + "ZZZ: Sigle inutilisé\n", encoding="utf-8")
    assert run_build(root, "check").code == 0


# ------------------------------------------------------------------ hostile and malformed files

FICHE = f"{CONV}/fiches/rpe.yaml"


def _with_body(extra: str) -> dict[str, str]:
    return {CONVENTION: textwrap.dedent(MINIMAL[CONVENTION]) + "\n" + textwrap.dedent(extra)}


HOSTILE = [
    ("tab-indent", {FICHE: MINIMAL[FICHE].replace("        public_cible:", "        \tpublic_cible:")},
     FICHE, "public_cible", ["tabulation en début de ligne"]),
    ("front-matter-never-closed", {f"{CONV}/annexes/glossaire.md": "---\ntitre: Glossaire\ncontenu: glossaire\n"},
     f"{CONV}/annexes/glossaire.md", "---", ["n'est jamais fermé"]),
    ("empty-file", {f"{CONV}/annexes/glossaire.md": ""},
     f"{CONV}/annexes/glossaire.md", "", ["le fichier est vide"]),
    ("not-utf8", {f"{CONV}/annexes/glossaire.md": "---\ntitre: Glossaire des sigles et abréviations\n---\n".encode("latin-1")},
     f"{CONV}/annexes/glossaire.md", "titre", ["n'est pas encodé en UTF-8"]),
    ("jinja-syntax", _with_body("""
        ## Article ajouté {#ajoute apres="enjeux"}

        Texte {% if communes %} sans fin.
        """), CONVENTION, "sans fin", ["syntaxe de gabarit invalide"]),
    ("include-missing-clause", _with_body("""
        ## Article ajouté {#ajoute apres="enjeux"}

        {% include "clauses/ctg/inexistante.md.j2" %}
        """), CONVENTION, "inexistante", ["la clause « clauses/ctg/inexistante.md.j2 » est introuvable"]),
    ("include-leaving-repository", _with_body("""
        ## Article ajouté {#ajoute apres="enjeux"}

        {% include "../../../../etc/passwd" %}
        """), CONVENTION, "etc/passwd", ["est introuvable", "ne peuvent pas en sortir"]),
    ("sandbox-escape-mro", _with_body("""
        ## Article ajouté {#ajoute apres="enjeux"}

        {{ ''.__class__.__mro__ }}
        """), CONVENTION, "__mro__", ["opération interdite", "accès à l'attribut « __class__ »"]),
    ("sandbox-escape-globals", _with_body("""
        ## Article ajouté {#ajoute apres="enjeux"}

        {{ annexe.__globals__ }}
        """), CONVENTION, "__globals__", ["opération interdite", "« __globals__ »"]),
    ("sandbox-escape-format", _with_body("""
        ## Article ajouté {#ajoute apres="enjeux"}

        {{ "{0.__class__}".format(caf) }}
        """), CONVENTION, ".format(caf)", ["opération interdite"]),
    ("article-without-id", _with_body("""
        ## Article sans identifiant

        Texte.
        """), CONVENTION, "## Article sans identifiant", ["n'a pas d'identifiant"]),
    ("article-unknown-place", _with_body("""
        ## Article égaré {#egare}

        Texte.
        """), CONVENTION, "{#egare}", ["précisez sa place"]),
    ("article-after-nothing", _with_body("""
        ## Article égaré {#egare apres="inexistant"}

        Texte.
        """), CONVENTION, "{#egare", ["doit suivre « inexistant », qui n'existe pas"]),
    ("avenant-amends-avenant", replace(AVENANT, "convention: ctg-test-2022-2026",
                                       "convention: ctg-test-2022-2026-avenant-2023-001"),
     AVENANT, "convention: ctg-test", ["n'existe pas"]),
    ("avenant-number-format", replace(AVENANT, "numero: 2023-001", "numero: 2023/1"),
     AVENANT, "numero:", ["AAAA-NNN"]),
    ("added-signatory-already-party", replace(AVENANT, "- organisation: departement62", "- organisation: cc-test"),
     AVENANT, "organisation: cc-test", ["est déjà signataire de la convention"]),
    ("signed-without-date", replace(CONVENTION, "\n          date: 2022-11-08", ""),
     CONVENTION, "statut: signée", ["doit indiquer « signature : » avec « lieu » et « date »"]),
    ("overlapping-mandates", replace("conventions/_registre/organisations/caf62.yaml", "fin: 2022-08-31", "fin: 2023-08-31"),
     "conventions/_registre/organisations/caf62.yaml", "civilite: Mme", ["commence avant la fin de celui de"]),
    ("territory-not-epci", replace(CONVENTION, "territoire: cc-test", "territoire: caf62"),
     CONVENTION, "territoire: caf62", ["doit être une intercommunalité"]),
    ("unknown-model", replace(CONVENTION, "territoire: cc-test", "territoire: cc-test\n        modele: ctg-2030"),
     CONVENTION, "modele: ctg-2030", ["le modèle « ctg-2030 » n'existe pas"]),
    ("fiche-not-placed", {f"{CONV}/fiches/orpheline.yaml": MINIMAL[FICHE]},
     f"{CONV}/fiches/orpheline.yaml", "titre", ["n'est rattachée à aucun élément du plan d'actions"]),
    ("fiche-placed-twice", replace(f"{CONV}/donnees/plan-actions.yaml", "[rpe, guichet]", "[rpe, guichet, rpe]"),
     f"{CONV}/donnees/plan-actions.yaml", "[rpe, guichet, rpe]", ["est déjà citée dans cet élément du plan"]),
    ("equipment-type-unknown", replace(f"{CONV}/donnees/equipements.yaml", "type: EAJE", "type: Crèche"),
     f"{CONV}/donnees/equipements.yaml", "type: Crèche", ["n'est pas dans la liste des types d'équipements", "EAJE, LAEP"]),
    ("registry-key-misspelt", replace("conventions/_registre/organisations/cc-test.yaml", "designation:", "designaton:"),
     "conventions/_registre/organisations/cc-test.yaml", "designaton:", ["vouliez-vous dire « designation » ?"]),
    ("logo-leaving-repository",
     replace("conventions/_registre/organisations/cc-test.yaml", "siren:", 'logo: ../../../../etc/passwd\n        siren:'),
     "conventions/_registre/organisations/cc-test.yaml", "logo:", ["sans sortir du dépôt"]),
    ("glossary-not-mapping", {"conventions/_registre/sigles.yaml": "- CAF\n- EAJE\n"},
     "conventions/_registre/sigles.yaml", "- CAF", ["associer chaque sigle"]),
    ("placeholder-dots", replace(CONVENTION, "Développer l'offre d'accueil", "Fait à ........ le"),
     CONVENTION, "........", ["pointillés à remplir"]),
    ("placeholder-in-fiche", replace(FICHE, "Recrutement d'une animatrice.", "Recrutement XXX."),
     FICHE, "XXX", ["marque « XXX »"]),
]


@pytest.mark.parametrize("files,rel,needle,fragments", [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE])
def test_hostile_input_is_reported(make_project, files, rel, needle, fragments):
    root = make_project(files, fingerprints=False)  # the corpus is invalid on purpose
    check_fails(root, rel, needle, *fragments)
    assert not (root / "dist").exists()


def test_huge_file_is_refused_without_reading_it(make_project):
    root = make_project()
    with open(root / FICHE, "ab") as fh:
        fh.write(b"#" * (50 * 1024 * 1024))
    result = run_build(root, "check")
    assert result.code == 1
    assert f"{FICHE}\u00a0: erreur\u00a0: le fichier fait 50 Mo" in result.err


@pytest.mark.parametrize("transform", [
    lambda b: b"\xef\xbb\xbf" + b,
    lambda b: b.replace(b"\n", b"\r\n"),
], ids=["utf8-bom", "crlf"])
def test_bom_and_crlf_are_accepted(make_project, transform):
    root = make_project()
    for rel in (CONVENTION, FICHE, "conventions/_registre/organisations/caf62.yaml"):
        path = root / rel
        path.write_bytes(transform(path.read_bytes()))
    result = run_build(root, "check")
    assert result.code == 0, result.err


def test_include_cycle_is_reported(make_project):
    root = make_project(_with_body("""
        ## Article ajouté {#ajoute apres="enjeux"}

        {% include "clauses/ctg/boucle.md.j2" %}
        """), fingerprints=False)
    (root / "templates/clauses/ctg/boucle.md.j2").write_text('Texte {% include "clauses/ctg/boucle.md.j2" %}\n')
    check_fails(root, CONVENTION, "boucle", "inclusion circulaire")


def test_table_layout_change_keeps_signed_text(make_project):
    root = make_project()
    template = root / "templates/annexes/communes.md.j2"
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace("|:-----------|:--------|-----------:|",
                                     "|:---|:--------------------------|------:|"), encoding="utf-8")
    assert text != template.read_text(encoding="utf-8")
    assert run_build(root, "check").code == 0


def test_a_labelled_blank_of_a_form_is_no_placeholder_but_a_bare_one_is():
    from ctg.checks.validate import find_placeholders
    from ctg.core.french import blank

    assert find_placeholders(f"Fait à {blank('lieu')}, le {blank('date')}") == []
    assert find_placeholders("Fait à ……………, le ……………")
    assert find_placeholders(f"Fait à {blank('lieu')}, le ………………")
