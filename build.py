#!/usr/bin/env python3
"""Point d'entrée : python build.py --help."""

from ctg.cli.main import entry

if __name__ == "__main__":
    entry()
