"""The équipements et services of a convention prepared for their annex and for the templates:
the flat list (« equipements »), the tables by collectivité with only the columns filled in, and the
counting functions (by type, by collectivité, by gestionnaire)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..core.collation import sort_key
from ..sources.corpus import ConventionSource, Corpus
from ..sources.equipment_types import type_index

# Columns of the tables: key, header, dashes of the layout line.
_COLUMNS = (("type", "Type", 12), ("famille", "Famille", 18), ("nom", "Structure", 30), ("nom_adresse", "Nom et adresse", 50),
            ("gestionnaire", "Gestionnaire", 22), ("adresse", "Adresse", 36))
_DEFAULT_SORT = ("type", "nom")  # the order of the tables before « tri » existed


@dataclass
class EquipementView:
    type: str  # the code written in the source
    libelle: str  # the type as printed
    famille: str
    rang: int  # position of the type in the list of types
    nom: str
    adresse: str
    nom_adresse: str  # « nom, adresse » when the source wrote them apart
    gestionnaire: str
    collectivite: str  # INSEE code or organisation id
    collectivite_nom: str

    def cellule(self, key: str) -> str:
        """The text of one column (« type » prints the type's libellé)."""
        return self.libelle if key == "type" else getattr(self, key)


@dataclass
class EquipementGroup:
    code: str
    nom: str
    equipements: list[EquipementView]


def _view(e, known: dict, code: str, name: str) -> EquipementView:
    rank, t = known.get(e.type, (len(known), None))
    label = (t.libelle or t.code) if t is not None else e.type
    joined = e.nom_adresse or ", ".join(x for x in (e.nom, e.adresse) if x)
    return EquipementView(t.code if t is not None else e.type, label, (t.famille or "") if t else "", rank,
                          e.nom or "", e.adresse or "", joined, e.gestionnaire or "", code, name)


def _sort_keys(tri) -> tuple[str, ...]:
    if tri is None:
        return _DEFAULT_SORT
    keys = (tri,) if isinstance(tri, str) else tuple(tri)
    return () if "saisie" in keys else keys


def _key(view: EquipementView, keys: tuple[str, ...], default: bool) -> tuple:
    if default:  # exactly the order the tables had before « tri »: type, then name by code points
        return view.rang, view.nom_adresse if not view.nom else view.nom
    return tuple(view.rang if k == "type" else sort_key(getattr(view, {"nom": "nom_adresse"}.get(k, k)))
                 for k in keys if k != "collectivite")


def equipment_groups(corpus: Corpus, conv: ConventionSource, name_of: Callable[[str], str]) -> list[EquipementGroup]:
    data = conv.equipements
    if data is None:
        return []
    known = type_index(corpus.registry.types_equipements, data.types)
    keys = _sort_keys(data.tri)
    default = data.tri is None
    groups = []
    for g in data.collectivites:
        name = name_of(g.collectivite)
        views = [_view(e, known, g.collectivite, name) for e in g.equipements]
        groups.append(EquipementGroup(g.collectivite, name, sorted(views, key=lambda v: _key(v, keys, default))))
    if "collectivite" in keys:
        groups.sort(key=lambda g: sort_key(g.nom))
    return groups


def columns(views: list[EquipementView], chosen) -> list[dict]:
    """The columns printed. « toutes »: type, name, gestionnaire and adresse, as the tables always had;
    « remplies »: type and name, gestionnaire and adresse when one row has them; or the list chosen.
    A row writing its name and address in one cell makes a single « Nom et adresse » column."""
    together = any(v.nom_adresse and not v.nom for v in views)
    if isinstance(chosen, list):
        wanted = list(chosen)
    else:
        wanted = ["type", "nom_adresse" if together else "nom", "gestionnaire"] + ([] if together else ["adresse"])
        if chosen == "remplies":
            wanted = [k for k in wanted if k in ("type", "nom", "nom_adresse") or any(getattr(v, k) for v in views)]
    by_key = {k: (t, w) for k, t, w in _COLUMNS}
    return [{"cle": k, "titre": by_key[k][0], "largeur": by_key[k][1]} for k in wanted]


def _counted(views: list[EquipementView], label: Callable[[EquipementView], str], order) -> list[dict]:
    counts: dict[str, dict] = {}
    for v in sorted(views, key=order):
        counts.setdefault(label(v), {"nom": label(v), "nombre": 0})["nombre"] += 1
    return list(counts.values())


def equipment_context(groups: list[EquipementGroup], chosen="toutes") -> dict:
    """Template variables: the flat list, the tables, and the counting functions."""
    views = [v for g in groups for v in g.equipements]

    def nombre_equipements(type: str | None = None, collectivite: str | None = None,
                           gestionnaire: str | None = None, famille: str | None = None) -> int:
        return sum(1 for v in views
                   if (type is None or type in (v.type, v.libelle))
                   and (collectivite is None or collectivite in (v.collectivite, v.collectivite_nom))
                   and (gestionnaire is None or v.gestionnaire == gestionnaire)
                   and (famille is None or v.famille == famille))

    def par_type() -> list[dict]:
        return _counted(views, lambda v: v.libelle, lambda v: v.rang)

    def par_collectivite() -> list[dict]:
        return _counted(views, lambda v: v.collectivite_nom, lambda v: 0)

    def par_gestionnaire() -> list[dict]:
        return _counted([v for v in views if v.gestionnaire], lambda v: v.gestionnaire,
                        lambda v: sort_key(v.gestionnaire))

    cols = columns(views, chosen)
    return {
        "equipements": views,
        "collectivites_equipees": groups,
        "colonnes_equipements": cols,
        "colonnes_equipements_ligne": "|" + "|".join(":" + "-" * c["largeur"] for c in cols) + "|",
        "nb_equipements": len(views),
        "nombre_equipements": nombre_equipements,
        "equipements_par_type": par_type,
        "equipements_par_gestionnaire": par_gestionnaire,
        "equipements_par_collectivite": par_collectivite,
    }
