"""Numbering of articles, annexes and fiches action, and resolution of cross-references.

Numbers are derived from order, never typed: an article moved or inserted
renumbers everything, and « cf. Annexe 4 » always points at the right annex.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..sources.corpus import Section
from ..sources.models import ClauseModel


@dataclass
class ArticlePlan:
    id: str
    number: int
    title: str | None  # None: taken from the local section (or rendered from the model title)
    clause: str | None  # library template path, when not written locally
    section: Section | None

    @property
    def anchor(self) -> str:
        return f"article-{self.id}"




def number_articles(model: ClauseModel, sections: list[Section], problems: list) -> list[ArticlePlan]:
    """Merge the model's articles with the document's own sections.

    A section whose id is a model article replaces that article; a section
    with « apres=ID » is inserted after ID; any other section is an error
    reported through problems as (section, message).
    """
    local = {s.id: s for s in sections if s.id != "preambule"}
    order: list[tuple[str, str | None, str | None, Section | None]] = []
    for art in model.articles:
        section = local.pop(art.id, None)
        order.append((art.id, art.titre, art.clause, section))
    pending = list(local.values())
    progress = True
    while pending and progress:
        progress = False
        for section in list(pending):
            after = section.attrs.get("apres")
            if after is None:
                continue
            idx = next((i for i, o in enumerate(order) if o[0] == after), None)
            if idx is not None:
                order.insert(idx + 1, (section.id, None, None, section))
                pending.remove(section)
                progress = True
    for section in pending:
        after = section.attrs.get("apres")
        if after is None:
            known = ", ".join(a.id for a in model.articles)
            problems.append((section, "article-inconnu",
                             f"l'article « {section.id} » n'est pas un article du modèle ({known}) ; "
                             "pour ajouter un article, précisez sa place : {#" + section.id + ' apres="champs-epci"}.'))
        else:
            problems.append((section, "reference-inconnue",
                             f"l'article « {section.id} » doit suivre « {after} », qui n'existe pas dans ce document."))
    return [ArticlePlan(ident, i + 1, title, clause, section)
            for i, (ident, title, clause, section) in enumerate(order)]


def article_label(number: int) -> str:
    return "Article 1er" if number == 1 else f"Article {number}"


def annex_anchor(ident: str) -> str:
    return f"annexe-{ident}"


def fiche_anchor(ident: str) -> str:
    return f"fiche-{ident}"


def number_fiches(plan_fiche_ids: list[str]) -> dict[str, str]:
    return {fid: str(i + 1) for i, fid in enumerate(plan_fiche_ids)}

