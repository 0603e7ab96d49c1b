"""Names of communes, intercommunalités and organisations typed close to, but not as, the official
name: accents, hyphens, case, « St » for « Saint » (« Equihen Plage » for « Équihen-Plage »).

A run of words starting with a capital is compared with every official name (communes and
EPCI of officiel/, organisations of the registry) without accents, case, hyphens and
apostrophes; the longest run that matches a name but is not written as it is reported.
A capitalised word unknown to the dictionary and a letter or two from a one-word official name
(« Ablainzevele ») is reported here too; the spelling rule then leaves it alone.
"""

from __future__ import annotations

import difflib
import re

from . import spelling
from .facts import fold
from .text import Unit, finding

RULE_IDS = ("nom-officiel",)

TOKEN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿŒœ]+")
GAP = re.compile(r"^(?:[\s\-'’]+|,\s*)$")
KIND = {"commune": "de la commune", "intercommunalité": "de l'intercommunalité", "organisation": "de l'organisation"}


def check(unit: Unit, known) -> list:
    if unit.doc is None:
        return []
    out = []
    for lineno, line in unit.numbered():
        tokens = list(TOKEN.finditer(line))
        i = 0
        while i < len(tokens):
            match = longest_name(line, tokens, i, known)
            if match is None:
                near = misspelt_name(tokens[i].group(0), known)
                if near is not None:
                    out.append(finding("nom-officiel", lineno, tokens[i].start() + 1,
                                       f"« {tokens[i].group(0)} » : nom inconnu, proche du nom officiel "
                                       f"{KIND[known.name_kind[fold(near)]]} « {near} » ; vérifiez l'orthographe."))
                i += 1
                continue
            j, surface, official = match
            if surface != official:
                kind = KIND[known.name_kind[fold(official)]]
                out.append(finding("nom-officiel", lineno, tokens[i].start() + 1,
                                   f"« {surface} » : le nom officiel {kind} s'écrit « {official} » "
                                   "(accents, traits d'union, majuscules)."))
            i = j + 1
    return out


def misspelt_name(word: str, known) -> str | None:
    """The one-word official name a capitalised unknown word is a letter or two from (« Béthnue »)."""
    if not word[:1].isupper() or word.isupper() or len(word) < 5 or spelling.accepted(word, known):
        return None
    candidates = known.one_word.get(word[0], [])
    guess = difflib.get_close_matches(word, candidates, n=1, cutoff=0.85)
    return guess[0] if guess else None


def longest_name(line: str, tokens: list, i: int, known):
    """(index of the last token, text, official name) of the longest name starting at token i."""
    first = tokens[i].group(0)
    if not first[0].isupper():
        return None
    best = None
    for j in range(i, min(len(tokens), i + known.longest)):
        if j > i and not GAP.match(line[tokens[j - 1].end():tokens[j].start()]):
            break
        surface = line[tokens[i].start():tokens[j].end()]
        official = known.names.get(fold(surface))
        if official is not None:
            best = (j, surface, official)
    return best
