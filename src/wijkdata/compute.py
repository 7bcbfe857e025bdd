"""Compute every indicator for every area and comparator, set-based in DuckDB.

One SQL statement per indicator gathers numerator and denominator (or value and weight) for all
published areas and aggregates villages, clusters and the region from their parts: counts are
summed, never percentages averaged; a published percentage is aggregated with population
weights (and the indicator's caveat says so). Intervals, disclosure control, comparisons and
ranks are then applied to the whole frame at once with numpy.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np
import polars as pl

from . import codes, disclosure, regio, stats, trends
from .config import RegionConfig
from .db import frame, write_table
from .errors import DataError
from .indicators import Indicator

COUNTED = ("proportion", "rate", "count")
ROUNDING = 5.0  # CBS rounds wijk and buurt counts to multiples of 5

VALUE_SCHEMA = {
    "indicator_id": pl.String, "area_code": pl.String, "year": pl.Int32,
    "numerator": pl.Float64, "denominator": pl.Float64, "value": pl.Float64,
    "lower": pl.Float64, "upper": pl.Float64, "status": pl.String,
}


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _values(rows: list[tuple[str | None, ...]]) -> str:
    return ", ".join("(" + ", ".join(_q(x) if x is not None else "NULL" for x in r) + ")"
                     for r in rows)


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
        SELECT b.indicator_id, g.group_code AS area_code, b.year, sum(b.num) AS num,
               sum(b.den) AS den, count(*) AS parts,
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
    with KWB inhabitants of 2020 or, failing that, the closest KWB year).
    """
    spec = _values([(i.id, i.value or "", i.weight or "a_inw") for i in indicators])
    return f"""
    WITH spec(indicator_id, value_var, weight_var) AS (VALUES {spec}),
    vals AS (
        SELECT s.indicator_id, s.weight_var, o.area_code, o.year, o.value, o.status,
               o.lower, o.upper
        FROM spec s JOIN observation o ON o.variable = s.value_var
    ),
    w AS (
        SELECT v.indicator_id, v.area_code, v.year,
               arg_min(o.value, abs(o.year - v.year)) AS weight
        FROM vals v JOIN observation o ON o.area_code = v.area_code
             AND o.variable = v.weight_var AND o.status = 'ok'
        GROUP BY ALL
    ),
    base AS (SELECT v.*, w.weight FROM vals v
             LEFT JOIN w USING (indicator_id, area_code, year)),
    groups AS (
        SELECT custom_code AS group_code, buurt_code AS part FROM custom_area_member
        UNION ALL {groups}
    ),
    group_size AS (SELECT group_code, count(*) AS size FROM groups GROUP BY ALL),
    agg AS (
        SELECT b.indicator_id, g.group_code AS area_code, b.year,
               sum(b.value * b.weight) / sum(b.weight) AS value, count(*) AS parts,
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
    status = raw["status"].to_numpy().astype(object)
    ok = status == "ok"
    mult = ind.multiplier
    nan = np.full(len(num), np.nan)
    lower, upper = nan.copy(), nan.copy()
    if ind.statistic in ("proportion", "rate"):
        zero = ok & (den == 0)
        status = np.where(zero, "not_applicable", status)
        ok = ok & ~zero
        if ind.statistic == "proportion":
            # CBS rounds every wijk/buurt count to a multiple of 5 on its own, so a rounded
            # numerator may exceed its rounded denominator by up to 5 per summed part; such a
            # figure is capped at 100%. Anything beyond that is a data error.
            slack = ROUNDING * raw["parts"].to_numpy().astype(np.float64)
            num = np.where(ok & (num > den) & (num - den <= slack), den, num)
            over = ok & (num > den)
            if over.any():
                i = int(np.argmax(over))
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
    status = np.where(small, "suppressed", status)
    status = np.where(status == "suppressed_by_source", "suppressed", status)
    keep = status == "ok"
    out = pl.DataFrame({
        "indicator_id": [ind.id] * len(num),
        "area_code": raw["area_code"],
        "year": raw["year"].cast(pl.Int32),
        # Suppressed rows lose their counts here, so nothing downstream can publish them.
        "numerator": np.where(keep, num, np.nan),
        "denominator": np.where(keep, den, np.nan),
        "value": np.where(keep, value, np.nan),
        "lower": np.where(keep, lower, np.nan),
        "upper": np.where(keep, upper, np.nan),
        "status": status.astype(str),
    }, schema=VALUE_SCHEMA)
    return out.with_columns(pl.col(c).fill_nan(None) for c in
                            ("numerator", "denominator", "value", "lower", "upper"))


def compare_all(values: pl.DataFrame, area: pl.DataFrame, indicators: list[Indicator],
                comparators: Sequence[str]) -> pl.DataFrame:
    """One row per area, indicator, year and comparator with the significance verdict."""
    per_regio = ["regio_code"] if "regio_code" in area.columns else []
    # _row keeps the (indicator, area, year) order of `values`, so the result is ordered by two
    # integers instead of a multi-column string sort (seconds on 4 million national pairs).
    subjects = values.with_row_index("_row").join(
        area.select("code", "level", "gemeente_code", *per_regio),
        left_on="area_code", right_on="code")
    subjects = subjects.filter(pl.col("level").is_in(["gemeente", "wijk", "buurt", "custom"]))
    frames = []
    for comp in comparators:
        if comp == "gemeente":
            s = subjects.filter(pl.col("level") != "gemeente").with_columns(
                comparator_code=pl.col("gemeente_code"))
        elif comp == "regio" and per_regio:  # each area against its own regio (GGD-regio)
            s = subjects.with_columns(comparator_code=pl.col("regio_code"))
        else:
            s = subjects.with_columns(
                comparator_code=pl.lit(codes.REGIO if comp == "regio" else codes.LAND))
        frames.append(s.with_columns(comparator=pl.lit(comp)))
    pairs = pl.concat(frames)
    bench = values.select("indicator_id", "year", pl.col("area_code").alias("comparator_code"),
                          pl.col("value").alias("comparator_value"))
    meta = pl.DataFrame({"indicator_id": [i.id for i in indicators],
                         "_polarity": [i.polarity for i in indicators],
                         "_tested": [i.interval != "none" for i in indicators]})
    pairs = pairs.join(bench, on=["indicator_id", "year", "comparator_code"], how="left") \
        .join(meta, on="indicator_id", how="left")
    # One vectorised pass over all indicators, as polars expressions (same rules as
    # stats.compare / stats.judge, which tests hold against each other).
    cmp = pl.when(pl.col("value").is_null() | ~pl.col("_tested").fill_null(False)) \
        .then(pl.lit("not_tested")) \
        .otherwise(stats.compare_expr(pl.col("lower"), pl.col("upper"),
                                      pl.col("comparator_value")))
    pairs = pairs.with_columns(comparison=cmp).with_columns(
        judgement=stats.judge_expr(pl.col("comparison"), pl.col("_polarity")))
    return pairs.sort("_row", "comparator").select(
        "indicator_id", "area_code", "year", "comparator", "comparator_code",
        "comparator_value", (pl.col("value") - pl.col("comparator_value")).alias("difference"),
        "comparison", "judgement",
    )


def ranks(values: pl.DataFrame, area: pl.DataFrame) -> pl.DataFrame:
    """Rank and quintile (1 = lowest value) within the region, per level and year."""
    v = values.join(area.select("code", "level"), left_on="area_code", right_on="code")
    v = v.filter(pl.col("value").is_not_null() & pl.col("level").is_in(["wijk", "buurt"]))
    grp = ["indicator_id", "year", "level"]
    return v.with_columns(
        rank=pl.col("value").rank("min").over(grp).cast(pl.Int32),
        n_ranked=pl.len().over(grp).cast(pl.Int32),
    ).with_columns(
        quintile=((pl.col("rank") - 1) * 5 // pl.col("n_ranked") + 1).cast(pl.Int32)
    ).select("indicator_id", "area_code", "year", "rank", "n_ranked", "quintile")


def compute(con: duckdb.DuckDBPyConnection, indicators: list[Indicator],
            cfg: RegionConfig) -> tuple[pl.DataFrame, pl.DataFrame]:
    raw = gather_all(con, indicators, cfg)
    frames = [finish(ind, raw[ind.id], cfg) for ind in indicators]
    values = pl.concat(frames) if frames else pl.DataFrame(schema=VALUE_SCHEMA)
    area = frame(con, "SELECT * FROM area")
    if cfg.regio_lookup is not None:
        area = area.join(regio.comparator_codes(area, frame(con, "SELECT * FROM regio_member")),
                         on="code")
    # Complementary suppression before anything is ranked, compared or trended.
    values = disclosure.apply(values, frame(con, "SELECT * FROM custom_area_member"))
    values = values.join(ranks(values, area), on=["indicator_id", "area_code", "year"],
                         how="left").sort("indicator_id", "area_code", "year")
    comparisons = compare_all(values, area, indicators, cfg.comparators)
    write_table(con, "ind_value", values)
    write_table(con, "ind_comparison", comparisons)
    write_table(con, "ind_trend", trends.latest_change(values, indicators))
    return values, comparisons
