"""What the registry knows, indexed for the prose rules: official names, codes, sigles, words."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ...sources.corpus import Corpus
from .facts import fold

WORDS_FILE = "mots.txt"  # conventions/_registre/mots.txt: the project's own words, one a line


@dataclass
class Known:
    communes: dict  # INSEE code → Commune (official data)
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


def add_name(known: Known, name: str, kind: str) -> None:
    if fold(name) not in known.names:
        known.names[fold(name)] = name
        known.name_kind[fold(name)] = kind


def known_from(corpus: Corpus) -> Known:
    reg = corpus.registry
    known = Known(communes=dict(reg.communes))
    for c in reg.communes.values():
        add_name(known, c.nom, "commune")
        if c.siren:
            known.sirens[c.siren] = c.nom
    for siren, epci in reg.epci.items():
        known.sirens[siren] = epci.nom
        add_name(known, epci.nom_complet, "intercommunalité")
    for org in reg.organisations.values():
        if org.nom:
            add_name(known, org.nom, "organisation")
    for name in known.names.values():
        if re.fullmatch(r"[^\W\d_]+", name):
            known.one_word.setdefault(name[0], []).append(name)
    known.longest = max((len(k.split()) for k in known.names), default=1)
    known.sigles = set(reg.sigles)
    for org in reg.organisations.values():  # « la CCT »: a registered short name is a known sigle
        known.sigles.update(w for w in (org.designation or "").split() if w.isupper() and len(w) > 1)
    known.sigles_meaning = dict(reg.sigles)
    people = [f"{r.prenom} {r.nom}" for org in reg.organisations.values() for r in org.representants]
    people += [f"{r.prenom} {r.nom}" for reps in reg.maires.values() for r in reps]
    for name in [*known.names.values(), *people, *(o.designation or "" for o in reg.organisations.values())]:
        known.name_words.update(w for w in re.split(r"[\s\-'’,()]+", name) if w)
    known.words_path = reg.root / WORDS_FILE
    known.words = load_words(known.words_path)
    return known
