"""More reference values and properties for stats: exact Poisson, Byar, trend tests, Wilson."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wijkdata.core.config import RegionConfig
from wijkdata.indicators import compute, stats
from wijkdata.indicators.definitions import Indicator

# Exact (Garwood 1936) 95% limits for a Poisson count, as tabulated in the standard references
# (e.g. Breslow & Day 1987, Statistical Methods in Cancer Research II, and the PHE/APHO
# technical guide "Confidence intervals", table of exact Poisson limits).
GARWOOD = [
    (0, 0.0000, 3.6889),
    (1, 0.0253, 5.5716),
    (2, 0.2422, 7.2247),
    (5, 1.6235, 11.6683),
    (10, 4.7954, 18.3904),
    (20, 12.2165, 30.8884),
]


@pytest.mark.parametrize(("o", "lo", "hi"), GARWOOD)
def test_exact_poisson_matches_garwood(o: int, lo: float, hi: float) -> None:
    lower, upper = stats.exact_poisson(o)
    assert (round(lower, 4), round(upper, 4)) == (lo, hi)


@pytest.mark.parametrize(("o", "lo", "hi"), GARWOOD[3:])
def test_byar_within_one_percent_of_exact_from_five_events(o: int, lo: float, hi: float) -> None:
    # Byar's approximation (Breslow & Day 1987) is what the build uses; it tracks the exact
    # limits closely once a few events are observed.
    lower, upper = stats.byar(o)
    assert abs(float(lower) - lo) / lo < 0.01
    assert abs(float(upper) - hi) / hi < 0.01


def test_byar_hand_computed_for_twenty() -> None:
    # O = 20: 20·(1 - 1/180 - 1.959964/(3·√20))³ = 20·0.848318³ = 12.2114;
    # 21·(1 - 1/189 + 1.959964/(3·√21))³ = 21·1.137280³ = 30.8899.
    lower, upper = stats.byar(20)
    assert (round(float(lower), 4), round(float(upper), 4)) == (12.2114, 30.8899)


def test_rate_interval_scales_by_denominator_and_multiplier() -> None:
    # Byar for 10 events is [4.7874, 18.3915]; over 2,000 inhabitants per 1,000 -> halved.
    lower, upper = stats.rate_interval(10, 2000, 1000)
    assert (round(float(lower), 4), round(float(upper), 4)) == (2.3937, 9.1957)


def test_two_proportion_change() -> None:
    # 27% -> 30% of 1,000 each: se = sqrt(.27·.73/1000 + .30·.70/1000) = 0.0201768,
    # z = 0.03 / 0.0201768 = 1.487 < 1.96. 20% -> 30% of 1,000: z = 5.15.
    got = stats.change_significant([0.27, 0.20, 0.5], [1000, 1000, 10],
                                   [0.30, 0.30, 0.5], [1000, 1000, 10])
    assert got.tolist() == [False, True, False]


def test_poisson_rate_change() -> None:
    # 60/2000 -> 30/2000: se = sqrt(60 + 30)/2000 = 0.0047434, |Δ| = 0.015 -> z = 3.16.
    # 12/1000 -> 20/1000: se = sqrt(32)/1000 = 0.0056569, |Δ| = 0.008 -> z = 1.41.
    # 0 -> 0: no change at all, never significant.
    got = stats.rate_change_significant([60, 12, 0], [2000, 1000, 500],
                                        [30, 20, 0], [2000, 1000, 500])
    assert got.tolist() == [True, False, False]


@settings(max_examples=300, deadline=None)
@given(n=st.integers(min_value=1, max_value=2_000_000), frac=st.floats(0, 1))
def test_wilson_bounds_bracket_the_proportion(n: int, frac: float) -> None:
    k = math.floor(frac * n)
    lower, upper = stats.wilson(k, n)
    p = k / n
    assert 0.0 <= float(lower) <= p <= float(upper) <= 1.0


@settings(max_examples=200, deadline=None)
@given(o=st.integers(min_value=0, max_value=100_000))
def test_byar_bounds_bracket_the_count(o: int) -> None:
    lower, upper = stats.byar(o)
    assert 0.0 <= float(lower) <= o <= float(upper)


PROPORTION = Indicator.model_validate({
    "id": "eenp", "title": "t", "description": "d", "theme": "demografie",
    "statistic": "proportion", "numerator": "k", "denominator": "n", "multiplier": 100,
    "unit": "%", "polarity": "neutral", "interval": "wilson", "sources": ["x"]})


@settings(max_examples=25, deadline=None)
@given(parts=st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 5000)),
                      min_size=1, max_size=6))
def test_village_equals_its_summed_counts(parts: list[tuple[int, int]]) -> None:
    """Aggregating buurten in SQL == computing the statistic on the summed counts."""
    rows = []
    buurten = [f"BU0001{i:04d}" for i in range(len(parts))]
    for code, (k, extra) in zip(buurten, parts, strict=True):
        rows += [(code, 2023, "k", float(k), "ok"), (code, 2023, "n", float(k + extra), "ok")]
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE observation (area_code VARCHAR, year INTEGER, variable VARCHAR, "
                "value DOUBLE, status VARCHAR, lower DOUBLE, upper DOUBLE)")
    con.executemany("INSERT INTO observation VALUES (?, ?, ?, ?, ?, NULL, NULL)", rows)
    con.execute("CREATE TABLE custom_area_member (custom_code VARCHAR, buurt_code VARCHAR)")
    con.executemany("INSERT INTO custom_area_member VALUES ('DORP_P', ?)",
                    [(b,) for b in buurten])
    cfg = RegionConfig.model_validate({
        "name": "p", "gemeenten": ["GM0001"],
        "small_numbers": {"min_numerator": 0, "min_denominator": 0},
        "sources": [{"id": "x", "kind": "cbs_kwb", "path": "x.csv", "year": 2023}]})
    out = compute.finish(PROPORTION, compute.gather(con, PROPORTION, cfg), cfg)
    village = out.filter(out["area_code"] == "DORP_P").row(0, named=True)
    k = sum(p[0] for p in parts)
    n = sum(p[0] + p[1] for p in parts)
    if n == 0:  # 0 / 0 is no figure at all
        assert (village["value"], village["status"]) == (None, "not_applicable")
        return
    assert (village["numerator"], village["denominator"]) == (k, n)
    lo, hi = stats.wilson(k, n)
    assert village["value"] == pytest.approx(k / n * 100, rel=1e-12)
    assert np.isclose(village["lower"], float(lo) * 100)
    assert np.isclose(village["upper"], float(hi) * 100)
