"""A convention's parts at one point of its history (a Version), and the record of one applied
operation (a Change).

A Version holds articles (an inserted article is labelled « 6 bis », a deleted one stays as
« supprimé » so that numbers never move), annexes, signatories, plan d'actions and fiches (an
inserted fiche is « 3 bis »), équipements and communes.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field, replace

from ..assembly.numbering import number_articles
from ..sources.corpus import AnnexSource, AvenantSource, ConventionSource, FicheSource, Section
from ..sources.models import ClauseModel
from ..sources.plan import PRESET_LEVELS, data_nodes, plan_from_data
from ..sources.schemas import CommuneDeclaree, Signataire


@dataclass
class AlineaChange:
    action: str  # remplacer_alinea | inserer_alinea | supprimer_alinea
    number: int  # alinéa replaced or deleted; for an insertion, the one it follows (0: start)
    text: Section | None
    avenant: AvenantSource
    line: int


@dataclass
class ArticleState:
    id: str
    label: str  # « 10 », « 6 bis »
    title: str | None  # model title (rendered), None when the section has its own
    clause: str | None
    section: Section | None
    deleted_by: str | None = None
    alineas: list[AlineaChange] = field(default_factory=list)


@dataclass
class Party:
    signataire: Signataire
    when: dt.date  # reference date of the representative
    by: str | None = None  # the avenant that added it


@dataclass
class Version:
    conv: ConventionSource
    articles: list[ArticleState]
    annexes: list[AnnexSource]
    parties: list[Party]
    plan: dict  # donnees/plan-actions.yaml as plain data (its levels, its elements and their fiches)
    fiches: dict[str, FicheSource]
    fiche_labels: dict[str, str]  # kept after a deletion: a number is never reused
    equipements: list[dict]  # [{"collectivite": code, "equipements": [Equipement]}]
    communes_ajoutees: list[CommuneDeclaree]
    communes_retirees: list[CommuneDeclaree]
    applied: list[AvenantSource] = field(default_factory=list)
    deleted: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, id) -> avenant number
    marks: dict[str, str] = field(default_factory=dict)  # fiche id -> « nouvelle » / « mise à jour » (last avenant)

    def copy(self) -> "Version":
        return replace(self, articles=[replace(a, alineas=list(a.alineas)) for a in self.articles],
                       annexes=list(self.annexes), parties=list(self.parties), plan=copy.deepcopy(self.plan),
                       fiches=dict(self.fiches), fiche_labels=dict(self.fiche_labels),
                       equipements=[{"collectivite": g["collectivite"], "equipements": list(g["equipements"])}
                                    for g in self.equipements],
                       communes_ajoutees=list(self.communes_ajoutees), communes_retirees=list(self.communes_retirees),
                       applied=list(self.applied), deleted=dict(self.deleted), marks={})

    def article(self, ident: str) -> ArticleState | None:
        return next((a for a in self.articles if a.id == ident), None)

    def annex_number(self, ident: str) -> int | None:
        return next((i + 1 for i, a in enumerate(self.annexes) if a.id == ident), None)

    plan_levels: tuple = ()

    def fiche_order(self) -> list[str]:
        out: list[str] = []
        for node in data_nodes(self.plan, self.plan_levels) if self.plan else ():
            out += [f for f in node.get("fiches") or [] if f not in out]
        return out

    def plan_model(self):
        if not self.plan or not self.plan.get(self.plan_levels[0].cle):
            return None
        return plan_from_data(self.plan, self.plan_levels)

    def source(self) -> ConventionSource:
        """The convention's sources as this version has them (for annex_content and the facts)."""
        from ..sources.schemas import Equipements

        meta = self.conv.meta.model_copy(update={
            "signataires": [p.signataire for p in self.parties],
            "communes_ajoutees": list(self.communes_ajoutees), "communes_retirees": list(self.communes_retirees)})
        header = self.conv.equipements.model_dump(exclude={"collectivites"}) if self.conv.equipements else {}
        eq = (Equipements.model_validate({**header, "collectivites": [g for g in self.equipements if g["equipements"]]})
              if self.equipements else None)
        return replace(self.conv, meta=meta, annexes=list(self.annexes), plan=self.plan_model(),
                       fiches=dict(self.fiches), equipements=eq)


def initial_version(conv: ConventionSource, model: ClauseModel) -> Version:
    problems: list = []  # reported when the convention itself is assembled
    plans = number_articles(model, conv.sections, problems)
    titles = {a.id: a.titre for a in model.articles}
    articles = [ArticleState(p.id, str(p.number), None if p.section else titles.get(p.id), p.clause, p.section)
                for p in plans]
    plan = copy.deepcopy(conv.plan.data) if conv.plan else {}
    version = Version(
        conv=conv, articles=articles, annexes=list(conv.annexes),
        parties=[Party(s, conv.meta.signature.date or conv.meta.periode.debut) for s in conv.meta.signataires],
        plan=plan, plan_levels=conv.plan.levels if conv.plan else PRESET_LEVELS, fiches=dict(conv.fiches), fiche_labels={},
        equipements=[{"collectivite": g.collectivite, "equipements": list(g.equipements)}
                     for g in (conv.equipements.collectivites if conv.equipements else [])],
        communes_ajoutees=list(conv.meta.communes_ajoutees), communes_retirees=list(conv.meta.communes_retirees))
    version.fiche_labels = {f: str(i + 1) for i, f in enumerate(version.fiche_order()) if f in conv.fiches}
    return version


@dataclass
class Change:
    """One applied operation, with what the drafting needs (labels as the signatory reads them)."""

    action: str
    target: str
    op: object  # schemas.Operation
    line: int
    label: str = ""  # article / fiche / annexe number before the change (or of the new part)
    after_label: str = ""  # for an insertion: the part it follows
    title: str = ""
    old_title: str = ""
    section: Section | None = None  # new text of an article or alinéa
