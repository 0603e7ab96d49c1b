"""Split an assembled document's AST into the site's pages and render them.

A convention becomes: its text page (parties, préambule, articles, signatures),
one page per annex, and one page per fiche action of the plan-actions annex.
Cross-references (#annexe-x, #fiche-y, #article-z) are rewritten to the page
that now holds the target, as « ctg:<src_uri>#fragment » links that the
plugin resolves to relative URLs once mkdocs knows every file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ..core import pandoc
from ..core.ast import div_info, is_div, is_span, map_inlines, stringify
from ..core.document import AnnexInfo, AssembledDocument
from ..core.parallel import thread_map
from .sanitize import sanitize, unsafe_constructs

LINK_SCHEME = "ctg:"


@dataclass
class Segment:
    """One page's worth of blocks taken from a document."""

    key: str  # mkdocs src_uri of the page
    kind: str  # "texte" | "annexe" | "fiche"
    title: str
    blocks: list
    top_ids: set[str] = field(default_factory=set)  # ids that mean « this page » (no fragment)
    annex: AnnexInfo | None = None
    fiche_id: str | None = None
    html: str = ""


@dataclass
class DocumentPages:
    doc: AssembledDocument
    base: str  # folder of the document's pages, e.g. conventions/<id>
    main: Segment
    annexes: list[Segment]
    fiches: dict[str, list[Segment]]  # annex id -> its fiches, in order
    hidden_annexes: list[AnnexInfo]
    warnings: list[str] = field(default_factory=list)

    @property
    def segments(self) -> list[Segment]:
        out = [self.main, *self.annexes]
        for fiches in self.fiches.values():
            out.extend(fiches)
        return out


def avenant_number(doc: AssembledDocument) -> str:
    prefix = f"{doc.parent}-avenant-"
    return doc.id[len(prefix):] if doc.id.startswith(prefix) else doc.id


def document_base(doc: AssembledDocument) -> str:
    if doc.kind == "avenant" and doc.parent:
        return f"conventions/{doc.parent}/avenants/{avenant_number(doc)}"
    return f"conventions/{doc.id}"


def _header(level: int, ident: str, text: str) -> dict:
    inlines: list = []
    for i, word in enumerate(text.split(" ")):
        if i:
            inlines.append({"t": "Space"})
        inlines.append({"t": "Str", "c": word})
    return {"t": "Header", "c": [level, [ident, [], []], inlines]}


def shift_headers(blocks: list, delta: int) -> list:
    """Move every heading (inside divs too) by delta levels, kept within 1..6."""
    out = []
    for b in blocks:
        t = b.get("t")
        if t == "Header":
            level, attr, inlines = b["c"]
            b = {"t": "Header", "c": [max(1, min(6, level + delta)), attr, inlines]}
        elif t == "Div":
            b = {"t": "Div", "c": [b["c"][0], shift_headers(b["c"][1], delta)]}
        out.append(b)
    return out


def close_heading_gaps(blocks: list, previous: int = 1) -> list:
    """Headings never go more than one level below the heading before them (an annex's « ### » right
    under its title becomes a « ## »): screen readers' heading lists stay coherent."""
    state = {"last": previous}

    def walk(items: list) -> list:
        out = []
        for b in items:
            t = b.get("t")
            if t == "Header":
                level, attr, inlines = b["c"]
                level = min(level, state["last"] + 1)
                state["last"] = level
                b = {"t": "Header", "c": [level, attr, inlines]}
            elif t == "Div":
                b = {"t": "Div", "c": [b["c"][0], walk(b["c"][1])]}
            out.append(b)
        return out

    return walk(blocks)


def _drop_spans(blocks: list, cls: str) -> list:
    return map_inlines(blocks, lambda i: [] if is_span(i, cls) else None)


def _ids(node, found: set[str]) -> set[str]:
    """Every identifier carried by a heading, div or span in node."""
    if isinstance(node, list):
        for item in node:
            _ids(item, found)
    elif isinstance(node, dict):
        t = node.get("t")
        c = node.get("c")
        if t == "Header" and c[1][0]:
            found.add(c[1][0])
        elif t in ("Div", "Span") and c[0][0]:
            found.add(c[0][0])
        if isinstance(c, list):
            _ids(c, found)
    return found


def split_document(doc: AssembledDocument, ast: dict, public: bool) -> DocumentPages:
    base = document_base(doc)
    main_blocks: list = []
    annexes: list[Segment] = []
    fiches: dict[str, list[Segment]] = {}
    hidden: list[AnnexInfo] = []
    infos = {a.id: a for a in doc.annexes}
    for block in ast["blocks"]:
        if is_div(block, "couverture") or is_div(block, "sommaire"):
            continue  # the page header and mkdocs' table of contents replace them
        if is_div(block, "annexe"):
            _ident, _classes, kv = div_info(block)
            inner = block["c"][1]
            head = next((b for b in inner if b.get("t") == "Header" and b["c"][0] == 1), None)
            head_id = head["c"][1][0] if head else ""
            aid = head_id.removeprefix("annexe-")
            info = infos.get(aid) or AnnexInfo(aid, len(annexes) + len(hidden) + 1, aid,
                                               kv.get("orientation", "portrait"), kv.get("diffusion", "public"))
            if public and kv.get("diffusion", info.diffusion) == "interne":
                hidden.append(info)
                continue
            annex_seg, fiche_segs = _split_annex(base, info, inner, head)
            annexes.append(annex_seg)
            if fiche_segs:
                fiches[aid] = fiche_segs
            continue
        if is_div(block, "parties"):
            main_blocks.append(_header(1, "parties", "Les parties"))
        if is_div(block, "cloture"):
            main_blocks.append(_header(1, "signature", "Signature"))
            block = {"t": "Div", "c": [block["c"][0], _drop_spans(block["c"][1], "mention-pages")]}
        main_blocks.append(block)
    main = Segment(f"{base}/index.md", "texte", doc.title, shift_headers(main_blocks, 1))
    pages = DocumentPages(doc, base, main, annexes, fiches, hidden)
    _rewrite_links(pages)
    return pages


def _split_annex(base: str, info: AnnexInfo, inner: list, head: dict | None) -> tuple[Segment, list[Segment]]:
    title = stringify(head["c"][2]) if head else f"Annexe\u00a0{info.number}"
    seg = Segment(f"{base}/annexes/{info.id}/index.md", "annexe", title, [], annex=info)
    if head is not None and head["c"][1][0]:
        seg.top_ids.add(head["c"][1][0])
    fiches: list[Segment] = []
    current = seg
    for b in inner:
        if b is head:
            continue
        if b.get("t") == "Header" and b["c"][0] <= 2:
            ident = b["c"][1][0]
            if b["c"][0] == 2 and ident.startswith("fiche-"):
                fid = ident.removeprefix("fiche-")
                current = Segment(f"{base}/fiches/{fid}.md", "fiche", stringify(b["c"][2]), [], {ident},
                                  annex=info, fiche_id=fid)
                fiches.append(current)
                continue
            current = seg
        current.blocks.append(b)
    for f in fiches:
        f.blocks = shift_headers(f.blocks, -1)
    return seg, fiches


def _rewrite_links(pages: DocumentPages) -> None:
    """#anchor links → the page (and fragment) that holds the anchor now; dangling ones become text."""
    targets: dict[str, tuple[str, str | None]] = {}
    for seg in pages.segments:
        for ident in _ids(seg.blocks, set()):
            targets.setdefault(ident, (seg.key, ident))
        for ident in seg.top_ids:
            targets[ident] = (seg.key, None)

    def fix(seg: Segment):
        def fn(inline: dict):
            if inline.get("t") != "Link":
                return None
            attr, inlines, (url, title) = inline["c"]
            if not url.startswith("#"):
                return None
            target = targets.get(url[1:])
            if target is None:  # an annex kept off this site, or a broken anchor: keep the words
                return [{"t": "Span", "c": [attr, inlines]}]
            key, frag = target
            if key == seg.key:
                new = f"#{frag}" if frag else "#"
            else:
                new = f"{LINK_SCHEME}{key}" + (f"#{frag}" if frag else "")
            return [{"t": "Link", "c": [attr, inlines, [new, title]]}]

        return fn

    def no_image(inline: dict):  # images are not published yet: keep their description
        if inline.get("t") == "Image":
            pages.warnings.append(f"« {pages.doc.id} » : image « {inline['c'][2][0]} » non publiée sur le site")
            return [{"t": "Span", "c": [inline["c"][0], inline["c"][1]]}]
        return None

    for seg in pages.segments:
        seg.blocks = map_inlines(map_inlines(seg.blocks, no_image), fix(seg))


def render_pages(all_pages: list[DocumentPages], api_version: list, jobs: int = 1) -> None:
    """pandoc renders each page's blocks to HTML (up to `jobs` pandoc processes at once); the
    HTML is sanitised before it goes anywhere. The blocks are dropped then: only the HTML is used."""
    segments = []
    for pages in all_pages:
        for seg in pages.segments:
            for problem in unsafe_constructs(seg.blocks):
                pages.warnings.append(f"« {pages.doc.id} », {seg.title} : {problem}")
            segments.append(seg)

    def html(seg: Segment) -> str:
        blocks = close_heading_gaps(seg.blocks)
        out = pandoc.from_ast({"pandoc-api-version": api_version, "meta": {}, "blocks": blocks}, "html5")
        return sanitize(out.decode("utf-8"))

    for seg, text in zip(segments, thread_map(html, segments, jobs)):
        seg.html, seg.blocks = text, []


def has_internal_annexes(doc: AssembledDocument) -> bool:
    return any(a.diffusion == "interne" for a in doc.annexes)


def public_variant(doc: AssembledDocument) -> AssembledDocument:
    """The document without its annexes « diffusion : interne » (what the public site publishes)."""
    return replace(doc, markdown=strip_internal_annexes(doc.markdown),
                   annexes=[a for a in doc.annexes if a.diffusion != "interne"])


def strip_internal_annexes(markdown: str) -> str:
    """The assembled Markdown without the annexes marked « diffusion interne » (public downloads).

    Annexes are top-level fenced divs « ::: {.annexe … diffusion="interne"} »;
    nested fenced divs are tracked by depth so the whole annex is removed.
    """
    out: list[str] = []
    depth = 0
    skipping = False
    fence = False
    opener = re.compile(r"^:{3,}\s*(\{.*\}|[\w-]+)\s*:*\s*$")
    closer = re.compile(r"^:{3,}\s*$")
    for line in markdown.split("\n"):
        if line.startswith(("```", "~~~")):
            fence = not fence
        if not fence and opener.match(line):
            if depth == 0 and ".annexe" in line and 'diffusion="interne"' in line:
                skipping = True
            depth += 1
            if skipping:
                continue
        elif not fence and closer.match(line) and depth:
            depth -= 1
            if skipping:
                if depth == 0:
                    skipping = False
                continue
        if skipping:
            continue
        out.append(line)
    return "\n".join(out)

