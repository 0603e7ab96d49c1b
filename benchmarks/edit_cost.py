"""The cost of an edit at two scales, side by side in one run: python benchmarks/run.py --edition.

For each scale (default 0.25 and 1), on the synthetic corpus (corpus.py):

- the full build (-j N), the reference of the ratios, and its peak memory;
- a no-op rebuild (« Rien à refaire »);
- one annex of one convention edited, then « build.py » (every output, the site included);
- one fiche edited, then « build.py check » (load, check with the prose lint, assemble: what the
  author waits for before the preview), and « build.py docx ID » after a fiche edit;
- one registry entry used by one convention (its intercommunalité's file) edited, then « check »;
- one clause of the library, used by every convention, edited, then « check »;
- the preview: « build.py serve --interne » started, the avenant's page fetched, the avenant saved
  with a new sentence, and the seconds until the served page holds it (the browser's livereload
  reloads it at that moment).

The corpus's conventions are signed: after an edit of a convention's text, its fingerprint is
recorded again (« empreintes --forcer », not timed), as a legal officer would have to for a signed
text; the avenants are « prêt pour signature » and need none. Each edit appends a new sentence, so
every run sees a change. The measures of about a second (no-op, one fiche, the preview) are repeated
seven times, since their run-to-run spread (about 0.1 s) is of the order of the growth measured; one
annex and « docx ID » three times (median kept); the ones that read the whole corpus again
(registry, clause library) once. No time is asserted anywhere.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = [sys.executable, str(ROOT / "build.py")]
REPEAT = 3
REPEAT_SHORT = 7  # the measures of about a second: noop, one fiche, the preview


def _run(root: Path, *args: str, check: bool = True) -> float:
    start = time.perf_counter()
    proc = subprocess.run([*BUILD, "--racine", str(root), *args], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if check and proc.returncode != 0:
        raise RuntimeError(f"échec de build.py {' '.join(args)} :\n{proc.stderr[-3000:]}")
    return elapsed


def _append(path: Path, sentence: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{sentence}\n", encoding="utf-8")


def _fiche_edit(path: Path, k: int) -> None:
    """A new sentence at the end of the fiche's first text field (« titre »)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith("titre: "))
    lines[i] += f" (révision {k})"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_latency(root: Path, page: str, source: Path, repeat: int = REPEAT_SHORT) -> tuple[float, list[float]]:
    """(seconds to the first page served, [seconds from each save to the served page holding it])."""
    port = _free_port()
    env = dict(os.environ, CTG_SERVE_ADRESSE=f"127.0.0.1:{port}")
    start = time.perf_counter()
    proc = subprocess.Popen([*BUILD, "--racine", str(root), "serve", "--interne"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/{page}"

    def fetch() -> str | None:
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:
                return answer.read().decode("utf-8", "replace")
        except OSError:
            return None

    try:
        while fetch() is None:
            if proc.poll() is not None or time.perf_counter() - start > 3600:
                raise RuntimeError("la prévisualisation ne répond pas")
            time.sleep(0.2)
        first = time.perf_counter() - start
        time.sleep(2)  # the watcher settles
        latencies = []
        for k in range(repeat):
            marker = f"Phrase de mesure numéro {k} {int(time.time())}"
            saved = time.perf_counter()
            _append(source, marker + ".")
            while True:
                body = fetch()
                if body is not None and marker in body:
                    break
                if time.perf_counter() - saved > 1800:
                    raise RuntimeError("la page n'a pas été mise à jour")
                time.sleep(0.05)
            latencies.append(time.perf_counter() - saved)
            time.sleep(1)
        return first, latencies
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def measure_scale(scale: float, tmp: Path, jobs: int, seed: int, say) -> dict:
    from benchmarks.corpus import generate
    from benchmarks.run import build as timed_build, clean

    n_conv = max(2, round(200 * scale))
    root = tmp / f"echelle-{scale:g}"
    say(f"[{scale:g}] Corpus synthétique : {n_conv} conventions…")
    generate(root, n_conv, seed=seed)
    clean(root)
    say(f"[{scale:g}] Construction complète, -j {jobs}…")
    t_full, peak = timed_build(root, "-j", str(jobs), memory=True)
    conventions = sorted(p.name for p in (root / "conventions").iterdir() if p.name.startswith("ctg-"))
    conv = conventions[0]
    folder = root / "conventions" / conv
    say(f"[{scale:g}] Sans modification…")
    noop = [_run(root) for _ in range(REPEAT_SHORT)]
    say(f"[{scale:g}] Une annexe modifiée, puis build.py…")
    incr = []
    for k in range(REPEAT):
        _append(folder / "annexes" / "diagnostic.md", f"Paragraphe ajouté pour la mesure {k}.")
        _run(root, "empreintes", "--forcer", conv)
        incr.append(_run(root, "-j", str(jobs)))
    say(f"[{scale:g}] Une fiche modifiée, puis check…")
    fiche = sorted((folder / "fiches").glob("*.yaml"))[0]
    _run(root, "check")  # the index of « check » (its prose findings) as the author's last run left it
    edit_fiche = []
    for k in range(REPEAT_SHORT):
        _fiche_edit(fiche, k)
        _run(root, "empreintes", "--forcer", conv)
        edit_fiche.append(_run(root, "check"))
    say(f"[{scale:g}] Une fiche modifiée, puis docx ID…")
    docx = []
    for k in range(REPEAT):
        _fiche_edit(fiche, REPEAT_SHORT + k)
        _run(root, "empreintes", "--forcer", conv)
        docx.append(_run(root, "docx", conv))
    say(f"[{scale:g}] Une entrée du registre (une convention), puis check…")
    territory = next(line.split(":", 1)[1].strip() for line in (folder / "convention.md").read_text(
        encoding="utf-8").splitlines() if line.startswith("territoire:"))
    org = root / "conventions" / "_registre" / "organisations" / f"{territory}.yaml"
    text = org.read_text(encoding="utf-8")
    org.write_text(text.replace("    prenom: ", "    prenom: Jean-", 1), encoding="utf-8")
    _run(root, "empreintes", "--forcer", conv)
    edit_registry = _run(root, "check")
    say(f"[{scale:g}] Une clause de la bibliothèque (toutes les conventions), puis check…")
    clause = root / "templates" / "clauses" / "ctg" / "duree.md.j2"
    _append(clause, "Phrase ajoutée à la clause pour la mesure.")
    _run(root, "empreintes", "--forcer")
    edit_clause = _run(root, "check")
    say(f"[{scale:g}] Prévisualisation (serve) : un avenant enregistré…")
    avenant = sorted((folder / "avenants").glob("*.md"))[0]
    page = f"conventions/{conv}/avenants/{avenant.stem}/"
    serve_first, serve = serve_latency(root, page, avenant)
    return {
        "scale": scale, "conventions": n_conv,
        "documents": sum(1 for _ in (root / "dist").rglob("*.pdf")),
        "full_build_seconds": round(t_full, 1), "peak_rss_mb": round(peak / 2**20),
        "noop_seconds": round(statistics.median(noop), 2),
        "noop_ratio": round(statistics.median(noop) / t_full, 4),
        "incremental_seconds": round(statistics.median(incr), 2),
        "incremental_ratio": round(statistics.median(incr) / t_full, 4),
        "edit_fiche_seconds": round(statistics.median(edit_fiche), 2),
        "docx_after_edit_seconds": round(statistics.median(docx), 2),
        "edit_registry_seconds": round(edit_registry, 2),
        "edit_clause_seconds": round(edit_clause, 2),
        "serve_first_seconds": round(serve_first, 1),
        "serve_latency_seconds": round(statistics.median(serve), 2),
        "all_seconds": {"noop": noop, "incremental": incr, "edit_fiche": edit_fiche, "docx": docx, "serve": serve},
    }


def run_edition(scales: list[float], tmp: Path, jobs: int, seed: int, say) -> dict:
    per_scale = {}
    for s in scales:  # each scale's figures kept as soon as they are measured (a long run may be stopped)
        per_scale[f"{s:g}"] = measure_scale(s, tmp, jobs, seed, say)
        (tmp / "echelles.json").write_text(json.dumps(per_scale, indent=2, default=str) + "\n", encoding="utf-8")
    small, large = per_scale[f"{min(scales):g}"], per_scale[f"{max(scales):g}"]
    top = {k: large[k] for k in ("edit_fiche_seconds", "serve_latency_seconds", "incremental_ratio", "noop_ratio",
                                 "docx_after_edit_seconds", "edit_registry_seconds", "edit_clause_seconds",
                                 "full_build_seconds", "incremental_seconds", "noop_seconds", "peak_rss_mb",
                                 "conventions", "documents")}
    top["scale"] = max(scales)
    top["edit_growth_ratio"] = round(large["edit_fiche_seconds"] / small["edit_fiche_seconds"], 2)
    top["serve_growth_ratio"] = round(large["serve_latency_seconds"] / small["serve_latency_seconds"], 2)
    top["jobs"] = jobs
    top["echelles"] = per_scale
    return top


def print_edition(r: dict) -> None:
    from benchmarks.run import _fr

    scales = list(r["echelles"])
    rows = [("", *[f"échelle {s}" for s in scales])]
    labels = [("conventions", "Conventions"), ("documents", "Documents (PDF)"),
              ("full_build_seconds", "Construction complète (s)"), ("noop_seconds", "Sans modification (s)"),
              ("incremental_seconds", "Une annexe, build.py (s)"), ("edit_fiche_seconds", "Une fiche, check (s)"),
              ("docx_after_edit_seconds", "Une fiche, docx ID (s)"), ("edit_registry_seconds", "Une entrée du registre, check (s)"),
              ("edit_clause_seconds", "Une clause de la bibliothèque, check (s)"),
              ("serve_latency_seconds", "Prévisualisation : enregistrement → page (s)"),
              ("serve_first_seconds", "Prévisualisation : premier rendu (s)"), ("peak_rss_mb", "Mémoire maximale (Mio)")]
    for key, label in labels:
        rows.append((label, *[_fr(r["echelles"][s][key]) for s in scales]))
    rows.append(("Une annexe / complet", *[f"{_fr(100 * r['echelles'][s]['incremental_ratio'])} %" for s in scales]))
    rows.append(("Sans modification / complet", *[f"{_fr(100 * r['echelles'][s]['noop_ratio'])} %" for s in scales]))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    print(f"Croissance (plus grande / plus petite échelle) : une fiche × {_fr(r['edit_growth_ratio'])}, "
          f"prévisualisation × {_fr(r['serve_growth_ratio'])}")
