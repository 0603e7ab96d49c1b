"""French spelling: Hunspell's French dictionary (Debian « hunspell-fr », read by spylls).

A word is accepted when the dictionary knows it (or its lower-case form at the start of a
sentence), when it is a word of an official or registry name (communes, organisations,
representatives), or when the project's word list (conventions/_registre/mots.txt, one
word a line, « # » comments) has it. Words in capitals are sigles (sigles.py), words with
digits are codes. Lookups are cached: a word is looked up once per run, whatever its count.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from pathlib import Path

from .text import Unit, finding

RULE_IDS = ("orthographe",)

DICTIONARIES = ("/usr/share/hunspell/fr_FR", "/usr/share/hunspell/fr", "/usr/share/myspell/dicts/fr_FR",
                "/usr/share/myspell/fr_FR")
LETTERS = "A-Za-zÀ-ÖØ-öø-ÿŒœÆæ"
WORD = re.compile(rf"(?<![\w@])[{LETTERS}]+(?:[-'’][{LETTERS}]+)*(?![\w@])")
ELISION = re.compile(r"^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)'", re.I)


@lru_cache(maxsize=1)
def dictionary():
    """The spylls Dictionary of French, or None when it or the dictionary files are missing."""
    try:
        from spylls.hunspell import Dictionary
    except ImportError:
        return None
    for base in DICTIONARIES:
        if Path(base + ".dic").is_file() and Path(base + ".aff").is_file():
            return Dictionary.from_files(base)
    return None


def available() -> bool:
    return dictionary() is not None


@lru_cache(maxsize=None)
def is_word(word: str) -> bool:
    d = dictionary()
    return d is None or d.lookup(word) or d.lookup(word.replace("'", "’"))


VARIANTS = {"a": "àâ", "e": "éèêë", "i": "îï", "o": "ô", "u": "ùûü", "c": "ç", "à": "a", "â": "a", "é": "eèê",
            "è": "eéê", "ê": "eéè", "ë": "e", "î": "i", "ï": "i", "ô": "o", "ù": "u", "û": "u", "ü": "u", "ç": "c"}


@lru_cache(maxsize=4096)
def suggestion(word: str) -> str | None:
    """A known word one slip away: two letters swapped, a letter too many, an accent wrong, a
    letter not doubled. Hunspell's own suggestions take seconds a word in spylls; this takes a
    few dozen lookups."""
    if dictionary() is None:
        return None
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    candidates = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    candidates += [a + b[1:] for a, b in splits if b]
    candidates += [a + c + b[1:] for a, b in splits if b for c in VARIANTS.get(b[0], "")]
    candidates += [a + b[0] + b for a, b in splits if b and b[0].isalpha()]
    return next((c for c in candidates if len(c) > 1 and is_word(c)), None)


def accepted(word: str, known) -> bool:
    if word in known.words or word in known.name_words:
        return True
    if is_word(word) or (word[:1].isupper() and is_word(word.lower())):
        return True
    if "-" in word:  # « vice-présidents », « Saint-Pol-sur-Ternoise »: every part known
        return all(accepted(part, known) for part in word.split("-") if part)
    return False


def close_name(word: str, known) -> str | None:
    """A capitalised unknown word a letter or two from a word of an official name (« Béthnue »)."""
    if not word[:1].isupper():
        return None
    guess = difflib.get_close_matches(word, [w for w in known.name_words if w[:1] == word[:1]], n=1, cutoff=0.8)
    return guess[0] if guess else None


def check(unit: Unit, known) -> list:
    if unit.doc is None or not available():
        return []
    out = []
    for lineno, line in unit.numbered():
        for m in WORD.finditer(line):
            word = m.group(0).replace("’", "'")
            start = m.start()
            elided = ELISION.match(word)
            if elided:
                word, start = word[elided.end():], start + elided.end()
            if len(word) < 2 or word.isupper() or accepted(word, known):
                continue
            near = close_name(word, known) or suggestion(word)
            hint = f"vouliez-vous dire « {near} » ? Sinon, ajoutez" if near else "s'il est juste, ajoutez"
            out.append(finding("orthographe", lineno, start + 1,
                               f"« {word} » : mot inconnu du dictionnaire français ; {hint}-le à la liste des mots "
                               "du projet (conventions/_registre/mots.txt)."))
    return out
