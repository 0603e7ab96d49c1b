"""Status shown on the site, derived from the documents' status and dates (never typed)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess

from ..core.document import AssembledDocument
from ..core.statuses import SIGNED, status_on




def reference_date() -> dt.date:
    """The day the site describes, never the clock (two builds of the same sources are identical):
    SOURCE_DATE_EPOCH when set (e.g. by a scheduled CI job), else the date of the last git commit,
    else, outside a git checkout, today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    root = os.environ.get("CTG_RACINE") or os.getcwd()
    try:
        proc = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True,
                              timeout=20)
        if proc.returncode == 0 and proc.stdout.strip().isdigit():
            return dt.datetime.fromtimestamp(int(proc.stdout.strip()), dt.timezone.utc).date()
    except (OSError, subprocess.TimeoutExpired):
        pass
    return dt.date.today()


def effective_end(conv: AssembledDocument, avenants: list[AssembledDocument]) -> dt.date:
    """A signed avenant may move the end of its convention."""
    ends = [conv.end] + [a.end for a in avenants if a.status in SIGNED]
    return max(ends)


def derived_status(doc: AssembledDocument, end: dt.date, today: dt.date) -> tuple[str, str]:
    """(label, css key) from the one vocabulary (ctg/statuses.py)."""
    status = status_on(doc.status, doc.kind, doc.start, end, today)
    return status.label, status.key
