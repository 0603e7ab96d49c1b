"""How a document names an organisation: article, elision and gender come from its kind and its
official name, never typed (« la commune de Baincthun », « la commune d'Isques », « le Département
du Pas-de-Calais, représenté par »)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..core.french import capitalize, elided_de


VOWELS = "aeiouyéèêâîô"  # an initial h may be aspirated: no elision of a name's article before it


@dataclass(frozen=True)
class Kind:
    article: str  # « la », « le », « l' », or "" for a name without article (« France Travail »)
    feminine: bool
    function: str  # the signatory's office when no person is named
    prefix: str = ""  # « commune » : « la commune de … »
    possessive: bool = True  # « représentée par son Maire » ; the State: « représenté par le Préfet »
    office_of: bool = True  # the cell of an unnamed signatory: « Le Maire de la commune de … » ; the State: « Le Préfet »


KINDS = {
    "caf": Kind("la", True, "Directeur"),
    "cpam": Kind("la", True, "Directeur"),
    "msa": Kind("la", True, "Président"),
    "epci": Kind("la", True, "Président"),  # Communauté de communes, d'agglomération, urbaine ; Métropole
    "commune": Kind("la", True, "Maire", prefix="commune"),
    "département": Kind("le", False, "Président du Conseil départemental"),
    "région": Kind("la", True, "Président du Conseil régional"),
    "sivom": Kind("le", False, "Président"),
    "sivu": Kind("le", False, "Président"),
    "syndicat mixte": Kind("le", False, "Président"),
    "ccas": Kind("le", False, "Président"),
    "cias": Kind("le", False, "Président"),
    "association": Kind("la", True, "Président"),
    "france travail": Kind("", False, "Directeur territorial"),
    "état": Kind("le", False, "Préfet", possessive=False, office_of=False),
}

#: the State signs as « l'État », « la Préfecture du Pas-de-Calais », « la Direction départementale … »
FEMININE_STATE_NAMES = ("Préfecture", "Sous-préfecture", "Direction", "Délégation", "Agence")


def _feminine(org, kind: Kind) -> bool:
    if org.genre:
        return org.genre == "f"
    if org.type.value == "état":
        return (org.nom or "").split(" ")[0] in FEMININE_STATE_NAMES
    return kind.feminine


def kind_of(org) -> Kind:
    """The kind of an organisation, its gender given by « genre » when the name's differs from the
    type's (« genre: m » for an association named « Centre social … »); « autre » takes article and
    gender from the registry."""
    if org.type.value in KINDS:
        kind = KINDS[org.type.value]
        if kind.prefix:  # « la commune de … »
            return kind
        feminine = _feminine(org, kind)
        return replace(kind, article=("la" if feminine else "le") if kind.article else "", feminine=feminine)
    feminine = org.genre == "f" if org.genre else org.article == "la"
    return Kind("" if org.article == "aucun" else (org.article or "le"), feminine, "")


def with_article(article: str, name: str) -> str:
    if not article:
        return name
    return f"{article}{'' if article.endswith(chr(39)) else ' '}{name}"


def full_name(org) -> str:
    """« la Caisse d'allocations familiales du Pas-de-Calais », « la commune de Le Portel »."""
    kind = kind_of(org)
    if kind.prefix:
        return f"{kind.article} {kind.prefix} {elided_de(org.nom)}"
    article = "l'" if kind.article and org.nom[:1].lower() in VOWELS else kind.article
    return with_article(article, org.nom)


def designation(org) -> str:
    """Short name of « ci-après dénommé(e) … »: the registry's, else the full name."""
    return org.designation or full_name(org)


def Full_name(org) -> str:  # noqa: N802 - capitalised form
    return capitalize(full_name(org))
