"""Ranks and comparisons of every indicator value: ``ind_value`` and ``ind_comparison``.

A national build has ~0.8 million values and ~2.5 million (area, comparator) pairs. Built as
polars frames the pairs took ~1 s and ~1.2 GB of intermediate columns before they were written
to DuckDB anyway; as ``CREATE TABLE ... AS SELECT`` they never leave the database. The rules
are each statistic's ``comparison_sql`` (``statistics/``; the interval rule of
``statistics/verdict.py`` for the built-in ones) and ``verdict.judge_sql``: their one home.
Ranks are polars, added to the values as they are written.

``ind_value`` is written in order of indicator, area and year. ``ind_comparison`` has no row
order: its readers look rows up by (indicator, area, year, comparator). Sorting the national
rows (then ~3 million) into ``ind_value``'s order was 1.5 s of the statement's 4.2 s of CPU
(DuckDB's profiler: the ORDER BY and the string compression around it) for nothing a reader saw.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import polars as pl

from wijkdata.core import codes
from wijkdata.core.config import RegionConfig
from wijkdata.core.db import frame, write_table
from wijkdata.core.db import sql_text as _q
from wijkdata.core.status import Status

from . import comparable, statistics
from .definitions import Indicator
from .statistics import verdict

RANKED_LEVELS = ("wijk", "buurt")


def compared_levels(cfg: RegionConfig, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The levels whose areas get comparisons: those profiled (the config's ``areas.levels``
    and ``extra``, a build's ``--level`` and ``--area``), and always the config's own areas.

    Only a profile reads its area's comparisons. A national wijk build compared its 15,400
    buurten too: 2.6 of its 3.3 million pairs, never shown (issue 19).
    """
    return tuple(sorted({*cfg.areas.levels, *extra, "custom"}))


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(_q(v) for v in values) + ")"


def compare_sql(value: str, lower: str, upper: str, bench: str) -> str:
    """The interval rule (``statistics/verdict.py``) as a SQL expression."""
    return verdict.interval_rule(value, lower, upper, bench)


judge_sql = verdict.judge_sql


def comparison_by_statistic(indicators: list[Indicator], statistic: str, value: str,
                            lower: str, upper: str, bench: str) -> str:
    """Each indicator's comparison, from its statistic's class (one CASE branch per distinct
    rule; with one rule for all, as with the built-in statistics, no CASE at all)."""
    rules: dict[str, list[str]] = {}
    for name in dict.fromkeys(i.statistic for i in indicators):
        sql = statistics.get(name).comparison_sql(value, lower, upper, bench)
        rules.setdefault(sql, []).append(name)
    if len(rules) == 1:
        return next(iter(rules))
    branches = " ".join(f"WHEN {statistic} IN ({', '.join(_q(n) for n in names)}) THEN {sql}"
                        for sql, names in rules.items())
    return f"CASE {branches} END"


def write_values(con: duckdb.DuckDBPyConnection, values: pl.DataFrame,
                 indicators: list[Indicator] | None = None) -> None:
    """``ind_value``: ``values`` plus rank and quintile per level and year.

    Rank 1 is the most favourable value: the lowest for ``lower_is_better``, the highest for
    ``higher_is_better``; a neutral indicator ranks from highest to lowest (the report says
    so). Only wijken and buurten with a value are ranked ("min" rank: ties share the best).
    Ranked and sorted in polars and written as is: the same in SQL (window, join back, ORDER
    BY) took 0.7 s nationally against 0.5 s here.
    """
    ascending = [i.id for i in indicators or [] if i.polarity == "lower_is_better"]
    area = frame(con, "SELECT code, level FROM area")
    level = pl.col("area_code").replace_strict(area["code"], area["level"], default=None,
                                               return_dtype=pl.String)
    ranked = pl.col("value").is_not_null() & level.is_in(list(RANKED_LEVELS))
    group = ["indicator_id", "year", "_level"]
    key = pl.when(pl.col("indicator_id").is_in(ascending)).then(pl.col("value")) \
        .otherwise(-pl.col("value"))
    out = values.with_columns(_level=pl.when(ranked).then(level), _key=key).with_columns(
        rank=pl.when(pl.col("_level").is_not_null())
        .then(pl.col("_key").rank("min").over(group)).cast(pl.Int32),
        n_ranked=pl.when(pl.col("_level").is_not_null())
        .then(pl.len().over(group)).cast(pl.Int32),
    ).with_columns(
        quintile=((pl.col("rank") - 1) * 5 // pl.col("n_ranked") + 1).cast(pl.Int32)
    ).drop("_level", "_key").sort("indicator_id", "area_code", "year")
    write_table(con, "ind_value", out)


def write_comparisons(con: duckdb.DuckDBPyConnection, indicators: list[Indicator],
                      cfg: RegionConfig, levels: tuple[str, ...] | None = None) -> None:
    """``ind_comparison``: one row per area, indicator, year and comparator with the verdict.

    The areas of ``levels`` are compared (default :func:`compared_levels`: the profiled ones);
    a gemeente not with itself. With a ``regio_lookup`` the regio comparator is the area's own
    regio (``regio_member``), else ``REGIO``. The ``vergelijkbaar`` comparator is the area's
    group of comparable areas, its value from ``comparable_value``. Reads ``ind_value``,
    ``area``, ``comparable_value`` (and ``regio_member``).
    """
    if cfg.regio_lookup is not None:
        regio_code = f"coalesce(m.regio_code, {_q(codes.REGIO)})"
        regio_join = "LEFT JOIN regio_member m ON m.gemeente_code = a.gemeente_code"
    else:
        regio_code, regio_join = _q(codes.REGIO), ""
    branches = []
    for comp in cfg.comparators:
        if comp == comparable.COMPARATOR:
            # The area's own group of comparable areas (comparable.py); gemeenten have none.
            branches.append(f"SELECT s.*, {_q(comp)} AS comparator, "
                            f"{_q(comparable.GROUP_PREFIX)} || s.area_code AS comparator_code "
                            "FROM subjects s WHERE s.level <> 'gemeente'")
        elif comp == "gemeente":
            branches.append("SELECT s.*, 'gemeente' AS comparator, s.gemeente_code AS "
                            "comparator_code FROM subjects s WHERE s.level <> 'gemeente'")
        else:
            code = "s.regio_code" if comp == "regio" else _q(codes.LAND)
            branches.append(f"SELECT s.*, {_q(comp)} AS comparator, {code} AS "
                            "comparator_code FROM subjects s")
    meta = ", ".join(f"({_q(i.id)}, {_q(i.polarity)}, {str(i.stat.compared(i)).upper()}, "
                     f"{_q(i.statistic)})" for i in indicators)
    if not branches or not meta:
        con.execute("CREATE OR REPLACE TABLE ind_comparison (indicator_id VARCHAR, "
                    "area_code VARCHAR, year INTEGER, comparator VARCHAR, "
                    "comparator_code VARCHAR, comparator_value DOUBLE, difference DOUBLE, "
                    "comparison VARCHAR, judgement VARCHAR)")
        return
    union = "\n        UNION ALL ".join(branches)
    cmp = comparison_by_statistic(indicators, "t.statistic", "p.value", "p.lower", "p.upper",
                                  "b.value")
    con.execute(f"""
    CREATE OR REPLACE TABLE ind_comparison AS
    WITH meta(indicator_id, polarity, tested, statistic) AS (VALUES {meta}),
    subjects AS (
        SELECT v.indicator_id, v.area_code, v.year, v.value, v.lower, v.upper,
               v.status, a.level, a.gemeente_code, {regio_code} AS regio_code
        FROM ind_value v JOIN area a ON a.code = v.area_code {regio_join}
        WHERE a.level IN {_in(levels or compared_levels(cfg))}
    ),
    pairs AS (
        {union}
    ),
    -- Only gemeenten, regios and the land are benchmarks: a lookup table of ~20,000 rows
    -- instead of a hash join against all of ind_value.
    bench AS (
        SELECT indicator_id, year, area_code, value, status FROM ind_value
        WHERE area_code IN (SELECT gemeente_code FROM subjects UNION SELECT regio_code
                            FROM subjects UNION SELECT {_q(codes.LAND)})
        UNION ALL
        SELECT indicator_id, year, {_q(comparable.GROUP_PREFIX)} || area_code, value,
               {_q(Status.OK)} AS status
        FROM comparable_value
    ),
    judged AS (
        SELECT p.indicator_id, p.area_code, p.year, p.comparator, p.comparator_code,
               b.value AS comparator_value, p.value - b.value AS difference,
               -- A small base ('klein aantal') is shown but never called significant.
               CASE WHEN NOT coalesce(t.tested, false) THEN 'not_tested'
                    WHEN p.status = {_q(Status.SMALL)} OR b.status = {_q(Status.SMALL)}
                        THEN 'not_tested'
                    ELSE {cmp} END AS comparison,
               t.polarity
        FROM pairs p
        LEFT JOIN bench b ON b.indicator_id = p.indicator_id AND b.year = p.year
             AND b.area_code = p.comparator_code
        LEFT JOIN meta t ON t.indicator_id = p.indicator_id
    )
    SELECT indicator_id, area_code, year, comparator, comparator_code, comparator_value,
           difference, comparison, {judge_sql("comparison", "polarity")} AS judgement
    FROM judged
    """)
