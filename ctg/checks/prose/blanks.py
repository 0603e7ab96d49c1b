"""Blanks left to fill, in every form, and a word typed twice (« du du »).

« le … 2021 », « Le..... 2021 », « __/__/2026 », « XX/XX/2026 », « en … exemplaires »,
« … » or « ? » as a name, « [à compléter] »: in the texts and in the data files (registry,
équipements, fiches), reported where they are written. A final document's own blanks are
already errors of « texte-a-completer »: they are not reported twice.
"""

from __future__ import annotations

import re

from ..validate import find_placeholders
from .text import Unit, finding

RULE_IDS = ("blanc", "mot-repete")

ELLIPSIS = r"(?:…|\.{2,})"
BLANKS = [
    (re.compile(rf"\b[Ll]e\s*{ELLIPSIS}(?:\s*\d{{4}})?"), "date laissée en blanc"),
    (re.compile(r"(?<!\w)(?:_{1,4}|X{1,4}|JJ|\?{1,2})\s*/\s*(?:_{1,4}|X{1,4}|MM|\?{1,2})\s*/\s*(?:\d{2,4}|_{2,4}|X{2,4}"
                r"|AAAA)(?!\w)"), "date laissée en blanc"),
    (re.compile(rf"\ben\s+(?:{ELLIPSIS}|_+|X+|\?)\s*exemplaires", re.I), "nombre d'exemplaires laissé en blanc"),
    (re.compile(rf"(?:\b(?:M\.|Mme|Madame|Monsieur|Maire|Président|Présidente|commune\s+d[e']|représentée?\s+par)"
                rf"\s*)(?:{ELLIPSIS}|\?+)(?=[\s,;.)]|$)"), "nom laissé en blanc"),
    (re.compile(r"\[\s*(?:à|a)\s+(?:compléter|completer|préciser|preciser|définir|definir)[^\]]*\]", re.I),
     "mention « [à compléter] »"),
    (re.compile(r"_{3,}"), "ligne à remplir"),
    (re.compile(r"\bX{3,}\b"), "marque « XXX »"),
]
REPEATED = re.compile(r"(?<![\w'’-])([a-zà-öø-ÿ]{1,})[ \u00a0]\1(?![\w'’-])", re.I)
REPEAT_OK = {"nous", "vous", "sens", "tout", "très", "bien", "si"}


def check(unit: Unit, known) -> list:
    out = []
    # texte-a-completer reads the texts of final conventions and avenants, not délibérations (no variables)
    final = unit.doc is not None and unit.doc.final and unit.markdown and unit.variables
    where = "dans une donnée du registre" if unit.doc is None else ("dans une donnée" if not unit.markdown else "")
    for lineno, line in unit.numbered():
        if final and find_placeholders(line):
            continue  # texte-a-completer reports it (an error in a final document)
        taken: list[tuple[int, int]] = []
        for rx, what in BLANKS:
            for m in rx.finditer(line):
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue  # the same blank, read by an earlier pattern
                taken.append(m.span())
                out.append(finding("blanc", lineno, m.start() + 1,
                                   f"{what} (« {m.group(0).strip()} »){' ' + where if where else ''} ; "
                                   "complétez " + _what_to_fill(unit)))
        for m in REPEATED.finditer(line):
            if m.group(1).lower() in REPEAT_OK or not _same(m):
                continue
            out.append(finding("mot-repete", lineno, m.start() + 1,
                               f"mot répété « {m.group(0)} » ; supprimez l'un des deux."))
    return out


def _what_to_fill(unit: Unit) -> str:
    if not unit.markdown:
        return "la donnée."
    return "le texte ou écrivez la variable qui le calcule." if unit.variables else "le texte."


def _same(m: re.Match) -> bool:
    first, second = m.group(0).split()[0], m.group(0).split()[-1]
    return first.lower() == second.lower()
