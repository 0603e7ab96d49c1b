"""Sigles: each one used in a text is in the glossary (_registre/sigles.yaml), spelt as there.

« CAMPS » for « CAMSP » (the same letters, or one letter off, of a glossary entry) is named
with the entry it resembles; any other sigle missing from the glossary is a warning once a
file. A capitalised French word (« ARTICLE », « CAMPS » apart) and Roman numerals are not sigles.
"""

from __future__ import annotations

import difflib
import re

from . import spelling
from .text import Unit, finding

RULE_IDS = ("sigle-inconnu", "sigle-approchant")

TOKEN = re.compile(r"(?<![\w’'-])([A-Z][A-Z0-9]*[A-Z][A-Z0-9]*)(s?)(?![\w-])")
ROMAN = re.compile(r"^[IVXLCDM]+$")
HONORIFIC = re.compile(r"(?:M\.|Mme|Mmes|MM\.|Madame|Monsieur)\s*$")


def close_entry(token: str, sigles: set[str]) -> str | None:
    same_letters = [s for s in sigles if len(s) == len(token) and sorted(s.upper()) == sorted(token) and s != token]
    if same_letters:
        return same_letters[0]
    guess = difflib.get_close_matches(token, [s for s in sigles if abs(len(s) - len(token)) <= 1 and len(s) >= 4],
                                      n=1, cutoff=0.8)
    return guess[0] if guess else None


def check(unit: Unit, known) -> list:
    if unit.doc is None:
        return []
    upper = {s.upper(): s for s in known.sigles}
    out, reported = [], set()
    for lineno, line in unit.numbered():
        letters = [c for c in line if c.isalpha()]
        if letters and sum(c.isupper() for c in letters) > 0.8 * len(letters) and len(letters) > 12:
            continue  # a line in capitals (a heading): its words are not sigles
        for m in TOKEN.finditer(line):
            token = m.group(1)
            if (token in upper or token in reported or ROMAN.match(token) or token in known.words
                    or HONORIFIC.search(line[:m.start()])):
                continue
            near = close_entry(token, set(known.sigles)) if len(token) >= 3 else None
            if near is None and (spelling.is_word(token.lower()) or spelling.is_word(token.capitalize())):
                continue
            reported.add(token)
            if near is not None:
                out.append(finding("sigle-approchant", lineno, m.start() + 1,
                                   f"sigle « {token} » absent du glossaire ; vouliez-vous dire « {near} » "
                                   f"({known.sigles_meaning.get(near, '')}) ?"))
            else:
                out.append(finding("sigle-inconnu", lineno, m.start() + 1,
                                   f"sigle « {token} » absent du glossaire (conventions/_registre/sigles.yaml) ; "
                                   "ajoutez-le avec son développé, ou écrivez le terme en toutes lettres."))
    return out
