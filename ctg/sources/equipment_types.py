"""Types of équipements et services: the registry's list (conventions/_registre/types-equipements.yaml)
and the types a convention adds in its donnees/equipements.yaml. Their order is the order of the
tables sorted « par type »."""

from __future__ import annotations

from .schemas import TypeEquipement

# The types accepted before the registry had its own list: a registry without
# types-equipements.yaml keeps them, in this order (compatibility).
LEGACY_CODES = ("EAJE", "LAEP", "RPE", "ALSH extrascolaire", "ALSH périscolaire", "Accueil jeunes", "Ludothèque",
                "Séjours", "BAFA / BAFD", "Poste de coordination", "Centre social", "Espace de vie sociale", "CLAS",
                "REAAP")
LEGACY_TYPES = tuple(TypeEquipement(code=c) for c in LEGACY_CODES)


def type_index(registry: tuple | list, own: tuple | list = ()) -> dict[str, tuple[int, TypeEquipement]]:
    """Every way of writing a type (code and synonyms) → (rank, type): the registry's, then the convention's."""
    out: dict[str, tuple[int, TypeEquipement]] = {}
    for rank, t in enumerate([*registry, *own]):
        for name in (t.code, *t.synonymes):
            out.setdefault(name, (rank, t))
    return out


def type_label(registry: tuple | list, code: str, own: tuple | list = ()) -> str:
    """The libellé printed for a type written « code »."""
    found = type_index(registry, own).get(code)
    return (found[1].libelle or found[1].code) if found else code
