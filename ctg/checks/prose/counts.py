"""Counts typed in prose that the system computes: « les 23 communes », « en cinq exemplaires ».

A count that disagrees with the computed value is an error; one that agrees is a warning (it
will not follow the next change): the message names the variable to write instead.
Only counts of a whole are read (« les 23 communes », « ses vingt-trois communes », « 23
communes membres »), never « au moins deux communes », « 5 000 habitants » or « 2 pages ».
"""

from __future__ import annotations

import re
from functools import lru_cache

from .facts import EQUIPMENT_WORDS
from .numbers import in_words, number_pattern, value
from .text import Unit, finding, of, sentence_at, table_cells

RULE_IDS = ("compte-communes", "compte-signataires", "compte-exemplaires", "compte-pages", "compte-equipements",
            "compte-fiches", "compte-annexes", "compte-articles")

DET = r"(?:les|ses|leurs|des|ces|aux|nos|vos|sur\s+les|dont\s+les)"
QUANTIFIER = re.compile(r"(?:au\s+moins|plus\s+de|moins\s+de|environ|près\s+de|quelques?|jusqu'à|jusqu’à|"
                        r"parmi|sur|une?|chacune?\s+des|l'une?\s+des|l’une?\s+des)\s*$", re.I)
#: after the noun, words that make the number a part, not the whole: « les deux communes les plus peuplées »
PART = r"(?!\s+(?:les\s+plus|les\s+moins|la\s+plus|concernée|suivante|voisine|restante|rurale|urbaine|(?-i:de\s+[A-ZÀ-Ý])))"
#: a sentence about another document (a commune's form, a délibération) counts its own copies
OTHER_DOCUMENT = re.compile(r"\b(?:fiche|délibération|formulaire|attestation|courrier)\b", re.I)
NOUNS = {
    "communes": r"communes",
    "signataires": r"(?:signataires|parties\s+signataires|partenaires\s+signataires)",
    "fiches": r"fiches(?:[\s-]+actions?)?",
    "annexes": r"annexes",
    "articles": r"articles",
}
#: what to write instead, by counted thing (None: computed at layout or in data, no variable)
VARIABLES = {
    "communes": "communes | length", "signataires": "signataires | length",
    "exemplaires": "signataires | length", "fiches": "fiches | length",
}
WHAT = {"communes": "communes", "signataires": "signataires", "exemplaires": "exemplaires (un par signataire)",
        "fiches": "fiches action", "annexes": "annexes", "articles": "articles"}


@lru_cache(maxsize=1)
def sources() -> list[tuple[str, re.Pattern, str]]:
    """(counted thing, its noun, the expression of a count of it), in the order the counts are read. A
    count cannot match without its noun: a line is read with the expressions of the nouns it holds
    only, and an expression (the numbers in words make it long) is compiled the first time its noun
    is met."""
    n = number_pattern()
    out = [(thing, noun, rf"\b{DET}\s+(?P<n>{n})\s+{noun}\b{PART}") for thing, noun in NOUNS.items()]
    out += [("communes", "communes", rf"(?P<n>{n})\s+communes\s+membres\b{PART}"),
            ("exemplaires", "exemplaires", rf"\ben\s+(?P<n>{n})\s+exemplaires\b"),
            ("pages", "pages", rf"\b(?:comporte|compte|contient|comprend|(?:composée?|constituée?)\s+de)\s+"
                               rf"(?P<n>{n})\s+pages\b"),
            ("pages", "pages", rf"\b(?:présente?\s+(?:convention|avenant|délibération)|présent\s+(?:avenant|document))"
                               rf"\s+(?:de|en)\s+(?P<n>{n})\s+pages\b")]
    for words, _types in EQUIPMENT_WORDS.items():
        out.append((f"equipements:{words}", words, rf"(?<![\w-])(?P<n>{n})\s+(?:{words})\b"))
    return [(thing, re.compile(noun, re.I), expression) for thing, noun, expression in out]


@lru_cache(maxsize=1)
def any_noun() -> re.Pattern:
    """Any noun of a count (« communes » for the subsets too): most lines have none."""
    return re.compile("|".join(f"(?:{noun})" for noun in sorted({rx.pattern for _t, rx, _e in sources()})), re.I)


@lru_cache(maxsize=None)
def compiled(expression: str) -> re.Pattern:
    return re.compile(expression, re.I)


@lru_cache(maxsize=1)
def any_number() -> re.Pattern:
    """A number in digits or in words, as the patterns read it (same expression, same flags)."""
    return re.compile(number_pattern(), re.I)


SUBSET = re.compile(r"\s+communes\s+de\s+(moins|plus)\s+de\s+(\d{1,3}(?:[\s\u00a0\u202f]?\d{3})*)\s+habitants", re.I)


def computed(thing: str, doc) -> int | None:
    if thing.startswith("equipements:"):
        if "equipements" not in doc.counts:
            return None  # no donnees/equipements.yaml: nothing to compare with
        types = EQUIPMENT_WORDS[thing.split(":", 1)[1]]
        return sum(doc.equipment.get(t, 0) for t in types)
    if thing == "pages":
        return None
    return doc.counts.get(thing)


def check(unit: Unit, known) -> list:
    doc = unit.doc
    if doc is None:
        return []
    out = []
    for lineno, line in unit.numbered():
        if table_cells(line) is not None:
            continue  # a table of figures (diagnostic): its counts are of other things
        if not any_noun().search(line) or not any_number().search(line):
            continue  # every expression below counts a noun with a number
        seen: set[int] = set()
        out += subset_findings(line, lineno, doc, seen)
        for thing, noun, expression in sources():
            if not noun.search(line):
                continue  # no match without its noun: the same findings, in the same order
            for m in compiled(expression).finditer(line):
                start = m.start("n")
                if start in seen or QUANTIFIER.search(line[:m.start()]):
                    continue
                seen.add(start)
                if not relevant(thing, sentence_at(line, m.start())):
                    continue
                out.append(count_finding(thing, m, line, lineno, doc, unit.variables))
    return [f for f in out if f is not None]


def relevant(thing: str, sentence: str) -> bool:
    if thing == "exemplaires":
        return not OTHER_DOCUMENT.search(sentence)
    if thing.startswith("equipements:"):  # the supported ones (the annex), not all those of the territory
        return re.search(r"\bsoutenu", sentence, re.I) is not None
    return True


def count_finding(thing: str, m: re.Match, line: str, lineno: int, doc, variables: bool = True):
    """variables: the text may use the template variables (not a YAML field nor a délibération)."""
    typed = value(m.group("n"))
    if typed is None:
        return None
    rule = "compte-" + thing.split(":", 1)[0]
    text, col = m.group(0).strip(), m.start() + 1
    expected = computed(thing, doc)
    variable = VARIABLES.get(thing) if variables else None
    if variable and in_words(m.group("n")):
        variable = f"en_lettres({variable})"
    advice = f"écrivez « {{{{ {variable} }}}} », calculé" if variable else _advice(thing)
    if thing == "pages":
        return page_finding(typed, text, lineno, col, doc)
    if expected is None:
        return None
    label = _label(thing)
    if typed != expected:
        return finding(rule, lineno, col, f"« {text} » : le texte compte {typed} {label} mais le document en a "
                                          f"{expected} ; {advice}.", error=True)
    return finding(rule, lineno, col, f"« {text} » : nombre tapé à la main ({expected}, exact aujourd'hui) ; "
                                      f"{advice}" + (", qui suivra les changements." if variable else "."))


def page_finding(typed: int, text: str, lineno: int, col: int, doc):
    """Known only when a build laid out the document's current text (its PDF or DOCX in the cache):
    then a count that is neither its pages up to the signatures nor its pages in all is an error."""
    advice = "le nombre de pages est calculé à la mise en page et ajouté à la formule finale ; ne le tapez pas."
    if doc.pages is None or typed in doc.pages:
        return finding("compte-pages", lineno, col, f"« {text} » : {advice}")
    body, total = doc.pages
    return finding("compte-pages", lineno, col,
                   f"« {text} » : le texte compte {typed} pages mais la dernière mise en page du document en a "
                   f"{body} jusqu'aux signatures ({total} en tout) ; {advice}", error=True)


def _label(thing: str) -> str:
    if thing.startswith("equipements:"):
        return " / ".join(EQUIPMENT_WORDS[thing.split(":", 1)[1]])
    return WHAT[thing]


def _advice(thing: str) -> str:
    if thing.startswith("equipements:"):
        return "reformulez sans le nombre (les équipements sont listés à l'annexe des équipements, tirée de " \
               "donnees/equipements.yaml)"
    return f"reformulez sans le nombre (le nombre {of(thing)} découle de la liste du document)"


@lru_cache(maxsize=1)
def _subset_pattern() -> re.Pattern:
    return re.compile(rf"(?<![\w-])(?P<n>{number_pattern()}){SUBSET.pattern}", re.I)


def subset_findings(line: str, lineno: int, doc, seen: set[int]) -> list:
    """« 85 communes de moins de 5 000 habitants »: the population data count them."""
    out = []
    for m in _subset_pattern().finditer(line):
        typed = value(m.group("n"))
        if typed is None or not doc.communes:
            continue
        seen.add(m.start("n"))
        bound = int(re.sub(r"\D", "", m.group(3)))
        less = m.group(2).lower() == "moins"
        expected = sum(1 for c in doc.communes if (c.population < bound if less else c.population > bound))
        if typed != expected:
            out.append(finding("compte-communes", lineno, m.start() + 1,
                               f"« {m.group(0).strip()} » : le texte compte {typed} communes mais les données "
                               f"officielles en donnent {expected} ; reformulez sans le nombre ou vérifiez la "
                               "liste des communes.", error=True))
    return out
