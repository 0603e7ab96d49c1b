"""The plan d'actions prepared for its annex: one row per fiche placement (and per element without
fiche), one view per fiche with its identity (the elements it serves) and its chosen fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..sources.corpus import ConventionSource
from ..sources.plan import FICHE_CHAMPS, Plan, PlanNode
from ..sources.schemas import Fiche
from .numbering import fiche_anchor, number_fiches

NO_PARTNER = "Aucun partenaire extérieur."
_WIDTHS = (13, 22, 22, 22)  # dashes of each level's column (the layout of today's three-level table)


@dataclass
class FicheView:
    id: str
    numero: str
    titre: str
    thematique: str  # title of the first-level element of its first placement
    enjeu: str
    objectif: str
    pilotes: str
    data: Fiche
    marque: str = ""  # « nouvelle », « mise à jour »: set in an avenant's plan d'actions
    visible: bool = True  # an avenant reproduces only its new and changed fiches
    entete: list[dict] = field(default_factory=list)  # [{"libelle", "valeur"}]: identity lines
    sections: list[dict] = field(default_factory=list)  # [{"libelle", "texte" | "liste"}]

    @property
    def ancre(self) -> str:
        return fiche_anchor(self.id)


def _cell(plan: Plan, node: PlanNode) -> str:
    label = plan.label(node)
    return f"{label} – {node.titre}" if label else node.titre


def _paths(plan: Plan) -> list[tuple[list[PlanNode], str | None]]:
    """(path of elements, fiche or None) in reading order: an element without fiche and without
    sub-elements gets its own row, so that it is printed."""
    out: list[tuple[list[PlanNode], str | None]] = []

    def walk(nodes: list[PlanNode], above: list[PlanNode]) -> None:
        for n in nodes:
            path = [*above, n]
            out.extend((path, fid) for fid in n.fiches)
            if not n.fiches and not n.children:
                out.append((path, None))
            walk(n.children, path)

    walk(plan.roots, [])
    return out


def _node_dict(plan: Plan, node: PlanNode) -> dict:
    child = plan.levels[node.depth + 1].cle if node.depth + 1 < len(plan.levels) else None
    kids = [_node_dict(plan, c) for c in node.children]
    out = {"titre": node.titre, "numero": node.numero, "libelle": plan.label(node), "fiches": list(node.fiches),
           "elements": kids}
    if child:
        out[child] = kids
    return out


def plan_dict(plan: Plan) -> dict:
    """The plan as templates read it: « plan.niveaux », « plan.elements », and each level's own key
    (« plan.thematiques », « element.enjeux »…)."""
    roots = [_node_dict(plan, n) for n in plan.roots]
    levels = [{"cle": lv.cle, "nom": lv.nom, "pluriel": lv.pluriel, "prefixe": lv.prefixe} for lv in plan.levels]
    return {"niveaux": levels, "elements": roots, plan.levels[0].cle: roots,
            "colonnes": "|" + "|".join(":" + "-" * _WIDTHS[i] for i in range(len(levels))) + "|"}


def _identity(plan: Plan, paths: list[list[PlanNode]]) -> list[dict]:
    lines = []
    for depth, level in enumerate(plan.levels):
        values: list[str] = []
        for path in paths:
            if depth < len(path) and _cell(plan, path[depth]) not in values:
                values.append(_cell(plan, path[depth]))
        if values:
            lines.append({"libelle": level.nom if len(values) == 1 else level.pluriel, "valeur": " ; ".join(values)})
    return lines


def _fields(plan: Plan, data: Fiche, pilots: str) -> tuple[list[dict], list[dict]]:
    entete, sections = [], []
    for key in plan.champs:
        label, kind = FICHE_CHAMPS[key]
        value = pilots if key == "pilotes" else getattr(data, key)
        if kind == "entete":
            if value:
                entete.append({"libelle": label, "valeur": value})
        elif kind == "liste":
            items = list(value)
            if items or key == "partenaires":
                sections.append({"libelle": label, "liste": items, "vide": NO_PARTNER, "texte": None})
        elif value:
            sections.append({"libelle": label, "texte": value, "liste": None, "vide": ""})
    return entete, sections


def plan_views(conv: ConventionSource, pilot_label: Callable[[str], str]) -> tuple[list, list, dict]:
    """(fiche views, table rows, fiche numbers) of a convention's plan d'actions."""
    plan = conv.plan
    if plan is None:
        return [], [], {}
    numbers = number_fiches(plan.fiche_order(conv.fiches))
    placements: dict[str, list[list[PlanNode]]] = {}
    rows = []
    for path, fid in _paths(plan):
        if fid is not None and fid not in conv.fiches:
            continue
        cells = [_cell(plan, n) for n in path] + [""] * (len(plan.levels) - len(path))
        titles = [n.titre for n in path] + [""] * (3 - len(path))
        src = conv.fiches.get(fid) if fid else None
        pilots = ", ".join(pilot_label(p) for p in src.data.pilotes) if src else ""
        rows.append({"niveaux": cells, "thematique": titles[0], "enjeu": titles[1], "objectif": titles[2],
                     "fiche": fid, "titre": src.data.titre if src else "", "pilotes": pilots, "marque": ""})
        if fid is not None:
            placements.setdefault(fid, []).append(path)
    fiches = []
    for fid in numbers:
        src = conv.fiches[fid]
        first = [n.titre for n in placements[fid][0]] + ["", "", ""]
        pilots = ", ".join(pilot_label(p) for p in src.data.pilotes)
        entete, sections = _fields(plan, src.data, pilots)
        fiches.append(FicheView(fid, numbers[fid], src.data.titre, first[0], first[1], first[2], pilots, src.data,
                                entete=_identity(plan, placements[fid]) + entete, sections=sections))
    return fiches, rows, numbers
