"""« python build.py diff ANCIENNE NOUVELLE » with two convention identifiers: what a renewal changes.

The two conventions of the work tree are assembled, then compared piece by piece rather than line by
line: the period, the parties, each article (matched by its anchor, then by its title, so that a
renumbered article is still the same article) and each annex. A changed article is summarised by its
counts of words removed and added and a few excerpts of the word difference (review_diff.py).
"""

from __future__ import annotations

import difflib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from ..build.pipeline import assemble_checked, load_and_check
from ..core.diagnostics import Diagnostics, report
from ..core.document import AssembledDocument
from ..core.french import date_fr
from ..core.project import Project
from .review_diff import fr, readable, word_excerpts

MAX_EXCERPTS = 3  # per changed article
_HEADING = re.compile(r"^# (?P<title>.+?)(?:\s*\{#(?P<id>[^}\s]+)[^}]*\})?\s*$")
_NUMBER = re.compile(r"^(?:Article|Annexe)\s+[^\s–-]+\s+[–-]\s+")


@dataclass
class Piece:
    id: str
    title: str  # as printed, « Article 3 – Objet »
    text: str  # Markdown below the heading

    @property
    def name(self) -> str:  # the title without its number
        return _NUMBER.sub("", self.title)


def applies(args, root: Path) -> bool:
    """Both arguments name conventions of the work tree (a git revision is never written that way)."""
    if not args.rev_b:
        return False
    ids = {p.name for p in (root / "conventions").glob("*") if (p / "convention.md").is_file()}
    return args.rev_a in ids and args.rev_b in ids


def pieces(markdown: str) -> tuple[list[Piece], list[Piece]]:
    """(articles, annexes) of an assembled convention: its level-1 headings, the préambule among the articles."""
    articles, annexes, current = [], [], None
    for line in markdown.split("\n"):
        m = _HEADING.match(line)
        if line.startswith("::: {.cloture"):  # the closing formula and the signatures: a piece of their own
            current = Piece("cloture", "Formule finale et signatures", "")
            articles.append(current)
        elif m:
            ident = m.group("id") or m.group("title")
            current = Piece(ident, m.group("title").strip(), "")
            (annexes if ident.startswith("annexe-") else articles).append(current)
        elif current is not None:
            current.text += line + "\n"
    return articles, annexes


def _match(old: list[Piece], new: list[Piece]) -> tuple[list[tuple[Piece | None, Piece | None]]]:
    """Pairs (old, new): by anchor, then by title without number; unpaired ones alone, in the new order."""
    by_id = {p.id: p for p in old}
    by_name = {p.name: p for p in old}
    used, pairs = set(), []
    for p in new:
        q = by_id.get(p.id) if p.id not in used else None
        if q is None or id(q) in used:
            q = by_name.get(p.name)
        if q is not None and id(q) not in used:
            used.add(id(q))
            pairs.append((q, p))
        else:
            pairs.append((None, p))
    pairs += [(q, None) for q in old if id(q) not in used]
    return pairs


_SUB_NUMBER = re.compile(r"^\d+(?:\.\d+)*\s+[–-]\s+")


_MARKUP = re.compile(r"\*\*|(?<!\w)\*|\*(?!\w)|[\[\]]")
_PAGES = re.compile(r"\[[^\n]*\]\{\.mention-pages\}")  # « comporte N pages »: filled in at layout


def _words(text: str) -> list[str]:
    """The words as read: no emphasis marks or brackets of spans, no page-count mention; a sub-article's
    number left out (a renumbered article is not a changed one)."""
    lines = readable(_PAGES.sub("", text))
    return _MARKUP.sub("", " ".join(_SUB_NUMBER.sub("", line.text) if line.heading else line.text
                                    for line in lines)).split()


def _counts(old: str, new: str) -> tuple[int, int]:
    a, b = _words(old), _words(new)
    removed = added = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            removed, added = removed + i2 - i1, added + j2 - j1
    return removed, added


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


def _section(label: str, pairs, excerpts: bool) -> list[str]:
    lines, same = [f"{label} :"], 0
    for old, new in pairs:
        if old is None:
            lines.append(f"  ajouté : {new.title}")
        elif new is None:
            lines.append(f"  retiré : {old.title}")
        elif _words(old.text) == _words(new.text):
            same += 1
            if old.title != new.title:
                what = "renuméroté" if old.name == new.name else "renommé"
                lines.append(f"  {what} : {old.title} → {new.title}")
        else:
            removed, added = _counts(old.text, new.text)
            title = new.title if old.name == new.name else f"{old.title} → {new.title}"
            lines.append(f"  modifié : {title} ({_plural(removed, 'mot')} en moins, {_plural(added, 'mot')} en plus)")
            if excerpts:
                old_words, new_words = " ".join(_words(old.text)), " ".join(_words(new.text))
                for ex in word_excerpts(old_words, new_words, new.title)[:MAX_EXCERPTS]:
                    lines.append("      " + " ".join(t if k == "=" else f"[-{t}-]" if k == "-" else "{+" + t + "+}"
                                                     for k, t in ex.pieces))
    lines.append(f"  inchangés : {same}")
    return lines


def compare(old: AssembledDocument, new: AssembledDocument, replaces: bool) -> list[str]:
    """The summary, one French line each."""
    lines = [f"Comparaison de {old.id} ({old.short_title}) et de {new.id} ({new.short_title})"]
    if replaces:
        lines.append(f"{new.id} remplace {old.id}.")
    lines.append("")
    period = lambda d: f"du {date_fr(d.start)} au {date_fr(d.end)}"  # noqa: E731
    lines.append(f"Période : {period(old)} → {period(new)}" if period(old) != period(new)
                 else f"Période : inchangée ({period(new)})")
    old_parties = [s.organisation for s in old.signatories]
    new_parties = [s.organisation for s in new.signatories]
    added = [p for p in new_parties if p not in old_parties]
    removed = [p for p in old_parties if p not in new_parties]
    lines.append(f"Parties ajoutées : {', '.join(added) if added else 'aucune'}")
    lines.append(f"Parties retirées : {', '.join(removed) if removed else 'aucune'}")
    lines.append("")
    (arts_a, annexes_a), (arts_b, annexes_b) = pieces(old.markdown), pieces(new.markdown)
    lines += _section("Articles", _match(arts_a, arts_b), excerpts=True)
    lines.append("")
    lines += _section("Annexes", _match(annexes_a, annexes_b), excerpts=False)
    return [fr(line) for line in lines]


def command(args, root: Path) -> int:
    project, diags = Project(root), Diagnostics(root)
    corpus = load_and_check(project, diags)
    docs = {} if diags.errors else assemble_checked(project, corpus, diags)
    if diags.errors:
        report(diags.sorted())
        print(fr("build.py diff : erreur : les sources de l'arbre de travail ne sont pas valides."), file=sys.stderr)
        return 1
    old, new = docs[args.rev_a], docs[args.rev_b]
    text = "\n".join(compare(old, new, corpus.conventions[new.id].meta.remplace == old.id)) + "\n"
    if args.sortie:
        args.sortie.write_text(text, encoding="utf-8")
        print(fr(f"Relevé écrit dans {args.sortie}."))
    else:
        sys.stdout.write(text)
    return 0
