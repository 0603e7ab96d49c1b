"""Organisations and signatories as the documents name them.

The representative who signs is picked from the registry by the document's
reference date (its signature date, else its start date), never typed again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..core.french import a, capitalize, date_fr, de
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
        """« la Caisse d'allocations familiales du Pas-de-Calais »."""
        art = self.org.article
        return f"{art}{'' if art.endswith(chr(39)) else ' '}{self.org.nom}"

    @property
    def Nom_complet(self) -> str:  # noqa: N802 - template helper, capitalised form
        return capitalize(self.nom_complet)

    @property
    def designation(self) -> str:
        return self.org.designation

    @property
    def Designation(self) -> str:  # noqa: N802
        return capitalize(self.org.designation)

    @property
    def de_designation(self) -> str:
        return de(self.org.designation)

    @property
    def a_designation(self) -> str:
        return a(self.org.designation)

    @property
    def feminine(self) -> bool:
        return self.org.feminine

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


@dataclass(frozen=True)
class Party:
    """A signatory of one document: organisation, its representative at the date, its authorisation."""

    org: OrgView
    representant: Representant
    autorisation: Autorisation | None

    @property
    def personne(self) -> str:
        r = self.representant
        return f"{r.civilite}\u00a0{r.prenom} {r.nom.upper()}"

    @property
    def fonction(self) -> str:
        return self.representant.fonction

    @property
    def fonction_article(self) -> str:
        """« le Directeur », « la Présidente »."""
        art = "la" if self.representant.civilite == "Mme" else "le"
        return f"{art} {self.representant.fonction}"

    @property
    def autorisation_texte(self) -> str:
        return autorisation_text(self.autorisation)

    def comparution(self) -> str:
        """The party's paragraph in « Entre : … »."""
        org = self.org
        fem = org.feminine
        rep_fem = self.representant.civilite == "Mme"
        parts = [f"{org.Nom_complet}"]
        if org.org.adresse:
            parts.append(f"dont le siège est situé {org.org.adresse}")
        if org.org.siren:
            parts.append(f"SIREN {org.org.siren}")
        text = ", ".join(parts)
        text += f", représenté{'e' if fem else ''} par {self.personne}, {self.fonction}"
        if self.autorisation:
            text += f", dûment habilité{'e' if rep_fem else ''} par {self.autorisation_texte}"
        text += f", ci-après dénommé{'e' if fem else ''} «\u00a0{org.designation}\u00a0»"
        return text
