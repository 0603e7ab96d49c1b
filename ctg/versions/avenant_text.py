"""The avenant's own text, drafted from its structured changes (avenant_ops.py).

One article, « Modifications apportées à la convention », placed after the objet, with
a sub-article per part changed, in French drafting style: « L'article 10 est remplacé
par les dispositions suivantes : … », « Il est inséré, après l'article 6, un article
6 bis ainsi rédigé : … », « La fiche action n° 3 bis … est ajoutée à l'annexe 4 ».
New texts are rendered in the convention as amended (its renvois give the numbers of
the consolidated text) and quoted; the avenant's plan d'actions marks the new and
updated fiches and reproduces only those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from num2words import num2words

from ..assembly.assemble import DASH, Assembler, shift_headings
from ..assembly.context import covered_communes
from ..assembly.numbering import article_label
from ..core.french import date_fr, guillemets
from ..sources.corpus import AvenantSource, ConventionSource, Section
from ..sources.equipment_types import type_label
from .consolidate import VersionView, convention_history, render_articles, render_text, version_view
from .convention_state import Change, Version
from .history import Step

ARTICLE_ID = "modifications"
ARTICLE_TITLE = "Modifications apportées à la convention"


@dataclass
class AvenantExtras:
    sections: list[Section] = field(default_factory=list)  # the generated article, if any change
    context: dict = field(default_factory=dict)  # data of the convention as amended
    data: dict = field(default_factory=lambda: {"context": {}, "fiche_numbers": {}})
    fiche_numbers: dict = field(default_factory=dict)


def avenant_extras(assembler: Assembler, av: AvenantSource, parent: ConventionSource) -> AvenantExtras:
    hist = convention_history(assembler, parent)
    if hist is None:
        return AvenantExtras()
    step = next((s for s in hist[1] if s.avenant is av), None)
    if step is None:
        return AvenantExtras()
    after = version_view(assembler, step.after)
    fiches = after.data["context"]["fiches"]
    for fv in fiches:
        fv.marque = step.after.marks.get(fv.id, "")
        fv.visible = bool(fv.marque)
    for row in after.data["context"]["lignes_plan"]:
        row["marque"] = step.after.marks.get(row["fiche"], "")
    context = dict(after.data["context"], communes=covered_communes(assembler.corpus, after.source),
                   fiches_marquees=[f for f in fiches if f.marque])
    extras = AvenantExtras(context=context, data={"context": context, "fiche_numbers": after.data["fiche_numbers"]},
                           fiche_numbers=after.data["fiche_numbers"])
    if step.changes:
        if any(c.action.endswith("_alinea") for c in step.changes):
            render_articles(assembler, after)  # alinéa numbers are checked on the rendered text
        text = draft(assembler, step, after)
        line = av.src.line("modifications")
        extras.sections.append(Section(ARTICLE_ID, ARTICLE_TITLE, {"apres": "objet"},
                                       "{% raw %}\n" + text + "\n{% endraw %}\n", line, av.path))
    return extras


# ---------------------------------------------------------------- drafting

_LINK = re.compile(r"\[([^\]]*)\]\(#[^)]*\)")


def ordinal(n: int) -> str:
    return num2words(n, lang="fr", to="ordinal")


def _quote(text: str) -> str:
    """A new text, quoted: headings become bold lines (they belong to the convention, not the avenant)."""
    lines = []
    for line in _LINK.sub(r"\1", text.strip("\n")).split("\n"):
        m = re.match(r"^#{1,6}\s+(.*?)\s*(\{[^}]*\})?\s*$", line)
        lines.append(f"**{m.group(1)}**" if m else line)
    return "\n".join("> " + line if line else ">" for line in lines)


def _new_text(assembler: Assembler, view: VersionView, change: Change, label: str) -> str:
    body = render_text(assembler, view, change.section) or ""
    return shift_headings(body.strip("\n"), label, view.ctx["convention"].numerotation.sous_articles)


def _article_ref(label: str) -> str:
    return "l'article 1er" if label == "1" else f"l'article {label}"


def _annex_of(version: Version, kind: str) -> str:
    number = next((i + 1 for i, a in enumerate(version.annexes) if a.meta.contenu.value == kind), None)
    return f"annexe {number}" if number else ""


def _own_annex(av: AvenantSource, kind: str | None = None, ident: str | None = None) -> int | None:
    return next((i + 1 for i, a in enumerate(av.annexes)
                 if (ident is None or a.id == ident) and (kind is None or a.meta.contenu.value == kind)), None)


def _group(change: Change, before: Version) -> str:
    """The sub-article a change belongs to (consecutive changes of one part share it)."""
    if change.action.endswith("_article") or change.action.endswith("_alinea"):
        if change.action == "inserer_article":
            return f"Insertion d'un article {change.label}"
        if change.action == "supprimer_article":
            return f"Suppression de {_article_ref(change.label)}"
        return f"Modification de {_article_ref(change.label)}"
    if change.action.endswith("_annexe"):
        return f"Annexe {change.label}"
    if change.action == "retirer_signataire":
        return "Parties à la convention"
    if change.action.endswith("_fiche"):
        annex = _annex_of(before, "plan-actions")
        return f"Plan d'actions ({annex})" if annex else "Plan d'actions"
    if change.action.endswith("_equipement"):
        annex = _annex_of(before, "equipements")
        return f"Équipements et services soutenus ({annex})" if annex else "Équipements et services soutenus"
    annex = _annex_of(before, "communes")
    return f"Communes couvertes ({annex})" if annex else "Communes couvertes"


def draft(assembler: Assembler, step: Step, after: VersionView) -> str:
    av = step.avenant
    groups: list[tuple[str, list[str]]] = []
    for change in step.changes:
        title = _group(change, step.before)
        paragraphs = sentence(assembler, change, step, after)
        if groups and groups[-1][0] == title:
            groups[-1][1].extend(paragraphs)
        else:
            groups.append((title, list(paragraphs)))
    plan_annex = _own_annex(av, "plan-actions")
    if plan_annex and any(c.action.endswith("_fiche") for c in step.changes):
        title = next(t for t, _ in groups if t.startswith("Plan d'actions"))
        for t, paragraphs in groups:
            if t == title:
                paragraphs.append(f"Le tableau du plan d'actions est modifié en conséquence ; il figure, à jour, à "
                                  f"l'annexe {plan_annex} du présent avenant.")
    out = [f"Le présent avenant apporte à la convention les modifications suivantes, qui prennent effet le "
           f"{date_fr(av.meta.effet)}."]
    for title, paragraphs in groups:
        out.append(f"### {title}")
        out.extend(paragraphs)
    return "\n\n".join(out)


# Long on purpose: one sentence per kind of operation, the drafting read side by side (scripts/sizes.py).
def sentence(assembler: Assembler, change: Change, step: Step, after: VersionView) -> list[str]:
    av, before, op = step.avenant, step.before, change.op
    a = change.action
    if a == "remplacer_article":
        new_title = change.title or change.old_title
        title = _render_title(assembler, after, change, new_title)
        text = _new_text(assembler, after, change, change.label)
        return [f"{_article_ref(change.label).capitalize()} est remplacé par les dispositions suivantes :",
                _quote(f"**{article_label(_n(change.label))} {DASH} {title}**\n\n{text}")]
    if a == "inserer_article":
        title = _render_title(assembler, after, change, change.title)
        text = _new_text(assembler, after, change, change.label)
        return [f"Il est inséré, après {_article_ref(change.after_label)}, un article {change.label} ainsi rédigé :",
                _quote(f"**Article {change.label} {DASH} {title}**\n\n{text}")]
    if a == "supprimer_article":
        return [f"{_article_ref(change.label).capitalize()} est supprimé."]
    if a == "remplacer_alinea":
        return [f"Le {ordinal(op.alinea)} alinéa de {_article_ref(change.label)} est remplacé par les dispositions "
                "suivantes :", _quote(_new_text(assembler, after, change, change.label))]
    if a == "inserer_alinea":
        where = (f"au début de {_article_ref(change.label)}" if op.apres == 0
                 else f"après le {ordinal(op.apres)} alinéa de {_article_ref(change.label)}")
        return [f"Il est inséré, {where}, un alinéa ainsi rédigé :", _quote(_new_text(assembler, after, change,
                                                                                          change.label))]
    if a == "supprimer_alinea":
        return [f"Le {ordinal(op.alinea)} alinéa de {_article_ref(change.label)} est supprimé."]
    if a == "remplacer_annexe":
        own = _own_annex(av, ident=change.target)
        return [f"L'annexe {change.label} de la convention, {guillemets(change.old_title)}, est remplacée par l'annexe "
                f"{own} du présent avenant, {guillemets(change.title)}."]
    if a == "ajouter_annexe":
        own = _own_annex(av, ident=change.target)
        return [f"Il est ajouté à la convention une annexe {change.label}, {guillemets(change.title)}, qui figure à "
                f"l'annexe {own} du présent avenant."]
    if a == "retirer_signataire":
        org = assembler.corpus.registry.organisations.get(change.target)
        name = _org_name(org) if org else change.target
        return [f"À compter du {date_fr(av.meta.effet)}, {name} cesse d'être partie à la convention."]
    plan_annex = _own_annex(av, "plan-actions")
    number = _annex_of(before, "plan-actions")
    annex = f"l'{number}" if number else "le plan d'actions"
    annex_de = f"de l'{number}" if number else "du plan d'actions"
    shown = f" Elle figure à l'annexe {plan_annex} du présent avenant." if plan_annex else ""
    if a == "ajouter_fiche":
        return [f"La fiche action n° {change.label}, {guillemets(change.title)}, est ajoutée à {annex}.{shown}"]
    if a == "modifier_fiche":
        renamed = f" sous le titre {guillemets(change.title)}" if change.title != change.old_title else ""
        return [f"La fiche action n° {change.label}, {guillemets(change.old_title)}, est remplacée par sa version "
                f"mise à jour{renamed}.{shown}"]
    if a == "supprimer_fiche":
        return [f"La fiche action n° {change.label}, {guillemets(change.title)}, est supprimée {annex_de}."]
    if a == "ajouter_equipement":
        where = f", {op.adresse}" if op.adresse else ""
        by = f", géré par {op.gestionnaire}" if op.gestionnaire else ""
        return [f"Est ajouté aux équipements et services soutenus par {change.title} : "
                f"{type_label(assembler.corpus.registry.types_equipements, op.type)}, "
                f"{guillemets(op.nom)}{where}{by}."]
    if a == "retirer_equipement":
        return [f"Est retiré des équipements et services soutenus par {change.title} : {guillemets(op.nom)}."]
    insee = change.target
    if a == "ajouter_commune":
        return [f"La commune {_de(change.title)} (code INSEE {insee}) est ajoutée aux communes couvertes par la "
                f"convention, pour le motif suivant : {op.motif.rstrip('.')}."]
    return [f"La commune {_de(change.title)} (code INSEE {insee}) est retirée des communes couvertes par la "
            f"convention, pour le motif suivant : {op.motif.rstrip('.')}."]


def _n(label: str):
    return int(label) if label.isdigit() else label


def _de(nom: str) -> str:
    return ("d'" if nom[:1].lower() in "aeiouyéèêh" else "de ") + nom


def _org_name(org) -> str:
    from ..assembly.parties import OrgView

    return OrgView(org).nom_complet


def _render_title(assembler: Assembler, view: VersionView, change: Change, title: str) -> str:
    section = Section(change.target, "", {}, title, change.section.line, change.section.path)
    rendered = render_text(assembler, view, section)
    return (rendered or title).strip()
