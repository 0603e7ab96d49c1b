"""French spelling: Hunspell's French dictionary (Debian « hunspell-fr », read by spylls).

A word is accepted when the dictionary knows it (or its lower-case form at the start of a
sentence), when it is a word of an official or registry name (communes, organisations,
representatives), or when the project's word list (conventions/_registre/mots.txt, one
word a line, « # » comments) has it. Words in capitals are sigles (sigles.py), words with
digits are codes. Lookups are cached: a word is looked up once per run, whatever its count, and the answers are
kept in .cache/orthographe.json, so that a run whose words were all seen before does not even
load the dictionary (about a second).
"""

from __future__ import annotations

import difflib
import json
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


CACHE = ".cache/orthographe.json"  # the words looked up by earlier runs, and the dictionary's answers
_answers: dict[str, bool] = {}
_cache_state = {"key": None, "dirty": False}


@lru_cache(maxsize=1)
def dictionary_base() -> str | None:
    try:
        import spylls  # noqa: F401  (installed with the project: pyproject.toml)
    except ImportError:
        return None
    return next((b for b in DICTIONARIES if Path(b + ".dic").is_file() and Path(b + ".aff").is_file()), None)


@lru_cache(maxsize=1)
def dictionary():
    """The spylls Dictionary of French (loaded on the first word no earlier run has looked up)."""
    from spylls.hunspell import Dictionary

    return Dictionary.from_files(dictionary_base())


def available() -> bool:
    return dictionary_base() is not None


def is_word(word: str) -> bool:
    answer = _answers.get(word)
    if answer is None:
        d = dictionary()
        answer = _answers[word] = bool(d.lookup(word) or d.lookup(word.replace("'", "’")))
        _cache_state["dirty"] = True
    return answer


def _cache_key() -> str:
    from importlib.metadata import version

    base = dictionary_base()
    stats = [Path(base + ext).stat() for ext in (".dic", ".aff")]
    return f"{base}|{version('spylls')}|" + "|".join(f"{st.st_size}-{st.st_mtime_ns}" for st in stats)


def load_cache(root: Path) -> None:
    """Answers of earlier runs, valid for the same dictionary files and spylls version."""
    if not available():
        return
    _cache_state["key"] = key = _cache_key()
    try:
        data = json.loads((root / CACHE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(data, dict) and data.get("cle") == key and isinstance(data.get("mots"), dict):
        _answers.update({w: bool(a) for w, a in data["mots"].items()})


def save_cache(root: Path) -> None:
    if not _cache_state["dirty"] or _cache_state["key"] is None:
        return
    from ...core.outputs import write_atomic

    data = {"cle": _cache_state["key"], "mots": dict(sorted(_answers.items()))}
    try:
        write_atomic(root / CACHE, json.dumps(data, ensure_ascii=False).encode("utf-8"))
        _cache_state["dirty"] = False
    except OSError:
        pass  # a cache that cannot be written only costs time


VARIANTS = {"a": "àâ", "e": "éèêë", "i": "îï", "o": "ô", "u": "ùûü", "c": "ç", "à": "a", "â": "a", "é": "eèê",
            "è": "eéê", "ê": "eéè", "ë": "e", "î": "i", "ï": "i", "ô": "o", "ù": "u", "û": "u", "ü": "u", "ç": "c"}


@lru_cache(maxsize=4096)
def suggestion(word: str) -> str | None:
    """A known word one slip away: two letters swapped, a letter too many, an accent wrong, a
    letter not doubled. Hunspell's own suggestions take seconds a word in spylls; this takes a
    few dozen lookups."""
    if not available():
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
    # « Rsa »: a sigle of the registry with its initial only in capital (core.french.sigle_forms)
    return word[:1].isupper() and any(word.upper() == s.upper() for s in known.sigles)


def close_name(word: str, known) -> str | None:
    """A capitalised unknown word a letter or two from a word of an official name (« Béthnue »)."""
    if not word[:1].isupper():
        return None
    guess = difflib.get_close_matches(word, [w for w in known.name_words if w[:1] == word[:1]], n=1, cutoff=0.8)
    return guess[0] if guess else None


def check(unit: Unit, known) -> list:
    if unit.doc is None or not available():
        return []
    from . import names  # names.py asks this module whether a word is known

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
            if names.misspelt_name(word, known) is not None:
                continue  # a misspelt official name: names.py reports it
            near = close_name(word, known) or suggestion(word)
            hint = f"vouliez-vous dire « {near} » ? Sinon, ajoutez" if near else "s'il est juste, ajoutez"
            out.append(finding("orthographe", lineno, start + 1,
                               f"« {word} » : mot inconnu du dictionnaire français ; {hint}-le à la liste des mots "
                               "du projet (conventions/_registre/mots.txt)."))
    return out
