"""The dependency index (ctg/build/dependency_index.py): after an edit, only what it changed is loaded,
checked and assembled again, and what is reported is exactly what a run without the index reports."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, run_build

BOULONNAIS = "conventions/ctg-ca-boulonnais-2025-2029"
RENEWAL = "conventions/ctg-cc-pays-opale-2027-2031/convention.md"


@pytest.fixture
def bundled(tmp_path) -> Path:
    """A copy of the bundled corpus (several conventions, a renewal, a délibération), its index written."""
    root = tmp_path / "projet"
    root.mkdir()
    for name in ("conventions", "templates"):
        shutil.copytree(ROOT / name, root / name)
    first = run_build(root, "markdown")  # writes the index
    assert first.code == 0, first.err
    return root


def entries(root: Path) -> dict[str, str]:
    """{convention folder: key of its entry} in the index."""
    return {p.name.split(".")[0]: p.name.split(".")[1] for p in (root / ".cache/index/units").glob("*.pickle")}


def same_as_without_index(root: Path, *args: str):
    """The run through the index (first) and the same run ignoring it (--force): same code, same output."""
    through = run_build(root, *args)
    without = run_build(root, "--force", *args)
    assert (through.code, through.out, through.err) == (without.code, without.out, without.err), args
    return through


def write(root: Path, rel: str, old: str | None, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    if old is None:
        path.write_text(text + new, encoding="utf-8")
        return
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_edit_reads_again_only_its_convention_and_reports_what_a_full_run_reports(bundled):
    root = bundled
    before = entries(root)
    assert len(before) == 6
    # a fiche of a convention being drafted: its folder only
    write(root, f"{BOULONNAIS}/fiches/ad-premier-accueil.yaml", "Former les agents", "Former tous les agents")
    through = run_build(root, "check")
    assert through.code == 0, through.err
    after = entries(root)
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"ctg-ca-boulonnais-2025-2029"}
    assert same_as_without_index(root, "check").code == 0
    markdown = run_build(root, "markdown", "ctg-ca-boulonnais-2025-2029")
    assert "Former tous les agents" in markdown.out
    assert markdown.out == run_build(root, "--force", "markdown", "ctg-ca-boulonnais-2025-2029").out
    # every document, the others from their entries, in the order of a run without the index
    write(root, f"{BOULONNAIS}/fiches/ad-premier-accueil.yaml", "Former tous les agents", "Former les agents")
    every = run_build(root, "markdown")
    assert every.code == 0 and every.out == run_build(root, "--force", "markdown").out


def test_a_convention_read_for_the_checks_of_another_is_not_assembled_again(bundled, monkeypatch):
    """An edit of the renewal reads again the convention it replaces, and through the délibération
    that approves that one's avenant, the two others it approves: four folders loaded and checked,
    one assembled. The documents of the three others come from their entries, as a run without the
    index assembles them."""
    from ctg.assembly.assemble import Assembler
    from ctg.build.incremental import load_check_assemble
    from ctg.core.diagnostics import Diagnostics
    from ctg.core.project import Project

    assembled: list[str] = []
    for kind in ("convention", "avenant"):
        real = getattr(Assembler, kind)

        def counted(self, source, *args, _real=real):
            assembled.append(source.id)
            return _real(self, source, *args)

        monkeypatch.setattr(Assembler, kind, counted)
    assert run_build(bundled, "check").code == 0  # the index with the prose findings, as the author's last run left it
    write(bundled, "conventions/ctg-cc-pays-opale-2027-2031/fiches/entraide.yaml", "Le tissu associatif est dense",
          "Le tissu associatif reste dense")
    diags = Diagnostics(bundled)
    checked = load_check_assemble(Project(bundled), diags, complete=False, lint=True)
    assert not diags.has_errors(), diags.items
    assert checked.loaded == {"ctg-cc-pays-opale-2027-2031", "ctg-cc-pays-opale-2022-2026",
                              "ctg-cc-region-audruicq-2022-2026", "ctg-cc-ternois-2023-2027"}
    assert assembled == ["ctg-cc-pays-opale-2027-2031"]
    assembled.clear()
    without = load_check_assemble(Project(bundled), Diagnostics(bundled), complete=False, force=True)
    assert len(assembled) == len(without.docs) > len(checked.docs) > 1
    for ident, doc in checked.docs.items():
        assert doc == without.docs[ident], ident
    assert list(checked.docs) == [i for i in without.docs if i in checked.docs]  # in the corpus's order


# (what, file, text replaced (None: appended), new text, exit code of « check » after the edit)
KINDS = [
    ("convention", f"{BOULONNAIS}/convention.md", None, "\nPhrase ajoutée à la fin.\n", 0),
    ("avenant", "conventions/ctg-cc-pays-opale-2022-2026/avenants/2024-001.md", None, "\nPhrase ajoutée.\n", 0),
    ("annexe", f"{BOULONNAIS}/annexes/diagnostic.md", None, "\nParagraphe ajouté.\n", 0),
    ("fiche", f"{BOULONNAIS}/fiches/ej-mercredis.yaml", None, "\nceci: [n'est pas\n", 1),
    ("équipements", f"{BOULONNAIS}/donnees/equipements.yaml", None, "\nceci: [n'est pas\n", 1),
    ("plan d'actions", f"{BOULONNAIS}/donnees/plan-actions.yaml", "cle: axes", "cle: axes_inconnus", 1),
    ("clause de la convention", f"{BOULONNAIS}/clauses/communication.md.j2", None, "\nPhrase ajoutée.\n", 0),
    ("empreintes d'un texte signé", "conventions/ctg-cc-pays-opale-2022-2026/empreintes.yaml", None,
     "\nctg-inconnu: 0000\n", 1),
    ("fiche d'un texte signé", "conventions/ctg-cc-pays-opale-2022-2026/fiches/accueil-jeune-enfant.yaml",
     "Pérenniser et maintenir", "Maintenir", 1),
    ("registre", "conventions/_registre/organisations/ccas-boulogne.yaml", "Boulogne", "Boulognes", 0),
    ("glossaire", "conventions/_registre/sigles.yaml", "ALSH: Accueil de loisirs sans hébergement",
     "ALSH: Accueil de loisirs sans hébergement (modifié)", 1),
    ("mots du projet", "conventions/_registre/mots.txt", "Bourbourg\n", "", 1),
    ("maires", "conventions/_registre/maires.yaml", None, "\n  \"99999\": []\n", 1),
    ("types d'équipements", "conventions/_registre/types-equipements.yaml", None, "\n  - code: [\n", 1),
    ("données officielles", "conventions/_registre/officiel/communes.yaml", "population: 40539", "population: 40540", 0),
    ("délibération", "conventions/_deliberations/deliberation-cp-2023-578/deliberation.md",
     "  - ctg-cc-ternois-2023-2027", "  - ctg-cc-inconnue-2023-2027", 1),
    ("bibliothèque de clauses", "templates/clauses/ctg/duree.md.j2", None, "\nClause modifiée.\n", 1),
    # a second convention replacing the one the renewal replaces: the error is in the renewal's folder,
    # which did not change (the index reads it again with the one that did)
    ("remplace", f"{BOULONNAIS}/convention.md", "identifiant: ctg-ca-boulonnais-2025-2029",
     "identifiant: ctg-ca-boulonnais-2025-2029\nremplace: ctg-cc-pays-opale-2022-2026", 1),
    ("période", RENEWAL, "debut: 2027-01-01", "debut: 2021-01-01", 1),
]


def test_every_kind_of_input_is_seen(bundled):
    """Each kind of input of the loader and the assembler, edited (then restored): the assembled texts
    through the index (every document, those of the conventions not read again from their entries)
    are those of a run without it, and so are the errors where the edit makes one (in another
    convention's folder too). Each edit changes what is compared, so no comparison is empty."""
    baseline = run_build(bundled, "markdown")
    for what, rel, old, new, expect in KINDS:
        path = bundled / rel
        assert path.is_file(), rel
        before = path.read_bytes()
        write(bundled, rel, old, new)
        command = "check" if rel.endswith("mots.txt") else "markdown"  # the word list: only the prose check
        now = same_as_without_index(bundled, command)
        assert now.code == expect, (what, now.err)
        if what == "remplace":
            assert "ctg-cc-pays-opale-2027-2031/convention.md:6" in now.err and "remplacee-deux-fois" in now.err
        if command == "markdown":
            assert (now.code, now.out, now.err) != (baseline.code, baseline.out, baseline.err), what
        path.write_bytes(before)


def test_an_error_then_its_fix(bundled):
    fiche = f"{BOULONNAIS}/fiches/ej-mercredis.yaml"
    text = (bundled / fiche).read_text(encoding="utf-8")
    (bundled / fiche).write_text("titre: [non fermé\n" + text, encoding="utf-8")
    failed = same_as_without_index(bundled, "markdown")
    assert failed.code == 1 and "ej-mercredis.yaml:1" in failed.err
    (bundled / fiche).write_text(text, encoding="utf-8")
    through = run_build(bundled, "markdown")
    assert through.code == 0, through.err


def test_a_new_and_a_removed_convention(bundled):
    """A folder added or removed: the set of conventions changed, everything is checked again."""
    copy = bundled / "conventions/ctg-ca-boulonnais-2030-2034"
    shutil.copytree(bundled / BOULONNAIS, copy)
    write(bundled, "conventions/ctg-ca-boulonnais-2030-2034/convention.md",
          "identifiant: ctg-ca-boulonnais-2025-2029", "identifiant: ctg-ca-boulonnais-2030-2034")
    same_as_without_index(bundled, "markdown")
    listed = run_build(bundled, "list")
    assert "ctg-ca-boulonnais-2030-2034" in listed.out
    shutil.rmtree(copy)
    assert same_as_without_index(bundled, "markdown").code == 0
    assert "ctg-ca-boulonnais-2030-2034" not in run_build(bundled, "list").out


def test_a_removed_entry_is_rebuilt(bundled):
    """An entry removed by hand (or by a cleaning tool): the run does without the index."""
    for p in (bundled / ".cache/index/units").glob("ctg-cabbalr-*.pickle"):
        p.unlink()
    write(bundled, f"{BOULONNAIS}/fiches/ad-premier-accueil.yaml", "Former les agents", "Former tous les agents")
    markdown = run_build(bundled, "markdown")  # every document: the entries of the others are read
    assert markdown.code == 0, markdown.err
    assert markdown.out == run_build(bundled, "--force", "markdown").out


def test_the_prose_findings_on_shared_files_are_those_of_their_inputs_now(bundled):
    """The prose check reads the registry's data files, a délibération's rapport and a convention's
    files only when their inputs changed: otherwise it reports what the index kept of them (a
    rapport's section is read against the facts of the document it is about, which the run may not
    have read), and never what a fixed file said."""
    unused = "conventions/_registre/organisations/association-essai.yaml"
    (bundled / unused).write_text("id: association-essai\ntype: association\nnom: Association ____ du Littoral\n"
                                  "article: l'\ngenre: f\ndesignation: l'association\n", encoding="utf-8")
    blank = f"{unused}:3:"
    rapport = "conventions/_deliberations/deliberation-cp-2023-578/rapport.md"
    write(bundled, rapport, "Les 15 communes de la communauté", "Les 16 communes de la communauté")
    count = f"{rapport}:42:58"  # « compte-communes » : the text says 16, the document has 15
    opale = "conventions/ctg-cc-pays-opale-2022-2026/avenants/2023-001.md"  # approved with Audruicq's avenant
    write(bundled, opale, None, "\nLes 23 communes du territoire en tirent le bilan.\n")  # a count typed
    first = run_build(bundled, "check")  # shared inputs changed: everything read, the findings kept
    assert first.code == 1 and blank in first.err and count in first.err, first.err
    assert "16 communes mais le document en a 15" in first.err.replace("\xa0", " ") and f"{opale}:" in first.err
    # a fiche edited, in a convention the délibération does not approve: neither the registry nor the
    # délibération is read again, their findings are still reported
    write(bundled, f"{BOULONNAIS}/fiches/ad-premier-accueil.yaml", "Former les agents", "Former tous les agents")
    again = same_as_without_index(bundled, "check")
    assert again.code == 1 and blank in again.err and count in again.err, again.err
    assert again.err.count(unused) == 1 and again.err.count(rapport) == 1
    # the registry's file fixed (and a fiche edited): its finding is gone, the rapport's stays
    write(bundled, unused, "Association ____ du", "Association du")
    write(bundled, f"{BOULONNAIS}/fiches/ad-premier-accueil.yaml", "Former tous les agents", "Former les agents")
    after = same_as_without_index(bundled, "check")
    assert after.code == 1 and unused not in after.err and count in after.err, after.err
    # Audruicq's avenant edited: the documents approved with it are read again for the délibération's
    # checks, the délibération's prose too; Pays d'Opale's prose is not (its inputs did not change):
    # its finding is the one the index kept
    write(bundled, "conventions/ctg-cc-region-audruicq-2022-2026/avenants/2023-001.md", None, "\nUne phrase.\n")
    last = same_as_without_index(bundled, "check")
    assert f"{opale}:" in last.err and count in last.err, last.err


def test_the_saves_a_preview_was_told_of_give_the_scan_of_every_file(bundled):
    """The preview looks only at the files its watcher reported saved (written, created, deleted):
    the keys of the units and of the shared inputs are those of a scan of every file; a folder
    reached through a symbolic link (whose saves no watcher reports) is said so."""
    from ctg.build import dependency_index as di

    root = bundled
    previous = di.read_index(root)
    saved = {
        root / f"{BOULONNAIS}/fiches/ad-premier-accueil.yaml",  # written
        root / f"{BOULONNAIS}/annexes/note-ajoutee.md",  # created
        root / RENEWAL,  # deleted
        root / "templates/clauses/ctg/duree.md.j2",  # a shared input
        root / "docs/guide.md",  # not an input of the documents
    }
    write(root, f"{BOULONNAIS}/fiches/ad-premier-accueil.yaml", "Former les agents", "Former tous les agents")
    (root / f"{BOULONNAIS}/annexes/note-ajoutee.md").write_text("Une note.\n", encoding="utf-8")
    (root / RENEWAL).unlink()
    write(root, "templates/clauses/ctg/duree.md.j2", None, "Une phrase.\n")
    told = di.Scan(root, previous, {str(p) for p in saved})
    every = di.Scan(root, previous)
    assert told.saved_only and not every.saved_only
    assert told.files == every.files
    assert (told.units, told.shared) == (every.units, every.shared)
    assert told.units != previous.units and told.shared != previous.shared
    # a save not told is not seen: what the preview relies on its watcher for
    write(root, f"{BOULONNAIS}/convention.md", None, "\nUne phrase de plus.\n")
    assert di.Scan(root, previous, {str(p) for p in saved}).units == told.units
    assert di.Scan(root, previous).units != told.units
    assert not every.through_links
    (root / "conventions/ctg-lien").symlink_to(root / BOULONNAIS, target_is_directory=True)
    assert di.Scan(root, previous).through_links


def test_the_registry_kept_by_the_index_answers_as_the_one_loaded():
    """Its communes are a table made on demand (commune_table.py): what a run reads of it, and what
    the checks derive from every name, equal the registry as loaded from the YAML."""
    import pickle

    from ctg.build.incremental import _packed
    from ctg.checks.prose.facts import fold
    from ctg.checks.prose.known import known_from
    from ctg.checks.territory_checks import NameIndex
    from ctg.core.diagnostics import Diagnostics
    from ctg.sources.commune_table import CommuneTable
    from ctg.sources.corpus import Corpus
    from ctg.sources.loader import REGISTRY_DIR, load_registry

    loaded = load_registry(ROOT / "conventions" / REGISTRY_DIR, Diagnostics(ROOT))
    stored = pickle.loads(pickle.dumps(_packed(loaded)))
    table = stored.communes
    assert isinstance(table, CommuneTable) and len(table) == len(loaded.communes) > 800
    assert not table._made  # unpickling made no commune
    code = sorted(loaded.communes)[-1]
    assert table[code] == loaded.communes[code] and len(table._made) == 1
    assert code in table and "00000" not in table and table.get("00000") is None
    assert dict(table) == loaded.communes
    assert {y: dict(v.communes) for y, v in stored.millesimes.items()} == {
        y: v.communes for y, v in loaded.millesimes.items()}
    assert {"known", "name-keys"} <= set(table.derived)  # computed when stored, not by each run
    fresh, kept = known_from(Corpus(ROOT, loaded)), known_from(Corpus(ROOT, stored))
    for name in ("names", "name_kind", "sirens", "one_word", "longest", "name_words", "sigles"):
        assert getattr(fresh, name) == getattr(kept, name), name
    every = [*(c.nom for c in loaded.communes.values()), *(e.nom_complet for e in loaded.epci.values()),
             *(o.nom for o in loaded.organisations.values() if o.nom)]
    assert set(kept.names) == {fold(n) for n in every}
    assert kept.longest == max(len(fold(n).split()) for n in every) > 1
    assert {w for n in every for w in re.split(r"[\s\-'’,()]+", n) if w} <= kept.name_words
    assert all(kept.sirens[c.siren] == c.nom for c in loaded.communes.values() if c.siren and c.siren not in loaded.epci)
    NameIndex._last.clear()
    by_key = NameIndex(loaded).by_key
    NameIndex._last.clear()
    assert NameIndex(stored).by_key == by_key and by_key
