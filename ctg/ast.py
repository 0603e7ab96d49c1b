"""Small helpers over pandoc's JSON AST (plain dicts), shared by the writers."""

from __future__ import annotations

from typing import Callable, Iterator


def attr(ident: str = "", classes: list[str] | None = None, kv: dict[str, str] | None = None) -> list:
    return [ident, classes or [], [[k, v] for k, v in (kv or {}).items()]]


def div_info(block: dict) -> tuple[str, list[str], dict[str, str]]:
    ident, classes, kv = block["c"][0]
    return ident, classes, dict(kv)


def is_div(block: dict, cls: str) -> bool:
    return block.get("t") == "Div" and cls in block["c"][0][1]


def is_span(inline: dict, cls: str) -> bool:
    return inline.get("t") == "Span" and cls in inline["c"][0][1]


def raw_block(fmt: str, text: str) -> dict:
    return {"t": "RawBlock", "c": [fmt, text]}


def raw_inline(fmt: str, text: str) -> dict:
    return {"t": "RawInline", "c": [fmt, text]}




def text_inlines(text: str) -> list:
    out: list = []
    for i, word in enumerate(text.split(" ")):
        if i:
            out.append({"t": "Space"})
        if word:
            out.append({"t": "Str", "c": word})
    return out


def stringify(node) -> str:
    """Plain text of any AST fragment."""
    if isinstance(node, list):
        return "".join(stringify(n) for n in node)
    if not isinstance(node, dict):
        return ""
    t = node.get("t")
    if t == "Str":
        return node["c"]
    if t in ("Space", "SoftBreak"):
        return " "
    if t == "LineBreak":
        return "\n"
    if t in ("Code", "Math"):
        return node["c"][1]
    if t in ("RawInline", "RawBlock", "Note"):
        return ""
    c = node.get("c")
    if t in ("Span", "Div", "Link", "Image"):
        return stringify(c[1])
    if t == "Header":
        return stringify(c[2])
    if t in ("Para", "Plain", "Emph", "Strong", "Underline", "Strikeout", "SmallCaps", "Superscript", "Subscript"):
        return stringify(c)
    if t == "Quoted":
        return stringify(c[1])
    return stringify(c) if isinstance(c, list) else ""


def headings(blocks: list, max_level: int = 6) -> Iterator[tuple[int, str, str]]:
    """(level, identifier, text) of every heading, in document order, inside divs too."""
    for block in blocks:
        t = block.get("t")
        if t == "Header":
            level, (ident, _c, _kv), inlines = block["c"]
            if level <= max_level:
                yield level, ident, stringify(inlines)
        elif t == "Div":
            yield from headings(block["c"][1], max_level)


def map_blocks(blocks: list, fn: Callable[[dict], list | None]) -> list:
    """Replace each block by fn(block) (a list), recursing into divs first; None keeps it."""
    out = []
    for block in blocks:
        if block.get("t") == "Div":
            block = {"t": "Div", "c": [block["c"][0], map_blocks(block["c"][1], fn)]}
        replaced = fn(block)
        out.extend([block] if replaced is None else replaced)
    return out


def map_inlines(node, fn: Callable[[dict], list | None]):
    """Apply fn to every inline list element anywhere in node. Returns a new node where something
    changed; parts where nothing changed are shared with node (never modify either in place)."""
    if isinstance(node, list):
        out = None
        for i, item in enumerate(node):
            if isinstance(item, dict):
                new = item if item.get("t") in _LEAVES else map_inlines(item, fn)
            else:
                new = map_inlines(item, fn) if isinstance(item, list) else item
            repl = fn(new) if isinstance(new, dict) and new.get("t") in _INLINE_TYPES else None
            if repl is not None:
                if out is None:
                    out = node[:i]
                out.extend(repl)
            elif new is not item or out is not None:
                if out is None:
                    out = node[:i]
                out.append(new)
        return node if out is None else out
    if isinstance(node, dict):
        out = None
        for k, v in node.items():
            if isinstance(v, (list, dict)):
                new = map_inlines(v, fn)
                if new is not v:
                    if out is None:
                        out = dict(node)
                    out[k] = new
        return node if out is None else out
    return node


_LEAVES = {"Str", "Space", "SoftBreak", "LineBreak", "Code", "Math", "RawInline", "RawBlock", "CodeBlock",
           "HorizontalRule"}  # nodes with no inline inside
_INLINE_TYPES = {"Str", "Emph", "Underline", "Strong", "Strikeout", "Superscript", "Subscript", "SmallCaps",
                 "Quoted", "Cite", "Code", "Space", "SoftBreak", "LineBreak", "Math", "RawInline", "Link",
                 "Image", "Note", "Span"}



def identifiers(node, found: set[str] | None = None) -> set[str]:
    """Every identifier (headings, divs, spans…) an internal link can point to."""
    found = set() if found is None else found
    if isinstance(node, list):
        for item in node:
            identifiers(item, found)
    elif isinstance(node, dict):
        c = node.get("c")
        if node.get("t") in ("Header",) and isinstance(c, list):
            found.add(c[1][0])
        elif node.get("t") in ("Div", "Span", "Table", "CodeBlock", "Code", "Link", "Image") and isinstance(c, list):
            if isinstance(c[0], list) and c[0] and isinstance(c[0][0], str):
                found.add(c[0][0])
        for value in node.values():
            identifiers(value, found)
    found.discard("")
    return found


def unlink_missing_targets(ast: dict) -> dict:
    """Internal links to an identifier the document does not have become plain text
    (an avenant cites the fiches of its convention, which is another file)."""
    known = identifiers(ast["blocks"])

    def inline(i: dict):
        if i.get("t") == "Link":
            target = i["c"][2][0]
            if target.startswith("#") and target[1:] not in known:
                return i["c"][1]
        return None

    return dict(ast, blocks=map_inlines(ast["blocks"], inline))
