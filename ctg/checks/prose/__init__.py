"""Prose lint: facts typed by hand in the Markdown sources, caught by « build.py check ».

One module per rule family (counts, codes, names, references, sigles, blanks, dates,
spelling; variants: one name spelt two ways in one document); text.py turns a Markdown source
into lines of prose (code, Jinja, URLs masked, columns kept), data_text.py the text fields of a
YAML file; units.py lists the files of each document (délibérations and rapports included);
lint.py runs the rules and turns their findings into diagnostics.
"""

from .lint import lint_corpus, lint_registry

__all__ = ["lint_corpus", "lint_registry"]
