"""Composition: several assembled documents → one AssembledDocument (a « dossier »).

The dossier of a délibération is the délibération, then its rapport, then each approved
document in its final form, each starting on a new page, under one sommaire. The
documents are taken as assembled (never re-typed) and combined on pandoc's AST:

- every identifier of a part gets the part's prefix (« p3-article-objet »), and so do the
  internal links, so that anchors stay unique and each part's renvois still work;
- the headings of an approved document go down one level, under a level-1 heading that
  names it (« Document approuvé n° 1 – … », placed on its cover page);
- each part's own sommaire is dropped (the dossier has one);
- a part starts with an empty « .partie » div (writers: new page, page numbering that
  restarts, running header with the part's short title);
- the signature blocks of the approved documents get « champs="non" » (no signature
  field: the dossier informs the assembly, the documents are signed separately), and
  « comporte N pages » counts the pages of the part (« partie="p3" »).

The writers receive the composed AST directly (compose_ast); the Markdown of the
AssembledDocument is pandoc's rendering of it, for reading (« build.py markdown »).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..assembly.assemble import metadata_block
from ..core import pandoc
from ..core.ast import attr, div_info, is_div, is_span, map_blocks, map_inlines, text_inlines
from ..core.document import AssembledDocument
from ..core.french import french_typography

NBSP = "\u00a0"
KIND = "dossier"


@dataclass(frozen=True)
class Part:
    doc: AssembledDocument
    heading: str | None  # level-1 heading added on its cover; None: the part has its own level-1 heading
    short_title: str  # running header of its pages


def _prefix_attr(a: list, prefix: str) -> list:
    ident, classes, kv = a
    return [f"{prefix}-{ident}" if ident else "", classes, kv]


def _walk(node, prefix: str):
    """Prefix every identifier and internal link target in node (a copy is returned)."""
    if isinstance(node, list):
        return [_walk(n, prefix) for n in node]
    if not isinstance(node, dict):
        return node
    t = node.get("t")
    c = node.get("c")
    if t == "Header":
        level, a, inlines = c
        return {"t": t, "c": [level, _prefix_attr(a, prefix), _walk(inlines, prefix)]}
    if t in ("Div", "Span", "CodeBlock", "Code"):
        return {"t": t, "c": [_prefix_attr(c[0], prefix), _walk(c[1], prefix)]}
    if t in ("Link", "Image"):
        a, inlines, (target, title) = c
        if t == "Link" and target.startswith("#"):
            target = f"#{prefix}-{target[1:]}"
        return {"t": t, "c": [_prefix_attr(a, prefix), _walk(inlines, prefix), [target, title]]}
    if t in ("Table", "Figure"):
        return {"t": t, "c": [_prefix_attr(c[0], prefix), *_walk(c[1:], prefix)]}
    return {k: _walk(v, prefix) for k, v in node.items()}


def _demote(blocks: list) -> list:
    def fn(b: dict):
        if b.get("t") == "Header":
            level, a, inlines = b["c"]
            return [{"t": "Header", "c": [min(level + 1, 6), a, inlines]}]
        return None

    return map_blocks(blocks, fn)


def _set_kv(a: list, **kv: str) -> list:
    ident, classes, pairs = a
    pairs = [p for p in pairs if p[0] not in kv] + [[k, v] for k, v in kv.items()]
    return [ident, classes, pairs]


def _part_blocks(part: Part, prefix: str) -> tuple[list, str]:
    """The part's blocks, ready to be concatenated, and the identifier of its first heading."""
    ast = pandoc.to_ast(part.doc.markdown)
    blocks = [b for b in ast["blocks"] if not is_div(b, "sommaire")]
    if part.heading is not None:
        blocks = _demote(blocks)
    blocks = _walk(blocks, prefix)

    def block(b: dict):
        if is_div(b, "signatures"):
            return [{"t": "Div", "c": [_set_kv(b["c"][0], champs="non"), b["c"][1]]}]
        return None

    blocks = map_blocks(blocks, block)

    def inline(i: dict):
        if is_span(i, "pages-document"):
            return [{"t": "Span", "c": [_set_kv(i["c"][0], partie=prefix), i["c"][1]]}]
        return None

    blocks = map_inlines(blocks, inline)
    first = f"{prefix}-document"
    if part.heading is not None:
        heading = {"t": "Header", "c": [1, attr(first), text_inlines(french_typography(part.heading))]}
        title_div = {"t": "Div", "c": [attr(classes=["partie-titre"]), [heading]]}
        for i, b in enumerate(blocks):
            if is_div(b, "couverture"):
                blocks[i] = {"t": "Div", "c": [b["c"][0], [title_div, *b["c"][1]]]}
                break
        else:
            blocks.insert(0, heading)
    else:
        first = next((h["c"][1][0] for h in blocks if h.get("t") == "Header"), first)
    marker = {"t": "Div", "c": [attr(f"{prefix}-debut", ["partie"], {"titre-court": part.short_title,
                                                                       "premier-titre": first}), []]}
    return [marker, *blocks], first


def compose_ast(cover: dict[str, str], parts: list[Part]) -> tuple[dict, list[str]]:
    """The dossier's AST (cover, sommaire, parts) and the identifier of each part's first heading."""
    blocks = [_cover(cover), {"t": "Div", "c": [attr(classes=["sommaire"]), [{"t": "Plain", "c": [
        {"t": "Str", "c": "Sommaire"}]}]]}]
    firsts = []
    for n, part in enumerate(parts, start=1):
        part_blocks, first = _part_blocks(part, f"p{n}")
        blocks.extend(part_blocks)
        firsts.append(first)
    api = pandoc.to_ast("")["pandoc-api-version"]
    return {"pandoc-api-version": api, "meta": {}, "blocks": blocks}, firsts


def _cover(cover: dict[str, str]) -> dict:
    children = []
    for cls in ("titre-document", "territoire", "periode"):
        if cover.get(cls):
            children.append({"t": "Div", "c": [attr(classes=[cls]), [{"t": "Plain", "c": text_inlines(cover[cls])}]]})
    return {"t": "Div", "c": [attr(classes=["couverture"]), children]}


@dataclass
class Dossier:
    doc: AssembledDocument
    ast: dict
    part_firsts: list[str]  # identifier of the first heading of each part
    part_titles: list[str]


def compose(ident: str, title: str, short_title: str, cover: dict[str, str], parts: list[Part], *, author: str,
            date: dt.date, status: str, sources: list[str], keywords: list[str] | None = None) -> Dossier:
    ast, firsts = compose_ast(cover, parts)
    body = pandoc.from_ast(ast, "markdown-smart").decode("utf-8")
    markdown = metadata_block(title, short_title, author, keywords or [], date, status) + body
    doc = AssembledDocument(
        id=ident, kind=KIND, parent=None, status=status, title=title, short_title=short_title,
        territory=cover.get("territoire", ""), start=date, end=date, signed_on=date, markdown=markdown,
        signatories=[], annexes=[], author=author, keywords=keywords or [], sources=sources)
    return Dossier(doc, ast, firsts, [p.short_title for p in parts])


def part_prefixes(ast: dict) -> list[tuple[str, dict[str, str]]]:
    """(prefix, attributes) of each « .partie » marker, in order (for the writers' post-processing)."""
    out = []
    for b in ast["blocks"]:
        if is_div(b, "partie"):
            ident, _classes, kv = div_info(b)
            out.append((ident.removesuffix("-debut"), kv))
    return out
