"""One name spelt two ways in one document: « Saint-Pol » and « St-Pol », « Communauté de Communes du
Ternois » and « Communauté de communes du Ternois ».

Read over every file of a document (the convention with its annexes, fiches and data, an avenant
with its own, a délibération with its rapport): the names of the registry and the official data,
and any run of capitalised words (« Maison du Département Solidarité »), compared without
accents, case, hyphens and apostrophes, « St » read as « Saint ». When a name has two spellings
or more, each other spelling is reported once a file, with the place of the one kept: the
official name when the document uses it, else the most frequent spelling (the first on a tie).
A spelling that « nom-officiel » already reports at the same place is not reported twice.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Callable

from . import spelling
from .facts import fold
from .names import TOKEN, longest_name
from .text import Finding, Unit, finding

RULE_IDS = ("nom-deux-graphies",)

LETTERS = "A-Za-zÀ-ÖØ-öø-ÿŒœ"
CAPITAL = "A-ZÀ-ÖØ-ÞŒ"
PARTICLE = r"(?:de|du|des|la|le|les|sur|sous|en|et|aux|lès|lez|d|l)"
RUN = re.compile(rf"(?<![{LETTERS}'’-])[{CAPITAL}][{LETTERS}]*"
                 rf"(?:(?:[-\s]+|['’])(?:{PARTICLE}(?:[-\s]+|['’]))*[{CAPITAL}][{LETTERS}]*)*")
RUN_SEPARATOR = re.compile(r"[-\s'’]")
#: capitalised at the start of a sentence, not part of a name
LEADING = re.compile(r"^(?:(?:le|la|les|l|de|du|des|d|en|et|au|aux|a|à|pour|par|dans|sur|un|une|ce|cette|ces|son|sa|"
                     r"ses|leur|leurs|avec|vu|entre|chaque|tout|toute|tous|toutes)(?:[\s\-]+|['’]))+", re.I)


def occurrences(unit: Unit, known):
    """(line, column, key, surface, official or None) of each name in the unit's prose."""
    for lineno, line in unit.numbered():
        tokens = list(TOKEN.finditer(line))
        seen: set[tuple[int, str]] = set()
        i = 0
        while i < len(tokens):
            match = longest_name(line, tokens, i, known)
            if match is not None:
                j, surface, official = match
                seen.add((tokens[i].start(), fold(official)))
                yield lineno, tokens[i].start() + 1, fold(official), surface, official
                i = j + 1
            else:
                i += 1
        for m in RUN.finditer(line):
            lead = LEADING.match(m.group(0))
            start = m.start() + (lead.end() if lead else 0)
            surface = line[start:m.end()]
            key = fold(surface)
            if len(key) < 3 or surface.isupper() or not surface[:1].isupper() or (start, key) in seen:
                continue
            if not RUN_SEPARATOR.search(surface) and known.names.get(key) is None and spelling.is_word(surface.lower()):
                continue  # one French word capitalised at the start of a sentence or a heading, not a name
            yield lineno, start + 1, key, surface, known.names.get(key)


def check(units: list[Unit], known, found: dict[int, list[Finding]],
          rel: Callable[[object], str]) -> list[tuple[Unit, Finding]]:
    groups: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        if unit.group and (unit.markdown or unit.prose_only):
            groups[unit.group].append(unit)
    out = []
    for members in groups.values():
        out += document_findings(members, known, found, rel)
    return out


def document_findings(units: list[Unit], known, found, rel) -> list[tuple[Unit, Finding]]:
    names: dict[str, list] = defaultdict(list)  # key → [(unit, line, column, surface)]
    officials: dict[str, str] = {}
    for unit in units:
        for line, col, key, surface, official in occurrences(unit, known):
            names[key].append((unit, line, col, surface))
            if official:
                officials[key] = official
    out = []
    for key, places in names.items():
        spellings = Counter(p[3] for p in places)
        if len(spellings) < 2:
            continue
        kept = officials.get(key) if officials.get(key) in spellings else \
            max(spellings, key=lambda s: (spellings[s], -next(i for i, p in enumerate(places) if p[3] == s)))
        first = next(p for p in places if p[3] == kept)
        reported: set[tuple[int, str]] = set()
        for unit, line, col, surface in places:
            if surface == kept or (id(unit), surface) in reported:
                continue
            reported.add((id(unit), surface))
            if any(f.rule == "nom-officiel" and f.line == line and f.column == col for f in found[id(unit)]):
                continue
            out.append((unit, finding("nom-deux-graphies", line, col,
                                      f"« {surface} » : ce nom est écrit « {kept} » ailleurs dans le document "
                                      f"({rel(first[0].path)}:{first[1]}:{first[2]}) ; écrivez-le d'une seule "
                                      "façon.")))
    return out
