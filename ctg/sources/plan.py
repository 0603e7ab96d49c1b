"""The plan d'actions of a convention: levels declared per convention, a tree of titled nodes, fiches.

donnees/plan-actions.yaml may declare its levels (« niveaux » : the YAML key of each level, its
name and the prefix of its computed numbers) and the fields of its fiches (« champs »). Without
them the plan is today's preset: thématiques → enjeux → objectifs → fiches, the fields of the
fiches as they always were. Problems are reported with their line, all together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..core.diagnostics import Diagnostics, closest
from .sources import YamlDoc

# The documented fields of a fiche action: YAML key → (French label, kind). « entete » fields are
# printed as the fiche's identity (a label and its value), « texte » as a titled paragraph,
# « liste » as a titled list. Their order here is the order of the preset.
FICHE_CHAMPS: dict[str, tuple[str, str]] = {
    "pilotes": ("Pilote", "entete"),
    "echeances": ("Échéances", "entete"),
    "calendrier": ("Calendrier", "entete"),
    "budget": ("Budget", "entete"),
    "diagnostic_initial": ("Diagnostic initial", "texte"),
    "contexte": ("Contexte", "texte"),
    "public_cible": ("Public cible", "texte"),
    "objectifs_operationnels": ("Objectifs opérationnels", "texte"),
    "description": ("Description de l'action", "texte"),
    "exemples_actions": ("Exemples d'actions", "liste"),
    "modalites": ("Modalités de mise en œuvre", "texte"),
    "services_mobilises": ("Services mobilisés", "texte"),
    "moyens": ("Moyens mobilisés", "texte"),
    "financements": ("Financements", "texte"),
    "resultats_attendus": ("Résultats attendus", "texte"),
    "partenaires": ("Partenaires sollicités", "liste"),
    "indicateurs": ("Indicateurs d'évaluation", "liste"),
}
PRESET_CHAMPS = ("pilotes", "echeances", "diagnostic_initial", "public_cible", "objectifs_operationnels",
                 "modalites", "services_mobilises", "resultats_attendus", "partenaires", "indicateurs")
HEADER_KEYS = ("niveaux", "champs")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class PlanLevel:
    cle: str  # the YAML key holding the nodes of this level
    nom: str  # « Objectif général »
    pluriel: str  # « Objectifs généraux »
    prefixe: str = ""  # « OG » : numbers printed « OG 1.2 »; empty: no number printed


PRESET_LEVELS = (PlanLevel("thematiques", "Thématique", "Thématiques"), PlanLevel("enjeux", "Enjeu", "Enjeux"),
                 PlanLevel("objectifs", "Objectif", "Objectifs"))


@dataclass
class PlanNode:
    titre: str
    depth: int  # 0 for the first level
    numero: str  # « 1.2 »: its position at each level
    fiches: list[str]
    children: list["PlanNode"]
    loc: tuple  # YAML key path of the node, for line numbers


@dataclass
class Plan:
    levels: tuple[PlanLevel, ...]
    champs: tuple[str, ...]
    roots: list[PlanNode]
    data: dict = field(default_factory=dict)  # the file as read, for the versions (avenants change it)

    def nodes(self) -> list[PlanNode]:
        out: list[PlanNode] = []

        def walk(items: list[PlanNode]) -> None:
            for n in items:
                out.append(n)
                walk(n.children)

        walk(self.roots)
        return out

    def fiche_order(self, known=None) -> list[str]:
        """The fiches in the order of their first placement (their numbers follow it)."""
        order: list[str] = []
        for n in self.nodes():
            order += [f for f in n.fiches if f not in order and (known is None or f in known)]
        return order

    def label(self, node: PlanNode) -> str:
        """« OG 1.2 » for a level with a prefix, else empty."""
        prefix = self.levels[node.depth].prefixe
        return f"{prefix} {node.numero}" if prefix else ""


def plural(name: str) -> str:
    """French plural of a level's name, word by word (« Objectif général » → « Objectifs généraux »)."""
    small = {"de", "du", "des", "la", "le", "les", "et", "à", "au", "aux", "en", "d'", "l'"}

    def one(word: str) -> str:
        if word.lower() in small or word[-1:] in "sxz":
            return word
        if word.endswith("al"):
            return word[:-2] + "aux"
        if word.endswith(("eu", "au")):
            return word + "x"
        return word + "s"

    return " ".join(one(w) for w in name.split())


def parse_plan(doc: YamlDoc, path: Path, diags: Diagnostics, levels: tuple[PlanLevel, ...]) -> Plan:
    """The tree of the plan (levels and champs already validated). An element with an error is left
    out and reported; the rest is returned, so that the fiches are still checked against it."""
    data = doc.data if isinstance(doc.data, dict) else {}
    top = levels[0].cle
    allowed = [*HEADER_KEYS, top]
    unknown = [key for key in data if key not in allowed]
    for key in unknown:
        declared = "déclaré dans « niveaux »" if "niveaux" in data else "par défaut (sans « niveaux »)"
        diags.error(path, doc.line((key,)), "cle-inconnue",
                    f"la clé « {key} » n'est pas attendue ici : le premier niveau de ce plan, {declared}, "
                    f"s'écrit « {top} : »{closest(str(key), allowed)}")
    if top not in data and not unknown:
        diags.error(path, doc.line(("niveaux",)) if "niveaux" in data else doc.first_line, "niveau-absent",
                    f"le plan d'actions n'a aucun élément de premier niveau : écrivez la liste « {top} : » "
                    f"({levels[0].pluriel.lower()}).")
    roots = _nodes(data.get(top), (top,), 0, "", levels, doc, path, diags)
    champs = tuple(data.get("champs") or PRESET_CHAMPS)
    return Plan(levels, champs, roots, data)


def _nodes(items, loc: tuple, depth: int, prefix: str, levels, doc: YamlDoc, path: Path,
           diags: Diagnostics) -> list[PlanNode]:
    level = levels[depth]
    if items is None:
        return []
    if not isinstance(items, list):
        diags.error(path, doc.line(loc), "type-invalide",
                    f"« {loc[-1]} » doit être une liste de {level.pluriel.lower()} (« - titre : … »).")
        return []
    out = []
    for i, item in enumerate(items):
        here = (*loc, i)
        number = f"{prefix}{i + 1}"
        node = _node(item, here, depth, number, levels, doc, path, diags)
        if node is not None:
            out.append(node)
    return out


def _node(item, here: tuple, depth: int, number: str, levels, doc: YamlDoc, path: Path,
          diags: Diagnostics) -> PlanNode | None:
    level = levels[depth]
    child = levels[depth + 1].cle if depth + 1 < len(levels) else None
    if not isinstance(item, dict):
        diags.error(path, doc.line(here), "type-invalide",
                    f"chaque élément « {level.nom.lower()} » s'écrit « - titre : … » (avec ses « fiches » "
                    f"{'ou ses « ' + child + ' »' if child else ''}).")
        return None
    allowed = ["titre", "fiches"] + ([child] if child else [])
    for key in item:
        if key not in allowed:
            hint = (f" ; le niveau « {level.nom} » est le dernier déclaré dans « niveaux »" if child is None
                    else closest(str(key), allowed))
            diags.error(path, doc.line((*here, key)), "cle-inconnue",
                        f"la clé « {key} » n'est pas attendue dans un élément « {level.nom.lower()} » "
                        f"(clés permises : {', '.join(allowed)}){hint}")
    titre = item.get("titre")
    if not isinstance(titre, str) or not titre.strip():
        diags.error(path, doc.line((*here, "titre") if "titre" in item else here), "champ-manquant",
                    f"chaque élément « {level.nom.lower()} » a un « titre » (un texte).")
        titre = ""
    fiches = item.get("fiches") or []
    if not isinstance(fiches, list) or not all(isinstance(f, str) and re.match(r"^[a-z0-9][a-z0-9-]*$", f)
                                                for f in fiches):
        diags.error(path, doc.line((*here, "fiches")), "type-invalide",
                    "« fiches » est une liste d'identifiants de fiches (noms des fichiers fiches/<id>.yaml, "
                    "en minuscules), par exemple « fiches: [pe-relais, ej-sante] ».")
        fiches = []
    children = _nodes(item.get(child), (*here, child), depth + 1, f"{number}.", levels, doc, path,
                      diags) if child else []
    return PlanNode(titre.strip(), depth, number, list(fiches), children, here)


def levels_of(niveaux) -> tuple[PlanLevel, ...]:
    """The levels declared (validated pydantic models), or the preset."""
    if not niveaux:
        return PRESET_LEVELS
    return tuple(PlanLevel(n.cle, n.nom, n.pluriel or plural(n.nom), n.prefixe or "") for n in niveaux)


def plan_from_data(data: dict, levels: tuple[PlanLevel, ...]) -> Plan:
    """The plan of plain data already checked once (a version changed by avenants)."""
    return parse_plan(YamlDoc(data), Path("plan-actions.yaml"), Diagnostics(Path(".")), levels)


def data_nodes(data: dict, levels: tuple[PlanLevel, ...]) -> list[dict]:
    """Every element of a plan kept as plain data (a version's plan), in reading order."""
    out: list[dict] = []

    def walk(items, depth: int) -> None:
        for item in items or []:
            out.append(item)
            if depth + 1 < len(levels):
                walk(item.get(levels[depth + 1].cle), depth + 1)

    walk(data.get(levels[0].cle), 0)
    return out


def remove_fiche(data: dict, levels: tuple[PlanLevel, ...], fid: str) -> None:
    """Take a fiche out of a plan kept as plain data. In a plan with declared levels every element
    stays (its computed number too); in the preset plan, as always, an element it leaves empty goes
    with it (and an element above left empty by that), elements already without fiche stay."""
    if "niveaux" in data:
        for node in data_nodes(data, levels):
            if fid in (node.get("fiches") or []):
                node["fiches"] = [f for f in node["fiches"] if f != fid]
        return

    def prune(items: list, depth: int) -> list:
        kept = []
        for item in items:
            emptied = fid in item.get("fiches", [])
            if emptied:
                item["fiches"] = [f for f in item["fiches"] if f != fid]
            child = levels[depth + 1].cle if depth + 1 < len(levels) else None
            if child and item.get(child):
                item[child] = prune(item[child], depth + 1)
                emptied = emptied or not item[child]
            if not (emptied and not item.get("fiches") and not (child and item.get(child))):
                kept.append(item)
        return kept

    top = levels[0].cle
    data[top] = prune(data.get(top) or [], 0)
