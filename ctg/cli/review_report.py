"""The review of « build.py diff »: what changed in each document between two revisions (the data),
as text for the terminal or as Markdown for a merge request (the renderers)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..checks.integrity import SIGNED
from ..core.diagnostics import Diagnostic
from ..core.document import AssembledDocument
from ..core.french import french_typography

MAX_DIAGNOSTICS = 20  # errors listed for an invalid revision
SIGNED_LABEL = "TEXTE SIGNÉ MODIFIÉ"

fr = french_typography  # every line the user reads


@dataclass
class Side:
    label: str  # « a1b2c3d (main) » or « arbre de travail »
    docs: dict[str, AssembledDocument] | None  # None: sources invalid at that revision
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass
class Excerpt:
    where: str  # nearest heading before the change
    pieces: list[tuple[str, str]]  # ("=", "-", "+", text)

    @property
    def removed(self) -> list[str]:
        return [t for k, t in self.pieces if k == "-"]

    @property
    def added(self) -> list[str]:
        return [t for k, t in self.pieces if k == "+"]


@dataclass
class DocReport:
    ident: str
    kind: str  # "modifié" | "nouveau" | "supprimé" | "inchangé"
    status_a: str | None
    status_b: str | None
    changed_sources: list[str]
    indirect: bool
    excerpts: list[Excerpt] = field(default_factory=list)

    @property
    def signed_changed(self) -> bool:
        return self.status_a in SIGNED and self.kind in ("modifié", "supprimé")


@dataclass
class Review:
    side_a: Side
    side_b: Side
    changed: set[str]
    reports: list[DocReport]

    @property
    def valid(self) -> bool:
        return self.side_a.docs is not None and self.side_b.docs is not None

    def counts(self) -> str:
        n = {k: sum(1 for r in self.reports if r.kind == k) for k in ("modifié", "nouveau", "supprimé", "inchangé")}
        total = len(self.reports)
        return (f"{total} document{'s' if total > 1 else ''} : {n['modifié']} modifié{'s' if n['modifié'] > 1 else ''}, "
                f"{n['nouveau']} nouveau{'x' if n['nouveau'] > 1 else ''}, "
                f"{n['supprimé']} supprimé{'s' if n['supprimé'] > 1 else ''}, "
                f"{n['inchangé']} inchangé{'s' if n['inchangé'] > 1 else ''}.")


def _status(r: DocReport) -> str:
    if r.status_a and r.status_b and r.status_a != r.status_b:
        return f"statut : {r.status_a} → {r.status_b}"
    return f"statut : {r.status_b or r.status_a}"


def _sources_label(r: DocReport) -> str | None:
    if not r.changed_sources:
        return None
    if r.indirect:
        return "Modification indirecte, par les fichiers partagés ou de données dont il dépend"
    return "Fichiers sources modifiés dont il dépend"


def _more_and_hint(review: Review, side: Side) -> list[str]:
    lines = []
    more = len(side.diagnostics) - MAX_DIAGNOSTICS
    if more > 0:
        lines.append(f"… et {more} autre{'s' if more > 1 else ''} ; « python build.py check » à cette révision les "
                     "donne toutes.")
    if side is review.side_a and review.side_b.docs is not None:
        lines.append("Si ces sources étaient valides à l'époque, leur format a changé depuis : le code actuel ne sait "
                     "plus les lire, et la comparaison n'est possible qu'entre révisions de même format.")
    return lines


class Colors:
    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __call__(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.enabled else text


def render_text(review: Review, color: bool) -> str:
    c = Colors(color)
    out = [f"Relecture des textes assemblés : {review.side_a.label} → {review.side_b.label}"]
    for side in (review.side_a, review.side_b):
        if side.docs is None:
            out.append(c("1;31", f"Les sources de {side.label} ne sont pas valides "
                                 f"({len(side.diagnostics)} problème{'s' if len(side.diagnostics) > 1 else ''}) "
                                 "; pas de comparaison possible :"))
            out += [f"  {d.format()}" for d in side.diagnostics[:MAX_DIAGNOSTICS]]
            out += _more_and_hint(review, side)
    if not review.valid:
        return "\n".join(fr(x) for x in out) + "\n"
    out.append(review.counts())
    signed = [r for r in review.reports if r.signed_changed]
    if signed:
        out.append(c("1;31", f"{SIGNED_LABEL} : {', '.join(r.ident for r in signed)} ; un texte signé ne change "
                             "que par avenant."))
    for r in review.reports:
        flag = f"  {c('1;31', SIGNED_LABEL)}" if r.signed_changed else ""
        if r.kind == "inchangé":
            continue
        title = {"modifié": "Document modifié", "nouveau": "nouveau document",
                 "supprimé": "document supprimé"}[r.kind]
        out.append("")
        out.append(c("1", f"{title[:1].upper() + title[1:]} : {r.ident} ({_status(r)})") + flag)
        label = _sources_label(r)
        if label:
            out.append(f"  {label} : {', '.join(r.changed_sources)}.")
        where = None
        for ex in r.excerpts:
            if ex.where != where:
                out.append(f"  § {ex.where}")
                where = ex.where
            inline = " ".join(t if k == "=" else c("31", f"[-{t}-]") if k == "-" else c("32", "{+" + t + "+}")
                              for k, t in ex.pieces)
            out.append(f"      {inline}")
            for t in ex.removed:
                out.append("      " + c("31", f"supprimé : « {t} »"))
            for t in ex.added:
                out.append("      " + c("32", f"ajouté : « {t} »"))
    quiet = [r for r in review.reports if r.kind == "inchangé" and r.changed_sources]
    if quiet:
        out.append("")
        out.append("Sources modifiées sans effet sur le texte : "
                   + " ; ".join(f"{r.ident} ({', '.join(r.changed_sources)})" for r in quiet) + ".")
    return "\n".join(fr(x) for x in out) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_~\[\]<>|#])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def render_markdown(review: Review, limit: int | None = None) -> str:
    head = [f"## Relecture des textes : `{review.side_a.label}` → `{review.side_b.label}`", ""]
    for side in (review.side_a, review.side_b):
        if side.docs is None:
            head += [f"**Les sources de `{side.label}` ne sont pas valides** ; pas de comparaison possible :", "",
                     "```text", *(d.format() for d in side.diagnostics[:MAX_DIAGNOSTICS]), "```", "",
                     *(f"{line}\n" for line in _more_and_hint(review, side))]
    if not review.valid:
        return fr("\n".join(head)).rstrip("\n") + "\n"
    head += [review.counts(), ""]
    signed = [r for r in review.reports if r.signed_changed]
    if signed:
        head += [f"> 🔴 **{SIGNED_LABEL}** : {', '.join(f'`{r.ident}`' for r in signed)} ; un texte signé ne change "
                 "que par avenant.", ""]
    blocks = []
    for r in review.reports:
        if r.kind == "inchangé":
            continue
        title = {"modifié": "Document modifié", "nouveau": "Nouveau document", "supprimé": "Document supprimé"}[r.kind]
        flag = f" — 🔴 **{SIGNED_LABEL}**" if r.signed_changed else ""
        lines = [f"### {title} : `{r.ident}`{flag}", "", f"{_status(r)[:1].upper() + _status(r)[1:]}.", ""]
        label = _sources_label(r)
        if label:
            lines += [f"{label} : {', '.join(f'`{s}`' for s in r.changed_sources)}.", ""]
        where = None
        for ex in r.excerpts:
            if ex.where != where:
                lines += [f"**{_md(ex.where)}**", ""]
                where = ex.where
            inline = " ".join(_md(t) if k == "=" else f"~~{_md(t)}~~" if k == "-" else f"**{_md(t)}**"
                              for k, t in ex.pieces)
            lines += [f"> {inline}", ""]
            lines += [f"- supprimé : « {_md(t)} »" for t in ex.removed]
            lines += [f"- ajouté : « {_md(t)} »" for t in ex.added]
            lines.append("")
        blocks.append(lines)
    quiet = [r for r in review.reports if r.kind == "inchangé" and r.changed_sources]
    if quiet:
        blocks.append(["Sources modifiées sans effet sur le texte : "
                       + " ; ".join(f"`{r.ident}` ({', '.join(f'`{s}`' for s in r.changed_sources)})" for r in quiet)
                       + ".", ""])
    text = fr("\n".join(head)) + "\n"
    for i, block in enumerate(blocks):
        piece = fr("\n".join(block)) + "\n"
        if limit is not None and len(text) + len(piece) > limit:
            text += fr(f"\n*Relevé tronqué : {len(blocks) - i} document(s) de plus ; le relevé complet est joint "
                       "aux artefacts de l'intégration continue ou s'obtient avec « python build.py diff ».*\n")
            break
        text += piece
    return text.rstrip("\n") + "\n"
