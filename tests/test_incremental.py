"""Incremental builds are never stale; parallel, cached and sharded builds give the same bytes."""

from __future__ import annotations

import hashlib
import json
import re
import struct
import zlib
from pathlib import Path

from conftest import run_build
from fixture_corpus import CONV
from test_reliability import tree

CONVENTION = "ctg-test-2022-2026"
AVENANT_PDF = f"dist/{CONVENTION}/{CONVENTION}-avenant-2023-001.pdf"
CONVENTION_PDF = f"dist/{CONVENTION}/{CONVENTION}.pdf"


def png(rgb: tuple[int, int, int]) -> bytes:
    """A 4×4 PNG of one colour."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + bytes(rgb) * 4 for _ in range(4))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def refingerprint(root: Path) -> None:
    """The fixture's texts are signed: record their new fingerprint (« empreintes --forcer »)."""
    result = run_build(root, "empreintes", "--forcer")
    assert result.code == 0, result.err


def edit(root: Path, rel: str, old: str | bytes, new: str | bytes) -> None:
    path = root / rel
    if isinstance(old, bytes):
        data = path.read_bytes()
        assert old in data, rel
        path.write_bytes(data.replace(old, new, 1))
        return
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def state(root: Path, rel: str) -> tuple[str, int]:
    path = root / rel
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def rebuild(root: Path, *args: str) -> str:
    result = run_build(root, *args)
    assert result.code == 0, result.err
    return result.err


def reference_docx_with_font(path: Path, font: str) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/styles.xml":
                data = data.replace(b'w:ascii="Arial"', f'w:ascii="{font}"'.encode(), 1)
            dst.writestr(item, data)
    return out.getvalue()


# Each change: (what, file, old, new, output that must change, output that must not be rebuilt)
CHANGES = [
    ("own source", f"{CONV}/avenants/2023-001.md", "l'adhésion du Département", "l'adhésion du Département du "
     "Pas-de-Calais", AVENANT_PDF, CONVENTION_PDF),
    ("registry entry", "conventions/_registre/organisations/departement62.yaml", "nom: Leroux", "nom: Lerouge",
     AVENANT_PDF, CONVENTION_PDF),
    ("clause template", "templates/clauses/ctg/recours.md.j2", None, "\nClause ajoutée pour le test.\n",
     CONVENTION_PDF, AVENANT_PDF),
    ("data file", f"{CONV}/donnees/equipements.yaml", "Relais petite enfance intercommunal",
     "Relais petite enfance communautaire", CONVENTION_PDF, AVENANT_PDF),
]


def test_every_kind_of_dependency_rebuilds_its_outputs_and_only_them(make_project):
    root = make_project({"conventions/_registre/logos/caf.png": png((200, 30, 30))})
    edit(root, "conventions/_registre/organisations/caf62.yaml", "designation: la Caf",
         "designation: la Caf\nlogo: logos/caf.png")
    refingerprint(root)
    rebuild(root, "pdf")
    for what, rel, old, new, changed, kept in CHANGES:
        before = {p: state(root, p) for p in (CONVENTION_PDF, AVENANT_PDF)}
        if old is None:
            (root / rel).write_text((root / rel).read_text(encoding="utf-8") + new, encoding="utf-8")
        else:
            edit(root, rel, old, new)
        refingerprint(root)
        err = rebuild(root, "pdf")
        assert state(root, changed)[0] != before[changed][0], f"{what}: {changed} should have changed"
        if kept is not None:
            assert state(root, kept) == before[kept], f"{what}: {kept} should not have been rebuilt"
            assert "(1 produit, 1 réutilisé du cache, 1 écrit)" in err, (what, err)
    # an image the text only names: its bytes count
    before = state(root, CONVENTION_PDF)
    (root / "conventions/_registre/logos/caf.png").write_bytes(png((30, 30, 200)))
    rebuild(root, "pdf")
    assert state(root, CONVENTION_PDF)[0] != before[0], "logo"
    # an unrelated file: nothing is rebuilt, nothing is rewritten
    before = {p: state(root, p) for p in (CONVENTION_PDF, AVENANT_PDF)}
    (root / "templates/clauses/ctg/inutilisee.md.j2").write_text("Clause que personne n'inclut.\n", encoding="utf-8")
    err = rebuild(root, "pdf")
    assert {p: state(root, p) for p in before} == before
    assert "(0 produit, 2 réutilisés du cache, 0 écrit)" in err, err
    # --force rebuilds everything (same bytes: the files are left as they are)
    err = rebuild(root, "pdf", "--force")
    assert "(2 produits, 0 réutilisé du cache" in err, err
    assert {p: state(root, p)[0] for p in before} == {p: h for p, (h, _) in before.items()}


def test_reference_docx_change_rebuilds_the_docx(make_project):
    root = make_project()
    rebuild(root, "docx")
    docx = f"dist/{CONVENTION}/{CONVENTION}.docx"
    before = state(root, docx)
    ref = root / "templates/reference.docx"
    ref.write_bytes(reference_docx_with_font(ref, "Liberation Serif"))
    rebuild(root, "docx")
    assert state(root, docx)[0] != before[0]


def test_noop_rebuild_runs_no_tool_and_sees_deleted_outputs(make_project, monkeypatch, capsys):
    import subprocess

    from ctg.cli import main as cli

    root = make_project()
    rebuild(root, "pdf")

    def forbidden(*args, **kwargs):
        raise AssertionError(f"no external program may run on a no-op rebuild: {args[:1]}")

    # No pandoc or LibreOffice may run (nor git, nor anything else).
    monkeypatch.setattr(subprocess.Popen, "__init__", forbidden)
    assert cli.main(["--racine", str(root), "pdf"]) == 0
    assert "Rien à refaire" in capsys.readouterr().err
    monkeypatch.undo()
    (root / CONVENTION_PDF).unlink()  # an output removed by hand is noticed (and taken from the cache)
    err = rebuild(root, "pdf")
    assert "Rien à refaire" not in err and (root / CONVENTION_PDF).is_file()
    assert "(0 produit, 2 réutilisés du cache, 1 écrit)" in err, err


def test_outputs_identical_with_and_without_cache_and_with_one_or_two_jobs(make_project):
    one, two = make_project(), make_project()
    rebuild(one, "-j", "1", "--force")
    rebuild(two, "-j", "2")
    first, second = tree(one / "dist"), tree(two / "dist")
    assert first and first == second
    assert tree(one / "site") == tree(two / "site")
    for folder in ("dist", "site"):  # the same again, every output taken from the cache
        for path in sorted((two / folder).rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
    err = rebuild(two, "-j", "2")
    assert "0 produit" in err, err
    assert tree(two / "dist") == first
    assert tree(two / "site") == tree(one / "site")


def test_shards_split_the_conventions_and_skip_the_site(make_project):
    from ctg.core.parallel import deal, parse_shard, shard_of, split, undeal

    assert parse_shard("2/4") == (2, 4)
    conventions = [f"c{i}" for i in range(7)]
    shards = [shard_of(conventions, k, 3) for k in (1, 2, 3)]
    assert set().union(*shards) == set(conventions) and sum(map(len, shards)) == 7
    assert [len(b) for b in split(list(range(7)), 3)] == [3, 2, 2]
    assert deal(list(range(7)), 3) == [[0, 3, 6], [1, 4], [2, 5]] and undeal(deal(list(range(7)), 3)) == list(range(7))
    root = make_project()
    err = rebuild(root, "--shard", "2/2")
    assert "aucune convention" in err and not (root / "dist").exists()
    rebuild(root, "--shard", "1/2")
    assert sorted(p.name for p in (root / "dist" / CONVENTION).iterdir()) == sorted(
        f"{CONVENTION}{s}" for s in (".docx", ".pdf", "-avenant-2023-001.docx", "-avenant-2023-001.pdf"))
    assert not (root / "site").exists() and not (root / "dist/MANIFEST.sha256").exists()
    result = run_build(root, "--shard", "3/2")
    assert result.code == 2 and "K doit être compris entre 1 et N" in result.err


def _slow_square(n: int) -> int:
    import time

    time.sleep(0.05 * (5 - n))  # the first items finish last
    return n * n


def test_parallel_results_come_back_in_the_documents_order():
    from ctg.core.parallel import ordered_map

    assert list(ordered_map(_slow_square, range(5), 2)) == [0, 1, 4, 9, 16]


def _pid(_item) -> int:
    import os

    return os.getpid()


def test_one_job_builds_in_workers_that_are_replaced():
    """-j 1 on a corpus: one worker at a time, replaced like those of -j 2 (its memory stays flat,
    and « -j 2 against -j 1 » compares the same work)."""
    import os

    from ctg.core.parallel import TASKS_PER_WORKER, ordered_map

    pids = list(ordered_map(_pid, range(3 * TASKS_PER_WORKER), 1))
    assert os.getpid() not in pids
    assert len(set(pids)) == 3
    assert set(ordered_map(_pid, range(TASKS_PER_WORKER), 1)) == {os.getpid()}  # a few: no process


def test_site_pages_from_the_cache_are_those_a_cold_build_renders(make_project):
    """Pages taken from .cache/pages/ after an edit: the site is byte for byte the one a build
    without any cache makes, first for a text and a registry edit (few pages rendered), then for a
    change of the glossary and of the title (on every page: every page rendered again)."""
    warm, cold = make_project(), make_project()
    rebuild(warm, "site")
    # (edits made at once, whether every page shows what they change); the sites compared after each step
    steps = [([(f"{CONV}/convention.md", "Développer l'offre", "Développer encore l'offre"),
               # consolidated versions (.cache/versions): a registry entry that the avenant names
               ("conventions/_registre/organisations/departement62.yaml", "nom: Leroux", "nom: Lerouge")], False),
             # the glossary: <abbr title> on every page (added after the pages' own cache)
             ([("conventions/_registre/sigles.yaml", "RPE: Relais petite enfance",
                "RPE: Relais de la petite enfance")], True),
             # the title: in the nav of every page
             ([(f"{CONV}/convention.md", "titre_court: CTG Test 2022-2026", "titre_court: CTG du Test 2022-2026")],
              True)]
    for step, every_page in steps:
        for root in (warm, cold):
            for rel, old, new in step:
                edit(root, rel, old, new)
            refingerprint(root)
        err = rebuild(warm, "site")
        rendered, reused, kept = map(int, re.search(
            r"\((\d+) pages? rendues?, (\d+) reprises? du cache, (\d+) inchangées?\)", err).groups())
        rebuild(cold, "site", "--force")
        assert tree(warm / "site") == tree(cold / "site"), (step, err)
        if every_page:
            assert reused == kept == 0, err  # the nav or the glossary changed: no page could be reused
        else:
            # the pages showing the text only; the others kept from the published site, not rendered
            assert 0 < rendered < kept, err
    index = json.loads((warm / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = " ".join(f"{d['title']} {d['text']}" for d in index["docs"]).replace("\u00a0", " ")
    assert "Développer encore" in text and "CTG du Test 2022-2026" in text
    assert "LEROUGE" in text.upper()
    fiche = (warm / "site" / "conventions" / CONVENTION / "fiches" / "rpe" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<abbr title="Relais de la petite enfance"( tabindex="0")?>RPE</abbr>', fiche)


def test_site_splits_and_renders_again_only_the_documents_that_changed(make_project):
    """.cache/site-documents/: one entry per document; editing the convention's text replaces its
    entry and leaves its avenant's (whose text did not change) as it was."""
    root = make_project()
    rebuild(root, "site")
    folder = root / ".cache" / "site-documents"
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    avenant = f"{CONVENTION}-avenant-2023-001.public."
    assert any(n.startswith(f"{CONVENTION}.public.") for n in before) and any(n.startswith(avenant) for n in before)
    edit(root, f"{CONV}/convention.md", "Développer l'offre", "Développer encore l'offre")
    refingerprint(root)
    rebuild(root, "site")
    after = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert sorted(set(before) ^ set(after)) and all(n.startswith(f"{CONVENTION}.public.") for n in set(before) ^ set(after))
    assert len(after) == len(before)  # the convention's old entry is gone
    kept = [n for n in after if n.startswith(avenant)]
    assert kept and all(after[n] == before[n] for n in kept)  # not rewritten
