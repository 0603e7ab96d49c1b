"""The whole site as data: every generated page (title + HTML), the downloads and the nav.

Built from the corpus and the assembled documents only; no mkdocs here, so
it can be tested and reused (plugin.py hands it to mkdocs).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from ..core import pandoc
from ..core.document import AssembledDocument
from ..core.collation import sort_key, sorted_fr
from ..core.french import capitalize, date_fr, number_fr
from ..core.statuses import source_status
from ..sources.corpus import Corpus
from .content import DocumentPages, avenant_number, render_pages, split_document
from .document_cache import DocumentCache
from .fiches import fiche_changes, fiche_rows
from .downloads import DOWNLOAD_DIR, MANIFEST, download_links, download_uri, manifest
from .pages import render_page
from .status import derived_status, effective_end
from .versions import add_versions, versions_nav

FICHES_INDEX = "fiches-action.md"
CONVENTIONS_INDEX = "conventions/index.md"  # the lists the top tabs open
TERRITORIES_INDEX = "territoires/index.md"
ACCESSIBILITY = "accessibilite.md"
PLACEHOLDER = "[à compléter par l'éditeur du site dans mkdocs.yml, « extra: accessibilite: {key} »]"
GLOSSARY = "glossaire.md"
HOME = "index.md"
RENDER_BATCH = 8  # documents split and rendered together


@dataclass
class GeneratedPage:
    title: str
    html: str  # without the glossary's <abbr>: plugin.py adds them to the pages it renders (glossary.py)
    searchable: bool = True  # False: left out of the site's search (consolidated versions, see versions.py)
    hide: tuple[str, ...] = ()  # Material's « hide » (« navigation », « toc »): a page that needs the width


@dataclass
class SiteModel:
    pages: dict[str, GeneratedPage] = field(default_factory=dict)
    files: dict[str, bytes | Path] = field(default_factory=dict)  # downloads: src_uri -> content or path
    nav: list = field(default_factory=list)
    sigles: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)  # French lines for the build log


def published_documents(docs: dict[str, AssembledDocument], public: bool) -> dict[str, AssembledDocument]:
    """Public site: no document in « projet » status, and no avenant of an unpublished convention."""
    keep = {i: d for i, d in docs.items() if not (public and d.is_draft)}
    return {i: d for i, d in keep.items() if d.kind == "convention" or d.parent in keep}


def _period(start: dt.date, end: dt.date) -> str:
    return f"du {date_fr(start)} au {date_fr(end)}"


def build_model(corpus: Corpus, docs: dict[str, AssembledDocument], *, public: bool,
                downloads: dict[str, dict[str, bytes | Path]], today: dt.date,
                guide: list[tuple[str, str]] | None = None, asts: dict[str, dict] | None = None,
                jobs: int = 1, cache: DocumentCache | None = None, site_extra: dict | None = None,
                site_url: str | None = None) -> SiteModel:
    """guide: (src_uri, title) of the authoring guide's pages, already in mkdocs' files;
    jobs: pandoc processes run at once for the pages' HTML; cache: documents' pages of earlier builds."""
    model = SiteModel(sigles=dict(corpus.registry.sigles))
    published = published_documents(docs, public)
    doc_pages = _document_pages_html(published, public, asts, jobs, cache)
    for pages in doc_pages.values():
        model.notices.extend(pages.warnings)

    for ident, files in downloads.items():
        if ident in published:
            for ext, content in files.items():
                model.files[download_uri(published[ident], ext)] = content

    conventions = [d for d in published.values() if d.kind == "convention"]
    avenants_of = {c.id: sorted((d for d in published.values() if d.parent == c.id), key=lambda a: (a.start, a.id))
                   for c in conventions}
    views = {c.id: _convention_view(c, avenants_of[c.id], doc_pages, model, corpus, today) for c in conventions}
    _link_renewals(corpus, views)
    # délibérations (ctg/site/deliberations.py): their pages, and on each document the ones approving it
    from . import deliberations as delib_pages

    doc_uris = {i: f"{p.base}/index.md" for i, p in doc_pages.items()}
    delib = delib_pages.pages(corpus, docs, doc_uris, downloads, model.files)
    delib_ids = {uri.removeprefix(f"{delib_pages.FOLDER}/").removesuffix(".md") for uri in delib}
    for c in conventions:
        views[c.id]["deliberations"] = delib_pages.approvals(corpus, c.id, delib_ids)
    add_versions(model, corpus, published, views, today, GeneratedPage, public, downloads)  # consolidated versions
    if model.files:
        model.files[f"{DOWNLOAD_DIR}/{MANIFEST}"] = manifest(model.files)

    # document pages: text, annexes, fiches
    rows = fiche_rows(corpus, conventions, doc_pages, views, avenants_of, today)
    for c in conventions:
        view = views[c.id]
        av_views = {}
        for av in avenants_of[c.id]:
            av_views[av.id] = _avenant_view(av, view, doc_pages, model, today)
            av_views[av.id]["deliberations"] = delib_pages.approvals(corpus, av.id, delib_ids)
        changes = fiche_changes(doc_pages[c.id], avenants_of[c.id], av_views, doc_pages)
        _document_pages(model, doc_pages[c.id], view, view, changes)
        for av in avenants_of[c.id]:
            _document_pages(model, doc_pages[av.id], av_views[av.id], view, changes)

    territories = _overview_pages(model, corpus, conventions, doc_pages, views, today, public, rows)
    for uri, (title, html) in delib.items():
        model.pages[uri] = GeneratedPage(title, html)
    _list_pages(model, conventions, views, territories, delib)
    model.pages[ACCESSIBILITY] = _accessibility_page(site_extra, site_url, today)
    _name_conventions_in_titles(model, views)
    model.nav = _nav(conventions, avenants_of, doc_pages, territories, guide or [], delib)
    versions_nav(model.nav, views)
    return model


def _document_pages_html(published: dict[str, AssembledDocument], public: bool, asts: dict[str, dict] | None,
                         jobs: int, cache: DocumentCache | None) -> dict[str, DocumentPages]:
    """Every published document split into its pages, their HTML rendered by pandoc (or from the cache)."""
    doc_pages: dict[str, DocumentPages] = {}
    fresh: list[str] = []
    for ident, doc in published.items():
        cached = cache.get(doc) if cache is not None else None
        if cached is not None:
            doc_pages[ident] = cached
        else:
            fresh.append(ident)
    # a few documents at a time: their ASTs are dropped once rendered (memory stays flat)
    for start in range(0, len(fresh), RENDER_BATCH):
        batch = []
        for ident in fresh[start:start + RENDER_BATCH]:
            ast = (asts or {}).get(ident) or pandoc.to_ast(published[ident].markdown)
            doc_pages[ident] = split_document(published[ident], ast, public)
            batch.append(doc_pages[ident])
        render_pages(batch, ast["pandoc-api-version"], jobs)
        if cache is not None:
            for pages in batch:
                cache.put(pages)
    return doc_pages


def _first_level_label(corpus: Corpus, conventions: list[AssembledDocument]) -> str:
    """The name of the plans' first level, as the conventions name it: « Thématique », or
    « Axe ou thématique » when published plans name it differently."""
    plans = [corpus.conventions[d.id].plan for d in conventions if d.id in corpus.conventions]
    names = sorted_fr({p.levels[0].nom for p in plans if p is not None}) or ["Thématique"]
    return " ou ".join(names[:1] + [n.lower() for n in names[1:]])


def _overview_pages(model: SiteModel, corpus: Corpus, conventions: list[AssembledDocument],
                    doc_pages: dict[str, DocumentPages], views: dict, today: dt.date, public: bool,
                    fiche_rows: list[dict]) -> list[dict]:
    """The home page, one page per territory, the index of fiches and the glossary; the territories."""
    territories = _territories(corpus, conventions, views)
    model.pages[HOME] = GeneratedPage("Accueil", render_page(
        "home.html", title="Conventions territoriales globales", territories=territories, today=date_fr(today),
        public=public, manifest=f"{DOWNLOAD_DIR}/{MANIFEST}" if model.files else None))
    for t in territories:
        model.pages[t["key"]] = GeneratedPage(t["name"], render_page("territoire.html", t=t))
    model.pages[FICHES_INDEX] = GeneratedPage("Fiches action", hide=("navigation", "toc"), html=render_page(
        "fiches.html", rows=fiche_rows, themes=sorted_fr({r["thematique"] for r in fiche_rows}),
        theme_label=_first_level_label(corpus, conventions),
        pilotes=sorted_fr({p for r in fiche_rows for p in r["pilotes"]}),
        partenaires=sorted_fr({p for r in fiche_rows for p in r["partenaires"]})))
    model.pages[GLOSSARY] = GeneratedPage("Glossaire", render_page(
        "glossaire.html", sigles=sorted_fr(model.sigles.items(), key=lambda kv: kv[0])))
    return territories


def _accessibility_page(site_extra: dict | None, site_url: str | None, today: dt.date) -> GeneratedPage:
    """The « Déclaration d'accessibilité » the RGAA requires; the publisher fills mkdocs.yml."""
    settings = (site_extra or {}).get("accessibilite") or {}
    return GeneratedPage("Déclaration d'accessibilité", render_page(
        "accessibilite.html", today=date_fr(today), site_url=site_url or "",
        editeur=str(settings.get("editeur") or PLACEHOLDER.format(key="editeur")),
        contact=str(settings.get("contact") or PLACEHOLDER.format(key="contact"))))


def _list_pages(model: SiteModel, conventions, views: dict, territories: list[dict], delib: dict) -> None:
    """The pages the top tabs open: the conventions, the territories, the délibérations."""
    from . import deliberations as delib_pages

    ordered = sorted(conventions, key=lambda d: (sort_key(d.territory), d.start))
    model.pages[CONVENTIONS_INDEX] = GeneratedPage("Conventions", render_page(
        "liste.html", title="Conventions", intro="Les conventions territoriales globales publiées, par territoire.",
        items=[{"title": views[c.id]["short_title"], "uri": views[c.id]["key"], "view": views[c.id],
                "detail": _list_detail(views[c.id])} for c in ordered]))
    if territories:  # the tab, like the menu entry, only when a published convention covers one
        model.pages[TERRITORIES_INDEX] = GeneratedPage("Territoires", render_page(
            "liste.html", title="Territoires", intro="Les territoires couverts par une convention publiée et leurs communes.",
            items=[{"title": t["name"], "uri": t["key"], "view": None,
                    "detail": f"{len(t['communes'])} communes"} for t in territories]))
    if delib:
        model.pages[f"{delib_pages.FOLDER}/index.md"] = GeneratedPage("Délibérations", render_page(
            "liste.html", title="Délibérations",
            intro="Les délibérations qui ont autorisé la signature des conventions et des avenants publiés.",
            items=[{"title": title, "uri": uri, "view": None, "detail": ""} for uri, (title, _h) in delib.items()]))


def _name_conventions_in_titles(model: SiteModel, views: dict) -> None:
    """Every page of a convention names it in its title (browser tab, search results): « Fiche action
    n° 4 – … – CTG Pays d'Opale 2022-2026 », not a title that every convention has."""
    for uri, page in model.pages.items():
        parts = uri.split("/")
        view = views.get(parts[1]) if parts[0] == "conventions" and len(parts) > 2 else None
        if view is not None and view["short_title"] not in page.title:
            page.title = f"{page.title} – {view['short_title']}"


# ------------------------------------------------------------------ views


def _signatories(doc: AssembledDocument) -> list[dict]:
    return [{"organisation": capitalize(s.organisation), "person": s.person, "function": s.function,
             "representation": s.representation}
            for s in doc.signatories]


def _convention_view(c: AssembledDocument, avenants: list[AssembledDocument], doc_pages, model: SiteModel,
                     corpus: Corpus, today: dt.date) -> dict:
    end = effective_end(c, avenants)
    label, key = derived_status(c, end, today)
    conv_src = corpus.conventions.get(c.id)
    territory_id = conv_src.meta.territoire if conv_src else ""
    timeline = []
    if c.signed_on:
        timeline.append({"date": date_fr(c.signed_on), "sort": c.signed_on, "title": "Signature de la convention",
                         "uri": f"conventions/{c.id}/index.md", "detail": ""})
    for av in avenants:
        when = av.signed_on or av.start
        detail = (f"signé le {date_fr(av.signed_on)}, effet au {date_fr(av.start)}" if av.signed_on
                  else f"{source_status(av.status, av.kind).label}, effet au {date_fr(av.start)}")
        timeline.append({"date": date_fr(when), "sort": when, "title": f"Avenant n°\u00a0{avenant_number(av)}",
                         "uri": f"{doc_pages[av.id].base}/index.md", "detail": detail})
    timeline.sort(key=lambda e: e["sort"])
    last = None
    if avenants:
        av = max(avenants, key=lambda a: (a.signed_on or a.start, a.id))
        last = {"title": f"Avenant n°\u00a0{avenant_number(av)}", "uri": f"{doc_pages[av.id].base}/index.md",
                "date": (f"signé le {date_fr(av.signed_on)}" if av.signed_on
                         else f"{source_status(av.status, av.kind).label}, effet au {date_fr(av.start)}"),
                "status": source_status(av.status, av.kind)}
    return {
        "doc": c, "id": c.id, "title": c.title, "short_title": c.short_title, "key": f"conventions/{c.id}/index.md",
        "status": label, "status_key": key, "period": _period(c.start, end),
        "signed": f"signée le {date_fr(c.signed_on)}" if c.signed_on else "non signée",
        "signatories": _signatories(c), "downloads": download_links(c, model.files), "timeline": timeline,
        "last_avenant": last, "territory_id": territory_id, "territory": capitalize(c.territory),
        "territory_key": f"territoires/{territory_id}.md" if territory_id else None,
    }


def _list_detail(view: dict) -> str:
    """« du … au … », and « remplacée par CTG … » for a convention renewed."""
    replaced = view.get("replaced_by")
    return view["period"] + (f" ; remplacée par « {replaced['title']} »" if replaced else "")


def _link_renewals(corpus: Corpus, views: dict) -> None:
    """« Remplace : » on a renewal's page, « Remplacée par : » on the convention it replaces (when published)."""
    for cid, view in views.items():
        view.setdefault("replaced_by", None)
        view.setdefault("replaces", None)
    for cid, view in views.items():
        src = corpus.conventions.get(cid)
        old = views.get(src.meta.remplace) if src is not None and src.meta.remplace else None
        if old is not None:
            view["replaces"] = {"title": old["short_title"], "key": old["key"]}
            old["replaced_by"] = {"title": view["short_title"], "key": view["key"]}


def _avenant_view(av: AssembledDocument, parent: dict, doc_pages, model: SiteModel, today: dt.date) -> dict:
    label, key = derived_status(av, av.end, today)
    return {
        "doc": av, "id": av.id, "title": av.title, "short_title": f"Avenant n°\u00a0{avenant_number(av)}",
        "key": f"{doc_pages[av.id].base}/index.md", "status": label, "status_key": key,
        "period": _period(av.start, av.end),
        "signed": f"signé le {date_fr(av.signed_on)}" if av.signed_on else "non signé",
        "signatories": _signatories(av), "downloads": download_links(av, model.files), "timeline": [],
        "last_avenant": None, "parent": parent,
    }


def _document_pages(model: SiteModel, pages: DocumentPages, view: dict, convention: dict,
                    changes: dict | None = None) -> None:
    annexes = [{"title": a.title, "uri": a.key} for a in pages.annexes]
    hidden = [f"Annexe\u00a0{a.number}" for a in pages.hidden_annexes]
    model.pages[pages.main.key] = GeneratedPage(view["short_title"], render_page(
        "document.html", v=view, annexes=annexes, hidden=hidden, body=Markup(pages.main.html)))
    for seg in pages.annexes:
        fiches = [{"title": f.title, "uri": f.key} for f in pages.fiches.get(seg.annex.id, [])]
        model.pages[seg.key] = GeneratedPage(seg.title, render_page(
            "annexe.html", seg=seg, v=view, fiches=fiches, body=Markup(seg.html)))
    annex_titles = {a.annex.id: a.title for a in pages.annexes}
    for aid, fiches in pages.fiches.items():
        for seg in fiches:
            model.pages[seg.key] = GeneratedPage(seg.title, render_page(
                "fiche.html", seg=seg, v=view, convention=convention, annex_title=annex_titles[aid],
                notices=(changes or {}).get(seg.key, []),
                annex_uri=f"{pages.base}/annexes/{aid}/index.md", body=Markup(seg.html)))
    for seg in (pages.main, *pages.annexes, *(f for fiches in pages.fiches.values() for f in fiches)):
        seg.html = ""  # now in the page (the segments stay for the nav and the fiches index)


def _territories(corpus: Corpus, conventions: list[AssembledDocument], views: dict) -> list[dict]:
    out = []
    by_territory: dict[str, list[dict]] = {}
    for c in conventions:
        by_territory.setdefault(views[c.id]["territory_id"], []).append(views[c.id])
    for tid, convs in by_territory.items():
        org = corpus.registry.organisations.get(tid)
        communes = [corpus.registry.communes[code] for code in (org.communes if org else [])
                    if code in corpus.registry.communes]
        communes = sorted_fr(communes, key=lambda m: m.nom)
        years = sorted({m.annee for m in communes})
        name = capitalize(convs[0]["territory"]) or tid
        out.append({
            "id": tid, "key": f"territoires/{tid}.md", "name": name,
            "communes": [{"insee": m.insee, "nom": m.nom, "population": number_fr(m.population)} for m in communes],
            "total": number_fr(sum(m.population for m in communes)), "years": ", ".join(str(y) for y in years),
            "conventions": sorted(convs, key=lambda v: v["doc"].start, reverse=True),
        })
    out = sorted_fr(out, key=lambda t: t["name"])
    return out



# ------------------------------------------------------------------ navigation


def _nav(conventions, avenants_of, doc_pages, territories, guide, delib: dict) -> list:
    conv_nav = []
    for c in sorted(conventions, key=lambda d: (sort_key(d.territory), d.start)):
        conv_nav.append({c.short_title: _document_nav(doc_pages[c.id], avenants_of[c.id], doc_pages)})
    nav: list = [{"Accueil": HOME}]
    nav.append({"Conventions": [CONVENTIONS_INDEX, *conv_nav]})
    if delib:
        from .deliberations import FOLDER

        nav.append({"Délibérations": [f"{FOLDER}/index.md", *({title: uri} for uri, (title, _h) in delib.items())]})
    if territories:
        nav.append({"Territoires": [TERRITORIES_INDEX, *({t["name"]: t["key"]} for t in territories)]})
    nav.append({"Fiches action": FICHES_INDEX})
    nav.append({"Glossaire": GLOSSARY})
    if guide:
        nav.append({"Guide de rédaction": [{title: uri} for uri, title in guide]})
    nav.append({"Accessibilité": ACCESSIBILITY})
    return nav


def _document_nav(pages: DocumentPages, avenants, doc_pages) -> list:
    items: list = [pages.main.key]
    for seg in pages.annexes:
        fiches = pages.fiches.get(seg.annex.id)
        if fiches:
            items.append({seg.title: [seg.key, *({f.title: f.key} for f in fiches)]})
        else:
            items.append({seg.title: seg.key})
    for av in avenants:
        sub = doc_pages[av.id]
        label = f"Avenant n°\u00a0{avenant_number(av)}"
        items.append({label: _document_nav(sub, [], doc_pages)} if sub.annexes else {label: sub.main.key})
    return items
