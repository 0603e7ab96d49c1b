"""Versions: avenants applied to a convention (operations, consolidated versions, the avenant's drafted changes, redline)."""
