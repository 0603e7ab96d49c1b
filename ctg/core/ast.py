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
    # Every document goes through this several times: type() checks, and no call for a leaf.
    kind = type(node)
    if kind is list:
        out = None
        for i, item in enumerate(node):
            kind = type(item)
            if kind is dict:
                t = item.get("t")
                new = item if t in _LEAVES else map_inlines(item, fn)
                repl = fn(new) if t in _INLINE_TYPES else None
                if repl is not None:
                    if out is None:
                        out = node[:i]
                    out.extend(repl)
                    continue
            elif kind is list:
                new = map_inlines(item, fn)
            else:
                new = item
            if new is not item or out is not None:
                if out is None:
                    out = node[:i]
                out.append(new)
        return node if out is None else out
    if kind is dict:
        out = None
        for k, v in node.items():
            if type(v) is list or type(v) is dict:
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



_TARGET_TYPES = {"Div", "Span", "Table", "CodeBlock", "Code", "Link", "Image"}  # attr first in "c"


def identifiers(node, found: set[str] | None = None) -> set[str]:
    """Every identifier (headings, divs, spans…) an internal link can point to."""
    found = set() if found is None else found
    found |= _identifiers_and_links(node)[0]
    found.discard("")
    return found


def _identifiers_and_links(node) -> tuple[set[str], set[str]]:
    """(identifiers, targets of internal links « #… ») anywhere in node, in one walk."""
    found: set[str] = set()
    links: set[str] = set()
    stack = [node]
    pop, push = stack.pop, stack.append
    while stack:
        n = pop()
        if type(n) is list:
            for item in n:
                if type(item) is dict or type(item) is list:
                    push(item)
            continue
        t = n.get("t")
        c = n.get("c")
        if type(c) is list:
            if t == "Header":
                found.add(c[1][0])
            elif t in _TARGET_TYPES and type(c[0]) is list and c[0] and type(c[0][0]) is str:
                found.add(c[0][0])
                if t == "Link" and c[2][0].startswith("#"):
                    links.add(c[2][0][1:])
        for value in n.values():
            if type(value) is dict or type(value) is list:
                push(value)
    found.discard("")
    return found, links


def unlink_missing_targets(ast: dict) -> dict:
    """Internal links to an identifier the document does not have become plain text
    (an avenant cites the fiches of its convention, which is another file)."""
    known, targets = _identifiers_and_links(ast["blocks"])
    if targets <= known:  # the usual case: one walk, nothing copied
        return ast

    def inline(i: dict):
        if i.get("t") == "Link":
            target = i["c"][2][0]
            if target.startswith("#") and target[1:] not in known:
                return i["c"][1]
        return None

    return dict(ast, blocks=map_inlines(ast["blocks"], inline))


def drop_empty_columns(table: dict) -> dict:
    """A Table without the columns whose body cells are all empty (a « Gestionnaire » column that
    no row fills); the widths of the columns kept grow in proportion. A table with merged cells,
    or whose every column is empty, is returned as it is."""
    _attr, _caption, colspecs, head, bodies, _foot = table["c"]
    rows = [row for body in bodies for row in body[2] + body[3]]
    all_rows = rows + head[1]
    if not rows or any(cell[3] != 1 or cell[2] != 1 for row in all_rows for cell in row[1]):
        return table
    if any(len(row[1]) != len(colspecs) for row in all_rows):
        return table
    keep = [j for j in range(len(colspecs)) if any(stringify(row[1][j][4]).strip() for row in rows)]
    if not keep or len(keep) == len(colspecs):
        return table

    def cut(row):
        return [row[0], [row[1][j] for j in keep]]

    widths = [colspecs[j][1] for j in keep]
    if all(w.get("t") == "ColWidth" for w in widths):
        total = sum(w["c"] for w in (c[1] for c in colspecs) if w.get("t") == "ColWidth")
        kept = sum(w["c"] for w in widths)
        widths = [{"t": "ColWidth", "c": w["c"] * total / kept} for w in widths]
    new_specs = [[colspecs[j][0], w] for j, w in zip(keep, widths)]
    new_head = [head[0], [cut(r) for r in head[1]]]
    new_bodies = [[b[0], b[1], [cut(r) for r in b[2]], [cut(r) for r in b[3]]] for b in bodies]
    return {"t": "Table", "c": [table["c"][0], table["c"][1], new_specs, new_head, new_bodies, table["c"][5]]}
