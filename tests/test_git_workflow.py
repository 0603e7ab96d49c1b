"""Working in git: scaffolding, editor schemas, review diffs between revisions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from conftest import run_build
from fixture_corpus import CONV, MINIMAL, ROOT

from ctg.cli import editor_schemas

jsonschema = pytest.importorskip("jsonschema")

GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org"}


def run_no_tty(root: Path, *args: str):
    """The command line with stdin closed (as in CI or a pre-commit hook): it must never ask."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "--racine", str(root), *args],
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


def git(root: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, env=GIT_ENV, check=True)
    return proc.stdout


# ---------------------------------------------------------------- scaffolding


NEW_CONVENTION = ("new", "convention", "--territoire", "cc-test", "--signataires", "caf62,cc-test",
                  "--debut", "2027-01-01", "--fin", "2031-12-31")


def test_new_convention_passes_check_and_builds_docx(make_project):
    root = make_project()
    result = run_no_tty(root, *NEW_CONVENTION)
    assert result.returncode == 0, result.stderr
    folder = root / "conventions/ctg-cc-test-2027-2031"
    for rel in ("convention.md", "annexes/communes.md", "annexes/glossaire.md"):
        assert (folder / rel).is_file(), rel
    text = (folder / "convention.md").read_text(encoding="utf-8")
    assert "{#champs-epci}" in text and "{#enjeux}" in text and "statut: projet" in text
    assert "À rédiger" in text  # French guidance for the author
    check = run_build(root, "check")
    assert check.code == 0, check.err
    markdown = run_build(root, "markdown", "ctg-cc-test-2027-2031").out
    assert "À rédiger" not in markdown  # comments never reach the documents
    assert "[à compléter" in markdown
    docx = run_build(root, "docx", "ctg-cc-test-2027-2031")
    assert docx.code == 0, docx.err
    assert (root / "dist/ctg-cc-test-2027-2031/ctg-cc-test-2027-2031.docx").is_file()


def test_scaffolded_blanks_block_signature(make_project):
    root = make_project()
    assert run_no_tty(root, *NEW_CONVENTION).returncode == 0
    path = root / "conventions/ctg-cc-test-2027-2031/convention.md"
    text = path.read_text(encoding="utf-8").replace("statut: projet", "statut: prêt pour signature\nsignature:\n  lieu: Arras")
    path.write_text(text, encoding="utf-8")
    result = run_build(root, "check")
    assert result.code == 1 and "[texte-a-completer]" in result.err


def test_new_avenant_passes_check_and_builds_docx(make_project):
    # without avenant 2023-001, which already makes the Département a party (2024-001 follows it)
    root = make_project({f"{CONV}/avenants/2023-001.md": None})
    result = run_no_tty(root, "new", "avenant", "ctg-test-2022-2026", "--effet", "2024-03-01",
                        "--signataires", "departement62")
    assert result.returncode == 0, result.stderr
    path = root / CONV / "avenants/2024-001.md"  # next number of the effect year
    text = path.read_text(encoding="utf-8")
    assert "{#objet}" in text and "organisation: departement62" in text
    assert run_build(root, "check").code == 0
    docx = run_build(root, "docx", "ctg-test-2022-2026-avenant-2024-001")
    assert docx.code == 0, docx.err


def test_new_never_overwrites(make_project):
    root = make_project()
    path = root / CONV / "avenants/2023-001.md"
    before = path.read_bytes()
    result = run_no_tty(root, "new", "avenant", "ctg-test-2022-2026", "--effet", "2023-06-01", "--numero", "2023-001")
    assert result.returncode == 2
    assert "existe déjà" in result.stderr and "Traceback" not in result.stderr
    assert path.read_bytes() == before
    assert run_no_tty(root, *NEW_CONVENTION).returncode == 0
    again = run_no_tty(root, *NEW_CONVENTION)
    assert again.returncode == 2 and "existe déjà" in again.stderr


def test_missing_options_without_terminal_is_a_french_usage_error(make_project):
    root = make_project()
    result = run_no_tty(root, "new", "convention", "--territoire", "cc-test")
    assert result.returncode == 2
    assert "utilisation" in result.stderr
    assert "options manquantes" in result.stderr and "--signataires" in result.stderr and "--debut" in result.stderr
    assert not (root / "conventions/ctg-cc-test-2027-2031").exists()
    typo = run_no_tty(root, "new", "convention", "--territoire", "cc-tst", "--signataires", "caf62,cc-test",
                      "--debut", "2027-01-01", "--fin", "2031-12-31")
    assert typo.returncode == 2
    assert "vouliez-vous dire" in typo.stderr and "cc-test" in typo.stderr and "Traceback" not in typo.stderr


# ---------------------------------------------------------------- editor schemas


class _YamlAsEditor(yaml.SafeLoader):
    """YAML as the editor's language server reads it: dates stay strings (JSON has no date type)."""


_YamlAsEditor.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _front_matter(text: str) -> str:
    assert text.startswith("---\n")
    return text.split("---\n", 2)[1]


def _validator(name: str):
    schema = json.loads((ROOT / editor_schemas.SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_committed_schemas_are_the_generated_ones():
    for rel, text in editor_schemas.generated_files().items():
        path = ROOT / rel
        assert path.is_file(), f"{rel} absent : lancez « python build.py schemas »"
        assert path.read_text(encoding="utf-8") == text, f"{rel} périmé : lancez « python build.py schemas »"
    settings = json.loads((ROOT / editor_schemas.SETTINGS).read_text(encoding="utf-8"))
    assert settings["yaml.schemas"] == editor_schemas.vscode_mapping()
    extensions = json.loads((ROOT / ".vscode/extensions.json").read_text(encoding="utf-8"))
    assert "redhat.vscode-yaml" in extensions["recommendations"]


def test_schemas_validate_the_bundled_corpus():
    checked = 0
    for spec in editor_schemas.SPECS:
        validator = _validator(spec.name)
        patterns = [*spec.files, *([spec.front_matter] if spec.front_matter else [])]
        for pattern in patterns:
            for path in sorted(ROOT.glob(pattern)):
                text = path.read_text(encoding="utf-8")
                data = yaml.load(_front_matter(text) if path.suffix == ".md" else text, Loader=_YamlAsEditor)
                errors = [e.message for e in validator.iter_errors(data)]
                assert not errors, f"{path.relative_to(ROOT)} : {errors}"
                checked += 1
    assert checked > 30


def test_schemas_validate_the_test_corpus():
    for rel, content in MINIMAL.items():
        if rel.endswith("convention.md"):
            name = "convention"
        elif "/avenants/" in rel:
            name = "avenant"
        elif "/annexes/" in rel:
            name = "annexe"
        else:
            continue
        data = yaml.load(_front_matter(textwrap.dedent(content)), Loader=_YamlAsEditor)
        assert not list(_validator(name).iter_errors(data)), rel


def test_schema_rejects_a_bad_front_matter():
    bad = yaml.load(_front_matter(textwrap.dedent(MINIMAL[f"{CONV}/convention.md"]))
                    .replace("statut: signée", "statut: signee")
                    .replace("titre_court:", "titre_cour:")
                    .replace("debut: 2022-01-01", "debut: 01/01/2022"), Loader=_YamlAsEditor)
    messages = [e.message for e in _validator("convention").iter_errors(bad)]
    text = " ".join(messages)
    assert "'signee' is not one of" in text
    assert "titre_cour" in text  # unknown key (additionalProperties: false)
    assert "titre_court" in text  # and the required key it should have been
    assert "01/01/2022" in text  # not a date
    fiche = yaml.load("pilotes: [caf62]\nbudjet: 10 000 €\n", Loader=_YamlAsEditor)  # only « titre » is required
    messages = " ".join(e.message for e in _validator("fiche").iter_errors(fiche))
    assert "'titre' is a required property" in messages and "budjet" in messages


def test_schemas_command_is_idempotent(tmp_path):
    result = run_build(tmp_path, "schemas")
    assert result.code == 0, result.err
    assert (tmp_path / "schemas/convention.schema.json").is_file()
    settings = json.loads((tmp_path / ".vscode/settings.json").read_text(encoding="utf-8"))
    assert settings["yaml.schemas"] == editor_schemas.vscode_mapping()
    again = run_build(tmp_path, "schemas")
    assert "rien à écrire" in again.out


def test_vscode_problem_matcher_reads_check_errors(make_project):
    """The « check » task of .vscode/tasks.json turns our « fichier:ligne : erreur : … [code] » lines
    (no-break spaces around the colons) into entries of VS Code's Problems panel."""
    import re

    tasks = json.loads((ROOT / ".vscode/tasks.json").read_text(encoding="utf-8"))["tasks"]
    check = next(t for t in tasks if t["args"] == ["build.py", "check"])
    matchers = [(m["severity"], m["pattern"]) for m in check["problemMatcher"]]
    root = make_project({f"{CONV}/convention.md": MINIMAL[f"{CONV}/convention.md"].replace("titre_court:", "titre_cour:")})
    result = run_build(root, "check")
    assert result.code == 1
    found = []
    for line in result.err.splitlines():
        for severity, pattern in matchers:
            m = re.match(pattern["regexp"], line)  # the same syntax in JavaScript and Python here
            if m:
                found.append((severity, m.group(pattern["file"]), pattern.get("line") and m.group(pattern["line"]),
                              m.group(pattern["code"])))
                break
    assert ("error", f"{CONV}/convention.md", "4", "cle-inconnue") in found


# ---------------------------------------------------------------- review diffs


@pytest.fixture
def repo(make_project):
    """A project in a git repository with one commit."""
    root = make_project()
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Corpus initial")
    return root


def test_diff_reports_an_indirect_change_by_a_clause_template(repo):
    clause = repo / "templates/clauses/ctg/duree.md.j2"
    text = clause.read_text(encoding="utf-8")
    assert "de manière expresse" in text
    clause.write_text(text.replace("de manière expresse", "par avenant signé de toutes les parties"), encoding="utf-8")
    git(repo, "commit", "-qam", "Clause de durée")
    result = run_build(repo, "diff", "HEAD~1", "HEAD")
    assert result.code == 0, result.err
    out = result.out.replace("\u00a0", " ").replace("\u202f", " ")
    assert "Document modifié : ctg-test-2022-2026" in out
    assert "Modification indirecte" in out and "templates/clauses/ctg/duree.md.j2" in out
    assert "TEXTE SIGNÉ MODIFIÉ" in out
    assert "supprimé : « de manière expresse. »" in out
    assert "ajouté : « par avenant signé de toutes les parties. »" in out
    assert "Durée de la convention" in out  # where the change is
    assert "\033[" not in result.out  # no colours when stdout is not a terminal
    # the avenant does not include that clause: unchanged, not listed as modified
    assert "Document modifié : ctg-test-2022-2026-avenant-2023-001" not in out

    md = run_build(repo, "diff", "--format", "markdown", "HEAD~1", "HEAD")
    assert md.code == 0, md.err
    assert md.out.startswith("## Relecture des textes")
    assert "**TEXTE SIGNÉ MODIFIÉ**" in md.out
    assert "~~de manière expresse.~~" in md.out and "`templates/clauses/ctg/duree.md.j2`" in md.out


def test_diff_reports_registry_changes_and_new_documents(repo):
    org = repo / "conventions/_registre/organisations/cc-test.yaml"
    org.write_text(org.read_text(encoding="utf-8").replace("prenom: Paul", "prenom: Paule"), encoding="utf-8")
    assert run_no_tty(repo, *NEW_CONVENTION).returncode == 0
    result = run_build(repo, "diff", "HEAD")  # against the work tree, uncommitted files included
    assert result.code == 0, result.err
    out = result.out.replace("\u00a0", " ").replace("\u202f", " ")
    assert "arbre de travail" in out
    assert "Nouveau document : ctg-cc-test-2027-2031" in out
    assert "conventions/_registre/organisations/cc-test.yaml" in out
    assert "ajouté : « Paule »" in out
    assert out.count("TEXTE SIGNÉ MODIFIÉ") >= 2  # the signed convention and its signed avenant


def test_diff_reports_invalid_sources_in_french(repo):
    path = repo / CONV / "convention.md"
    path.write_text(path.read_text(encoding="utf-8").replace("statut: signée", "statut: signee"), encoding="utf-8")
    git(repo, "commit", "-qam", "Faute de frappe")
    result = run_build(repo, "diff", "HEAD~1", "HEAD")
    assert result.code == 1
    assert "Traceback" not in result.err + result.out
    assert "ne sont pas valides" in result.out and "[valeur-inconnue]" in result.out
    unknown = run_build(repo, "diff", "branche-inconnue")
    assert unknown.code == 2 and "inconnue de git" in unknown.err and "Traceback" not in unknown.err
