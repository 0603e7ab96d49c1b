"""The cost of an edit at two scales, side by side in one run: python benchmarks/run.py --edition.

Every scale (default 0.25 and 1) is built first; then each measure is taken at one scale, then at
the other, repeat after repeat (the two previews run at once, their saves in turn). The machine's
other loads and its file cache (the kernel of the benchmark's machine pages out memory not used for
a while, DAMON) then weigh alike on both figures of a growth ratio: measured one scale after the
other, after a 25-minute build, the one-fiche check varied by 0.3 s from one series to the next.

On the synthetic corpus (corpus.py), at each scale:

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


class Preview:
    """« build.py serve --interne » on one corpus: started (seconds to the first page served), then
    saves of a source, each timed until the served page holds its new sentence."""

    def __init__(self, root: Path, page: str, source: Path):
        self.source = source
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}/{page}"
        start = time.perf_counter()
        self.proc = subprocess.Popen([*BUILD, "--racine", str(root), "serve", "--interne"],
                                     env=dict(os.environ, CTG_SERVE_ADRESSE=f"127.0.0.1:{port}"),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while self._fetch() is None:
                if self.proc.poll() is not None or time.perf_counter() - start > 3600:
                    raise RuntimeError("la prévisualisation ne répond pas")
                time.sleep(0.2)
        except BaseException:
            self.stop()
            raise
        self.first = time.perf_counter() - start

    def _fetch(self) -> str | None:
        try:
            with urllib.request.urlopen(self.url, timeout=10) as answer:
                return answer.read().decode("utf-8", "replace")
        except OSError:
            return None

    def save(self, k: int) -> float:
        marker = f"Phrase de mesure numéro {k} {int(time.time())}"
        saved = time.perf_counter()
        _append(self.source, marker + ".")
        while True:
            body = self._fetch()
            if body is not None and marker in body:
                return time.perf_counter() - saved
            if time.perf_counter() - saved > 1800:
                raise RuntimeError("la page n'a pas été mise à jour")
            time.sleep(0.05)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Scale:
    """One scale's corpus, built in full; its measures are added to `figures` as they are taken."""

    def __init__(self, scale: float, tmp: Path, jobs: int, seed: int, say):
        from benchmarks.corpus import generate
        from benchmarks.run import build as timed_build, clean

        self.scale, self.jobs, self.say = scale, jobs, say
        self.n_conv = max(2, round(200 * scale))
        self.root = tmp / f"echelle-{scale:g}"
        say(f"[{scale:g}] Corpus synthétique : {self.n_conv} conventions…")
        generate(self.root, self.n_conv, seed=seed)
        clean(self.root)
        say(f"[{scale:g}] Construction complète, -j {jobs}…")
        t_full, peak = timed_build(self.root, "-j", str(jobs), memory=True)
        self.conv = sorted(p.name for p in (self.root / "conventions").iterdir() if p.name.startswith("ctg-"))[0]
        self.folder = self.root / "conventions" / self.conv
        self.fiche = sorted((self.folder / "fiches").glob("*.yaml"))[0]
        self.times: dict[str, list[float]] = {}
        self.figures = {"scale": scale, "conventions": self.n_conv,
                        "documents": sum(1 for _ in (self.root / "dist").rglob("*.pdf")),
                        "full_build_seconds": round(t_full, 1), "peak_rss_mb": round(peak / 2**20)}

    def measure(self, kind: str, k: int) -> None:
        """One repeat of a measure (the edit before it not timed)."""
        root, conv = self.root, self.conv
        if kind == "noop":
            elapsed = _run(root)
        elif kind == "incremental":
            _append(self.folder / "annexes" / "diagnostic.md", f"Paragraphe ajouté pour la mesure {k}.")
            _run(root, "empreintes", "--forcer", conv)
            elapsed = _run(root, "-j", str(self.jobs))
        else:  # edit_fiche, then docx: a new sentence in the fiche each time
            if kind == "edit_fiche" and k == 0:
                _run(root, "check")  # the index of « check » (its prose findings) as the author's last run left it
            _fiche_edit(self.fiche, k if kind == "edit_fiche" else REPEAT_SHORT + k)
            _run(root, "empreintes", "--forcer", conv)
            elapsed = _run(root, "check") if kind == "edit_fiche" else _run(root, "docx", conv)
        self.times.setdefault(kind, []).append(elapsed)

    def whole_reloads(self) -> None:
        """The edits every convention's check reads again: timed once each."""
        root, say = self.root, self.say
        say(f"[{self.scale:g}] Une entrée du registre (une convention), puis check…")
        territory = next(line.split(":", 1)[1].strip() for line in (self.folder / "convention.md").read_text(
            encoding="utf-8").splitlines() if line.startswith("territoire:"))
        org = root / "conventions" / "_registre" / "organisations" / f"{territory}.yaml"
        text = org.read_text(encoding="utf-8")
        org.write_text(text.replace("    prenom: ", "    prenom: Jean-", 1), encoding="utf-8")
        _run(root, "empreintes", "--forcer", self.conv)
        self.figures["edit_registry_seconds"] = round(_run(root, "check"), 2)
        say(f"[{self.scale:g}] Une clause de la bibliothèque (toutes les conventions), puis check…")
        _append(root / "templates" / "clauses" / "ctg" / "duree.md.j2", "Phrase ajoutée à la clause pour la mesure.")
        _run(root, "empreintes", "--forcer")
        self.figures["edit_clause_seconds"] = round(_run(root, "check"), 2)

    def preview(self) -> Preview:
        avenant = sorted((self.folder / "avenants").glob("*.md"))[0]
        self.say(f"[{self.scale:g}] Prévisualisation (serve) : premier rendu…")
        preview = Preview(self.root, f"conventions/{self.conv}/avenants/{avenant.stem}/", avenant)
        self.figures["serve_first_seconds"] = round(preview.first, 1)
        return preview

    def result(self) -> dict:
        t, f = self.times, self.figures
        median = {kind: statistics.median(v) for kind, v in t.items()}
        f |= {"noop_seconds": round(median["noop"], 2),
              "noop_ratio": round(median["noop"] / f["full_build_seconds"], 4),
              "incremental_seconds": round(median["incremental"], 2),
              "incremental_ratio": round(median["incremental"] / f["full_build_seconds"], 4),
              "edit_fiche_seconds": round(median["edit_fiche"], 2),
              "docx_after_edit_seconds": round(median["docx"], 2),
              "serve_latency_seconds": round(median["serve"], 2),
              "all_seconds": {kind: t[kind] for kind in ("noop", "incremental", "edit_fiche", "docx", "serve")}}
        return f


MEASURES = (("noop", REPEAT_SHORT, "Sans modification"), ("incremental", REPEAT, "Une annexe modifiée, puis build.py"),
            ("edit_fiche", REPEAT_SHORT, "Une fiche modifiée, puis check"),
            ("docx", REPEAT, "Une fiche modifiée, puis docx ID"))


def run_edition(scales: list[float], tmp: Path, jobs: int, seed: int, say) -> dict:
    """Every scale built first; then each measure taken at every scale in turn, repeat after repeat,
    so that the state of the machine (its other loads, its file cache) weighs alike on the figures
    a growth ratio compares."""
    states = [Scale(s, tmp, jobs, seed, say) for s in scales]
    for kind, repeat, label in MEASURES:
        say(f"{label} (échelles en alternance)…")
        for k in range(repeat):
            for st in states:
                st.measure(kind, k)
    for st in states:
        st.whole_reloads()
    previews = []
    try:
        for st in states:
            previews.append(st.preview())
        time.sleep(2)  # the watchers settle
        say("Prévisualisation : un avenant enregistré (échelles en alternance)…")
        for k in range(REPEAT_SHORT):
            for st, preview in zip(states, previews):
                st.times.setdefault("serve", []).append(preview.save(k))
                time.sleep(1)
    finally:
        for preview in previews:
            preview.stop()
    per_scale = {f"{st.scale:g}": st.result() for st in states}
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
