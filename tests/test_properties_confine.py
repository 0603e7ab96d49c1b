"""Property-based tests of issue #21's guards: whatever the path, no image outside the allowed
folders is accepted; whatever the bytes, only image signatures pass; whatever the nesting or the
aliases, YAML parsing ends quickly with a result or a located error; messages quote excerpts."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctg.checks.images import image_targets
from ctg.core.confine import excerpt, image_kind, image_problem
from ctg.core.diagnostics import Diagnostics
from ctg.sources.sources import parse_yaml

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
segments = st.sampled_from(["..", ".", "a", "img", "_registre", "conv", "", "etc", "passwd", "%2e%2e", "~"])


@SETTINGS
@given(parts=st.lists(segments, max_size=8), absolute=st.booleans())
def test_an_accepted_image_is_always_inside_an_allowed_folder(tmp_path, parts, absolute):
    base = tmp_path / "conventions"
    allowed = base / "conv"
    (allowed / "img").mkdir(parents=True, exist_ok=True)
    (allowed / "img" / "a").write_bytes(PNG)
    (tmp_path / "etc").mkdir(exist_ok=True)
    (tmp_path / "etc" / "passwd").write_bytes(PNG)  # an image, but outside: refused all the same
    target = ("/" if absolute else "") + "/".join(parts)
    if image_problem(target, base, (allowed,)) is None:
        real = (base / target).resolve()
        assert real.is_relative_to(allowed.resolve())


@SETTINGS
@given(data=st.binary(max_size=64))
def test_only_image_signatures_are_images(data):
    kind = image_kind(data)
    assert kind is None or data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")) or b"<svg" in data


@SETTINGS
@given(text=st.text(max_size=300), limit=st.integers(min_value=2, max_value=200))
def test_excerpt_is_short_and_on_one_line(text, limit):
    out = excerpt(text, limit)
    assert len(out) <= limit and "\n" not in out


@SETTINGS
@given(depth=st.integers(min_value=0, max_value=4000), closed=st.booleans(),
       bracket=st.sampled_from(["[", "{"]))
def test_any_nesting_parses_or_is_reported_quickly(tmp_path, depth, closed, bracket):
    close = "]" if bracket == "[" else "}"
    text = "k: " + bracket * depth + (close * depth if closed else "") + "\n"
    diags = Diagnostics(tmp_path)
    start = time.monotonic()
    doc = parse_yaml(text, tmp_path / "x.yaml", diags)
    assert time.monotonic() - start < 10
    assert doc is not None or all(d.line >= 1 for d in diags.errors) and diags.errors


@SETTINGS
@given(width=st.integers(min_value=1, max_value=12), levels=st.integers(min_value=1, max_value=12))
def test_any_alias_fan_out_parses_or_is_reported_quickly(tmp_path, width, levels):
    lines = ["l0: &l0 [x]"] + [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
    diags = Diagnostics(tmp_path)
    start = time.monotonic()
    doc = parse_yaml("\n".join(lines) + "\n", tmp_path / "x.yaml", diags)
    assert time.monotonic() - start < 10
    assert doc is not None or any(d.code == "yaml-demesure" for d in diags.errors)


@SETTINGS
@given(target=st.text(alphabet=st.characters(whitelist_categories=("L", "N", "Pd", "Po", "S"), blacklist_characters="()[]<>\\"), min_size=1, max_size=40))
def test_every_inline_and_reference_image_target_is_found(target):
    assert target in image_targets(f"Texte ![a]({target}) fin.\n")
    assert target in image_targets(f"![a][r]\n\n[r]: {target}\n")
