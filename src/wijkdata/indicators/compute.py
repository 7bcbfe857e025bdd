"""Compute every indicator for every area and comparator, set-based in DuckDB.

One SQL statement per indicator gathers numerator and denominator (or value and weight) for all
published areas and aggregates villages, clusters and the region from their parts: counts are
summed, never percentages averaged; a published percentage is aggregated with population
weights (and the indicator's caveat says so). Intervals and disclosure control are then
applied to the whole frame at once with numpy; ranks are added as ``ind_value`` is written,
and comparisons and trends are SQL on that table (``comparisons.py``, ``trends.py``).
"""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl

from wijkdata.core.config import RegionConfig
from wijkdata.core.db import frame, write_table
from wijkdata.core.db import sql_text as _q
from wijkdata.core.errors import DataError
from wijkdata.ingest import regio

from . import comparable, comparisons, disclosure, stats, trends
from .definitions import Indicator

COUNTED = ("proportion", "rate", "count")
ROUNDING = 5.0  # CBS rounds wijk and buurt counts to multiples of 5

VALUE_SCHEMA = {
    "indicator_id": pl.String, "area_code": pl.String, "year": pl.Int32,
    "numerator": pl.Float64, "denominator": pl.Float64, "value": pl.Float64,
    "lower": pl.Float64, "upper": pl.Float64, "status": pl.String,
}


def _values(rows: list[tuple[str | None, ...]]) -> str:
    return ", ".join("(" + ", ".join(_q(x) if x is not None else "NULL" for x in r) + ")"
                     for r in rows)


# Groups sum their parts in the order of the part codes (list_sum over an ordered list): a
# plain sum() adds in whatever order DuckDB's threads deliver, and for fractional figures that
# changed the last bit of ~200 national values from one run to the next.


def _counted_sql(indicators: list[Indicator], groups: str) -> str:
    """All counted indicators in ONE statement: a spec table joined to the observations.

    A count has no denominator: its den_status is 'ok' by definition. A part of a village
    whose denominator row is missing makes the village 'incomplete' (summing the numerator
    without that denominator would bias the figure).
    """
    spec = _values([(i.id, i.numerator or "", i.denominator) for i in indicators])
    return f"""
    WITH spec(indicator_id, num_var, den_var) AS (VALUES {spec}),
    base AS (
        SELECT s.indicator_id, n.area_code, n.year, n.value AS num, n.status AS num_status,
               d.value AS den,
               CASE WHEN s.den_var IS NULL THEN 'ok' ELSE coalesce(d.status, 'missing') END
                   AS den_status
        FROM spec s JOIN observation n ON n.variable = s.num_var
        LEFT JOIN observation d ON d.area_code = n.area_code AND d.year = n.year
             AND d.variable = s.den_var
    ),
    groups AS (
        SELECT custom_code AS group_code, buurt_code AS part FROM custom_area_member
        UNION ALL {groups}
    ),
    group_size AS (SELECT group_code, count(*) AS size FROM groups GROUP BY ALL),
    agg AS (
        SELECT b.indicator_id, g.group_code AS area_code, b.year,
               list_sum(list(b.num ORDER BY g.part)) AS num,
               list_sum(list(b.den ORDER BY g.part)) AS den, count(*) AS parts,
               bool_and(b.num_status = 'ok' AND b.den_status = 'ok') AS ok
        FROM groups g JOIN base b ON b.area_code = g.part
        GROUP BY ALL
    )
    SELECT indicator_id, area_code, year, num, den,
           CASE WHEN num_status <> 'ok' THEN num_status ELSE den_status END AS status,
           NULL::DOUBLE AS pub_value, NULL::DOUBLE AS pub_lower, NULL::DOUBLE AS pub_upper,
           1 AS parts
    FROM base
    UNION ALL
    SELECT a.indicator_id, a.area_code, a.year,
           CASE WHEN ok AND parts = s.size THEN num END,
           CASE WHEN ok AND parts = s.size THEN den END,
           CASE WHEN ok AND parts = s.size THEN 'ok' ELSE 'incomplete' END,
           NULL, NULL, NULL, a.parts
    FROM agg a JOIN group_size s ON s.group_code = a.area_code
    """


def _given_sql(indicators: list[Indicator], groups: str) -> str:
    """All published figures (means, percentages) in ONE statement, weighted for groups.

    The weight is taken from the nearest year that has one (RIVM 2020 figures are weighted
    with KWB inhabitants of 2020 or, failing that, the closest KWB year; of two equally close
    years the earlier).
    """
    spec = _values([(i.id, i.value or "", i.weight or "a_inw") for i in indicators])
    return f"""
    WITH spec(indicator_id, value_var, weight_var) AS (VALUES {spec}),
    vals AS (
        SELECT s.indicator_id, s.weight_var, o.area_code, o.year, o.value, o.status,
               o.lower, o.upper
        FROM spec s JOIN observation o ON o.variable = s.value_var
    ),
    -- Per weight variable, not per indicator: most indicators share a_inw, so this looks
    -- up each (area, year) once instead of ~35 times nationally.
    wanted AS (SELECT DISTINCT weight_var, area_code, year FROM vals),
    w AS (
        SELECT k.weight_var, k.area_code, k.year,
               arg_min(o.value, struct_pack(distance := abs(o.year - k.year), year := o.year))
                   AS weight
        FROM wanted k JOIN observation o ON o.area_code = k.area_code
             AND o.variable = k.weight_var AND o.status = 'ok'
        GROUP BY ALL
    ),
    base AS (SELECT v.*, w.weight FROM vals v
             LEFT JOIN w USING (weight_var, area_code, year)),
    groups AS (
        SELECT custom_code AS group_code, buurt_code AS part FROM custom_area_member
        UNION ALL {groups}
    ),
    group_size AS (SELECT group_code, count(*) AS size FROM groups GROUP BY ALL),
    agg AS (
        SELECT b.indicator_id, g.group_code AS area_code, b.year,
               list_sum(list(b.value * b.weight ORDER BY g.part))
                   / list_sum(list(b.weight ORDER BY g.part)) AS value, count(*) AS parts,
               bool_and(b.status = 'ok' AND b.weight IS NOT NULL) AS ok
        FROM groups g JOIN base b ON b.area_code = g.part
        GROUP BY ALL
    )
    SELECT indicator_id, area_code, year, NULL::DOUBLE AS num, weight AS den, status,
           value AS pub_value, lower AS pub_lower, upper AS pub_upper, 1 AS parts
    FROM base
    UNION ALL
    SELECT a.indicator_id, a.area_code, a.year, NULL, NULL,
           CASE WHEN ok AND parts = s.size THEN 'ok' ELSE 'incomplete' END,
           CASE WHEN ok AND parts = s.size THEN value END, NULL, NULL, a.parts
    FROM agg a JOIN group_size s ON s.group_code = a.area_code
    """


def gather_all(con: duckdb.DuckDBPyConnection, indicators: list[Indicator],
               cfg: RegionConfig) -> dict[str, pl.DataFrame]:
    """Raw rows per indicator id, from two statements in all (counted and published)."""
    groups = regio.groups_sql(cfg)
    out: dict[str, pl.DataFrame] = {}
    for kind, sql in ((COUNTED, _counted_sql), (None, _given_sql)):
        chosen = [i for i in indicators if (i.statistic in COUNTED) == (kind is not None)]
        if not chosen:
            continue
        raw = frame(con, sql(chosen, groups))
        parts = raw.partition_by("indicator_id", as_dict=True, include_key=False)
        for ind in chosen:
            out[ind.id] = parts.get((ind.id,), raw.clear().drop("indicator_id"))
    return out


def gather(con: duckdb.DuckDBPyConnection, ind: Indicator, cfg: RegionConfig) -> pl.DataFrame:
    return gather_all(con, [ind], cfg)[ind.id]


def finish(ind: Indicator, raw: pl.DataFrame, cfg: RegionConfig) -> pl.DataFrame:
    """Values, intervals and disclosure control for one indicator's gathered rows."""
    if raw.height == 0:
        return pl.DataFrame(schema=VALUE_SCHEMA)
    num = raw["num"].to_numpy().astype(np.float64)
    den = raw["den"].to_numpy().astype(np.float64)
    # Statuses stay a polars column; numpy only sees boolean masks (object arrays of strings
    # cost a third of this function nationally).
    ok = (raw["status"] == "ok").fill_null(False).to_numpy()
    mult = ind.multiplier
    nan = np.full(len(num), np.nan)
    lower, upper = nan.copy(), nan.copy()
    zero = np.zeros(len(num), dtype=bool)
    if ind.statistic in ("proportion", "rate"):
        zero = ok & (den == 0)
        ok = ok & ~zero
        if ind.statistic == "proportion":
            # CBS rounds every wijk/buurt count to a multiple of 5 on its own, so a rounded
            # numerator may exceed its rounded denominator by up to 5 per summed part; such a
            # figure is capped at 100%. Anything beyond that is a data error.
            slack = ROUNDING * raw["parts"].to_numpy().astype(np.float64)
            num = np.where(ok & (num > den) & (num - den <= slack), den, num)
            over = ok & (num > den)
            if over.any():
                # The first by area and year: DuckDB returns the gathered rows in no fixed
                # order, and the message must not change from one run to the next.
                hit = raw.with_row_index("_i").filter(pl.Series(over)).sort("area_code", "year")
                i = int(hit["_i"][0])
                raise DataError(
                    f"indicator '{ind.id}': numerator {ind.numerator} = {num[i]:g} is larger "
                    f"than denominator {ind.denominator} = {den[i]:g} for "
                    f"{raw['area_code'][i]} ({raw['year'][i]})"
                )
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(ok, num / den * mult, np.nan)
        if ind.interval == "wilson":
            lo, hi = stats.wilson(num, den)
            lower, upper = lo * mult, hi * mult
        elif ind.interval == "byar":
            lower, upper = stats.rate_interval(num, den, mult)
    elif ind.statistic == "count":
        value = np.where(ok, num * mult, np.nan)
    else:
        # A published figure keeps its unit except for the multiplier (CBS gives WOZ-waarde
        # and income in x 1000 euro; `multiplier: 1000` turns them into euro).
        value = np.where(ok, raw["pub_value"].to_numpy().astype(np.float64) * mult, np.nan)
        if ind.interval == "published":
            lower = raw["pub_lower"].to_numpy().astype(np.float64) * mult
            upper = raw["pub_upper"].to_numpy().astype(np.float64) * mult
    min_num = ind.suppress.min_numerator
    min_den = ind.suppress.min_denominator
    if ind.statistic in ("proportion", "rate"):
        min_num = cfg.suppression.min_numerator if min_num is None else min_num
        min_den = cfg.suppression.min_denominator if min_den is None else min_den
    small = np.zeros(len(num), dtype=bool)
    if min_num is not None:
        small |= ok & (num < min_num)
    if min_den is not None and ind.statistic != "count":
        small |= ok & (np.nan_to_num(den, nan=0.0) < min_den)
    keep = ok & ~small
    status = (pl.when(pl.col("_small")).then(pl.lit("suppressed"))
              .when(pl.col("_zero")).then(pl.lit("not_applicable"))
              .when(pl.col("status") == "suppressed_by_source").then(pl.lit("suppressed"))
              .otherwise(pl.col("status")))
    out = pl.DataFrame({
        "area_code": raw["area_code"],
        "year": raw["year"].cast(pl.Int32),
        # Suppressed rows lose their counts here, so nothing downstream can publish them.
        "numerator": np.where(keep, num, np.nan),
        "denominator": np.where(keep, den, np.nan),
        "value": np.where(keep, value, np.nan),
        "lower": np.where(keep, lower, np.nan),
        "upper": np.where(keep, upper, np.nan),
        "status": raw["status"], "_small": small, "_zero": zero,
    })
    figures = ("numerator", "denominator", "value", "lower", "upper")
    return out.select(pl.lit(ind.id, pl.String).alias("indicator_id"), "area_code", "year",
                      *[pl.col(c).fill_nan(None) for c in figures],
                      status.cast(pl.String).alias("status")).cast(pl.Schema(VALUE_SCHEMA))


def run(con: duckdb.DuckDBPyConnection, indicators: list[Indicator],
        cfg: RegionConfig) -> None:
    """Write ``ind_value``, ``ind_comparison`` and ``ind_trend`` into the database.

    Only the values pass through polars (numpy statistics, complementary suppression, ranks);
    the ~2.5 million national comparison pairs and the trend selection are SQL on the written
    ``ind_value``, so they never exist as frames in this process (that peaked at 2.5 GB).
    """
    raw = gather_all(con, indicators, cfg)
    # pop: each indicator's gathered rows are freed as soon as its values exist.
    frames = [finish(ind, raw.pop(ind.id), cfg) for ind in indicators]
    values = pl.concat(frames) if frames else pl.DataFrame(schema=VALUE_SCHEMA)
    del frames
    # Complementary suppression before anything is ranked, compared or trended.
    values = disclosure.apply(values, frame(con, "SELECT * FROM custom_area_member"))
    comparisons.write_values(con, values)
    del values
    comparable.write(con, indicators, cfg)
    comparisons.write_comparisons(con, indicators, cfg)
    write_table(con, "ind_trend", trends.latest_change(con, indicators))


def compute(con: duckdb.DuckDBPyConnection, indicators: list[Indicator],
            cfg: RegionConfig) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:func:`run`, then ``ind_value`` and ``ind_comparison`` as frames (for tests and tools;
    a build calls :func:`run` and leaves the tables in the database)."""
    run(con, indicators, cfg)
    return frame(con, "SELECT * FROM ind_value"), frame(con, "SELECT * FROM ind_comparison")
