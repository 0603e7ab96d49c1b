"""INSEE codes and SIREN typed in prose or in a hand-typed table, checked against the official data
(conventions/_registre/officiel/) and against the commune named in the same row or sentence.

Read as codes: a table cell under a heading « INSEE » or « SIREN » (or a 5-digit cell in a
row that names a commune, unless its column is a postal code), and a number after « INSEE »
or « SIREN » in a sentence. A postal code (« 62000 Arras ») is not a code INSEE.
"""

from __future__ import annotations

import re

from ...sources.identifiers import luhn_ok
from .facts import fold
from .text import Unit, finding, of, sentence_at, table_cells

RULE_IDS = ("code-insee", "code-siren")

IN_SENTENCE = [(re.compile(r"\b(?:INSEE|code\s+commune)\D{0,20}?(?<!\d)(\d{5})(?!\d)", re.I), "insee"),
               (re.compile(r"\bSIREN\D{0,20}?(?<!\d)(\d{3}[\s\u00a0\u202f]?\d{3}[\s\u00a0\u202f]?\d{3})(?!\d)", re.I),
                "siren")]
SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}")


def check(unit: Unit, known) -> list:
    if unit.doc is None:
        return []
    out, header = [], None
    for lineno, line in unit.numbered():
        cells = table_cells(line)
        if cells is None:
            header = None
            for rx, kind in IN_SENTENCE:
                for m in rx.finditer(line):
                    named = commune_named(sentence_at(line, m.start()), known)
                    out += code_findings(kind, m.group(1), named, lineno, m.start(1) + 1, known)
            continue
        if SEPARATOR.match(line):
            continue
        if header is None:
            header = [fold(c) for c in cells]
            continue
        out += row_findings(line, cells, header, lineno, known)
    return out


def row_findings(line: str, cells: list[str], header: list[str], lineno: int, known) -> list:
    named = next((known.names[fold(c)] for c in cells
                  if known.name_kind.get(fold(c)) == "commune"), None)
    out, offset = [], 0
    for i, cell in enumerate(cells):
        col = line.index(cell, offset) + 1 if cell else 0
        offset = max(offset, col)
        head = header[i] if i < len(header) else ""
        digits = re.sub(r"[\s\u00a0\u202f]", "", cell)
        if "postal" in head or not digits.isdigit():
            continue
        if "siren" in head and len(digits) == 9:
            out += code_findings("siren", digits, named, lineno, col, known)
        elif len(digits) == 5 and ("insee" in head or (named and "code" in head) or (named and not head)):
            out += code_findings("insee", digits, named, lineno, col, known)
    return out


def commune_named(sentence: str, known) -> str | None:
    for m in re.finditer(r"[A-ZÀ-Ý][\w'’-]+(?:[\s-]+(?:[a-zé]{1,3}[\s-]+)?[A-ZÀ-Ý][\w'’-]+)*", sentence):
        name = known.names.get(fold(m.group(0)))
        if name and known.name_kind.get(fold(name)) == "commune":
            return name
    return None


def code_findings(kind: str, code: str, named: str | None, lineno: int, col: int, known) -> list:
    code = re.sub(r"\D", "", code)
    if kind == "insee":
        commune = known.communes.get(code)
        if commune is None:
            return [finding("code-insee", lineno, col,
                            f"le code INSEE {code} n'est celui d'aucune commune des données officielles "
                            "(conventions/_registre/officiel/communes.yaml) ; une liste de communes se calcule : "
                            "« {{ annexe(\"communes\") }} ».", error=True)]
        if named and fold(named) != fold(commune.nom):
            return [finding("code-insee", lineno, col,
                            f"le code INSEE {code} est celui {of(commune.nom)}, pas {of(named)} ; une liste de "
                            "communes se calcule : « {{ annexe(\"communes\") }} ».", error=True)]
        return []
    official = known.sirens.get(code)
    if official is None:
        why = "sa clé de contrôle (Luhn) est invalide" if not luhn_ok(code) else \
            "il n'est celui d'aucune commune ni intercommunalité des données officielles"
        return [finding("code-siren", lineno, col, f"SIREN {code} : {why}.", error=True)]
    if named and fold(named) != fold(official):
        return [finding("code-siren", lineno, col, f"le SIREN {code} est celui {of(official)}, pas {of(named)}.",
                        error=True)]
    return []
