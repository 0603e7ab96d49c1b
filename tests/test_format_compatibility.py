"""Sources written for the format of before issue 18 keep building unchanged: the assembled text
of every document the bundled corpus held then is, byte for byte, the text the code of that time
assembled (tests/format_compat.json, recorded from commit 7df7402 with that commit's own code).
No upgrade command is needed: every new key is optional and its default is the former behaviour.
If a bundled source is changed on purpose, record its new hash (and say why in the commit)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from conftest import run_build
from fixture_corpus import ROOT

RECORD = json.loads((Path(__file__).parent / "format_compat.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("compat")
    for folder in ("conventions", "templates"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


@pytest.mark.parametrize("ident", sorted(RECORD["documents"]))
def test_a_document_of_the_former_format_assembles_to_the_same_text(copy, ident):
    result = run_build(copy, "markdown", ident)
    assert result.code == 0, result.err
    assert hashlib.sha256(result.out.encode("utf-8")).hexdigest() == RECORD["documents"][ident], ident
