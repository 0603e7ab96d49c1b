"""Communes that sign a document directly, named by their INSEE code (« signataires: - commune: "62178" »).

Such a commune needs no file of the registry: its organisation is made here from the official data
(name, SIREN) and from maires.yaml (its mayors' mandates; none: it signs « le Maire »). A registry
file of type commune with the same code gives its address, short name, logo and representatives.
"""

from __future__ import annotations

from .corpus import Corpus, Located
from .schemas import Organisation, Signataire, TypeOrganisation


def _cited(corpus: Corpus) -> list[tuple[Signataire, Located]]:
    found = [(s, conv.src) for conv in corpus.conventions.values() for s in conv.meta.signataires]
    found += [(s, av.src) for av in corpus.avenants.values() for s in av.meta.signataires_ajoutes]
    return [(s, src) for s, src in found if s.commune is not None]


def resolve_commune_parties(corpus: Corpus) -> None:
    """Add to the registry an organisation for each commune cited by code; a code the official data
    does not know is left for the checks to report (ctg/checks/signatories.py)."""
    reg = corpus.registry
    for s, owner in _cited(corpus):
        ident, code = s.organisation, s.commune
        if ident in reg.organisations or code not in reg.communes:
            continue
        typed = next((oid for oid, o in sorted(reg.organisations.items())
                      if o.type == TypeOrganisation.commune and o.insee == code), None)
        official = reg.communes[code]
        if typed is not None:
            org = reg.organisations[typed].model_copy(update={"id": ident})
            src = reg.organisation_src[typed]
        else:
            org = Organisation(id=ident, type=TypeOrganisation.commune, insee=code, nom=official.nom,
                               siren=official.siren)
            src = owner
        if not org.representants and reg.maires.get(code):
            org = org.model_copy(update={"representants": list(reg.maires[code])})
            src = reg.maires_src or src
        reg.organisations[ident] = org
        reg.organisation_src[ident] = src
        reg.commune_parties.add(ident)
