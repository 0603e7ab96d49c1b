"""The package's shape: the stages' import contracts (pyproject.toml, [tool.importlinter]) and the
size rule (scripts/sizes.py). Both read the code; nothing of the project runs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold(capsys):
    """« lint-imports » checks every contract, imports inside functions included: a lower stage
    never imports a higher one, a writer never reads sources, a loader never formats."""
    cli = pytest.importorskip("importlinter.cli", reason="import-linter: pip install -e '.[test]'")
    code = cli.lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert code == 0, capsys.readouterr().out


def test_modules_and_functions_stay_small():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import sizes
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert sizes.problems() == []
