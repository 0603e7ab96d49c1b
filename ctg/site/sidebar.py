"""The navigation one page shows: long sections reduced to the open entry.

Material renders the whole navigation into every page (navigation.prune only
hides the content of closed sections, not the sections themselves). With 200
conventions, each convention page listed the 200 conventions: about 170 kB of
its 185 kB, and most of the time mkdocs spent on it. At national scale (1,200
intercommunalités) that grows with the square of the corpus.

So, for the page being rendered, an open section with more than `limit` entries
shows only its open entry, its index page if it has one, and a link to the home
page, which lists every territory and convention. Closed sections, short
sections and mkdocs' own navigation (previous/next links, the page cache's key)
are unchanged.
"""

from __future__ import annotations

from mkdocs.structure.nav import Link

DEFAULT_LIMIT = 50  # entries; the longest section of one convention (its fiches) stays whole
CONFIG_KEY = "menu_max_entrees"  # in mkdocs.yml, under « extra: »


def limit_of(config) -> tuple[int, str | None]:
    """(limit, French problem with mkdocs.yml's value or None)."""
    value = (config.extra or {}).get(CONFIG_KEY, DEFAULT_LIMIT)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value, None
    return DEFAULT_LIMIT, (f"mkdocs.yml\u00a0: « extra: {CONFIG_KEY}\u00a0» doit être un nombre entier positif "
                           f"(trouvé «\u00a0{value}\u00a0»)\u00a0; corrigez-le ou retirez-le (par défaut\u00a0: {DEFAULT_LIMIT})")


class _Shown:
    """A section as this page shows it: the section itself, fewer children."""

    def __init__(self, section, children: list):
        self._section = section
        self.children = children

    def __getattr__(self, name):
        return getattr(self._section, name)


class _NavShown:
    def __init__(self, nav, items: list):
        self._nav = nav
        self.items = items

    def __getattr__(self, name):
        return getattr(self._nav, name)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def for_page(nav, limit: int):
    """The navigation to render for the page mkdocs is building (its ancestors are « active »)."""
    home = nav.homepage.url if nav.homepage is not None else ""
    items = _shown(nav.items, limit, home)
    return nav if items is nav.items else _NavShown(nav, items)


def _shown(items: list, limit: int, home: str) -> list:
    out, changed = [], False
    for item in items:
        new = item
        if item.is_section and item.active:
            children = _shown(item.children, limit, home)
            if len(children) > limit:
                kept = [c for i, c in enumerate(children) if c.active or (i == 0 and getattr(c, "is_index", False))]
                hidden = len(children) - len(kept)
                children = [*kept, Link(f"… et {hidden} autre{'s' if hidden > 1 else ''} (voir l'accueil)", home)]
            if children is not item.children:
                new = _Shown(item, children)
        changed |= new is not item
        out.append(new)
    return out if changed else items
