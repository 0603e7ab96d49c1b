"""The communes of the official data as the dependency index keeps them between runs.

A national registry holds some 35,000 communes; a run that checks one convention reads a few dozen
of them. Kept as a plain dict, every run unpickled every commune model (0.07 s for 13,000). A
CommuneTable keeps each commune pickled and makes it when first asked for; the names are at hand
without making any, and what the checks derive from every name (the « did you mean » index, the
names the prose check knows) is kept with the table (derived), computed once for all runs.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Mapping

from .schemas import Commune


class CommuneTable(Mapping):
    """A read-only {INSEE code: Commune}, each commune unpickled on first access."""

    def __init__(self, communes: Mapping[str, Commune]):
        self._rows = {code: pickle.dumps(c, protocol=pickle.HIGHEST_PROTOCOL) for code, c in communes.items()}
        self._names = {code: (c.nom, c.siren) for code, c in communes.items()}
        self._made: dict[str, Commune] = dict(communes)
        self.derived: dict[str, object] = {}  # see derived()

    @classmethod
    def _unpickled(cls, rows: dict[str, bytes], names: dict[str, tuple[str, str | None]],
                   kept: dict[str, object]) -> CommuneTable:
        table = cls.__new__(cls)
        table._rows, table._names, table._made, table.derived = rows, names, {}, kept
        return table

    def __reduce__(self):
        return CommuneTable._unpickled, (self._rows, self._names, self.derived)

    def __getitem__(self, code: str) -> Commune:
        made = self._made.get(code)
        if made is None:
            made = self._made[code] = pickle.loads(self._rows[code])  # KeyError for an unknown code
        return made

    def __contains__(self, code: object) -> bool:
        return code in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def names(self) -> Iterator[tuple[str, str, str | None]]:
        return ((code, nom, siren) for code, (nom, siren) in self._names.items())


def commune_names(communes: Mapping[str, Commune]) -> Iterator[tuple[str, str, str | None]]:
    """(INSEE code, name, SIREN) of every commune, without making the communes of a table."""
    if isinstance(communes, CommuneTable):
        return communes.names()
    return ((code, c.nom, c.siren) for code, c in communes.items())


def derived(communes: Mapping[str, Commune], name: str, compute):
    """compute(communes): for a table, computed once and kept with it (pickled with it, so the
    dependency index stores it with the registry); for a plain dict, computed at each call."""
    if not isinstance(communes, CommuneTable):
        return compute(communes)
    if name not in communes.derived:
        communes.derived[name] = compute(communes)
    return communes.derived[name]


def packed(registry):
    """The registry as the dependency index stores it: its communes, and each vintage's, as tables
    (a vintage holding the very communes of the registry shares its table)."""
    import dataclasses

    main = CommuneTable(registry.communes)

    def same(communes) -> bool:
        return communes.keys() == registry.communes.keys() and all(
            c is registry.communes[code] for code, c in communes.items())

    vintages = {year: dataclasses.replace(v, communes=main if same(v.communes) else CommuneTable(v.communes))
                for year, v in registry.millesimes.items()}
    return dataclasses.replace(registry, communes=main, millesimes=vintages)
