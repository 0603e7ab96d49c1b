"""ECMA-376 validation of a DOCX by openxml-audit (a pure-Python port of the Open XML SDK's
validator): schema and semantic errors, one fresh validator per file (its cross-part cache
outlives a file otherwise)."""

from __future__ import annotations

from pathlib import Path


def ooxml_errors(path: Path) -> list[str]:
    from openxml_audit import OpenXmlValidator

    result = OpenXmlValidator(max_errors=20).validate(str(path))
    return [str(e) for e in result.errors]
