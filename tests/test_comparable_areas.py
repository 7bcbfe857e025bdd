"""Comparable areas: the neighbour search, the groups and the group's value, on hand-made data.

Every expected number is worked out in the comment next to it.
"""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from wijkdata.core.config import RegionConfig
from wijkdata.core.db import write_table
from wijkdata.core.errors import ConfigError
from wijkdata.indicators import comparable, comparisons, neighbours
from wijkdata.indicators.definitions import Indicator

NAN = float("nan")
# Two characteristics whose raw values have mean 50 and sd 10 (population sd), so the
# z-scores are the corners of a square: A (-1,-1), B (1,-1), C (-1,1), D (1,1).
POOL = np.array([[40.0, 40.0], [60.0, 40.0], [40.0, 60.0], [60.0, 60.0]])


def test_standardise_uses_population_sd_and_drops_flat_columns() -> None:
    x = np.column_stack([POOL, [7.0, 7.0, 7.0, 7.0]])  # third column: no spread
    mean, sd = neighbours.standardise(x)
    assert mean.tolist() == [50.0, 50.0, 7.0]
    assert sd[:2].tolist() == [10.0, 10.0] and math.isnan(sd[2])
    assert neighbours.zscores(x, mean, sd).tolist() == [[-1, -1], [1, -1], [-1, 1], [1, 1]]


def test_nearest_breaks_ties_by_code_and_excludes_self() -> None:
    mean, sd = neighbours.standardise(POOL)
    z = neighbours.zscores(POOL, mean, sd)
    found = neighbours.nearest(z, z, 2, 1, [[0], [1], [2], [3]])
    # A: B and C both at distance 2 (one step of 2 on one axis); D at sqrt(8). B wins the tie.
    assert found[0] == [(1, 2.0), (2, 2.0)]
    # D: B and C at 2 again, A (sqrt 8) left out.
    assert found[3] == [(1, 2.0), (2, 2.0)]
    # k larger than the pool: everything but itself, nearest first.
    assert neighbours.nearest(z[:1], z, 10, 1, [[0]])[0] == [(1, 2.0), (2, 2.0),
                                                             (3, math.sqrt(8))]


def test_missing_characteristic_scales_the_shared_sum() -> None:
    mean, sd = neighbours.standardise(POOL)
    z = neighbours.zscores(POOL, mean, sd)
    subject = neighbours.zscores(np.array([[NAN, 40.0]]), mean, sd)  # z = (nan, -1)
    # Shared: the second characteristic only (m = 1, p = 2): distance sqrt(d^2 * 2 / 1).
    # A and B: d = 0 -> 0; C and D: d = 2 -> sqrt(8). A and B tie at 0 -> A first.
    assert neighbours.nearest(subject, z, 3, 1, [[]])[0] == [(0, 0.0), (1, 0.0),
                                                             (2, math.sqrt(8))]
    # Excluding A leaves B, then the C/D tie at sqrt(8) goes to C.
    assert neighbours.nearest(subject, z, 2, 1, [[0]])[0] == [(1, 0.0), (2, math.sqrt(8))]
    # Asking for two shared characteristics: the subject has only one, so no group at all.
    assert neighbours.nearest(subject, z, 2, 2, [[]])[0] == []


def test_search_is_blockwise_identical() -> None:
    rng = np.random.default_rng(7)
    pool = rng.normal(size=(700, 5))
    pool[rng.random(pool.shape) < 0.1] = NAN
    exclude = [[i] for i in range(700)]
    whole = neighbours.nearest(pool, pool, 10, 3, exclude)
    small_blocks = neighbours.BLOCK
    try:
        neighbours.BLOCK = 64
        assert neighbours.nearest(pool, pool, 10, 3, exclude) == whole
    finally:
        neighbours.BLOCK = small_blocks


def test_groups_of_wijken_and_a_village_that_never_meets_its_own_wijk() -> None:
    chars = ["x", "y"]
    wide = pl.DataFrame({
        "area_code": ["WK000100", "WK000101", "WK000200", "WK000201", "DORP_X", "WK099900"],
        "level": ["wijk"] * 4 + ["custom", "wijk"],
        "x": [40.0, 60.0, 40.0, 60.0, 41.0, 10.0],
        "y": [40.0, 40.0, 60.0, 60.0, 40.0, 10.0],
    })
    # WK099900 is not of the newest indeling: no candidate. DORP_X lies in WK000100.
    current = {"WK000100", "WK000101", "WK000200", "WK000201"}
    groups, standard = comparable.find_groups(wide, chars, 2, current,
                                              {"DORP_X": ["BU00010001", "BU00010002"]})
    assert standard.rows() == [("wijk", "x", 50.0, 10.0, 4), ("wijk", "y", 50.0, 10.0, 4)]
    rows = {(a, r): (n, d) for a, r, n, d in groups.rows()}
    assert rows[("WK000100", 1)] == ("WK000101", 2.0)
    assert rows[("WK000100", 2)] == ("WK000200", 2.0)
    # DORP_X: z = (-0.9, -1). WK000100 (distance 0.1) is its own wijk and left out;
    # WK000101: (1.9, 0) -> 1.9; WK000200: (0.1, 2) -> sqrt(4.01); WK000201 further.
    assert rows[("DORP_X", 1)] == ("WK000101", pytest.approx(1.9, abs=1e-12))
    assert rows[("DORP_X", 2)] == ("WK000200", pytest.approx(math.sqrt(4.01), abs=1e-12))
    assert ("WK099900", 1) not in rows


def _indicator(**kw: object) -> Indicator:
    base: dict[str, object] = {"title": "t", "description": "d", "theme": "demografie",
                               "sources": ["cbs_kwb"]}
    return Indicator.model_validate(base | kw)


INDICATORS = [
    _indicator(id="pp", statistic="proportion", numerator="a", denominator="b", multiplier=100,
               unit="%", format="percent_1", polarity="lower_is_better", interval="wilson"),
    _indicator(id="mm", statistic="mean", value="g", weight="a_inw", format="number_1",
               polarity="neutral"),
    _indicator(id="nn", statistic="count", numerator="c", format="number_0",
               polarity="neutral"),
]


def test_group_value_pools_counts_and_weights_published_figures() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE area (code VARCHAR, name VARCHAR, level VARCHAR, "
                "parent_code VARCHAR, gemeente_code VARCHAR)")
    con.executemany("INSERT INTO area VALUES (?, ?, 'wijk', 'GM0001', 'GM0001')",
                    [(c, c) for c in ("WK000100", "WK000101", "WK000102", "WK000103")])
    con.execute("CREATE TABLE ind_value (indicator_id VARCHAR, area_code VARCHAR, year INTEGER,"
                " numerator DOUBLE, denominator DOUBLE, value DOUBLE, lower DOUBLE, "
                "upper DOUBLE, status VARCHAR)")
    con.executemany("INSERT INTO ind_value VALUES (?, ?, 2023, ?, ?, ?, ?, ?, ?)", [
        # subject: 40 of 100 = 40%, Wilson interval about 30.9 - 49.9
        ("pp", "WK000100", 40, 100, 40.0, 30.95, 49.81, "ok"),
        ("pp", "WK000101", 10, 100, 10.0, None, None, "ok"),
        ("pp", "WK000102", 90, 300, 30.0, None, None, "ok"),
        ("pp", "WK000103", None, None, None, None, None, "suppressed"),
        ("mm", "WK000100", None, 500, 12.0, None, None, "ok"),
        ("mm", "WK000101", None, 100, 20.0, None, None, "ok"),
        ("mm", "WK000102", None, 300, 40.0, None, None, "ok"),
        ("nn", "WK000100", 9, None, 9.0, None, None, "ok"),
        ("nn", "WK000101", 4, None, 4.0, None, None, "ok"),
        ("nn", "WK000102", 8, None, 8.0, None, None, "ok"),
    ])
    groups = pl.DataFrame({
        "area_code": ["WK000100", "WK000100", "WK000100", "WK000101"], "rank": [1, 2, 3, 1],
        "neighbour_code": ["WK000101", "WK000102", "WK000103", "WK000103"],
        "distance": [1.0, 2.0, 3.0, 1.0]}, schema=comparable.NEIGHBOUR_SCHEMA)
    values = comparable.group_values(con, INDICATORS, groups, 3)
    write_table(con, "comparable_value", values)
    got = {(a, i): (m, v) for a, i, _y, m, v in values.rows()}
    # p: (10 + 90) / (100 + 300) x 100 = 25% (not the mean of 10% and 30%); the suppressed
    # third member is left out, two of three is still at least half the group.
    assert got[("WK000100", "pp")] == (2, 25.0)
    # m: weighted (20 x 100 + 40 x 300) / 400 = 35; n: the mean count (4 + 8) / 2 = 6.
    assert got[("WK000100", "mm")] == (2, 35.0)
    assert got[("WK000100", "nn")] == (2, 6.0)
    # WK000101's only neighbour is suppressed: no row at all, so no comparison either.
    assert ("WK000101", "pp") not in got
    cfg = RegionConfig.model_validate({
        "name": "T", "gemeenten": ["GM0001"], "comparators": ["vergelijkbaar"],
        "sources": [{"id": "kwb", "kind": "cbs_kwb", "path": "k.csv", "year": 2023}]})
    comparisons.write_comparisons(con, INDICATORS, cfg)
    row = con.execute("SELECT comparator, comparator_code, comparator_value, comparison, "
                      "judgement FROM ind_comparison WHERE area_code = 'WK000100' "
                      "AND indicator_id = 'pp'").fetchone()
    # 30.95 > 25: significantly higher, and higher is worse for this indicator.
    assert row == ("vergelijkbaar", "VG:WK000100", 25.0, "higher", "worse")


def test_unknown_characteristic_names_the_key() -> None:
    cfg = RegionConfig.model_validate({
        "name": "T", "gemeenten": ["GM0001"], "comparators": ["vergelijkbaar"],
        "comparable": {"characteristics": ["pp", "bestaat_niet"]},
        "sources": [{"id": "kwb", "kind": "cbs_kwb", "path": "k.csv", "year": 2023}]})
    with pytest.raises(ConfigError) as err:
        comparable.characteristics(cfg, INDICATORS, Path("configs/t.yml"))
    assert err.value.message == ("configs/t.yml: comparable.characteristics: 'bestaat_niet' "
                                 "is not one of the region's indicators")


def test_vectorised_selection_equals_the_careful_path() -> None:
    rng = np.random.default_rng(11)
    # Integers from a small range: many ties, also at the k-th place; some rows all inf.
    block = rng.integers(0, 6, size=(200, 40)).astype(np.float64)
    block[rng.random(block.shape) < 0.2] = np.inf
    block[:3] = np.inf
    careful = [neighbours._smallest(row.copy(), 5) for row in block]
    assert neighbours._block_smallest(block.copy(), 5) == careful
