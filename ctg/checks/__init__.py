"""Checks on the sources beyond their structure (prose lint: see prose/)."""
