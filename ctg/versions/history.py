"""A convention's history: the convention as signed, then one step per avenant, by effect date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..core.diagnostics import Diagnostics
from ..sources.corpus import AvenantSource, ConventionSource, Corpus
from ..sources.models import ClauseModel
from ..sources.schemas import Statut
from .avenant_ops import Applier
from .convention_state import Change, Version, initial_version


@dataclass
class Step:
    avenant: AvenantSource
    before: Version
    after: Version
    changes: list[Change]


def avenants_in_order(corpus: Corpus, conv_id: str) -> list[AvenantSource]:
    """Applied by effect date; two avenants with the same date in their number order."""
    return sorted((a for a in corpus.avenants.values() if a.meta.convention == conv_id),
                  key=lambda a: (a.meta.effet, a.meta.numero))


def history(corpus: Corpus, conv: ConventionSource, model: ClauseModel, diags: Diagnostics) -> tuple[Version, list[Step]]:
    """The convention as signed, and one step per avenant (errors reported once, here)."""
    start = initial_version(conv, model)
    steps: list[Step] = []
    current = start
    applier = Applier(corpus, diags)
    for av in avenants_in_order(corpus, conv.id):
        after, changes = applier.apply(current, av)
        steps.append(Step(av, current, after, changes))
        current = after
    return start, steps


def version_at(start: Version, steps: list[Step], when: dt.date) -> Version:
    current = start
    for step in steps:
        if step.avenant.meta.effet <= when:
            current = step.after
    return current


def is_signed(av: AvenantSource) -> bool:
    return av.meta.statut in (Statut.signee, Statut.echue)
