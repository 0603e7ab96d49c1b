"""Check: rules across files, after loading (references, dates, territory, délibérations, signed texts),
and the prose lint of the sources (prose/: facts typed by hand)."""
