"""What the registry knows, indexed for the prose rules: official names, codes, sigles, words."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ...sources.commune_table import commune_names, derived
from ...sources.corpus import Corpus
from .facts import fold

WORDS_FILE = "mots.txt"  # conventions/_registre/mots.txt: the project's own words, one a line


@dataclass
class Known:
    communes: Mapping  # INSEE code → Commune (official data)
    names: dict[str, str] = field(default_factory=dict)  # fold(name) → official spelling
    name_kind: dict[str, str] = field(default_factory=dict)  # fold(name) → « commune », « organisation »
    sirens: dict[str, str] = field(default_factory=dict)  # SIREN → official name
    sigles: set[str] = field(default_factory=set)
    sigles_meaning: dict[str, str] = field(default_factory=dict)
    name_words: set[str] = field(default_factory=set)  # every word of an official or registry name
    words: set[str] = field(default_factory=set)
    words_path: Path | None = None
    longest: int = 1  # words in the longest official name
    one_word: dict[str, list[str]] = field(default_factory=dict)  # first letter → one-word official names

    def official(self, text: str) -> str | None:
        return self.names.get(fold(text))


def load_words(path: Path) -> set[str]:
    if not path.is_file():
        return set()
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.add(word)
    return words


def add_name(known: Known, name: str, kind: str) -> bool:
    key = fold(name)
    if key in known.names:
        return False
    known.names[key] = name
    known.name_kind[key] = kind
    return True


_ONE_WORD = re.compile(r"[^\W\d_]+")
_WORD_SEPARATORS = re.compile(r"[\s\-'’,()]+")


def _add_derived(known: Known, names: list[str]) -> None:
    """What the check derives from official names just added: one-word names by first letter, the
    longest name's word count, every word of a name (accepted by the spelling check)."""
    for name in names:
        if _ONE_WORD.fullmatch(name):
            known.one_word.setdefault(name[0], []).append(name)
        known.name_words.update(w for w in _WORD_SEPARATORS.split(name) if w)
    known.longest = max([known.longest, *(len(fold(n).split()) for n in names)])


def _of_communes(communes) -> Known:
    """The part of what the check knows that comes from the official communes: kept with them
    (commune_table.derived), so that a new process does not fold 35,000 names again."""
    known = Known(communes={})
    added = []
    for _, nom, siren in commune_names(communes):
        if add_name(known, nom, "commune"):
            added.append(nom)
        if siren:
            known.sirens[siren] = nom
    _add_derived(known, added)
    return known


def prepare(communes) -> None:
    """Compute and keep with a commune table what known_from needs of every commune."""
    derived(communes, "known", _of_communes)


def known_from(corpus: Corpus) -> Known:
    reg = corpus.registry
    base = derived(reg.communes, "known", _of_communes)
    known = Known(communes=reg.communes, names=dict(base.names), name_kind=dict(base.name_kind),
                  sirens=dict(base.sirens), name_words=set(base.name_words), longest=base.longest,
                  one_word={k: list(v) for k, v in base.one_word.items()})
    added = []
    for siren, epci in reg.epci.items():
        known.sirens[siren] = epci.nom
        if add_name(known, epci.nom_complet, "intercommunalité"):
            added.append(epci.nom_complet)
    for org in reg.organisations.values():
        if org.nom and add_name(known, org.nom, "organisation"):
            added.append(org.nom)
    _add_derived(known, added)
    known.sigles = set(reg.sigles)
    for org in reg.organisations.values():  # « la CCT »: a registered short name is a known sigle
        known.sigles.update(w for w in (org.designation or "").split() if w.isupper() and len(w) > 1)
    known.sigles_meaning = dict(reg.sigles)
    people = [f"{r.prenom} {r.nom}" for org in reg.organisations.values() for r in org.representants]
    people += [f"{r.prenom} {r.nom}" for reps in reg.maires.values() for r in reps]
    for name in [*people, *(o.designation or "" for o in reg.organisations.values())]:
        known.name_words.update(w for w in _WORD_SEPARATORS.split(name) if w)
    known.words_path = reg.root / WORDS_FILE
    known.words = load_words(known.words_path)
    return known
