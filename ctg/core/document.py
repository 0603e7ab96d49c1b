"""The assembled document: all a writer receives (it never reads sources).

Made by assembly (assembly/assemble.py) and versions (consolidated versions, avenants), read
by the writers, the site, the checks of signed texts and the review diff.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Signatory:
    org_id: str
    organisation: str
    person: str  # empty for a signatory designated by office only
    function: str
    representation: str = ""  # « représentée par M. Jean-Jacques PION, Directeur », « représentée par son Maire »

    @property
    def signer(self) -> str:
        """« M. Jean-Jacques PION, Directeur », « Maire »."""
        return f"{self.person}, {self.function}" if self.person else self.function


@dataclass(frozen=True)
class AnnexInfo:
    id: str
    number: int
    title: str
    orientation: str
    diffusion: str


@dataclass
class AssembledDocument:
    id: str
    kind: str  # "convention" | "avenant"
    parent: str | None
    status: str
    title: str
    short_title: str
    territory: str
    start: dt.date
    end: dt.date
    signed_on: dt.date | None
    markdown: str
    signatories: list[Signatory]
    annexes: list[AnnexInfo]
    author: str
    keywords: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # files this document depends on, its own file first
    # the parties' logos for the cover (paths relative to conventions/): layout, not text, so that a
    # signed text's fingerprint does not depend on them
    logos: list[str] = field(default_factory=list)

    @property
    def is_draft(self) -> bool:
        return self.status == "projet"

    @property
    def date(self) -> dt.date:
        """The document's own date, used for reproducible file timestamps."""
        return self.signed_on or self.start
