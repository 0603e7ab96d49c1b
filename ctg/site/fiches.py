"""The fiches action on the site: the fiche index (the fiches in force today, then those an avenant
proposes), and the notices on fiches an avenant replaces or adds."""

from __future__ import annotations

import datetime as dt

from ..assembly.annex_content import pilot_label, prepare
from ..assembly.context import convention_facts
from ..core.document import AssembledDocument
from ..core.french import capitalize, date_fr
from ..core.statuses import status_on
from ..sources.corpus import Corpus
from .content import DocumentPages, avenant_number


def fiche_changes(conv_pages: DocumentPages, avenants: list[AssembledDocument], av_views: dict,
                   doc_pages: dict) -> dict:
    """The fiches an avenant replaces or adds: {page key: [notice]} for the convention's fiche pages
    (« modifiée par l'avenant… ») and the avenant's (« remplace la fiche… », « ajoutée par… »)."""
    originals = {f.fiche_id: f for segs in conv_pages.fiches.values() for f in segs}
    notices: dict[str, list[dict]] = {}
    for av in avenants:
        av_view = av_views[av.id]
        for segs in doc_pages[av.id].fiches.values():
            for seg in segs:
                original = originals.get(seg.fiche_id)
                notices.setdefault(seg.key, []).append({
                    "kind": "remplace" if original else "ajoute", "avenant": av_view,
                    "other_uri": original.key if original else None,
                    "other_title": original.title if original else None, "start": date_fr(av.start)})
                if original is not None:
                    notices.setdefault(original.key, []).append({
                        "kind": "remplacee", "avenant": av_view, "other_uri": seg.key, "other_title": seg.title,
                        "start": date_fr(av.start)})
    return notices


def fiche_rows(corpus: Corpus, conventions: list[AssembledDocument], doc_pages: dict, views: dict,
                avenants_of: dict, today: dt.date) -> list[dict]:
    """The fiche index: every convention's fiches as in force today (a fiche replaced by an avenant in
    force is the avenant's), and after each, the fiches an avenant not in force yet adds or changes,
    marked with that avenant and its status."""
    rows = []
    for c in conventions:
        pages = doc_pages[c.id]
        conv = corpus.conventions.get(c.id)
        if conv is None:
            continue
        views_of = {f.id: f for f in prepare(corpus, conv, convention_facts(corpus, conv))["context"]["fiches"]}
        current: dict[str, dict] = {}
        for segs in pages.fiches.values():
            for seg in segs:
                if seg.fiche_id in views_of:
                    current[seg.fiche_id] = _fiche_row(corpus, views_of[seg.fiche_id], seg.key, views[c.id], "")
        pending: dict[str, list[dict]] = {}
        for av in avenants_of[c.id]:
            segs = {seg.fiche_id: seg for ss in doc_pages[av.id].fiches.values() for seg in ss}
            if not segs or av.id not in corpus.avenants:
                continue
            av_views = {f.id: f for f in _avenant_fiche_views(corpus, av.id, conv)}
            status = status_on(av.status, av.kind, av.start, av.end, today)
            number = f"avenant n°\u00a0{avenant_number(av)}"
            for fid, seg in segs.items():
                if fid not in av_views:
                    continue
                if status.key == "en-vigueur":
                    current[fid] = _fiche_row(corpus, av_views[fid], seg.key, views[c.id], f"selon l'{number}")
                else:
                    pending.setdefault(fid, []).append(_fiche_row(
                        corpus, av_views[fid], seg.key, views[c.id],
                        f"{'nouvelle version proposée' if fid in current else 'ajout proposé'} par l'{number} "
                        f"({status.label})"))
        order = [f.id for f in views_of.values()]
        for av_fid in pending:  # added fiches after the fiche they follow, else at the end
            if av_fid not in order:
                order.append(av_fid)
        for fid in order:
            if fid in current:
                rows.append(current[fid])
            rows.extend(pending.get(fid, []))
    return rows


def _fiche_row(corpus: Corpus, fv, uri: str, conv_view: dict, etat: str) -> dict:
    return {"numero": fv.numero, "titre": fv.titre, "uri": uri, "convention": conv_view["short_title"],
            "convention_uri": conv_view["key"], "thematique": fv.thematique,
            "pilotes": [capitalize(pilot_label(corpus, p)) for p in fv.data.pilotes],
            "partenaires": [capitalize(p) for p in fv.data.partenaires], "etat": etat}


def _avenant_fiche_views(corpus: Corpus, av_id: str, conv) -> list:
    """The fiches of the convention as the avenant leaves it (numbers « 3 bis » included)."""
    from ..assembly.assemble import Assembler
    from ..versions.avenant_text import avenant_extras
    from ..core.diagnostics import Diagnostics

    assembler = Assembler(corpus, corpus.root.parent / "templates", Diagnostics(corpus.root.parent))
    return avenant_extras(assembler, corpus.avenants[av_id], conv).context.get("fiches", [])
