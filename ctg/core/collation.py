"""French sort order (Unicode Collation Algorithm, pyuca): « Béthune » before « Busnes »,
« Écoivres » among the E, « Œuvre » among the O; case and accents only break ties.

Every list a reader sees sorted (territories, communes, pilotes, partenaires, sigles) is
sorted with sort_key, never with Python's code-point order.
"""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=1)
def _collator():
    from pyuca import Collator

    return Collator()  # the default Unicode table (DUCET): French needs no tailoring for names


@functools.lru_cache(maxsize=65536)
def sort_key(text: str) -> tuple:
    return _collator().sort_key(text)


def sorted_fr(items, key=None) -> list:
    """items sorted in French order (key: the text of an item, default the item itself)."""
    get = key or (lambda x: x)
    return sorted(items, key=lambda x: sort_key(get(x)))
