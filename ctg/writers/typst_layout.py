"""Typst layout of the assembled AST: cover, sommaire, signature grid, annexes.

Pure AST → AST transforms. Each fenced div becomes a call to a function of
templates/typst/convention.typ; pandoc writes the markup of the div's content
between the raw opening and closing of the call, as it does for its own
#block[…].
"""

from __future__ import annotations

from ..core.ast import div_info, is_div, is_span, map_blocks, map_inlines, raw_block, raw_inline, unlink_missing_targets

COVER_PARTS = {
    "mention-projet": "projet",
    "titre-document": "titre",
    "territoire": "territoire",
    "periode": "periode",
    "signataires-couverture": "parties",
    "logos": "logos",
    "partie-titre": "partie",  # dossier (ctg/compose.py): the heading naming the part, on its cover
}


def typst_string(text: str) -> str:
    """A Typst string literal."""
    out = []
    for ch in text:
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20:
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _raw(text: str) -> dict:
    return raw_block("typst", text)


def _call(opening: str, blocks: list, closing: str = "]") -> list:
    """opening must end with « [ »: the blocks become the content argument."""
    return [_raw(opening), *blocks, _raw(closing)]


def _cover(div: dict) -> list:
    out = [_raw("#ctg-cover(")]
    for child in div["c"][1]:
        classes = div_info(child)[1] if child.get("t") == "Div" else []
        name = next((COVER_PARTS[c] for c in classes if c in COVER_PARTS), None)
        if name is not None:
            out += _call(f"{name}: [", child["c"][1], "],")
    out.append(_raw(")"))
    return out


def _signatures(div: dict) -> list:
    out = [_raw("#ctg-signatures(")]
    # champs="non": a document reproduced in a dossier (ctg/compose.py) gets no signature field
    zone = "" if div_info(div)[2].get("champs") != "non" else ", zone: false"
    for cell in div["c"][1]:
        if is_div(cell, "signataire"):
            ident = div_info(cell)[0].removeprefix("signataire-")
            out += _call(f"ctg-signature-cell({typst_string(ident)}{zone})[", cell["c"][1], "],")
    out.append(_raw(")"))
    return out


def _block(b: dict):
    if is_div(b, "couverture"):
        return _cover(b)
    if is_div(b, "parties"):
        return _call("#ctg-parties[", b["c"][1])
    if is_div(b, "sommaire"):
        return [_raw("#ctg-sommaire()")]
    if is_div(b, "cloture"):
        return _call("#ctg-cloture[", b["c"][1])
    if is_div(b, "signatures"):
        return _signatures(b)
    return None


def _inline(i: dict):
    if is_span(i, "pages-document"):
        part = div_info(i)[2].get("partie")  # in a dossier: the pages of that part
        return [raw_inline("typst", f"#ctg-body-pages(part: {typst_string(part)})" if part else "#ctg-body-pages()")]
    if is_span(i, "mention-pages"):
        return i["c"][1]
    return None


def layout(ast: dict) -> dict:
    """Return the Typst-ready AST.

    Annexes stay at the top level of the document: a landscape page is a
    top-level « set page(flipped: …) » (Typst refuses it inside a container),
    which also starts the new page; other annexes start with a page break.
    """
    ast = unlink_missing_targets(ast)
    blocks = map_blocks(ast["blocks"], _block)
    out, orientation, in_annexes = [], "portrait", False
    dossier = any(is_div(b, "partie") for b in blocks)
    for b in blocks:
        if is_div(b, "partie"):  # a dossier's part (ctg/compose.py): new page, portrait, its own numbering
            if orientation != "portrait":
                out.append(_raw("#set page(flipped: false)"))
                orientation = "portrait"
            ident, _classes, kv = div_info(b)
            out.append(_raw(f"#ctg-part-start({typst_string(ident.removesuffix('-debut'))}, "
                            f"{typst_string(kv.get('titre-court', ''))})"))
            continue
        if not is_div(b, "annexe"):
            out.append(b)
            continue
        if not in_annexes and not dossier:
            # Like the DOCX sommaire: inside annexes only their titles (fiches stay bookmarked).
            out.append(_raw("#show heading.where(level: 2): set heading(outlined: false, bookmarked: true)"))
            in_annexes = True
        wanted = "paysage" if div_info(b)[2].get("orientation") == "paysage" else "portrait"
        if wanted != orientation:
            out.append(_raw(f"#set page(flipped: {'true' if wanted == 'paysage' else 'false'})"))
            orientation = wanted
        else:
            out.append(_raw("#pagebreak(weak: true)"))
        out.extend(b["c"][1])
    return dict(ast, blocks=map_inlines(out, _inline))


def image_targets(ast: dict, rename) -> dict:
    """Replace each image's path by rename(path) (raises for a missing file)."""

    def inline(i: dict):
        if i.get("t") == "Image":
            ident, alt, (target, title) = i["c"]
            return [dict(i, c=[ident, alt, [rename(target), title]])]
        return None

    return dict(ast, blocks=map_inlines(ast["blocks"], inline))
