"""Organisations and signatories as the documents name them.

The representative who signs is picked from the registry by the document's
reference date (its signature date, else its start date), never typed again.
"""

from __future__ import annotations

import datetime as dt
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
    def default_function(self) -> str:
        return org_names.kind_of(self.org).function

    def __str__(self) -> str:
        return self.nom_complet


def representative_at(org: Organisation, when: dt.date) -> Representant | None:
    for rep in org.representants:
        if rep.debut <= when and (rep.fin is None or when <= rep.fin):
            return rep
    return None


def personne(p: Personne | Representant) -> str:
    """« M. Jean-Claude LEROY »."""
    return f"{p.civilite}{NBSP}{p.prenom} {p.nom.upper()}"


def autorisation_text(aut: Autorisation | None) -> str:
    """« délibération du conseil communautaire n° 2021-245 du 28 septembre 2021 »."""
    if aut is None:
        return ""
    numero = f" n°\u00a0{aut.numero}" if aut.numero else ""
    return f"{aut.acte}{numero} du {date_fr(aut.date)}"


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
        return f"{by} {'sa' if self.office_feminine else 'son'} {self.fonction}"

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
