"""Organisations and signatories as the documents name them.

The representative who signs is picked from the registry by the document's
reference date (its signature date, else its start date), never typed again.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..core.french import a, capitalize, date_fr, de
from . import org_names
from ..sources.deliberation_schemas import Personne
from ..sources.schemas import Autorisation, Organisation, Representant

NBSP = "\u00a0"


@dataclass(frozen=True)
class OrgView:
    org: Organisation

    @property
    def id(self) -> str:
        return self.org.id

    @property
    def nom(self) -> str:
        return self.org.nom

    @property
    def nom_complet(self) -> str:
        """« la Caisse d'allocations familiales du Pas-de-Calais », « la commune de Le Portel »."""
        return org_names.full_name(self.org)

    @property
    def Nom_complet(self) -> str:  # noqa: N802 - template helper, capitalised form
        return capitalize(self.nom_complet)

    @property
    def designation(self) -> str:
        return org_names.designation(self.org)

    @property
    def Designation(self) -> str:  # noqa: N802
        return capitalize(self.designation)

    @property
    def de_designation(self) -> str:
        return de(self.designation)

    @property
    def a_designation(self) -> str:
        return a(self.designation)

    @property
    def feminine(self) -> bool:
        return org_names.kind_of(self.org).feminine

    @property
    def possessive(self) -> bool:
        return org_names.kind_of(self.org).possessive

    @property
    def office_of(self) -> bool:
        return org_names.kind_of(self.org).office_of

    @property
    def default_function(self) -> str:
        return org_names.kind_of(self.org).function

    def __str__(self) -> str:
        return self.nom_complet


def in_office(rep: Representant, when: dt.date) -> bool:
    """A mandate whose start is not known (a « projet » may omit it) has always been running."""
    return (rep.debut is None or rep.debut <= when) and (rep.fin is None or when <= rep.fin)


def overlapping_mandates(terms: list[Representant]) -> list[tuple[Representant, Representant]]:
    """(earlier, later) pairs of mandates that overlap; a mandate without start counts from always."""
    ordered = sorted(terms, key=lambda t: t.debut or dt.date.min)
    return [(prev, nxt) for prev, nxt in zip(ordered, ordered[1:])
            if nxt.debut is None or prev.fin is None or prev.fin >= nxt.debut]


def representative_at(org: Organisation, when: dt.date) -> Representant | None:
    for rep in org.representants:
        if in_office(rep, when):
            return rep
    return None


def personne(p: Personne | Representant) -> str:
    """« M. Jean-Claude LEROY »."""
    return f"{p.civilite}{NBSP}{p.prenom} {p.nom.upper()}"


DATED_ACT = re.compile(r"\s+(?:en\s+date\s+)?du$")  # an act typed « délibération … du », « … en date du »


def autorisation_text(aut: Autorisation | None) -> str:
    """« délibération du conseil communautaire n° 2021-245 du 28 septembre 2021 »; an act whose
    wording already ends with « du » is not given a second one; an act not dated yet (a « projet »)
    is named without date, and without a dangling « du »."""
    if aut is None:
        return ""
    acte = DATED_ACT.sub("", aut.acte.strip())
    ending = DATED_ACT.search(aut.acte.strip())
    numero = f" n°\u00a0{aut.numero}" if aut.numero else ""
    if aut.date is None:
        return f"{acte}{numero}"
    return f"{acte}{numero}{ending.group(0) if ending else ' du'} {date_fr(aut.date)}"


FEMININE_OFFICES = ("Présidente", "Directrice", "Préfète", "Vice-présidente", "Adjointe")


def office_is_feminine(fonction: str, civilite: str | None) -> bool:
    if civilite is not None:
        return civilite == "Mme"
    return fonction.split()[0] in FEMININE_OFFICES


@dataclass(frozen=True)
class Party:
    """A signatory of one document: organisation, its representative at the date (None when the
    document designates the signatory by its office only), its authorisation."""

    org: OrgView
    representant: Representant | None
    autorisation: Autorisation | None
    office: str | None = None  # the office of a signatory designated by function only
    short_name: str | None = None  # this document's « ci-après dénommé(e) »

    @property
    def personne(self) -> str:
        """« M. Jean-Claude LEROY »; empty for a signatory designated by office only."""
        r = self.representant
        return f"{r.civilite}\u00a0{r.prenom} {r.nom.upper()}" if r else ""

    @property
    def fonction(self) -> str:
        if self.representant is not None:
            return self.representant.fonction
        return self.office or self.org.default_function

    @property
    def office_feminine(self) -> bool:
        r = self.representant
        return office_is_feminine(self.fonction, r.civilite if r else None)

    @property
    def fonction_article(self) -> str:
        """« le Directeur », « la Présidente »."""
        return f"{'la' if self.office_feminine else 'le'} {self.fonction}"

    @property
    def designation(self) -> str:
        return self.short_name or self.org.designation

    @property
    def autorisation_texte(self) -> str:
        return autorisation_text(self.autorisation)

    def representation(self) -> str:
        """« représenté par M. Jean-Claude LEROY, Président du Conseil départemental », « représentée
        par son Maire »: agreed with the organisation."""
        by = "représentée par" if self.org.feminine else "représenté par"
        if self.representant is not None:
            return f"{by} {self.personne}, {self.fonction}"
        if self.org.possessive:
            return f"{by} {'sa' if self.office_feminine else 'son'} {self.fonction}"
        return f"{by} {self.fonction_article}"  # the State: « représenté par le Préfet du Pas-de-Calais »

    def comparution(self) -> str:
        """The party's paragraph in « Entre : … »."""
        org = self.org
        fem = org.feminine
        parts = [f"{org.Nom_complet}"]
        if org.org.adresse:
            parts.append(f"dont le siège est situé {org.org.adresse}")
        if org.org.siren:
            parts.append(f"SIREN {org.org.siren}")
        text = ", ".join(parts)
        text += f", {self.representation()}"
        if self.autorisation:
            text += f", dûment habilité{'e' if self.office_feminine else ''} par {self.autorisation_texte}"
        text += f", ci-après dénommé{'e' if fem else ''} «\u00a0{self.designation}\u00a0»"
        return text
