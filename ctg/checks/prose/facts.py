"""What the system computes about each document, for the rules to compare the prose with."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ...assembly.context import covered_communes
from ...sources.corpus import AvenantSource, ConventionSource, Corpus, DeliberationSource
from ...core.diagnostics import Diagnostics
from ...sources.models import load_model
from ...assembly.numbering import number_articles
from ...sources.schemas import Statut

FINAL = (Statut.pret, Statut.signee, Statut.echue)

#: subject of an annex (its « contenu », or words of its title) → phrases that name it in a sentence
SUBJECTS = {
    "plan-actions": ("plan d'actions", "plan d’actions", "fiches action", "fiche action"),
    "diagnostic": ("diagnostic",),
    "communes": ("liste des communes",),
    "equipements": ("équipements", "equipements"),
    "glossaire": ("glossaire", "sigles"),
    "gouvernance": ("gouvernance",),
    "engagement": ("modèle de délibération", "fiche d'engagement", "fiche d’engagement"),
}

#: equipment types as prose names them → the types of donnees/equipements.yaml they count
EQUIPMENT_WORDS = {
    "EAJE": ("EAJE",), "LAEP": ("LAEP",), "RPE": ("RPE",),
    "ALSH": ("ALSH extrascolaire", "ALSH périscolaire"),
    "ludothèques?": ("Ludothèque",), "centres? sociaux|centre social": ("Centre social",),
    "espaces? de vie sociale|EVS": ("Espace de vie sociale",), "CLAS": ("CLAS",),
}


_SEPARATORS = re.compile(r"[-'’\s]+")
_SAINTE = re.compile(r"\bste\b")
_SAINT = re.compile(r"\bst\b")


@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """A name's comparison key: no accents, no case, hyphens and apostrophes as spaces, St → Saint.
    Kept for the run: the prose check folds every span of capitalised words of every line."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _SEPARATORS.sub(" ", text).strip()
    return _SAINT.sub("saint", _SAINTE.sub("sainte", text))


@dataclass(frozen=True)
class Ref:
    number: int
    id: str
    title: str
    subjects: tuple[str, ...] = ()


@dataclass
class DocFacts:
    id: str
    kind: str  # "convention" | "avenant"
    path: Path
    status: Statut
    start: dt.date
    end: dt.date
    signed_on: dt.date | None
    counts: dict[str, int] = field(default_factory=dict)
    equipment: Counter = field(default_factory=Counter)
    annexes: list[Ref] = field(default_factory=list)
    articles: list[Ref] = field(default_factory=list)
    fiches: list[Ref] = field(default_factory=list)
    communes: list = field(default_factory=list)
    authorisations: list[tuple[str, dt.date, int]] = field(default_factory=list)  # org, date, line
    signature_line: int = 0
    severe: bool = False  # prose findings are errors (final document being changed)
    pages: tuple[int, int] | None = None  # (up to the last signature, in all) of the cached layout, else None

    @property
    def final(self) -> bool:
        return self.status in FINAL


def annex_refs(annexes) -> list[Ref]:
    refs = []
    for n, a in enumerate(annexes, start=1):
        title = fold(a.meta.titre)
        subjects = tuple(p for key, phrases in SUBJECTS.items()
                         if key == a.meta.contenu.value or fold(key.replace("-", " ")) in title
                         or any(fold(p) in title for p in phrases) for p in phrases)
        refs.append(Ref(n, a.id, a.meta.titre, subjects))
    return refs


def article_refs(templates: Path, model_name: str, sections) -> list[Ref]:
    model = load_model(templates, model_name, Diagnostics(templates))
    if model is None:
        return []
    plans = number_articles(model, sections, [])
    return [Ref(p.number, p.id, p.title or (p.section.title if p.section else "")) for p in plans]


def fiche_refs(conv: ConventionSource) -> list[Ref]:
    order = conv.plan.fiche_order(conv.fiches) if conv.plan is not None else []
    return [Ref(i, f, conv.fiches[f].data.titre) for i, f in enumerate(order, start=1)]


def equipment_counts(conv: ConventionSource) -> Counter:
    counts: Counter = Counter()
    if conv.equipements is not None:
        for group in conv.equipements.collectivites:
            counts.update(e.type for e in group.equipements)
    return counts


def convention_facts(corpus: Corpus, conv: ConventionSource, templates: Path) -> DocFacts:
    meta = conv.meta
    facts = DocFacts(conv.id, "convention", conv.path, meta.statut, meta.periode.debut, meta.periode.fin,
                     meta.signature.date, communes=covered_communes(corpus, conv))
    facts.annexes = annex_refs(conv.annexes)
    facts.articles = article_refs(templates, meta.modele, conv.sections)
    facts.fiches = fiche_refs(conv)
    facts.equipment = equipment_counts(conv)
    n = len(meta.signataires)
    facts.counts = {"communes": len(facts.communes), "signataires": n, "exemplaires": n,
                    "annexes": len(facts.annexes), "articles": len(facts.articles)}
    if conv.plan is not None:
        facts.counts["fiches"] = len(facts.fiches)
    if conv.equipements is not None:
        facts.counts["equipements"] = sum(facts.equipment.values())
    facts.authorisations = [(s.organisation, s.autorisation.date, conv.src.line("signataires", i, "autorisation", "date"))
                            for i, s in enumerate(meta.signataires) if s.autorisation and s.autorisation.date]
    facts.signature_line = conv.src.line("signature", "date")
    return facts


def avenant_facts(corpus: Corpus, av: AvenantSource, templates: Path) -> DocFacts | None:
    parent = corpus.conventions.get(av.meta.convention)
    if parent is None:
        return None
    meta = av.meta
    end = meta.fin or parent.meta.periode.fin
    facts = DocFacts(av.id, "avenant", av.path, meta.statut, meta.effet, end, meta.signature.date,
                     communes=covered_communes(corpus, parent))
    facts.annexes = annex_refs(av.annexes)
    n = len(parent.meta.signataires) + len(meta.signataires_ajoutes)
    facts.counts = {"communes": len(facts.communes), "signataires": n, "exemplaires": n,
                    "annexes": len(facts.annexes)}
    facts.authorisations = [(s.organisation, s.autorisation.date,
                             av.src.line("signataires_ajoutes", i, "autorisation", "date"))
                            for i, s in enumerate(meta.signataires_ajoutes) if s.autorisation and s.autorisation.date]
    facts.authorisations += [(k, v.date, av.src.line("autorisations", k, "date")) for k, v in meta.autorisations.items()]
    facts.signature_line = av.src.line("signature", "date")
    return facts


def deliberation_facts(delib: DeliberationSource) -> DocFacts:
    """A délibération is an act adopted and signed at its séance: « signée » (its prose findings are
    errors when it is being changed); it has no period, counts, annexes or articles of its own."""
    meta = delib.meta
    facts = DocFacts(delib.id, "deliberation", delib.path, Statut.signee, meta.seance, dt.date.max,
                     meta.signature.date)
    facts.signature_line = delib.src.line("signature", "date")
    return facts
