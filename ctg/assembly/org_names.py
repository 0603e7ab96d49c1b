"""How a document names an organisation: article, elision and gender come from its kind and its
official name, never typed (« la commune de Baincthun », « la commune d'Isques », « le Département
du Pas-de-Calais, représenté par »)."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.french import capitalize, elided_de


VOWELS = "aeiouyéèêâîô"  # an initial h may be aspirated: no elision of a name's article before it


@dataclass(frozen=True)
class Kind:
    article: str  # « la », « le », « l' »
    feminine: bool
    function: str  # the signatory's office when no person is named
    prefix: str = ""  # « commune » : « la commune de … »


KINDS = {
    "caf": Kind("la", True, "Directeur"),
    "cpam": Kind("la", True, "Directeur"),
    "msa": Kind("la", True, "Président"),
    "epci": Kind("la", True, "Président"),  # Communauté de communes, d'agglomération, urbaine ; Métropole
    "commune": Kind("la", True, "Maire", prefix="commune"),
    "département": Kind("le", False, "Président du Conseil départemental"),
    "sivom": Kind("le", False, "Président"),
    "sivu": Kind("le", False, "Président"),
    "ccas": Kind("le", False, "Président"),
    "cias": Kind("le", False, "Président"),
    "état": Kind("l'", False, "Préfet"),
}


def kind_of(org) -> Kind:
    """The kind of an organisation; « autre » takes its article and gender from the registry."""
    if org.type.value in KINDS:
        return KINDS[org.type.value]
    feminine = org.genre == "f" if org.genre else org.article == "la"
    return Kind(org.article or "le", feminine, "")


def with_article(article: str, name: str) -> str:
    return f"{article}{'' if article.endswith(chr(39)) else ' '}{name}"


def full_name(org) -> str:
    """« la Caisse d'allocations familiales du Pas-de-Calais », « la commune de Le Portel »."""
    kind = kind_of(org)
    if kind.prefix:
        return f"{kind.article} {kind.prefix} {elided_de(org.nom)}"
    article = "l'" if org.nom[:1].lower() in VOWELS else kind.article
    return with_article(article, org.nom)

def designation(org) -> str:
    """Short name of « ci-après dénommé(e) … »: the registry's, else the full name."""
    return org.designation or full_name(org)


def Full_name(org) -> str:  # noqa: N802 - capitalised form
    return capitalize(full_name(org))
