"""The published site: mkdocs-material fed from the assembled documents.

mkdocs.yml loads hooks.py (a thin shim) which delegates to plugin.py. The
plugin turns the AssembledDocuments into generated mkdocs files: page bodies
are rendered by pandoc from the same AST as the DOCX, sanitised, and swapped
in as the page content, so mkdocs never parses a second copy of the text.
"""
