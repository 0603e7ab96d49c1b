"""Dates and periods that contradict the document's own.

- a period « 2021-2025 » in a title or running header (titre, titre_court), or after
  « la présente convention », that is not the document's (« periode », or for an avenant
  its effect and end): the header of the previous generation left in place (a délibération
  has no period: the periods it cites are those of other acts);
- an authorising act (front matter « autorisation », or « délibération du … » in the text)
  dated after the signature;
- a signature (front matter, or « Fait à …, le … » in the text) after the end of the period.
"""

from __future__ import annotations

import datetime as dt
import re

from ...core.french import date_fr
from .text import Unit, finding, sentence_at

RULE_IDS = ("periode-contredite", "date-incoherente")

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
PERIOD = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*[-–—/]\s*((?:19|20)\d\d)(?!\d)")
OWN = re.compile(r"(?:présente\s+convention|présent\s+avenant|présente\s+(?:ctg|Ctg|CTG))\D{0,30}$", re.I)
DATE = re.compile(rf"\b(\d{{1,2}})(?:er)?\s+({'|'.join(MONTHS)})\s+(\d{{4}})\b|\b(\d{{1,2}})/(\d{{1,2}})/(\d{{4}})\b",
                  re.I)
ACT = re.compile(r"\b(?:délibération|arrêté|décision)\b", re.I)
SIGNED = re.compile(r"\bFait\s+à\b", re.I)


def parse(m: re.Match) -> dt.date | None:
    try:
        if m.group(1):
            return dt.date(int(m.group(3)), MONTHS.index(m.group(2).lower()) + 1, int(m.group(1)))
        return dt.date(int(m.group(6)), int(m.group(5)), int(m.group(4)))
    except ValueError:
        return None


def check(unit: Unit, known) -> list:
    doc = unit.doc
    if doc is None:
        return []
    out = front_matter_findings(doc) if unit.path == doc.path else []
    for lineno, line in unit.numbered():
        in_head = lineno <= unit.head
        for m in PERIOD.finditer(line):
            if doc.kind == "deliberation" or not (in_head or OWN.search(line[:m.start()])):
                continue
            years = (int(m.group(1)), int(m.group(2)))
            if years != (doc.start.year, doc.end.year):
                out.append(finding("periode-contredite", lineno, m.start() + 1,
                                   f"« {m.group(0)} » : la période du document est {doc.start.year}-{doc.end.year} "
                                   f"(du {date_fr(doc.start)} au {date_fr(doc.end)}) ; "
                                   + ("écrivez « {{ periode_texte }} » ou corrigez le titre." if unit.variables
                                      else "corrigez la période."), error=True))
        out += prose_date_findings(line, lineno, doc)
    return out


def prose_date_findings(line: str, lineno: int, doc) -> list:
    out = []
    for m in DATE.finditer(line):
        when = parse(m)
        if when is None:
            continue
        sentence = sentence_at(line, m.start())
        if doc.signed_on and ACT.search(sentence) and when > doc.signed_on:
            out.append(finding("date-incoherente", lineno, m.start() + 1,
                               f"« {m.group(0)} » : l'acte qui autorise la signature est daté après elle "
                               f"(signature le {date_fr(doc.signed_on)}) ; vérifiez les deux dates.", error=True))
        elif SIGNED.search(line[:m.start()]) and when > doc.end:
            out.append(finding("date-incoherente", lineno, m.start() + 1,
                               f"« {m.group(0)} » : signature après la fin de la période (le {date_fr(doc.end)}) ; "
                               "vérifiez les dates.", error=True))
    return out


def front_matter_findings(doc) -> list:
    out = []
    if doc.signed_on is None:
        return out
    for org, when, line in doc.authorisations:
        if when > doc.signed_on:
            out.append(finding("date-incoherente", line, 0,
                               f"l'autorisation de « {org} » est datée du {date_fr(when)}, après la signature "
                               f"du {date_fr(doc.signed_on)} ; un acte autorise la signature avant qu'elle ait "
                               "lieu.", error=True))
    if doc.signed_on > doc.end:
        out.append(finding("date-incoherente", doc.signature_line, 0,
                           f"la signature du {date_fr(doc.signed_on)} est postérieure à la fin de la période "
                           f"({date_fr(doc.end)}).", error=True))
    return out
