"""Types of équipements: the registry's list has each code once, a convention's own types do not
repeat it, every équipement (and every avenant adding one) names a known type, « tri » is coherent."""

from __future__ import annotations

from ..core.diagnostics import Diagnostics, closest
from ..sources.corpus import Corpus
from ..sources.equipment_types import type_index


def check_equipment_types(corpus: Corpus, diags: Diagnostics) -> None:
    reg = corpus.registry
    if reg.types_equipements_src is not None:
        _no_twice(reg.types_equipements, reg.types_equipements_src, {}, diags)
    registry = type_index(reg.types_equipements)
    for conv in corpus.conventions.values():
        if conv.equipements is None or conv.equipements_src is None:
            continue
        src, data = conv.equipements_src, conv.equipements
        _no_twice(data.types, src, registry, diags)
        known = type_index(reg.types_equipements, data.types)
        tri = [data.tri] if isinstance(data.tri, str) else list(data.tri or [])
        if "saisie" in tri and len(tri) > 1:
            diags.error(src.path, src.line("tri"), "tri-invalide",
                        "« saisie » garde l'ordre du fichier : il ne se combine pas avec d'autres clés de tri.")
        for i, group in enumerate(data.collectivites):
            for j, e in enumerate(group.equipements):
                if e.type not in known:
                    diags.error(src.path, src.line("collectivites", i, "equipements", j, "type"), "type-inconnu",
                                f"{unknown_type(e.type, known)} Ajoutez-le à conventions/_registre/types-equipements.yaml, ou à « types » de "
                                "ce fichier s'il est propre à la convention.")
    for av in corpus.avenants.values():
        conv = corpus.conventions.get(av.meta.convention)
        own = conv.equipements.types if conv is not None and conv.equipements is not None else []
        known = type_index(reg.types_equipements, own)
        for i, op in enumerate(av.meta.modifications):
            if op.type is not None and op.type not in known:
                diags.error(av.path, av.src.line("modifications", i, "type"), "type-inconnu",
                            unknown_type(op.type, known))


def unknown_type(name: str, known: dict) -> str:
    return (f"le type « {name} » n'est pas dans la liste des types d'équipements (types connus : "
            f"{known_list(known)}){closest(name, known)}")


def known_list(known: dict) -> str:
    codes: list[str] = []
    for _rank, t in sorted(known.values(), key=lambda rt: rt[0]):
        if t.code not in codes:
            codes.append(t.code)
    return ", ".join(codes)


def _no_twice(types, src, registry: dict, diags: Diagnostics) -> None:
    seen: set[str] = set()
    for i, t in enumerate(types):
        for name in (t.code, *t.synonymes):
            if name in seen or name in registry:
                where = "dans le registre (conventions/_registre/types-equipements.yaml)" if name in registry \
                    else "plus haut dans cette liste"
                diags.error(src.path, src.line("types", i, "code"), "type-en-double",
                            f"le type « {name} » existe déjà {where} ; utilisez-le tel quel ou choisissez un autre code.")
            seen.add(name)
