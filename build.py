#!/usr/bin/env python3
"""Point d'entrée : python build.py --help."""

from ctg.cli import entry

if __name__ == "__main__":
    entry()
