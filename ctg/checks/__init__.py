"""Check: rules across files, after loading (references, dates, territory, délibérations, signed texts)."""
