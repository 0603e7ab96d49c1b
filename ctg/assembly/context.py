"""Facts a document's templates can use, derived from the corpus (never retyped)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..core.french import blank, date_fr, in_words
from ..sources.corpus import AvenantSource, ConventionSource, Corpus
from ..sources.schemas import Commune, Organisation, Signataire
from .parties import OrgView, Party, representative_at


def reference_date(signature_date: dt.date | None, start: dt.date) -> dt.date:
    """The date that picks representatives: the signature date, else the start date."""
    return signature_date or start


def by_office(org: Organisation, s: Signataire) -> bool:
    """A signatory designated by its office only: the document says so (« fonction »), or the
    registry names no one for the organisation (many communes sign, their mayors unnamed)."""
    return s.fonction is not None or not org.representants


def make_parties(corpus: Corpus, signataires: list[Signataire], when: dt.date,
                 autorisations: dict | None = None) -> list[Party]:
    """Parties of a document; assumes validate.py has checked organisations and offices."""
    parties = []
    autorisations = autorisations or {}
    for s in signataires:
        org = corpus.registry.organisations.get(s.organisation)
        if org is None:
            continue
        rep = None if by_office(org, s) else representative_at(org, when)
        if rep is None and not by_office(org, s):
            continue
        parties.append(Party(OrgView(org), rep, autorisations.get(org.id, s.autorisation), s.fonction,
                             s.designation))
    return parties


def covered_communes(corpus: Corpus, conv: ConventionSource) -> list[Commune]:
    """The EPCI's member communes (official data), minus those the convention leaves out on
    purpose (communes_retirees), plus those it adds (communes_ajoutees); sorted by INSEE code."""
    territory = corpus.registry.organisations.get(conv.meta.territoire)
    if territory is None:
        return []
    communes, members = pinned_data(corpus, conv, territory)
    codes = set(members) - {d.insee for d in conv.meta.communes_retirees}
    codes |= {d.insee for d in conv.meta.communes_ajoutees}
    found = [communes[c] for c in codes if c in communes]
    return sorted(found, key=lambda c: c.insee)


def pinned_data(corpus: Corpus, conv: ConventionSource, territory) -> tuple[dict, list[str]]:
    """The communes (by INSEE code) of the vintage the convention is pinned to (« donnees_officielles: »), and
    the territory's members in it: an EPCI's membership is that vintage's, unless the registry lists them."""
    reg = corpus.registry
    vintage = reg.millesimes.get(conv.meta.donnees_officielles) if conv.meta.donnees_officielles else None
    if vintage is None:  # default, or an unknown year (reported by checks/renewals.py)
        return reg.communes, list(territory.communes)
    typed = reg.organisation_src.get(territory.id)
    listed = typed is not None and isinstance(typed.doc.data, dict) and typed.doc.data.get("communes")
    epci = vintage.epci.get(territory.siren) if territory.siren else None
    members = list(territory.communes) if listed or epci is None else list(epci.membres)
    return vintage.communes, members


def sivom_views(corpus: Corpus, conv: ConventionSource) -> list[OrgView]:
    return [OrgView(corpus.registry.organisations[s]) for s in conv.meta.sivom if s in corpus.registry.organisations]


def first_of_type(parties: list[Party], kind: str) -> OrgView | None:
    for p in parties:
        if p.org.org.type.value == kind:
            return p.org
    return None


@dataclass
class ConventionFacts:
    conv: ConventionSource
    parties: list[Party]
    territoire: OrgView | None
    caf: OrgView | None
    communes: list[Commune]
    sivom: list[OrgView]

    @property
    def periode_texte(self) -> str:
        p = self.conv.meta.periode
        return f"du {date_fr(p.debut)} au {date_fr(p.fin)}"


def convention_facts(corpus: Corpus, conv: ConventionSource) -> ConventionFacts:
    meta = conv.meta
    when = reference_date(meta.signature.date, meta.periode.debut)
    parties = make_parties(corpus, meta.signataires, when)
    territory = corpus.registry.organisations.get(meta.territoire)
    return ConventionFacts(
        conv=conv,
        parties=parties,
        territoire=OrgView(territory) if territory else None,
        caf=first_of_type(parties, "caf"),
        communes=covered_communes(corpus, conv),
        sivom=sivom_views(corpus, conv),
    )


def sigles_at(corpus: Corpus, signed_on: dt.date | None) -> dict[str, str]:
    """The registry's sigles a text signed on that day may print: not those added after (« depuis: »)."""
    since = corpus.registry.sigles_depuis
    return {k: v for k, v in corpus.registry.sigles.items()
            if signed_on is None or k not in since or since[k] <= signed_on}


def base_context(facts: ConventionFacts, corpus: Corpus) -> dict:
    """Variables shared by a convention and its avenants' templates."""
    return {
        "convention": facts.conv.meta,
        "territoire": facts.territoire,
        "caf": facts.caf,
        "communes": facts.communes,
        # the communes that sign the convention themselves (none when they engage by fiche d'engagement)
        "communes_signataires": [p.org for p in facts.parties if p.org.org.type.value == "commune"],
        "sivom": facts.sivom,
        "periode_texte": facts.periode_texte,
        "date": date_fr,
        "blanc": blank,  # a form's blank in an annex: « ………… (date de la séance) »
        "en_lettres": in_words,
        "sigles_registre": sigles_at(corpus, facts.conv.meta.signature.date),
    }


def earlier_avenants(corpus: Corpus, av: AvenantSource) -> list[AvenantSource]:
    """The avenants of the same convention numbered before this one, signed or not: an avenant is
    drafted on the convention as they amend it."""
    return sorted((o for o in corpus.avenants.values()
                   if o.meta.convention == av.meta.convention and o.meta.numero < av.meta.numero),
                  key=lambda o: o.meta.numero)


def avenant_signataires(corpus: Corpus, av: AvenantSource, parent: ConventionSource) -> list[Signataire]:
    """The convention's signatories, those the earlier avenants added, then this avenant's own; an
    avenant is signed under its own authorisations, not those of the texts before it."""
    before = list(parent.meta.signataires) + [s for o in earlier_avenants(corpus, av) for s in o.meta.signataires_ajoutes]
    return [s.model_copy(update={"autorisation": None}) for s in before] + list(av.meta.signataires_ajoutes)


def avenant_parties(corpus: Corpus, av: AvenantSource, parent: ConventionSource) -> list[Party]:
    when = reference_date(av.meta.signature.date, av.meta.effet)
    return make_parties(corpus, avenant_signataires(corpus, av, parent), when, av.meta.autorisations)


def avenant_visas(corpus: Corpus, av: AvenantSource, parent: ConventionSource, title: str) -> list[str]:
    """« Vu la convention …, signée le … », « Vu l'avenant n° 2023-001 à cette convention, signé le … »
    for each earlier avenant, then the avenant's own visas."""
    signed = parent.meta.signature.date
    visas = [f"Vu la {title}, signée le {date_fr(signed)}" if signed else f"Vu la {title}"]
    for o in earlier_avenants(corpus, av):
        when = f", signé le {date_fr(o.meta.signature.date)}" if o.meta.signature.date else ""
        visas.append(f"Vu l'avenant n°\u00a0{o.meta.numero} à cette convention{when}")
    return visas + list(av.meta.visas)
