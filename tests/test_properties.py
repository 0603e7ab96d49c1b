"""Property-based tests: whatever the input, the loader and the assembly give a result
or reported errors (with a file and a line), never a crash."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from fixture_corpus import write_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctg.build.pipeline import assemble
from ctg.checks.validate import validate_corpus
from ctg.core.diagnostics import Diagnostics
from ctg.sources import schemas
from ctg.sources.loader import load_corpus
from ctg.sources.schema_errors import validate
from ctg.sources.sources import read_markdown

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                         st.text(max_size=20), st.dates().map(lambda d: d.isoformat()))
yaml_values = st.recursive(yaml_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(min_size=1, max_size=12), inner, max_size=4)),
    max_leaves=12)
keys = st.sampled_from(list(schemas.Convention.model_fields) + ["titre_cour", "periode.debut", "x"])


@SETTINGS
@given(raw=st.binary(max_size=400))
def test_any_bytes_give_a_source_or_diagnostics(tmp_path, raw):
    path = tmp_path / "convention.md"
    path.write_bytes(raw)
    diags = Diagnostics(tmp_path)
    src = read_markdown(path, diags)
    assert src is not None or diags.errors
    assert all(d.path == "convention.md" for d in diags.items)


@SETTINGS
@given(front=st.text(max_size=300), body=st.text(max_size=200))
def test_any_front_matter_text_gives_a_source_or_diagnostics(tmp_path, front, body):
    path = tmp_path / "annexe.md"
    path.write_text(f"---\n{front}\n---\n{body}", encoding="utf-8")
    diags = Diagnostics(tmp_path)
    src = read_markdown(path, diags)
    assert src is not None or diags.errors
    for d in diags.items:
        assert d.line >= 1


@SETTINGS
@given(data=st.dictionaries(keys, yaml_values, max_size=8))
def test_any_mapping_validates_or_reports_located_errors(tmp_path, data):
    import yaml

    from ctg.sources.sources import parse_yaml

    text = yaml.safe_dump(data, allow_unicode=True)
    diags = Diagnostics(tmp_path)
    doc = parse_yaml(text, tmp_path / "c.md", diags, offset=1)
    if doc is None:
        assert diags.errors
        return
    model = validate(schemas.Convention, doc, tmp_path / "c.md", diags)
    assert model is not None or diags.errors
    n_lines = sum(text.count(c) for c in "\n\x85\u2028\u2029") + 2  # YAML's line breaks
    assert all(1 <= d.line <= n_lines for d in diags.items)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return write_project(tmp_path_factory.mktemp("prop"), fingerprints=False)


TOKENS = list("ab {}%#|*_[]():;!?«»\n-=\"'.") + ["{{", "}}", "{%", "%}", "annexe(", "article(", "##", "'communes'"]
markdownish = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)


@SETTINGS
@given(text=markdownish)
def test_any_article_text_assembles_or_reports(project, text):
    diags = Diagnostics(project)
    corpus = load_corpus(project / "conventions", diags)
    validate_corpus(corpus, diags)
    assert not diags.errors
    conv = next(iter(corpus.conventions.values()))
    section = conv.sections[0]
    conv.sections[0] = dataclasses.replace(section, text=text)
    docs = assemble(corpus, project / "templates", diags)
    if conv.id not in docs:
        assert diags.errors
        assert all(d.line >= 1 for d in diags.errors)
    else:
        assert docs[conv.id].markdown.startswith("---\n")
