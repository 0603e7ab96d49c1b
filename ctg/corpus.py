"""The loaded sources: plain data, no formatting. Built by loader.py, read by validate/assemble."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .schemas import Annexe, Avenant, Commune, Convention, Equipements, Fiche, Organisation, PlanActions
from .sources import YamlDoc


@dataclass
class Section:
    """A level-2 section of a body: one article written in the source."""

    id: str
    title: str
    attrs: dict[str, str]
    text: str  # Markdown below the heading
    line: int  # line of the heading in the file
    path: Path


@dataclass
class Located:
    path: Path
    doc: YamlDoc

    def line(self, *loc) -> int:
        return self.doc.line(tuple(loc))


@dataclass
class Registry:
    root: Path
    organisations: dict[str, Organisation] = field(default_factory=dict)
    organisation_src: dict[str, Located] = field(default_factory=dict)
    communes: dict[str, Commune] = field(default_factory=dict)
    commune_src: dict[str, tuple[Path, int]] = field(default_factory=dict)
    sigles: dict[str, str] = field(default_factory=dict)
    sigles_src: Located | None = None


@dataclass
class AnnexSource:
    id: str
    path: Path
    meta: Annexe
    src: Located
    body: str
    body_line: int


@dataclass
class FicheSource:
    id: str
    path: Path
    data: Fiche
    src: Located


@dataclass
class AvenantSource:
    path: Path
    meta: Avenant
    src: Located
    sections: list[Section]
    body_line: int
    annexes: list[AnnexSource] = field(default_factory=list)
    folder: Path | None = None  # the convention folder it lives in

    @property
    def id(self) -> str:
        return f"{self.meta.convention}-avenant-{self.meta.numero}"


@dataclass
class ConventionSource:
    folder: Path
    path: Path
    meta: Convention
    src: Located
    sections: list[Section]
    body_line: int
    annexes: list[AnnexSource] = field(default_factory=list)
    equipements: Equipements | None = None
    equipements_src: Located | None = None
    plan: PlanActions | None = None
    plan_src: Located | None = None
    fiches: dict[str, FicheSource] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.meta.identifiant


@dataclass
class Corpus:
    root: Path
    registry: Registry
    conventions: dict[str, ConventionSource] = field(default_factory=dict)
    avenants: dict[str, AvenantSource] = field(default_factory=dict)

    def documents(self) -> list[str]:
        """Every buildable document id, in a stable order (each convention, then its avenants)."""
        out = []
        for cid in sorted(self.conventions):
            out.append(cid)
            out.extend(a.id for a in sorted(self.avenants.values(), key=lambda a: a.meta.numero)
                       if a.meta.convention == cid)
        return out
