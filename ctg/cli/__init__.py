"""The command line (build.py): one module per group of commands."""
