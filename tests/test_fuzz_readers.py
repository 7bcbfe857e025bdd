"""Random bytes and random CSV/YAML shapes into every reader: only typed errors may come out.

A reader may accept the input or raise a :class:`WijkdataError` (which the CLI prints as a
message with an exit code); anything else would be a traceback in front of an analyst.
Bounded by ``max_examples`` so the suite stays fast; CI runs the same examples every time
(``derandomize``), so a failure reproduces.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from wijkdata.core.config import load_region_file
from wijkdata.core.errors import WijkdataError
from wijkdata.core.source_kinds import SourceOptions, kinds, source_options
from wijkdata.core.yamlio import load_yaml
from wijkdata.indicators.definitions import load_indicator

# WIJKDATA_FUZZ_EXAMPLES=2000 explores further with fresh random examples (a bug hunt, not CI).
_EXAMPLES = os.environ.get("WIJKDATA_FUZZ_EXAMPLES")
FUZZ = settings(max_examples=int(_EXAMPLES or 60), deadline=None, derandomize=not _EXAMPLES,
                database=None, suppress_health_check=[HealthCheck.too_slow])

# What each kind needs in its config to get past config checks into the file itself.
KIND_SETUP: dict[str, tuple[str, dict[str, Any]]] = {
    "cbs_kwb": ("kwb.csv", {"year": 2023}),
    "ggd_monitor": ("ggd.csv", {"year": 2020, "age_group": "18+"}),
    "boundaries": ("wijken.geojson", {}),
    "cbs_odata": ("odata.json", {"year": 2023}),
    "csv": ("eigen.csv", {"year": 2023, "code_column": "code", "columns": {"x": "waarde"}}),
    "region_lookup": ("regio.csv", {}),
    "gpkg": ("grenzen.gpkg", {}),
}

HEADER_WORDS = ["gwb_code_10", "gwb_code", "regio", "gm_naam", "a_inw", "a_hh", "a_1p_hh",
                "g_afs_hp", "WijkenEnBuurten", "Marges", "Perioden", "Gemeentenaam_1",
                "Roker_11", "code", "waarde", "GM_CODE", "ggd_code", "ggd_naam", "", " ", "x"]
CELLS = st.one_of(
    st.sampled_from(["GM9901", "WK990100", "BU99010000", "NL00", "NL01", "MW00000",
                     "2020JJ00", ".", "x", "", "NaN", "inf", "-inf", "-1", "1,5", "1.5",
                     "1e308", "99999999999999999999", '"', "=1+2", "  12  "]),
    st.integers(-10**6, 10**6).map(str),
    st.text(max_size=12),
)


def _source(kind: str, filename: str, **extra: Any) -> SourceOptions:
    name, base = KIND_SETUP.get(kind, (filename, {}))
    return source_options(**{"id": "fuzz", "kind": kind, "path": name, **base, **extra})


def _call_reader(kind: str, data: bytes, **extra: Any) -> None:
    name = KIND_SETUP.get(kind, ("data.csv", {}))[0]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        with contextlib.suppress(WijkdataError):  # a typed error is a fine answer
            kinds()[kind].read(_source(kind, name, **extra), path)


@pytest.mark.parametrize("kind", sorted(kinds()))
@FUZZ
@given(data=st.binary(max_size=600))
@example(data=b"x\x01\x06\x00")  # found: polars took it for zlib and raised OSError
def test_random_bytes(kind: str, data: bytes) -> None:
    _call_reader(kind, data)


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    sep = draw(st.sampled_from([";", ",", "\t", "|"]))
    header = draw(st.lists(st.sampled_from(HEADER_WORDS), min_size=1, max_size=6))
    width = draw(st.integers(1, 7))  # rows may be shorter or longer than the header
    rows = draw(st.lists(st.lists(CELLS, min_size=width, max_size=width), max_size=6))
    text = "\n".join(sep.join(r) for r in [header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    return text.encode(encoding, errors="replace")


@pytest.mark.parametrize("kind", sorted(k for k, (n, _) in KIND_SETUP.items()
                                        if n.endswith(".csv") and k in kinds()))
@FUZZ
@given(data=csv_files(), skip=st.integers(0, 2))
@example(data=b"; ", skip=0)  # found: two header names equal after stripping
def test_random_csv_shapes(kind: str, data: bytes, skip: int) -> None:
    _call_reader(kind, data, skip_rows=skip)


@FUZZ
@given(features=st.lists(st.fixed_dictionaries({
    "type": st.sampled_from(["Feature", "x"]),
    "properties": st.one_of(st.none(), st.dictionaries(
        st.sampled_from(["wijkcode", "buurtcode", "statcode", "wijknaam"]), CELLS)),
    "geometry": st.one_of(st.none(), st.fixed_dictionaries({
        "type": st.sampled_from(["Polygon", "MultiPolygon", "Point"]),
        "coordinates": st.recursive(st.floats(allow_nan=True) | st.integers(),
                                    lambda c: st.lists(c, max_size=4), max_leaves=12)})),
}), max_size=4))
@example(features=[{"type": "Feature", "properties": {"wijkcode": "GM9901"},  # found: empty ring
                    "geometry": {"type": "Polygon", "coordinates": [[]]}}])
def test_random_geojson_shapes(features: list[dict[str, Any]]) -> None:
    import json

    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    _call_reader("boundaries", data)


YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 3000) | st.floats(allow_nan=False)
    | st.text(max_size=10) | st.sampled_from(["GM9901", "all", "wilson", "proportion"]),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(
        ["name", "gemeenten", "sources", "areas", "custom", "levels", "id", "kind", "path",
         "title", "statistic", "polarity", "theme", "numerator", "organisation", "logo",
         "output", "dir", "suppress", "indicators", "x"]), inner, max_size=5),
    max_leaves=20,
)
YAML_NOISE = st.sampled_from(["", "&a ", "*a", "!!python/object:os.system ", "{", "[", "- ",
                              ": ", "\t", "'", "%YAML 1.1\n", "--- ", "\x00", "\ufeff", "? "])


@st.composite
def yaml_texts(draw: st.DrawFn) -> bytes:
    text = yaml.safe_dump(draw(YAML_VALUES), allow_unicode=True)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(YAML_NOISE) + text[at:]
    return draw(st.sampled_from([text.encode("utf-8"), text.encode("utf-16"),
                                 text.encode("utf-8")[: len(text) // 2]]))


def _load_all_ways(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ind = root / "indicators" / "demografie" / "fuzz.yml"
        ind.parent.mkdir(parents=True)
        cfg = root / "configs" / "fuzz.yml"
        cfg.parent.mkdir()
        for path in (ind, cfg):
            path.write_bytes(data)
        for call in (lambda: load_yaml(cfg), lambda: load_region_file(cfg, root),
                     lambda: load_indicator(ind)):
            with contextlib.suppress(WijkdataError):
                call()


@FUZZ
@given(data=yaml_texts())
def test_random_yaml_shapes(data: bytes) -> None:
    _load_all_ways(data)


@FUZZ
@given(data=st.binary(max_size=400))
@example(data=b"\x00")  # found: PyYAML's reader error escaped before the try block
def test_random_yaml_bytes(data: bytes) -> None:
    _load_all_ways(data)
