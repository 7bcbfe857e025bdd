"""Compute every indicator for every area and comparator, set-based in DuckDB.

One SQL statement per indicator gathers numerator and denominator (or value and weight) for all
published areas and aggregates villages, clusters and the region from their parts: counts are
summed, never percentages averaged; a published percentage is aggregated with population
weights (and the indicator's caveat says so). Intervals, disclosure control, comparisons and
ranks are then applied to the whole frame at once with numpy.
"""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl

from . import codes, stats
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


def _counted_sql(ind: Indicator, gemeenten: list[str]) -> str:
    den = ind.denominator
    den_join = (
        f"LEFT JOIN observation d ON d.area_code = n.area_code AND d.year = n.year "
        f"AND d.variable = {_q(den)}" if den else ""
    )
    den_cols = "d.value AS den, d.status AS den_status" if den else \
        "NULL::DOUBLE AS den, 'ok' AS den_status"
    gm = ", ".join(_q(g) for g in gemeenten)
    return f"""
    WITH base AS (
        SELECT n.area_code, n.year, n.value AS num, n.status AS num_status, {den_cols}
        FROM observation n {den_join}
        WHERE n.variable = {_q(ind.numerator or '')}
    ),
    groups AS (
        SELECT custom_code AS group_code, buurt_code AS part FROM custom_area_member
        UNION ALL SELECT '{codes.REGIO}', unnest([{gm}])
    ),
    group_size AS (SELECT group_code, count(*) AS size FROM groups GROUP BY ALL),
    agg AS (
        SELECT g.group_code AS area_code, b.year, sum(b.num) AS num, sum(b.den) AS den,
               count(*) AS parts,
               bool_and(b.num_status = 'ok') AS num_ok,
               bool_and(b.den_status = 'ok' OR b.den_status IS NULL) AS den_ok
        FROM groups g JOIN base b ON b.area_code = g.part
        GROUP BY ALL
    )
    SELECT area_code, year, num, den,
           CASE WHEN num_status <> 'ok' THEN num_status
                WHEN den_status IS NULL THEN 'missing'
                WHEN den_status <> 'ok' THEN den_status ELSE 'ok' END AS status,
           NULL::DOUBLE AS pub_value, NULL::DOUBLE AS pub_lower, NULL::DOUBLE AS pub_upper,
           1 AS parts
    FROM base
    UNION ALL
    SELECT a.area_code, a.year,
           CASE WHEN num_ok AND den_ok AND parts = s.size THEN num END,
           CASE WHEN num_ok AND den_ok AND parts = s.size THEN den END,
           CASE WHEN num_ok AND den_ok AND parts = s.size THEN 'ok' ELSE 'incomplete' END,
           NULL, NULL, NULL, a.parts
    FROM agg a JOIN group_size s ON s.group_code = a.area_code
    """


def _given_sql(ind: Indicator, gemeenten: list[str]) -> str:
    gm = ", ".join(_q(g) for g in gemeenten)
    weight = _q(ind.weight or "a_inw")
    return f"""
    WITH vals AS (
        SELECT area_code, year, value, status, lower, upper FROM observation
        WHERE variable = {_q(ind.value or '')}
    ),
    w AS (
        SELECT v.area_code, v.year, arg_min(o.value, abs(o.year - v.year)) AS weight
        FROM vals v JOIN observation o ON o.area_code = v.area_code
        WHERE o.variable = {weight} AND o.status = 'ok'
        GROUP BY ALL
    ),
    base AS (SELECT v.*, w.weight FROM vals v LEFT JOIN w USING (area_code, year)),
    groups AS (
        SELECT custom_code AS group_code, buurt_code AS part FROM custom_area_member
        UNION ALL SELECT '{codes.REGIO}', unnest([{gm}])
    ),
    group_size AS (SELECT group_code, count(*) AS size FROM groups GROUP BY ALL),
    agg AS (
        SELECT g.group_code AS area_code, b.year,
               sum(b.value * b.weight) / sum(b.weight) AS value, count(*) AS parts,
               bool_and(b.status = 'ok' AND b.weight IS NOT NULL) AS ok
        FROM groups g JOIN base b ON b.area_code = g.part
        GROUP BY ALL
    )
    SELECT area_code, year, NULL::DOUBLE AS num, weight AS den, status,
           value AS pub_value, lower AS pub_lower, upper AS pub_upper, 1 AS parts
    FROM base
    UNION ALL
    SELECT a.area_code, a.year, NULL, NULL,
           CASE WHEN ok AND parts = s.size THEN 'ok' ELSE 'incomplete' END,
           CASE WHEN ok AND parts = s.size THEN value END, NULL, NULL, a.parts
    FROM agg a JOIN group_size s ON s.group_code = a.area_code
    """


def gather(con: duckdb.DuckDBPyConnection, ind: Indicator, cfg: RegionConfig) -> pl.DataFrame:
    sql = _counted_sql(ind, cfg.gemeenten) if ind.statistic in COUNTED \
        else _given_sql(ind, cfg.gemeenten)
    return frame(con, sql)


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
        value = np.where(ok, raw["pub_value"].to_numpy().astype(np.float64), np.nan)
        if ind.interval == "published":
            lower = raw["pub_lower"].to_numpy().astype(np.float64)
            upper = raw["pub_upper"].to_numpy().astype(np.float64)
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
                comparators: list[str]) -> pl.DataFrame:
    """One row per area, indicator, year and comparator with the significance verdict."""
    subjects = values.join(area.select("code", "level", "gemeente_code"),
                           left_on="area_code", right_on="code")
    subjects = subjects.filter(pl.col("level").is_in(["gemeente", "wijk", "buurt", "custom"]))
    frames = []
    for comp in comparators:
        if comp == "gemeente":
            s = subjects.filter(pl.col("level") != "gemeente").with_columns(
                comparator_code=pl.col("gemeente_code"))
        else:
            s = subjects.with_columns(
                comparator_code=pl.lit(codes.REGIO if comp == "regio" else codes.LAND))
        frames.append(s.with_columns(comparator=pl.lit(comp)))
    pairs = pl.concat(frames)
    bench = values.select("indicator_id", "year", pl.col("area_code").alias("comparator_code"),
                          pl.col("value").alias("comparator_value"))
    pairs = pairs.join(bench, on=["indicator_id", "year", "comparator_code"], how="left")
    polarity = {i.id: i.polarity for i in indicators}
    tested = {i.id for i in indicators if i.interval != "none"}
    out = []
    for ind_id, part in pairs.group_by("indicator_id", maintain_order=True):
        iid = str(ind_id[0])
        cmp = stats.compare(part["lower"].to_numpy(), part["upper"].to_numpy(),
                            part["comparator_value"].to_numpy())
        if iid not in tested:
            cmp = np.full(len(cmp), "not_tested")
        judgement = stats.judge(cmp, polarity[iid])
        out.append(part.with_columns(comparison=pl.Series(cmp.astype(str)),
                                     judgement=pl.Series(judgement.astype(str))))
    res = pl.concat(out) if out else pairs.with_columns(
        comparison=pl.lit(None, pl.String), judgement=pl.lit(None, pl.String))
    return res.select(
        "indicator_id", "area_code", "year", "comparator", "comparator_code",
        "comparator_value", (pl.col("value") - pl.col("comparator_value")).alias("difference"),
        pl.when(pl.col("value").is_null()).then(pl.lit("not_tested"))
        .otherwise(pl.col("comparison")).alias("comparison"),
        pl.when(pl.col("value").is_null()).then(pl.lit("not_tested"))
        .otherwise(pl.col("judgement")).alias("judgement"),
    ).sort("indicator_id", "area_code", "year", "comparator")


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
    frames = [finish(ind, gather(con, ind, cfg), cfg) for ind in indicators]
    values = pl.concat(frames) if frames else pl.DataFrame(schema=VALUE_SCHEMA)
    area = frame(con, "SELECT * FROM area")
    values = values.join(ranks(values, area), on=["indicator_id", "area_code", "year"],
                         how="left").sort("indicator_id", "area_code", "year")
    comparisons = compare_all(values, area, indicators, cfg.comparators)
    write_table(con, "ind_value", values)
    write_table(con, "ind_comparison", comparisons)
    return values, comparisons
