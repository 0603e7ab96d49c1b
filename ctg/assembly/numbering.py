"""Numbering of articles, annexes and fiches action, and resolution of cross-references.

Numbers are derived from order, never typed: an article moved or inserted
renumbers everything, and « cf. Annexe 4 » always points at the right annex.
"""

from __future__ import annotations

import re
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


AFTER_SIGNATURES = "signatures"  # « apres="signatures" »: an unnumbered piece after the signature block
_ADDITION = re.compile(r"^(avant|apres)-(.+)$")


def addition_target(section: Section) -> tuple[str, str] | None:
    """(« avant » or « apres », article id) for a section {#avant-ID} or {#apres-ID}: a paragraph
    added at the start or the end of article ID, not an article of its own."""
    m = _ADDITION.match(section.id)
    return (m.group(1), m.group(2)) if m and "apres" not in section.attrs else None


def after_signatures(sections: list[Section]) -> list[Section]:
    """The pieces written to follow the signatures (« Territoire couvert »), in their order."""
    return [s for s in sections if s.attrs.get("apres") == AFTER_SIGNATURES]


def additions(sections: list[Section]) -> dict[str, tuple[list, list]]:
    """{article id: (sections added before its text, sections added after)}."""
    out: dict[str, tuple[list, list]] = {}
    for section in sections:
        target = addition_target(section)
        if target is not None:
            out.setdefault(target[1], ([], []))[0 if target[0] == "avant" else 1].append(section)
    return out


_TYPED = re.compile(  # « 6 - b », « Article 6 - b », « 7 – », « 6. », « 6.1 », « a) », « II. »
    r"^(?:\d{1,2}\s*-\s*[a-z](?=\s|$)"
    r"|article\s+\d+(?:\s*er)?(?:\s*[.\-–—]\s*(?:\d{1,2}|[a-z])\b)*"
    r"|\d{1,2}(?:\s*[.\-–—]\s*(?:\d{1,2}|[a-z])\b)*\s*(?:[.)–—:]|-(?=\s))"
    r"|[a-h]\s*[)–—]|[ivx]{1,4}\s*[.)–—]\s)",
    re.IGNORECASE)
_TYPED_ANNEX = re.compile(r"^annexe(?:\s*n\s*°)?\s*\d+|^annexe\s+(?:n\s*°\s*)?(?:[ivx]+|[a-z])\b", re.IGNORECASE)


def typed_annex_number(title: str) -> str | None:
    """The number typed at the start of an annex title (« Annexe 3 – Communes »), if any."""
    m = _TYPED_ANNEX.match(title.strip()) or _TYPED.match(title.strip())
    return m.group(0).strip() if m else None


_SUB_HEADING = re.compile(r"^###(?!#)\s+(.*)$")


def typed_numbers(sections: list[Section], problems: list) -> None:
    """A heading that starts with a number typed by hand (« Article 6 - b », « 7 – », « 6. »,
    « a) ») would print twice numbered (« Article 7 – Article 6 - b »): numbers are computed."""
    for section in sections:
        found = [(section.line, section.title)]
        fence = False
        for i, line in enumerate(section.text.split("\n")):
            if line.startswith(("```", "~~~")):
                fence = not fence
            m = None if fence else _SUB_HEADING.match(line)
            if m:
                found.append((section.line + 1 + i, m.group(1)))
        for line, title in found:
            typed = _TYPED.match(title.strip())
            if typed:
                problems.append((Section(section.id, title, {}, "", line, section.path), "numero-tape",
                                 f"le titre « {title.strip()} » commence par un numéro tapé "
                                 f"(« {typed.group(0).strip()} ») ; les numéros d'articles et de sous-articles "
                                 "sont calculés : retirez-le du titre."))


def number_articles(model: ClauseModel, sections: list[Section], problems: list) -> list[ArticlePlan]:
    """Merge the model's articles with the document's own sections.

    A section whose id is a model article replaces that article; a section
    with « apres=ID » is inserted after ID; any other section is an error
    reported through problems as (section, message). Sections {#avant-ID} and
    {#apres-ID} (text added to article ID) and those « apres="signatures" »
    (unnumbered, after the signature block) are no articles.
    """
    local = {s.id: s for s in sections if s.id != "preambule" and s.attrs.get("apres") != AFTER_SIGNATURES
             and not addition_target(s)}
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
    ids = {o[0] for o in order}
    for section in sections:
        target = addition_target(section)
        if target is not None and target[1] not in ids:
            problems.append((section, "ajout-sans-article",
                             f"« {section.id} » ajoute un texte {'avant' if target[0] == 'avant' else 'après'} "
                             f"celui de l'article « {target[1]} », qui n'existe pas dans ce document (articles : "
                             f"{', '.join(o[0] for o in order)})."))
    return [ArticlePlan(ident, i + 1, title, clause, section)
            for i, (ident, title, clause, section) in enumerate(order)]


DASH = "\u2013"
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def sub_article_label(number: str, k: int, style: str = "chiffres") -> str:
    """« 6.2 » (chiffres, the default) or « 6 - b » (lettres) for the k-th sub-article of article 6."""
    if style == "lettres":
        letter = _LETTERS[(k - 1) % 26] * ((k - 1) // 26 + 1)
        return f"{number}\u00a0-\u00a0{letter}"
    return f"{number}.{k}"


def article_label(number: int) -> str:
    return "Article 1er" if number == 1 else f"Article {number}"


def annex_anchor(ident: str) -> str:
    return f"annexe-{ident}"


def fiche_anchor(ident: str) -> str:
    return f"fiche-{ident}"


def number_fiches(plan_fiche_ids: list[str]) -> dict[str, str]:
    return {fid: str(i + 1) for i, fid in enumerate(plan_fiche_ids)}


def shift_headings(text: str, number: str | None, style: str = "chiffres") -> str:
    """Sub-articles: « ### Titre » → « ## 6.1 – Titre » (or « ## 6 - a – Titre » with style
    « lettres »); deeper headings go up one level."""
    out, k, fence = [], 0, False
    for line in text.split("\n"):
        if line.startswith(("```", "~~~")):
            fence = not fence
        m = None if fence else re.match(r"^(#{3,6})\s+(.*)$", line)
        if m:
            level = len(m.group(1)) - 1
            title = m.group(2)
            if level == 2 and number is not None:
                k += 1
                title = f"{sub_article_label(number, k, style)} {DASH} {title}"
            line = "#" * level + " " + title
        out.append(line)
    return "\n".join(out)
