"""Ranks, comparisons, trends and group sums in SQL (issue 7 follow-up), held against the
numpy/polars rules they replace and against hand-worked cases; ingest's streamed checks."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from wijkdata.cli import app
from wijkdata.core.config import RegionConfig
from wijkdata.indicators import comparisons, compute, stats
from wijkdata.indicators.definitions import Indicator

bound = st.one_of(st.none(), st.just(float("nan")), st.floats(0, 100, allow_nan=False))


@settings(max_examples=50, deadline=None)
@given(rows=st.lists(st.tuples(bound, bound, bound), min_size=1, max_size=30),
       polarity=st.sampled_from(["higher_is_better", "lower_is_better", "neutral"]))
def test_sql_comparison_equals_numpy_comparison(
        rows: list[tuple[float | None, float | None, float | None]], polarity: str) -> None:
    """The build's SQL verdicts say exactly what stats.compare / stats.judge say for arrays,
    NaN and NULL included (DuckDB orders NaN above every number). Both now run the one rule
    in statistics/verdict.py; test_stats.py holds that rule against hand-worked cases."""
    lo, hi, b = ([np.nan if r[i] is None else r[i] for r in rows] for i in range(3))
    expected_cmp = stats.compare(lo, hi, b)
    expected = stats.judge(expected_cmp, polarity)
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE t (i INTEGER, lo DOUBLE, hi DOUBLE, b DOUBLE)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)",
                    [(i, *r) for i, r in enumerate(rows)])
    cmp = comparisons.compare_sql("1", "lo", "hi", "b")
    got = con.execute(f"SELECT c, {comparisons.judge_sql('c', '$p')} FROM "
                      f"(SELECT i, {cmp} AS c FROM t) ORDER BY i", {"p": polarity}).fetchall()
    assert [g[0] for g in got] == expected_cmp.tolist()
    assert [g[1] for g in got] == expected.tolist()


def test_no_value_is_never_tested() -> None:
    con = duckdb.connect(":memory:")
    cmp = comparisons.compare_sql("NULL", "1.0", "3.0", "0.5")
    assert con.execute(f"SELECT {cmp}").fetchone() == ("not_tested",)


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.one_of(st.none(), st.integers(0, 6).map(float)), min_size=1,
                       max_size=25))
def test_sql_rank_and_quintile_equal_polars_min_rank(values: list[float | None]) -> None:
    """write_values ranks like polars' rank("min") over (indicator, year, level), with ties;
    without a polarity (neutral) from the highest value to the lowest."""
    codes = [f"BU0001{i:04d}" if i % 3 else f"WK0001{i:02d}" for i in range(len(values))]
    frame = pl.DataFrame({"indicator_id": ["x"] * len(values), "area_code": codes,
                          "year": [2023] * len(values), "value": values},
                         schema={"indicator_id": pl.String, "area_code": pl.String,
                                 "year": pl.Int32, "value": pl.Float64})
    level = pl.Series([c[:2] for c in codes]).replace({"BU": "buurt", "WK": "wijk"})
    ranked = frame.with_columns(level=level).filter(pl.col("value").is_not_null()).with_columns(
        rank=pl.col("value").rank("min", descending=True).over("level").cast(pl.Int32),
        n=pl.len().over("level").cast(pl.Int32))
    expected = {r["area_code"]: (r["rank"], r["n"], (r["rank"] - 1) * 5 // r["n"] + 1)
                for r in ranked.iter_rows(named=True)}
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE area AS SELECT code, CASE WHEN code LIKE 'BU%' THEN 'buurt' "
                "ELSE 'wijk' END AS level FROM (SELECT unnest($c) AS code)", {"c": codes})
    comparisons.write_values(con, frame)
    got = con.execute("SELECT area_code, rank, n_ranked, quintile FROM ind_value").fetchall()
    assert [g[0] for g in got] == sorted(codes)  # ordered by indicator, area, year
    assert {g[0]: tuple(g[1:]) for g in got if g[1] is not None} == expected
    assert all(g[1:] == (None, None, None) for g in got if g[0] not in expected)


def test_group_sums_its_parts_in_code_order() -> None:
    """A village's weighted figure adds its buurten in code order, so it cannot depend on the
    order DuckDB's threads deliver them: 1 + 1e16 is 1e16 in doubles, so in code order
    (1 + 1e16) - 1e16 = 0, where the table's (reversed) order gives (-1e16 + 1e16) + 1 = 1."""
    rows = [("BU00010001", "v", 1.0), ("BU00010002", "v", 1e16), ("BU00010003", "v", -1e16)]
    rows += [(code, "a_inw", 1.0) for code, _, _ in rows]
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE observation (area_code VARCHAR, year INTEGER, variable VARCHAR, "
                "value DOUBLE, status VARCHAR, lower DOUBLE, upper DOUBLE)")
    # Inserted in reverse so that the table's own order is not the code order.
    con.executemany("INSERT INTO observation VALUES (?, 2023, ?, ?, 'ok', NULL, NULL)",
                    list(reversed(rows)))
    con.execute("CREATE TABLE custom_area_member AS SELECT 'DORP_X' AS custom_code, "
                "unnest(['BU00010003', 'BU00010001', 'BU00010002']) AS buurt_code")
    ind = Indicator.model_validate({
        "id": "gewogen", "title": "t", "description": "d", "theme": "demografie",
        "sources": ["x"], "statistic": "mean", "value": "v", "weight": "a_inw",
        "polarity": "neutral"})
    cfg = RegionConfig.model_validate({
        "name": "t", "gemeenten": ["GM0001"],
        "sources": [{"id": "x", "kind": "cbs_kwb", "path": "x.csv", "year": 2023}]})
    raw = compute.gather(con, ind, cfg)
    village = raw.filter(pl.col("area_code") == "DORP_X").row(0, named=True)
    assert (village["pub_value"], village["status"]) == (0.0, "ok")


def test_trend_only_for_series_of_two_years() -> None:
    """ind_trend from SQL: the last two years of each series; single-year indicators none."""
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE ind_value (indicator_id VARCHAR, area_code VARCHAR, "
                "year INTEGER, numerator DOUBLE, denominator DOUBLE, value DOUBLE, "
                "status VARCHAR)")
    con.executemany("INSERT INTO ind_value VALUES (?, ?, ?, ?, ?, ?, 'ok')", [
        ("pp", "GM0001", 2020, 10, 100, 10.0), ("pp", "GM0001", 2021, 20, 100, 20.0),
        ("pp", "GM0001", 2023, 30, 100, 30.0), ("pp", "GM0002", 2023, 5, 50, 10.0),
        ("one", "GM0001", 2023, 1, 10, 10.0)])
    ind = Indicator.model_validate({
        "id": "pp", "title": "t", "description": "d", "theme": "demografie",
        "sources": ["x"], "statistic": "proportion", "numerator": "n", "denominator": "d",
        "multiplier": 100, "polarity": "neutral", "interval": "wilson"})
    from wijkdata.indicators import trends

    got = trends.latest_change(con, [ind]).rows()
    # 20/100 -> 30/100: se = sqrt(.2·.8/100 + .3·.7/100) = 0.060828; 0.1 = 1.64 se -> not
    # significant. GM0002 has one year; indicator 'one' has one year in all.
    assert got == [("pp", "GM0001", 2023, 2021, 30.0, 20.0, 10.0, "two_proportion_z",
                    "not_significant")]


def test_a_variable_given_twice_names_the_first_clash(project: Path, runner: CliRunner) -> None:
    """The streamed duplicate check: the first clash by variable, area and year, with both
    sources. The demo's KWB 2023 loaded twice: its first variable by name is a_00_14 and its
    first area code BU99010000."""
    cfg = project / "configs" / "demo.yml"
    text = cfg.read_text(encoding="utf-8")
    again = ("  - {id: kwb_2023_again, kind: cbs_kwb, path: kwb_2023_demo.csv, year: 2023}\n"
             "  - {id: ggd_2016,")
    cfg.write_text(text.replace("  - {id: ggd_2016,", again, 1), encoding="utf-8")
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html"])
    assert result.exit_code == 1, result.output
    assert ("error: variable 'a_00_14' for 2023 is given twice for BU99010000 "
            "(sources: kwb_2023, kwb_2023_again)") in result.stderr.splitlines()
    assert not (project / "data" / "processed" / "demo.duckdb").exists()


def test_stage_views_hold_each_stage(project: Path, runner: CliRunner) -> None:
    """observation is every stage in load order; stg_<id> is one stage, as provenance counts."""
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html"])
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(project / "data" / "processed" / "demo.duckdb"), read_only=True)
    counts = con.execute("SELECT source_id, observations FROM provenance "
                         "ORDER BY source_id").fetchall()
    assert [(s, con.execute(f'SELECT count(*) FROM "stg_{s}"').fetchone()[0])  # type: ignore[index]
            for s, _ in counts] == counts
    assert con.execute("SELECT count(*) FROM observation").fetchone() == (
        sum(n for _, n in counts),)
    # Load order: kwb_2022 rows first, then kwb_2023 (config order).
    first = con.execute("SELECT source_id FROM observation LIMIT 1").fetchone()
    assert first == ("kwb_2022",)
