"""The national scale in one run: python benchmarks/run.py --nationale [--scale 6] [--json FILE].

A synthetic corpus of the given scale (6: about 1,200 conventions, each with its intercommunalité,
avenants, délibérations) is generated once, then built twice from nothing, each time with its wall
time and the peak of the summed memory of the process and its children (PeakRss, as run.py):

- the full build, « build.py -j N »: every DOCX and PDF, the consolidated versions, the public
  site, the délibérations' dossiers;
- one shard of four, « build.py -j N --shard 1/4 »: the DOCX and PDF of a quarter of the
  conventions and their avenants, no site (one job of a CI matrix, docs/git.md).

The second at which each line of the full build's output arrives gives the time of each phase:
reading and checking the corpus, then the text of the consolidated versions (until the first
progress line), assembling every DOCX, LibreOffice's layout and the PDF, the délibérations' site
documents, the site (MkDocs), the dossiers. No time is asserted anywhere.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

SHARD = "1/4"

# (phase, what the first line printed after it holds): the phases of a full build, in their order
_MARKS = [
    ("lecture_verification_versions", lambda line: line.startswith("[")),  # the first progress line
    ("assemblage_docx", lambda line: "Mise en page par LibreOffice" in line),
    ("libreoffice_pdf", lambda line: "réutilisé" in line),  # the site lists the documents just built
    ("deliberations_du_site", lambda line: "construction par mkdocs" in line),
    ("site_mkdocs", lambda line: line.startswith("Site ") and " écrit dans " in line),
]


def phases(arrivals: list[tuple[float, str]], total: float) -> dict[str, float]:
    """{phase: seconds} from the wall time at which each line of a full build's output arrived
    (the build's own progress clock starts after the corpus is read and checked); the dossiers
    are what follows the site."""
    out, start = {}, 0.0
    for name, ends in _MARKS:
        at = next((t for t, line in arrivals if t >= start and ends(line)), None)
        if at is None:
            return out
        out[name], start = round(at - start, 1), at
    out["dossiers"] = round(total - start, 1)
    return out


def _timed(root: Path, log_path: Path, *args: str) -> tuple[dict, list[tuple[float, str]]]:
    """(wall time, peak memory and PDFs of one build; each output line with the second it arrived)."""
    from benchmarks.run import BUILD, PeakRss

    start = time.perf_counter()
    arrivals = []
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen([*BUILD, "--racine", str(root), *args], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, encoding="utf-8")
        watcher = PeakRss(proc.pid)
        for line in proc.stdout:
            arrivals.append((time.perf_counter() - start, line))
            log.write(line)
        code = proc.wait()
    elapsed = time.perf_counter() - start
    peak = watcher.stop()
    if code != 0:
        raise RuntimeError(f"échec de build.py {' '.join(args)}\u00a0: voir {log_path}")
    return {"seconds": round(elapsed, 1), "peak_rss_mb": round(peak / 2**20),
            "pdf": sum(1 for _ in (root / "dist").rglob("*.pdf"))}, arrivals


def run_national(scale: float, tmp: Path, jobs: int, seed: int, say) -> dict:
    from benchmarks.corpus import generate
    from benchmarks.run import clean

    n_conv = max(2, round(200 * scale))
    root = tmp / "projet"
    say(f"Corpus synthétique\u00a0: {n_conv} conventions (graine {seed})…")
    start = time.perf_counter()
    figures = generate(root, n_conv, seed=seed)
    result = {"scale": scale, "jobs": jobs, "seed": seed, **figures,
              "generate_seconds": round(time.perf_counter() - start, 1)}
    say(f"Construction complète, -j {jobs}…")
    clean(root)
    full, arrivals = _timed(root, tmp / "complete.log", "-j", str(jobs))
    full["site_pages"] = sum(1 for _ in (root / "site").rglob("*.html"))
    full["phases"] = phases(arrivals, full["seconds"])
    result["full_build"] = full
    say(f"Une part sur quatre, -j {jobs} --shard {SHARD}…")
    clean(root)
    shard, _ = _timed(root, tmp / "part.log", "-j", str(jobs), "--shard", SHARD)
    result["shard"] = {"shard": SHARD, **shard}
    return result


LABELS = {"lecture_verification_versions": "lecture, vérification, texte des versions consolidées",
          "assemblage_docx": "assemblage des DOCX (pandoc)", "libreoffice_pdf": "mise en page et PDF (LibreOffice)",
          "deliberations_du_site": "délibérations du site", "site_mkdocs": "site (MkDocs)",
          "dossiers": "dossiers de délibération"}


def print_national(r: dict) -> None:
    from benchmarks.run import _fr

    full, shard = r["full_build"], r["shard"]
    print(f"Corpus\u00a0: {r['conventions']} conventions, {r['communes']} communes, -j {r['jobs']}")
    print(f"Construction complète\u00a0: {_fr(full['seconds'])} s, {full['peak_rss_mb']} Mio, "
          f"{full['pdf']} PDF, {full['site_pages']} pages du site")
    for name, seconds in full["phases"].items():
        print(f"  {LABELS[name]}\u00a0: {_fr(seconds)} s")
    print(f"Une part sur quatre ({shard['shard']})\u00a0: {_fr(shard['seconds'])} s, {shard['peak_rss_mb']} Mio, "
          f"{shard['pdf']} PDF")
    sys.stdout.flush()
