"""Prose lint: facts typed by hand in the Markdown sources, caught by « build.py check ».

One module per rule family (counts, codes, names, references, sigles, blanks, dates,
spelling); text.py turns a source into lines of prose (code, Jinja, URLs masked, columns
kept); lint.py runs the rules and turns their findings into diagnostics.
"""

from .lint import lint_corpus

__all__ = ["lint_corpus"]
