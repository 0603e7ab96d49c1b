"""Assemble: sources + clause library → one Markdown document per convention (Jinja, numbering, parties, signatures, annexes)."""
