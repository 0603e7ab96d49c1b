"""Status shown on the site, derived from the documents' status and dates (never typed)."""

from __future__ import annotations

import datetime as dt
import os

from ..assemble import AssembledDocument

SIGNED = ("signée", "échue")


def reference_date() -> dt.date:
    """The day the site describes: SOURCE_DATE_EPOCH when set (reproducible builds), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.date.today()


def effective_end(conv: AssembledDocument, avenants: list[AssembledDocument]) -> dt.date:
    """A signed avenant may move the end of its convention."""
    ends = [conv.end] + [a.end for a in avenants if a.status in SIGNED]
    return max(ends)


def derived_status(doc: AssembledDocument, end: dt.date, today: dt.date) -> tuple[str, str]:
    """(label, css key): « projet » until signed, then « en vigueur » until its end, then « échue »."""
    if doc.status == "échue" or (doc.status in SIGNED and today > end):
        return "échue", "echue"
    if doc.status not in SIGNED:
        return "projet", "projet"
    return "en vigueur", "en-vigueur"
