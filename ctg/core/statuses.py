"""The one vocabulary of statuses: the words the site (badges, cards, chronology, versions),
the documents and « build.py list » use for where a text stands.

A source says where the text is in its life (« statut » in its YAML: projet, prêt pour
signature, signée, échue); what readers are told also depends on the day: a signed text is
« en vigueur » from its start to its end, « échu(e) » after, « signé(e) » before it starts.
Only signed texts are ever « en vigueur »; anything unsigned says so.

The words agree with the text: a convention is « signée », an avenant « signé ».
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# source statuses (the values of « statut » in the YAML, ctg/schemas.py)
PROJET = "projet"
PRET = "prêt pour signature"
SIGNEE = "signée"
ECHUE = "échue"
SIGNED = (SIGNEE, ECHUE)

# key (CSS class, JSON) → (feminine, masculine)
WORDS: dict[str, tuple[str, str]] = {
    "projet": ("projet", "projet"),
    "pret": ("prêt pour signature", "prêt pour signature"),
    "signe": ("signée", "signé"),
    "en-vigueur": ("en vigueur", "en vigueur"),
    "echu": ("échue", "échu"),
    "resilie": ("résiliée", "résilié"),
}
_SOURCE_KEY = {PROJET: "projet", PRET: "pret", SIGNEE: "signe", ECHUE: "echu"}
MASCULINE_KINDS = ("avenant",)


@dataclass(frozen=True)
class Status:
    key: str  # one of WORDS
    label: str  # French, agreed with the text's gender

    @property
    def signed(self) -> bool:
        return self.key in ("signe", "en-vigueur", "echu", "resilie")


def word(key: str, kind: str = "convention") -> str:
    feminine, masculine = WORDS[key]
    return masculine if kind in MASCULINE_KINDS else feminine


def is_signed(source_status: str) -> bool:
    return source_status in SIGNED


def source_status(status: str, kind: str = "convention") -> Status:
    """The word for a source's « statut » alone (no date)."""
    key = _SOURCE_KEY.get(status, "projet")
    return Status(key, word(key, kind))


def status_on(status: str, kind: str, start: dt.date, end: dt.date, today: dt.date) -> Status:
    """Where a text stands on a day: projet and prêt pour signature as they are; a signed text is
    « signé(e) » before its start, « en vigueur » from its start to its end, « échu(e) » after."""
    if status == ECHUE or (status == SIGNEE and today > end):
        key = "echu"
    elif status == SIGNEE:
        key = "en-vigueur" if today >= start else "signe"
    else:
        key = _SOURCE_KEY.get(status, "projet")
    return Status(key, word(key, kind))


def unsigned_phrase(status: str, kind: str = "avenant") -> str:
    """« non signé à ce jour : prêt pour signature » (what a text that applies it must say)."""
    return f"non {word('signe', kind)} à ce jour : {source_status(status, kind).label}"
