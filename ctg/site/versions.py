"""Consolidated versions on the site: for each convention with avenants, one page per
version (at each avenant's effect date) with its DOCX and PDF, the version in force at the
site's reference day, a selector of the versions, and for each version the comparison with
the one before it (insertions and deletions as <ins> and <del>, moves marked « déplacé »).

On the public site, a version is shown only if every avenant it applies is published.
Its downloads are built like every other (ctg/build_outputs.py, content-hash cache) and
published with the site only: dist/ holds the documents, and the consolidated versions
that « build.py consolidate » was asked for.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterator

from markupsafe import Markup, escape

from ..assembly.assemble import Assembler
from ..core import pandoc
from ..core.ast import map_inlines, raw_inline
from ..core.diagnostics import Diagnostics
from ..core.document import AssembledDocument
from ..core.french import date_fr
from ..core.statuses import unsigned_phrase
from ..sources.corpus import Corpus
from ..versions.consolidate import consolidated_document
from ..versions.history import avenants_in_order, is_signed
from ..versions.redline import comparable, compare_asts
from ..versions.redline_marks import DELETION, INSERTION, MOVE_FROM, MOVE_TO, Mark, change_of, move_name
from .content import close_heading_gaps, has_internal_annexes, public_variant, shift_headers, strip_internal_annexes
from .downloads import download_links, download_uri
from .pages import render_page
from .sanitize import sanitize

NAV_LABEL = "Versions consolidées"
_TAGS = {INSERTION: "ins", DELETION: "del", MOVE_FROM: "del", MOVE_TO: "ins"}


def _html(ast: dict, blocks: list) -> str:
    """Changes as <ins> / <del>; the two halves of a move in their own style, each marked « déplacé »
    once and linked to the other."""
    marked: set[tuple[str, str]] = set()

    def marks(inline: dict):
        cls = change_of(inline)
        if cls is None:
            return None
        tag = _TAGS[cls]
        if cls in (INSERTION, DELETION):
            return [raw_inline("html", f"<{tag}>"), *inline["c"][1], raw_inline("html", f"</{tag}>")]
        name = str(escape(move_name(inline)))
        here, there = ("arrivee", "origine") if cls == MOVE_TO else ("origine", "arrivee")
        opening = f'<{tag} class="ctg-deplace">'
        if (cls, name) not in marked:  # the first span of each half: the marker, and the anchor
            marked.add((cls, name))
            label = "déplacé ici" if cls == MOVE_TO else "déplacé"
            title = "voir l'ancienne place" if cls == MOVE_TO else "voir la nouvelle place"
            opening = (f'<a class="ctg-deplacement" id="{name}-{here}" href="#{name}-{there}" title="{title}">'
                       f'{label}</a> {opening}')
        return [raw_inline("html", opening), *inline["c"][1], raw_inline("html", f"</{tag}>")]

    # the page's own title is its h1: the document's headings go one level down (articles are h2s,
    # in the page's table of contents)
    doc = {"pandoc-api-version": ast["pandoc-api-version"], "meta": {},
           "blocks": close_heading_gaps(shift_headers(map_inlines(blocks, marks), 1))}
    return sanitize(pandoc.from_ast(doc, "html5").decode("utf-8"))


def _shown(corpus: Corpus, cid: str, published: dict[str, AssembledDocument]) -> list[dt.date]:
    """The effect dates of a convention's versions the site shows: those whose avenants are all published."""
    chain = avenants_in_order(corpus, cid)
    dates = sorted({a.meta.effet for a in chain})
    return [d for d in dates if all(a.id in published for a in chain if a.meta.effet <= d)]


def _compute(corpus: Corpus, cid: str, published: dict[str, AssembledDocument], public: bool) -> list[dict]:
    """A convention's consolidated versions shown on the site: for each, its document (on the public
    site without the annexes « diffusion : interne »), the avenants applied and the HTML of its text
    and of its comparison with the version before it."""
    conv = corpus.conventions[cid]
    chain = avenants_in_order(corpus, cid)
    shown = _shown(corpus, cid, published)
    if not shown:
        return []
    assembler = Assembler(corpus, corpus.root.parent / "templates", Diagnostics(corpus.root.parent))
    previous = consolidated_document(assembler, conv, conv.meta.signature.date or conv.meta.periode.debut,
                                     as_signed=True)
    if previous is None:
        return []
    text = strip_internal_annexes if public else (lambda markdown: markdown)  # no internal annex in public
    previous_ast = pandoc.to_ast(text(previous.markdown))
    out = []
    for when in shown:
        doc = consolidated_document(assembler, conv, when)
        if doc is None:
            continue
        if public and has_internal_annexes(doc):
            doc = public_variant(doc)
        ast = pandoc.to_ast(doc.markdown)
        applied = [a for a in chain if a.meta.effet == when]
        mark = Mark(", ".join(f"avenant n°\u00a0{a.meta.numero}" for a in applied), f"{when.isoformat()}T00:00:00Z")
        # a version that applies an avenant not signed yet is a projet, never « en vigueur »
        unsigned = [f"l'avenant n°\u00a0{a.meta.numero} ({unsigned_phrase(a.meta.statut.value)})"
                    for a in chain if a.meta.effet <= when and not is_signed(a)]
        out.append({"when": when, "doc": doc, "avenants": mark.author, "unsigned": unsigned,
                    "text": _html(ast, comparable(ast["blocks"])),
                    "comparison": _html(ast, compare_asts(previous_ast, ast, mark))})
        previous_ast = ast
    return out


_SHARED: dict = {}  # what forked workers read without pickling: (corpus, published, public)


def _compute_shared(cid: str) -> list[dict]:
    corpus, published, public = _SHARED["args"]
    return _compute(corpus, cid, published, public)


def _each_versions(corpus: Corpus, published: dict[str, AssembledDocument], public: bool,
                   processes: bool = False) -> Iterator[tuple[str, list[dict]]]:
    """(convention, _compute's result) for every published convention, one at a time (the versions'
    HTML of a national corpus is not held at once): from the cache (version_cache.py) when its
    sources did not change, else computed several conventions at once: in forked processes when the
    caller knows no thread runs (build.py), else in threads (their pandoc runs overlap)."""
    from ..build.build_outputs import OPTIONS
    from ..core.parallel import ordered_map, thread_map
    from .version_cache import VersionCache

    cids = [c for c in sorted(published) if published[c].kind == "convention" and c in corpus.conventions]
    store = VersionCache.for_corpus(corpus, public, reuse=not OPTIONS.force)
    missing = [cid for cid in cids if not store.has(cid)]
    _SHARED["args"] = (corpus, published, public)
    try:
        computed = (ordered_map(_compute_shared, missing, OPTIONS.jobs) if processes
                    else iter(thread_map(_compute_shared, missing, OPTIONS.jobs)))
        todo = set(missing)
        for cid in cids:
            if cid in todo:
                versions = next(computed)
                store.put(cid, versions)
            else:
                versions = store.get(cid)
                if versions is None:  # unreadable entry: computed here
                    versions = _compute(corpus, cid, published, public)
                    store.put(cid, versions)
            yield cid, versions
    finally:
        _SHARED.clear()


def consolidated_versions(corpus: Corpus, published: dict[str, AssembledDocument],
                          public: bool = False, processes: bool = False) -> dict[str, AssembledDocument]:
    """The consolidated versions the site shows, as documents (for their DOCX and PDF); on the public
    site without the annexes « diffusion : interne »."""
    return {v["doc"].id: v["doc"] for _cid, versions in _each_versions(corpus, published, public, processes)
            for v in versions}


def add_versions(model, corpus: Corpus, published: dict[str, AssembledDocument], views: dict, today: dt.date,
                 page_cls, public: bool, downloads: dict | None = None) -> None:
    """Adds the version pages (and their downloads) to model.pages, model.files and nav, and « versions »
    to each convention's view."""
    for cid, versions_of in _each_versions(corpus, published, public):
        view = views.get(cid)
        if view is None or not versions_of:
            continue
        items = []
        # only a version whose avenants are all signed is « en vigueur »
        current = max((v["when"] for v in versions_of if v["when"] <= today and not v["unsigned"]), default=None)
        for v in versions_of:
            doc, when = v["doc"], v["when"]
            for ext, content in (downloads or {}).get(doc.id, {}).items():
                model.files[download_uri(doc, ext)] = content
            base = f"conventions/{cid}/versions/{when.isoformat()}"
            draft = "Projet de version consolidée" if v["unsigned"] else "Version consolidée"
            items.append({"date": date_fr(when), "uri": f"{base}.md", "compare_uri": f"{base}-comparaison.md",
                          "avenants": v["avenants"], "current": when == current, "unsigned": v["unsigned"],
                          "title": f"{draft} au {date_fr(when)}", "doc": doc,
                          "downloads": download_links(doc, model.files), "text": v["text"], "comparison": v["comparison"]})
        versions = {"items": items, "current": next((i for i in items if i["current"]), None)}
        view["versions"] = versions
        for item in items:
            selector = {"versions": versions, "v": view, "item": item}
            # not in the search: a version repeats the text of the convention and its avenants, whose
            # own pages are found (the search index of a national corpus was 3/4 versions)
            model.pages[item["uri"]] = page_cls(item["title"], render_page(
                "version.html", comparison=False, **selector, body=Markup(item["text"])), searchable=False)
            model.pages[item["compare_uri"]] = page_cls(f"Modifications au {item['date']}", render_page(
                "version.html", comparison=True, **selector, body=Markup(item["comparison"])), searchable=False)
        for item in items:
            del item["text"], item["comparison"]  # now in the pages


def versions_nav(nav: list, views: dict) -> None:
    """Each convention's versions, under it in the navigation (mkdocs wants every page there)."""
    for view in views.values():
        if view.get("versions"):
            _add_to_nav(nav, view["short_title"], view["versions"]["items"])


def _add_to_nav(nav: list, short_title: str, items: list[dict]) -> None:
    entries = [{f"{i['title']}": i["uri"]} for i in items] + \
              [{f"Modifications au {i['date']}": i["compare_uri"]} for i in items]
    for section in nav:
        for convention in section.get("Conventions", []) if isinstance(section, dict) else []:
            if isinstance(convention, dict) and short_title in convention:
                convention[short_title].append({NAV_LABEL: entries})
                return
