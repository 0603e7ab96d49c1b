"""The closing formula and the signature block, generated from the signatories.

« En N exemplaires originaux » counts the signatories; the page count is left
to the writers (a span they fill from the layout); the block has one cell per
signatory, whatever their number.
"""

from __future__ import annotations

import datetime as dt

from ..core.french import NBSP, capitalize, date_fr, de, in_words
from .parties import Party

PLACEHOLDER = "[à compléter]"


def fait_a(lieu: str | None, date: dt.date | None) -> str:
    where = lieu or PLACEHOLDER
    if date is not None:
        return f"Fait à {where}, le {date_fr(date)}"
    if lieu:
        # Signed electronically or in several places: the date is that of the last signature.
        return f"Fait à {where}, à la date de la dernière signature"
    return f"Fait à {where}, le {PLACEHOLDER}"


def closing(kind_label: str, lieu: str | None, date: dt.date | None, parties: list[Party],
            has_annexes: bool = True) -> str:
    """kind_label: « la présente convention », « le présent avenant »."""
    n = len(parties)
    annexes = ", hors annexes énumérées au sommaire" if has_annexes else ""
    return (
        "::: {.cloture}\n"
        f"{fait_a(lieu, date)}, en {in_words(n)} exemplaires originaux.\n\n"
        f"[{kind_label[:1].upper()}{kind_label[1:]} comporte [0]{{.pages-document}} pages{annexes}.]"
        "{.mention-pages}\n"
        ":::\n"
    )


def signing_order(parties: list[Party], ordre: list[str]) -> list[Party]:
    """The parties in the order of « signature: ordre: » (checked: each party once), else their own."""
    if not ordre:
        return parties
    rank = {str(ident).lower(): i for i, ident in enumerate(ordre)}  # a commune: its INSEE code
    return sorted(parties, key=lambda p: rank.get(p.org.id, len(rank)))


def signature_block(parties: list[Party], ordre: list[str] | None = None) -> str:
    """One cell (a div) per signatory, in the order of the signatories or the one the document gives."""
    cells = []
    for i, party in enumerate(signing_order(parties, ordre or [])):
        office = capitalize(party.fonction_article)
        if party.representant is not None:
            lines = [f"**Pour {party.org.nom_complet}**", "", office, "", party.personne]
        else:  # designated by office: the signer writes the name on the line left for it
            of = f" {de(party.org.nom_complet)}" if party.org.office_of else ""  # the State: « Le Préfet »
            lines = [f"**Pour {party.org.nom_complet}**", "", f"{office}{of}", "", f"Nom et prénom{NBSP}:"]
        if party.autorisation:
            lines += ["", f"*Habilité{'e' if party.office_feminine else ''} par {party.autorisation_texte}*"]
        body = "\n".join(lines)
        cells.append(
            f'::: {{.signataire #signataire-{party.org.id} organisation="{party.org.nom_complet}" '
            f'personne="{party.personne}" rang="{i + 1}"}}\n{body}\n:::\n'
        )
    return "::: {.signatures}\n" + "\n".join(cells) + ":::\n"
