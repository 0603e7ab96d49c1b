"""French wording: dates, numbers in words, contractions, typography."""

from __future__ import annotations

import datetime as dt
import re

from num2words import num2words

NBSP = "\u00a0"
NNBSP = "\u202f"  # espace fine insécable, before ; ! ?

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]


def date_fr(d: dt.date) -> str:
    """« 1er janvier 2021 », « 8 novembre 2021 » (no-break spaces inside)."""
    day = "1er" if d.day == 1 else str(d.day)
    return f"{day}{NBSP}{MONTHS[d.month - 1]}{NBSP}{d.year}"


def number_fr(n: int) -> str:
    """« 276 895 »: a whole number with a narrow no-break space as thousands separator."""
    return f"{n:,}".replace(",", NNBSP)


def seconds(value: float, width: int = 0) -> str:
    """« 3,8 s »: a duration for the user, decimal comma, right-aligned on width digits."""
    return f"{value:{width}.1f}".replace(".", ",") + NBSP + "s"


def in_words(n: int) -> str:
    return num2words(n, lang="fr")


def de(designation: str) -> str:
    """« de » + designation with French contractions: le → du, les → des."""
    low = designation.lower()
    if low.startswith("le "):
        return "du " + designation[3:]
    if low.startswith("les "):
        return "des " + designation[4:]
    if low[:1] in "aeiouyéèêh" and not low.startswith(("la ", "l'")):
        return "d'" + designation
    return "de " + designation


def elided_de(name: str) -> str:
    """« de » before a proper name kept whole, elided before a vowel: « de Le Portel », « de La
    Capelle-lès-Boulogne », « d'Isques », « d'Hesdin »."""
    if name[:1].lower() in "aeiouyéèêâîôh" and not name.lower().startswith(("le ", "la ", "les ", "l'")):
        return "d'" + name
    return "de " + name


def a(designation: str) -> str:
    """« à » + designation: le → au, les → aux."""
    low = designation.lower()
    if low.startswith("le "):
        return "au " + designation[3:]
    if low.startswith("les "):
        return "aux " + designation[4:]
    return "à " + designation


BLANK_FILL = "\u2026" * 12  # « ………… »
#: an allowed blank: a dotted line, then what to write there, in brackets (a form's blank, never a
#: forgotten placeholder); a PDF's text may give the no-break space as a space
BLANK_RX = re.compile(r"…{6,}[\u00a0 ]?\(([^)]+)\)")


def blank(label: str) -> str:
    """« ………… (date de la séance) »: a blank of a form, with what to write there."""
    return f"{BLANK_FILL}{NBSP}({label})"


def enumeration(items: list[str]) -> str:
    """« a », « a et b », « a, b et c »."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} et {items[-1]}"


def guillemets(text: str) -> str:
    """« text », quoted once: a text already between guillemets is not quoted again, and guillemets
    inside it become the quotation marks of the second level, “ ” (« Service “Agir” »)."""
    text = text.strip()
    inner = text[1:-1]
    if text.startswith("«") and text.endswith("»") and "«" not in inner and "»" not in inner:
        return text
    inner = re.sub(r"»", "”", re.sub(r"«", "“", text))
    inner = re.sub(r"“[ \u00a0\u202f]*", "“", re.sub(r"[ \u00a0\u202f]*”", "”", inner))
    return f"« {inner} »"


def sigle_forms(sigle: str) -> list[str]:
    """The ways a text may write a sigle of the registry, case aside: as registered, in capitals, or
    with its initial only in capital (« RSA », « Rsa » ; « Caf », « CAF »); never all in lower case,
    where it would be a word (« vif » is not VIF)."""
    forms = [sigle, sigle.upper(), sigle[:1].upper() + sigle[1:].lower()]
    return [f for i, f in enumerate(forms) if f not in forms[:i] and f != f.lower()]


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------- typography

_SKIP = re.compile(r"(`[^`]*`|\]\([^)]*\)|\{[#.][^}]*\}|<[^>]+>|https?://\S+)")


_RULES = [(re.compile(pattern), replacement) for pattern, replacement in (
    (r"[ \u00a0\u202f]+([;!?])", NNBSP + r"\1"),
    (r"(?<=\S)[ \u202f]+:(?=\s|$)", NBSP + ":"),
    (r"\b(n°|N°|art\.) +(?=\w)", r"\1" + NBSP),
    (r"«[ \u00a0\u202f]*", "«" + NBSP),
    (r"[ \u00a0\u202f]*»", NBSP + "»"),
)]
_TRIGGERS = re.compile(r"[;!?:«»°]|art\.")  # a text without any of these has nothing to fix


def _fix(text: str) -> str:
    if not _TRIGGERS.search(text):
        return text
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def french_typography(markdown: str) -> str:
    """Put no-break spaces where French typography wants them.

    Only existing spaces are changed (« mot : » → « mot\u00a0: »), so URLs,
    times and code are left alone; code spans, link targets, attribute blocks
    and HTML tags are skipped, and fenced code blocks too.
    """
    out = []
    in_fence = False
    for line in markdown.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            out.append(line)
            continue
        if in_fence:
            out.append(line)
            continue
        pieces = _SKIP.split(line)
        out.append("".join(p if i % 2 else _fix(p) for i, p in enumerate(pieces)))
    return "\n".join(out)
