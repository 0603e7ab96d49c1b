"""References typed by hand: « annexe 3 », « article 7 », « fiche 12 » instead of a computed one.

A warning names the computed reference to write; an error when the number points to
nothing (« annexe 7 » in a document with four annexes) or to the wrong thing (« annexe 1 »
in a sentence about the plan d'actions when annex 1 is the diagnostic). Articles of a
code, a law or a decree (« article 7 de la loi », « article L. 263-1 ») are not references.
"""

from __future__ import annotations

import re

from .text import Unit, finding, sentence_span

RULE_IDS = ("renvoi-tape", "renvoi-faux")

TYPED = re.compile(r"(?<![\w-])(annexes?|articles?|fiches?(?:[\s-]+actions?)?)\s+(?:n°\s*)?(\d{1,3}|1er)(?![\w,-])",
                   re.I)
EXTERNAL = re.compile(r"^(?:\s*(?:,|et|à)\s*\d+)*\s+(?:du|des|de\s+la|de\s+l['’])\s+(?!présente?\b|présents?\b)", re.I)
KINDS = {"annexe": ("annexes", "annexe", "l'annexe"), "article": ("articles", "article", "l'article"),
         "fiche": ("fiches", "fiche", "la fiche action")}


def check(unit: Unit, known) -> list:
    doc = unit.doc
    if doc is None:
        return []
    out = []
    for lineno, line in unit.numbered():
        for m in TYPED.finditer(line):
            if EXTERNAL.match(line[m.end():]):
                continue
            kind = m.group(1).lower().split()[0].rstrip("s").replace("-action", "")
            n = 1 if m.group(2).lower() == "1er" else int(m.group(2))
            f = reference_finding(kind, n, m, line, lineno, doc, unit.variables)
            if f is not None:
                out.append(f)
    return out


def reference_finding(kind: str, n: int, m: re.Match, line: str, lineno: int, doc, variables: bool = True):
    """variables: the text may use the template functions (not a YAML field nor a délibération)."""
    refs = {"annexe": doc.annexes, "article": doc.articles, "fiche": doc.fiches}[kind]
    plural, _singular, the = KINDS[kind]
    text, col = m.group(0), m.start() + 1
    if not refs:
        return None if kind != "annexe" or doc.kind != "convention" else finding(
            "renvoi-faux", lineno, col, f"« {text} » : le document n'a pas d'annexe ; retirez ce renvoi.", error=True)
    target = next((r for r in refs if r.number == n), None)
    if target is None:
        return finding("renvoi-faux", lineno, col,
                       f"« {text} » : le document n'a que {len(refs)} {plural} ; "
                       + (f"écrivez un renvoi calculé, par exemple « {{{{ {kind}(\"{refs[-1].id}\") }}}} »."
                          if variables else "corrigez le renvoi."), error=True)
    if kind == "annexe":
        start, end = sentence_span(line, m.start())
        wrong = wrong_subject(line[start:end], m.start() - start, target, refs)
        if wrong is not None:
            other, phrase = wrong
            return finding("renvoi-faux", lineno, col,
                           f"« {text} » : {the} {n} est « {target.title} », or la phrase parle de « {phrase} » "
                           f"({the} {other.number}) ; "
                           + (f"écrivez « {{{{ annexe(\"{other.id}\") }}}} »." if variables
                              else f"écrivez « annexe {other.number} »."), error=True)
    return finding("renvoi-tape", lineno, col,
                   f"« {text} » tapé à la main ; écrivez « {{{{ {kind}(\"{target.id}\") }}}} », calculé, qui suivra "
                   f"les changements de numérotation ({the} {n} est aujourd'hui « {target.title} »).")


def wrong_subject(sentence: str, at: int, target, refs):
    """(annex the sentence is about, phrase naming it) when that is not the cited annex: the
    subject named nearest to the reference (at: its position in the sentence) decides."""
    lower = sentence.lower()
    found = []
    for ref in refs:
        for phrase in ref.subjects:
            for m in re.finditer(re.escape(phrase), lower):
                found.append((abs(m.start() - at), ref, phrase))
    if not found:
        return None
    _, ref, phrase = min(found, key=lambda x: x[0])
    return None if ref is target else (ref, phrase)
