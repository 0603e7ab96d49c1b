"""Benchmark at national scale: python benchmarks/run.py [--scale S] [--json FILE] [--jobs N].

Generates a synthetic corpus (benchmarks/corpus.py; 200 conventions at scale 1) in a
temporary folder, then measures in ONE run, side by side, so that ratios hold on a
noisy machine:

(a) the full build (every output: DOCX, PDF, site) and the DOCX + PDF build vs the floor:
    the same assembled Markdown → plain pandoc DOCX, then plain « soffice --convert-to pdf »
    of that DOCX (the PDF is LibreOffice's export of the DOCX: one layout engine); the full
    build's floor also converts the documents only the site publishes (consolidated
    versions, public variants), which the full build converts too;
(b) our PDF route (assembled Markdown → DOCX → LibreOffice layout → PDF/A with signature
    fields) vs pandoc → HTML → WeasyPrint (minimal print CSS) and vs plain LibreOffice
    headless DOCX → PDF, on the same sample of documents (seconds per 100 pages);
(c) a no-op rebuild and a rebuild after editing one annex of one convention, vs the full build;
    the full build with 1 worker vs N workers;
(d) the site build vs a plain « mkdocs build » of the same assembled pages;
(e) peak memory of the full build (the process and all its children, summed), and the
    time of « build.py fiches » on the 100-commune convention of this repository.

With --edition, the cost of an edit at two scales (benchmarks/edit_cost.py); with --nationale, only the
full build and one shard of four, with their time and peak memory (benchmarks/national.py).

WeasyPrint is installed from PyPI into .cache/benchmarks/ (a tool of the benchmark only).
No time is asserted anywhere: the figures are printed and written as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import generate  # noqa: E402

BUILD = [sys.executable, str(ROOT / "build.py")]
TOOLS_DIR = ROOT / ".cache" / "benchmarks"
WEASY_DIR = TOOLS_DIR / "weasyprint"
PRINT_CSS = """@page { size: A4; margin: 2cm; @bottom-center { content: "Page " counter(page) " sur " counter(pages); } }
body { font-family: serif; font-size: 11pt; line-height: 1.35; }
h1 { font-size: 16pt; break-before: page; } h2 { font-size: 13pt; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; } td, th { border: 1px solid #888; padding: 2pt; }
"""


# ------------------------------------------------------------------ measuring


class PeakRss:
    """Peak of the summed memory of a process and all its descendants, polled from /proc: proportional
    set size (PSS), so pages shared by forked workers are not counted twice; RSS where PSS is unreadable."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _poll(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self._stop.is_set():
            children: dict[int, list[int]] = {}
            rss: dict[int, int] = {}
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    with open(f"/proc/{entry}/stat") as fh:
                        fields = fh.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                pid, ppid = int(entry), int(fields[1])
                children.setdefault(ppid, []).append(pid)
                rss[pid] = int(fields[21]) * page
            total, todo = 0, [self.pid]
            while todo:
                p = todo.pop()
                total += _pss(p) or rss.get(p, 0)
                todo += children.get(p, [])
            self.peak = max(self.peak, total)
            self._stop.wait(0.25)

    def stop(self) -> int:
        self._stop.set()
        self.thread.join()
        return self.peak


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run(cmd: list[str], cwd: Path | None = None, env: dict | None = None, memory: bool = False,
        check: bool = True) -> tuple[float, int]:
    """(wall seconds, peak RSS in bytes or 0)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watcher = PeakRss(proc.pid) if memory else None
    out, err = proc.communicate()
    elapsed = time.perf_counter() - start
    peak = watcher.stop() if watcher else 0
    if check and proc.returncode != 0:
        raise RuntimeError(f"échec de {' '.join(cmd)} :\n{err[-3000:]}{out[-1000:]}")
    return elapsed, peak


def clean(root: Path) -> None:
    for name in (".cache", "dist", "site"):
        shutil.rmtree(root / name, ignore_errors=True)


def build(root: Path, *args: str, memory: bool = False) -> tuple[float, int]:
    return run([*BUILD, "--racine", str(root), *args], memory=memory)


# ------------------------------------------------------------------ the floor and the other routes


def pandoc_exe() -> str:
    from ctg.core import pandoc

    return pandoc.executable()


def assembled(root: Path) -> tuple[dict, list]:
    """The assembled documents, and those only the site publishes (consolidated versions, public
    variants): the full build converts both, so its floor converts both too."""
    from ctg.build.pipeline import assemble_checked, load_and_check
    from ctg.core.diagnostics import Diagnostics
    from ctg.core.project import Project
    from ctg.site.publish import site_documents

    project = Project(root)
    diags = Diagnostics(root)
    corpus = load_and_check(project, diags)
    docs = assemble_checked(project, corpus, diags)
    return docs, [doc for doc, _variant in site_documents(corpus, docs)]


def pool(fn, items, jobs: int) -> None:
    with ThreadPoolExecutor(max_workers=jobs) as ex:  # each item runs external processes
        list(ex.map(fn, items))


def floor(md_files: list[Path], out: Path, jobs: int) -> float:
    """Plain pandoc → DOCX, then plain soffice --convert-to pdf of those DOCX."""
    from ctg.core.pandoc import READER
    from ctg.core.parallel import ordered_map

    start = time.perf_counter()
    for _ in ordered_map(_FloorDocx(pandoc_exe(), READER, out), md_files, jobs):
        pass
    t_docx = time.perf_counter() - start
    return t_docx + libreoffice_route([out / f"{md.stem}.docx" for md in md_files], out, jobs)


class _FloorDocx:
    def __init__(self, exe: str, reader: str, out: Path):
        self.exe, self.reader, self.out = exe, reader, out

    def __call__(self, md: Path) -> None:
        subprocess.run([self.exe, "-f", self.reader, str(md), "-o", str(self.out / f"{md.stem}.docx")], check=True)


def our_pdf_route(root: Path, docs: dict, ids: list[str], jobs: int) -> float:
    """Our PDF route from the same assembled documents, cache ignored: DOCX, LibreOffice's layout and
    export, PDF/A metadata and signature fields."""
    from ctg.build import build_outputs
    from ctg.core import pandoc
    from ctg.core.project import Project
    from ctg.core.progress import Progress

    pandoc.use_memo(None)
    build_outputs.configure(jobs=jobs, force=True)
    start = time.perf_counter()
    build_outputs.produce(Project(root), {i: docs[i] for i in ids}, ["pdf"], Progress(open(os.devnull, "w")))
    elapsed = time.perf_counter() - start
    build_outputs.configure()
    return elapsed


def ensure_tool(package: str) -> bool:
    """A tool of the benchmark only (WeasyPrint), installed from PyPI into .cache/benchmarks/."""
    folder = TOOLS_DIR / package
    if not (folder / package).is_dir():
        print(f"Installation de {package} (PyPI) dans .cache/benchmarks/ pour la comparaison…", file=sys.stderr)
        proc = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--target", str(folder), package],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"{package} n'a pas pu être installé : {proc.stderr[-500:]}", file=sys.stderr)
            return False
    return True


def weasyprint_route(md_files: list[Path], out: Path, jobs: int) -> float:
    from ctg.core.pandoc import READER

    exe = pandoc_exe()
    css = out / "print.css"
    css.write_text(PRINT_CSS, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(WEASY_DIR))

    def one(md: Path) -> None:
        html = out / f"{md.stem}.html"
        subprocess.run([exe, "-f", READER, "-s", str(md), "-t", "html5", "--css", str(css), "--embed-resources",
                        "-o", str(html)], check=True, capture_output=True)
        subprocess.run([sys.executable, "-m", "weasyprint", str(html), str(out / f"{md.stem}.pdf")], check=True,
                       env=env, capture_output=True)

    start = time.perf_counter()
    pool(one, md_files, jobs)
    return time.perf_counter() - start


def libreoffice_route(docx_files: list[Path], out: Path, jobs: int) -> float:
    """soffice --convert-to pdf, one process per batch (a profile each, so batches run side by side)."""
    from ctg.core.parallel import split
    from ctg.writers.libreoffice import soffice

    exe = soffice()

    def one(args: tuple[int, list[Path]]) -> None:
        i, batch = args
        profile = out / f"profil{i}"
        subprocess.run([exe, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
                        "--convert-to", "pdf", "--outdir", str(out), *map(str, batch)], check=True,
                       capture_output=True, env=dict(os.environ, SAL_USE_VCLPLUGIN="svp", HOME=str(out), TMPDIR=str(out)))

    start = time.perf_counter()
    pool(one, list(enumerate(split(docx_files, jobs))), jobs)
    return time.perf_counter() - start


def pdf_pages(path: Path) -> int:
    try:
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    except (OSError, subprocess.CalledProcessError, AttributeError):
        return len(re.findall(rb"/Type\s*/Page[^s]", path.read_bytes()))


def plain_mkdocs(root: Path, docs: dict, out: Path) -> float:
    """The same assembled pages (pandoc Markdown as is) through a plain mkdocs build, same theme."""
    pages = out / "docs"
    for ident, doc in docs.items():
        target = pages / (doc.parent or ident) / f"{ident}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(doc.markdown.split("\n---\n", 1)[-1], encoding="utf-8")
    (pages / "index.md").write_text("# Conventions\n", encoding="utf-8")
    (out / "mkdocs.yml").write_text("site_name: Conventions\ntheme:\n  name: material\n  language: fr\n"
                                    "markdown_extensions: [tables, footnotes, attr_list, toc]\n", encoding="utf-8")
    elapsed, _ = run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(out / "mkdocs.yml"),
                      "-d", str(out / "site")])
    return elapsed


def communes_of(root: Path, conv: str) -> int:
    from ctg.assembly.context import convention_facts
    from ctg.build.pipeline import load_and_check
    from ctg.core.diagnostics import Diagnostics
    from ctg.core.project import Project

    corpus = load_and_check(Project(root), Diagnostics(root))
    return len(convention_facts(corpus, corpus.conventions[conv]).communes)


def fiches_time(tmp: Path) -> tuple[float | None, str]:
    """« build.py fiches » on this repository's 100-commune convention (issue 6), if the command exists."""
    helper = subprocess.run([*BUILD, "fiches", "--help"], capture_output=True, text=True)
    if helper.returncode != 0:
        return None, "commande « fiches » absente"
    copy = tmp / "depot"
    for name in ("conventions", "templates"):
        shutil.copytree(ROOT / name, copy / name)
    conv = "ctg-cabbalr-2021-2025"
    n = communes_of(copy, conv)
    try:
        elapsed, _ = run([*BUILD, "--racine", str(copy), "fiches", conv])
    except RuntimeError as exc:
        last = [line for line in str(exc).splitlines() if line.strip()][-1]
        return None, f"échec de « fiches » : {last[:200]}"
    return elapsed * 100 / n, f"{conv} ({n} communes)"


# ------------------------------------------------------------------ the run


def compile_project() -> None:
    """The project's bytecode, as scripts/install.sh leaves it: where PYTHONDONTWRITEBYTECODE is set
    (as on the bench's machine), every command would otherwise compile ctg/ again (about 0.3 s)."""
    import compileall

    compileall.compile_dir(str(Path(__file__).resolve().parents[1] / "ctg"), quiet=1)


def main(argv: list[str] | None = None) -> int:
    from ctg.core.parallel import default_jobs

    parser = argparse.ArgumentParser(description="Mesures de performance sur un corpus synthétique.")
    parser.add_argument("--scale", type=float, default=1.0, help="échelle (1 = 200 conventions)")
    parser.add_argument("--json", type=Path, help="écrire les mesures dans ce fichier JSON")
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="processus parallèles (par défaut : cœurs)")
    parser.add_argument("--echantillon", type=int, default=24,
                        help="documents comparés aux routes WeasyPrint et LibreOffice (b)")
    parser.add_argument("--graine", type=int, default=2026)
    parser.add_argument("--garder", type=Path, help="garder le corpus et les sorties dans ce dossier")
    parser.add_argument("--edition", action="store_true",
                        help="mesurer le coût d'une modification à plusieurs échelles (benchmarks/edit_cost.py)")
    parser.add_argument("--echelles", default="0.25,1", help="échelles de --edition (par défaut : 0.25,1)")
    parser.add_argument("--nationale", action="store_true",
                        help="seulement la construction complète, puis une part sur quatre, avec leur durée et "
                             "leur mémoire (benchmarks/national.py ; avec --scale 6 : échelle nationale)")
    args = parser.parse_args(argv)
    jobs = max(1, args.jobs)
    compile_project()
    if args.edition:
        return edition(args, jobs)
    if args.nationale:
        return national(args, jobs)
    n_conv = max(2, round(200 * args.scale))
    tmp = Path(tempfile.mkdtemp(prefix="ctg-bench-")) if args.garder is None else args.garder
    tmp.mkdir(parents=True, exist_ok=True)
    root = tmp / "projet"
    say = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731

    say(f"Corpus synthétique : {n_conv} conventions (graine {args.graine})…")
    figures = generate(root, n_conv, seed=args.graine)
    docs, site_only = assembled(root)
    md_dir, md_site_dir = tmp / "markdown", tmp / "markdown-site"
    for folder in (md_dir, md_site_dir):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
    for ident, doc in docs.items():
        (md_dir / f"{ident}.md").write_text(doc.markdown, encoding="utf-8")
    for i, doc in enumerate(site_only):
        (md_site_dir / f"site-{i:04d}.md").write_text(doc.markdown, encoding="utf-8")
    md_files = sorted(md_dir.glob("*.md"))
    del site_only

    say(f"(a, e) Construction complète (sans cache), -j {jobs}…")
    clean(root)
    t_full, peak = build(root, "-j", str(jobs), memory=True)
    pages = {p.stem: pdf_pages(p) for p in (root / "dist").rglob("*.pdf")}
    total_pages = sum(pages.values())
    say("(c) Construction complète (sans cache), -j 1…")
    clean(root)
    t_full_1, _ = build(root, "-j", "1")
    say("(c) Reconstruction sans modification…")
    t_noop, _ = build(root)
    say("(c) Reconstruction après modification d'une annexe…")
    edited = sorted(d for d in docs if docs[d].kind == "convention")[0]
    annex = root / "conventions" / edited / "annexes" / "diagnostic.md"
    annex.write_text(annex.read_text(encoding="utf-8") + "\nParagraphe ajouté pour la mesure.\n", encoding="utf-8")
    run([*BUILD, "--racine", str(root), "empreintes", "--forcer", edited])  # the text is signed: record it again
    t_incr, _ = build(root)
    say("(a) DOCX puis PDF seuls, sans le site…")
    # one run writing every DOCX and PDF and nothing else: « --shard 1/1 » (the CI mode, no site)
    t_docx_pdf, _ = build(root, "--force", "-j", str(jobs), "--shard", "1/1")
    say("(a) Plancher : pandoc → DOCX, puis soffice --convert-to pdf…")
    floor_dir = tmp / "plancher"
    floor_dir.mkdir(exist_ok=True)
    t_floor = floor(md_files, floor_dir, jobs)
    md_site = sorted(md_site_dir.glob("*.md"))
    say(f"(a) Plancher des {len(md_site)} documents que seul le site publie (versions consolidées…)…")
    floor_site_dir = tmp / "plancher-site"
    floor_site_dir.mkdir(exist_ok=True)
    t_floor_site = floor(md_site, floor_site_dir, jobs) if md_site else 0.0

    say(f"(b) Routes PDF comparées sur {args.echantillon} documents…")
    sample = md_files[:args.echantillon]
    sample_ids = [m.stem for m in sample]
    sample_pages = sum(pages.get(i, 0) for i in sample_ids)
    t_ours_pdf = our_pdf_route(root, docs, sample_ids, jobs)
    t_weasy = None
    if ensure_tool("weasyprint"):
        weasy_dir = tmp / "weasyprint"
        weasy_dir.mkdir(exist_ok=True)
        t_weasy = weasyprint_route(sample, weasy_dir, jobs)
    lo_dir = tmp / "libreoffice"
    lo_dir.mkdir(exist_ok=True)
    t_lo = libreoffice_route([floor_dir / f"{i}.docx" for i in sample_ids], lo_dir, jobs)

    say("(d) Site : build.py site contre mkdocs build…")
    shutil.rmtree(root / ".cache" / "pandoc", ignore_errors=True)  # pages parsed and rendered again
    t_site, _ = build(root, "-j", str(jobs), "site")
    t_mkdocs = plain_mkdocs(root, docs, tmp / "mkdocs")

    say("(e) Fiches d'une convention de 100 communes…")
    fiches, fiches_note = fiches_time(tmp)

    per100 = lambda t: round(t * 100 / sample_pages, 2) if t is not None and sample_pages else None  # noqa: E731
    result = {
        "scale": args.scale, "seed": args.graine, "jobs": jobs,
        "documents": len(docs), "conventions": n_conv, "pages": total_pages, "communes": figures["communes"],
        "full_build_seconds": round(t_full, 1), "full_build_1_job_seconds": round(t_full_1, 1),
        "docx_pdf_build_seconds": round(t_docx_pdf, 1), "floor_seconds": round(t_floor, 1),
        "overhead_ratio": round(t_docx_pdf / t_floor, 2),
        "site_only_documents": len(md_site), "floor_site_only_seconds": round(t_floor_site, 1),
        "overhead_ratio_with_site": round(t_full / (t_floor + t_floor_site), 2),
        "pdf_sample_documents": len(sample), "pdf_sample_pages": sample_pages,
        "pdf_seconds_per_100_pages": per100(t_ours_pdf),
        "weasyprint_seconds_per_100_pages": per100(t_weasy),
        "libreoffice_seconds_per_100_pages": per100(t_lo),
        "pdf_speedup_vs_weasyprint": round(t_weasy / t_ours_pdf, 2) if t_weasy else None,
        "pdf_speedup_vs_libreoffice": round(t_lo / t_ours_pdf, 2),
        "noop_seconds": round(t_noop, 2), "noop_ratio": round(t_noop / t_full, 4),
        "incremental_seconds": round(t_incr, 1), "incremental_ratio": round(t_incr / t_full, 4),
        "parallel_speedup": round(t_full_1 / t_full, 2),
        "site_seconds": round(t_site, 1), "mkdocs_seconds": round(t_mkdocs, 1),
        "site_ratio_vs_mkdocs": round(t_site / t_mkdocs, 2),
        "peak_rss_mb": round(peak / 2**20),
        "fiches_seconds_per_100": round(fiches, 2) if fiches is not None else None,
        "fiches_note": fiches_note,
    }
    print_table(result)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if args.garder is None:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _in_folder(args, measure, show) -> int:
    """measure(tmp folder, say) in the folder --garder names (else a temporary one, removed after);
    its result shown, and written to --json."""
    tmp = Path(tempfile.mkdtemp(prefix="ctg-bench-")) if args.garder is None else args.garder
    tmp.mkdir(parents=True, exist_ok=True)
    result = measure(tmp, lambda m: print(m, file=sys.stderr, flush=True))
    show(result)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    if args.garder is None:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def edition(args, jobs: int) -> int:
    from benchmarks.edit_cost import print_edition, run_edition

    scales = sorted(float(x) for x in args.echelles.split(","))
    return _in_folder(args, lambda tmp, say: run_edition(scales, tmp, jobs, args.graine, say), print_edition)


def national(args, jobs: int) -> int:
    from benchmarks.national import print_national, run_national

    return _in_folder(args, lambda tmp, say: run_national(args.scale, tmp, jobs, args.graine, say), print_national)


def _fr(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}".replace(",", "\u202f").replace(".", ",")
    return str(value)


def print_table(r: dict) -> None:
    rows = [
        ("Corpus", f"{r['documents']} documents, {r['pages']} pages ({r['conventions']} conventions)", ""),
        ("(a) Construction complète (DOCX, PDF, site)", f"{_fr(r['full_build_seconds'])} s",
         f"× {_fr(r['overhead_ratio_with_site'])} le plancher de tous ses documents"),
        ("(a) DOCX et PDF seuls", f"{_fr(r['docx_pdf_build_seconds'])} s", f"× {_fr(r['overhead_ratio'])} le plancher"),
        ("(a) Plancher pandoc → DOCX → soffice", f"{_fr(r['floor_seconds'])} s", ""),
        ("(a) Plancher des documents du site seul", f"{_fr(r['floor_site_only_seconds'])} s",
         f"{r['site_only_documents']} versions consolidées et variantes publiques"),
        ("(b) Notre PDF, s / 100 pages", _fr(r["pdf_seconds_per_100_pages"]), ""),
        ("(b) WeasyPrint, s / 100 pages", _fr(r["weasyprint_seconds_per_100_pages"]),
         f"nôtre × {_fr(r['pdf_speedup_vs_weasyprint'])} plus rapide"),
        ("(b) LibreOffice, s / 100 pages", _fr(r["libreoffice_seconds_per_100_pages"]),
         f"nôtre × {_fr(r['pdf_speedup_vs_libreoffice'])} plus rapide"),
        ("(c) Sans modification", f"{_fr(r['noop_seconds'])} s", f"{_fr(100 * r['noop_ratio'])} % du complet"),
        ("(c) Une annexe modifiée", f"{_fr(r['incremental_seconds'])} s",
         f"{_fr(100 * r['incremental_ratio'])} % du complet"),
        ("(c) -j 1 contre -j N", f"{_fr(r['full_build_1_job_seconds'])} s", f"× {_fr(r['parallel_speedup'])}"),
        ("(d) Site / mkdocs build", f"{_fr(r['site_seconds'])} s / {_fr(r['mkdocs_seconds'])} s",
         f"× {_fr(r['site_ratio_vs_mkdocs'])}"),
        ("(e) Mémoire maximale", f"{r['peak_rss_mb']} Mio", ""),
        ("(e) fiches, s / 100 communes", _fr(r["fiches_seconds_per_100"]), r["fiches_note"]),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())


if __name__ == "__main__":
    sys.exit(main())
