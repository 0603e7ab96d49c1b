"""Numbers written in digits or in French words (« vingt-trois »), read back to integers.

The words come from num2words run forwards over 0..LIMIT, so that every spelling it writes
(« vingt et un », « soixante-dix », « quatre-vingts ») is read back; the 1990 reform's
hyphens (« vingt-et-un ») are accepted too.
"""

from __future__ import annotations

import re
from functools import lru_cache

from num2words import num2words

LIMIT = 200  # counts typed in prose: communes (up to ~100), signatories, annexes, articles…


@lru_cache(maxsize=1)
def words() -> dict[str, int]:
    table: dict[str, int] = {}
    for n in range(2, LIMIT + 1):  # « un »/« une » are articles far more often than counts
        text = num2words(n, lang="fr")
        table[text] = n
        table[text.replace(" ", "-")] = n
        if text.endswith("s") and n % 100 == 80:
            table[text[:-1]] = n  # « quatre-vingt communes »: a common misspelling, still a count
    return table


@lru_cache(maxsize=1)
def number_pattern() -> str:
    """Regex (no groups) matching a number in digits or in words."""
    alternatives = sorted(words(), key=len, reverse=True)
    spelled = "|".join(re.escape(w) for w in alternatives)
    digits = r"(?<![\d,.])(?<!\d[ \u00a0\u202f])\d{1,3}(?![\d,]|[.\u00a0\u202f ]\d{3})"
    return rf"(?:{digits}|(?<![\w-])(?:{spelled})(?![\w-]))"


def value(text: str) -> int | None:
    text = text.strip().lower()
    if text.isdigit():
        return int(text)
    return words().get(text) or words().get(text.replace("-", " "))


def in_words(text: str) -> bool:
    return not text.strip().isdigit()
