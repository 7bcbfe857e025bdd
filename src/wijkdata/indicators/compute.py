"""Compute every indicator for every area and comparator, set-based in DuckDB.

One SQL statement per indicator gathers numerator and denominator (or value and weight) for all
published areas and aggregates villages, clusters and the region from their parts: counts are
summed, never percentages averaged; a published percentage is aggregated with population
weights (and the indicator's caveat says so). Intervals and reliability marks ("klein aantal")
are then applied to the whole frame at once with numpy, disclosure control of strict sources on
the whole frame (``disclosure.py``); ranks are added as ``ind_value`` is written, and
comparisons and trends are SQL on that table (``comparisons.py``, ``trends.py``). What differs
between statistics (how rows are gathered, value, interval, small base) is asked of the
indicator's class in ``statistics/``, never decided here by its name.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np
import polars as pl

from wijkdata.core.config import RegionConfig
from wijkdata.core.db import frame, has_table, write_table
from wijkdata.core.db import sql_text as _q
from wijkdata.core.errors import ConfigError
from wijkdata.core.status import Status
from wijkdata.ingest import regio
from wijkdata.ingest.sources.common import SUPPRESSED as SOURCE_SECRET

from . import comparable, comparisons, disclosure, trends, weights
from .definitions import Indicator
from .statistics import Gathered

VALUE_SCHEMA = {
    "indicator_id": pl.String, "area_code": pl.String, "year": pl.Int32,
    "numerator": pl.Float64, "denominator": pl.Float64, "value": pl.Float64,
    "lower": pl.Float64, "upper": pl.Float64, "status": pl.String,
    # Grouped published figures: the share of the weight (coverage_of: whose) with a value.
    "coverage": pl.Float64, "coverage_of": pl.String,
    # A rate CBS publishes, recomputed here from rounded counts (custom areas, the regio).
    "recomputed": pl.Boolean,
    "secret": pl.Boolean,  # the source itself kept the figure secret ('.')
}


def _values(rows: Sequence[tuple[str | None, ...]]) -> str:
    return ", ".join("(" + ", ".join(_q(x) if x is not None else "NULL" for x in r) + ")"
                     for r in rows)


# Groups sum their parts in the order of the part codes (list_sum over an ordered list): a
# plain sum() adds in whatever order DuckDB's threads deliver, and for fractional figures that
# changed the last bit of ~200 national values from one run to the next.


def _counted_sql(indicators: list[Indicator], groups: str, coverage_min: float) -> str:
    """All counted indicators in ONE statement: a spec table joined to the observations.

    A count has no denominator: its den_status is 'ok' by definition. A part of a village
    whose denominator row is missing makes the village 'incomplete' (summing the numerator
    without that denominator would bias the figure); a part without inhabitants that year
    (a_inw = 0: a park, an industrial estate) is left out, whatever CBS published for it.
    ``pub_var`` is the figure as CBS publishes it (``published:``), shown for single areas.
    A proportion or rate whose parts are not all published is still shown when the parts
    with figures hold at least ``coverage_min`` of the denominator (a count never is: a
    partial sum would simply be too low).
    """
    spec = _values([(i.id, i.numerator or "", i.denominator, i.published,
                     "y" if i.stat.partial_groups else None) for i in indicators])
    return f"""
    WITH spec(indicator_id, num_var, den_var, pub_var, partial) AS (VALUES {spec}),
    base AS (
        SELECT s.indicator_id, n.area_code, n.year, n.value AS num, n.status AS num_status,
               d.value AS den,
               CASE WHEN s.den_var IS NULL THEN 'ok' ELSE coalesce(d.status, 'missing') END
                   AS den_status,
               CASE WHEN p.status = 'ok' THEN p.value END AS pub
        FROM spec s JOIN observation n ON n.variable = s.num_var
        LEFT JOIN observation d ON d.area_code = n.area_code AND d.year = n.year
             AND d.variable = s.den_var
        LEFT JOIN observation p ON p.area_code = n.area_code AND p.year = n.year
             AND p.variable = s.pub_var
    ),
    groups AS (
        SELECT custom_code AS group_code, part_code AS part FROM custom_area_part
        UNION ALL {groups}
    ),
    years AS (SELECT DISTINCT indicator_id, year FROM base),
    inw AS (SELECT area_code, year, value AS inw FROM observation
            WHERE variable = 'a_inw' AND status = 'ok'),
    member AS (
        SELECT y.indicator_id, g.group_code, g.part, y.year, b.num, b.den,
               coalesce(b.num_status, 'missing') = 'ok'
                   AND coalesce(b.den_status, 'missing') = 'ok' AS ok,
               coalesce(b.den_status = 'ok', false) AS den_known,
               b.num_status IS NOT NULL AS present,
               coalesce(b.num_status, 'missing') = 'missing' AS absent,
               coalesce(i.inw, -1) = 0 AS empty
        FROM groups g JOIN years y ON true
        LEFT JOIN base b ON b.indicator_id = y.indicator_id AND b.area_code = g.part
             AND b.year = y.year
        LEFT JOIN inw i ON i.area_code = g.part AND i.year = y.year
    ),
    agg AS (
        SELECT indicator_id, group_code AS area_code, year,
               list_sum(list(num ORDER BY part) FILTER (WHERE ok AND NOT empty)) AS num,
               list_sum(list(den ORDER BY part) FILTER (WHERE ok AND NOT empty)) AS den,
               list_sum(list(den ORDER BY part) FILTER (WHERE den_known AND NOT empty))
                   AS den_all,
               count(*) FILTER (WHERE NOT empty) AS parts,
               coalesce(bool_and(ok) FILTER (WHERE NOT empty), false) AS ok,
               coalesce(bool_and(absent) FILTER (WHERE NOT empty), false) AS none,
               -- a part whose size is unknown leaves the share unknown: no partial figure
               coalesce(bool_and(den_known) FILTER (WHERE NOT empty), false) AS sized,
               bool_or(present) AS any_row
        FROM member GROUP BY ALL
    ),
    shares AS (
        SELECT a.*, s.partial IS NOT NULL AS partial,
               CASE WHEN ok THEN NULL WHEN sized AND den_all > 0
                    THEN coalesce(den, 0) / den_all END AS coverage
        FROM agg a JOIN spec s USING (indicator_id)
    )
    SELECT indicator_id, area_code, year, num, den,
           CASE WHEN num_status <> 'ok' THEN num_status ELSE den_status END AS status,
           pub AS pub_value, NULL::DOUBLE AS pub_lower, NULL::DOUBLE AS pub_upper,
           1 AS parts, NULL::DOUBLE AS coverage, NULL::BOOLEAN AS by_weight,
           false AS grouped
    FROM base
    UNION ALL
    SELECT indicator_id, area_code, year,
           CASE WHEN ok OR (partial AND coverage >= {coverage_min} - 1e-9) THEN num END,
           CASE WHEN ok OR (partial AND coverage >= {coverage_min} - 1e-9) THEN den END,
           CASE WHEN ok OR (partial AND coverage >= {coverage_min} - 1e-9) THEN 'ok'
                WHEN none THEN 'missing' ELSE 'incomplete' END,
           NULL, NULL, NULL, parts, CASE WHEN partial THEN coverage END, NULL, true
    FROM shares WHERE any_row
    """


def _given_sql(indicators: list[Indicator], groups: str, coverage_min: float) -> str:
    """All published figures (means, percentages) in ONE statement, weighted for groups by
    the population of the indicator's age group or its ``weight:`` (``weights.py``)."""
    spec = _values([(i.id, i.value or "", weight_variable(i)) for i in indicators])
    return weights.given_sql(spec, groups, coverage_min)


def weight_variable(ind: Indicator) -> str:
    if ind.age_group is not None:
        return weights.AGE_WEIGHT[ind.age_group]
    return ind.weight or "a_inw"


def check_age_groups(con: duckdb.DuckDBPyConnection, indicators: list[Indicator]) -> None:
    """An indicator reads only sources of its own age group: an 18-64 table never feeds an
    18+ indicator (values, comparisons and trends would mix two populations)."""
    spec = [(i.id, i.value or i.numerator or "", i.age_group) for i in indicators
            if not i.stat.counted]
    if not spec or not has_table(con, "provenance"):
        return
    rows = con.execute(f"""
        WITH spec(indicator_id, variable, age_group) AS (
            VALUES {", ".join(["(?, ?, ?)"] * len(spec))})
        SELECT s.indicator_id, s.age_group, p.source_id, p.age_group, s.variable
        FROM spec s JOIN (SELECT DISTINCT source_id, variable FROM observation) o
             ON o.variable = s.variable
        JOIN provenance p ON p.source_id = o.source_id
        WHERE p.age_group IS NOT NULL AND p.age_group IS DISTINCT FROM s.age_group
        ORDER BY 1, 3 LIMIT 1""", [x for row in spec for x in row]).fetchall()
    if rows:
        ind_id, wanted, source_id, found, variable = rows[0]
        raise ConfigError(
            f"indicator '{ind_id}' ({'age_group ' + wanted if wanted else 'no age_group'}) "
            f"reads '{variable}' from source '{source_id}', whose age_group is {found}",
            hint="give that source its own 'variable_suffix:' (e.g. _65plus), so each age "
                 "group has its own variables and indicators",
        )


def gather_all(con: duckdb.DuckDBPyConnection, indicators: list[Indicator],
               cfg: RegionConfig) -> dict[str, pl.DataFrame]:
    """Raw rows per indicator id, from two statements in all (counted and published)."""
    if not has_table(con, "custom_area_part"):  # a database made by hand: parts = buurten
        con.execute("CREATE TABLE custom_area_part AS SELECT custom_code, buurt_code AS "
                    "part_code FROM custom_area_member")
    groups = regio.groups_sql(cfg)
    out: dict[str, pl.DataFrame] = {}
    for counted in (True, False):
        chosen = [i for i in indicators if i.stat.counted == counted]
        if not chosen:
            continue
        sql = (_counted_sql(chosen, groups, cfg.areas.coverage_min) if counted
               else _given_sql(chosen, groups, cfg.areas.coverage_min))
        raw = frame(con, sql)
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
    stat = ind.stat
    g = Gathered.of(raw)
    fig = stat.figures(ind, g)
    ok, num, den, zero = fig.ok, fig.num, g.den, fig.zero
    value, lower, upper, recomputed = fig.value, fig.lower, fig.upper, fig.recomputed
    # Reliability, not disclosure: a small base keeps its figure and interval and is marked
    # (status 'small'); what the source published is never hidden here. Strict sources are
    # suppressed later, on the whole frame (disclosure.apply).
    small = stat.small_base(ind, cfg, fig, den)
    # Only a figure that is shown can be "recomputed from rounded counts" (a small base is shown).
    keep = ok
    by_weight = raw["by_weight"].fill_null(True)
    status = (pl.when(pl.col("_small")).then(pl.lit(Status.SMALL.value))
              .when(pl.col("_zero")).then(pl.lit(Status.NOT_APPLICABLE.value))
              .when(pl.col("status") == SOURCE_SECRET).then(pl.lit(Status.WITHHELD.value))
              .otherwise(pl.col("status")))
    out = pl.DataFrame({
        "area_code": raw["area_code"],
        "year": raw["year"].cast(pl.Int32),
        # Rows without a figure lose their counts here, so nothing downstream prints them.
        "numerator": np.where(ok, num, np.nan),
        "denominator": np.where(ok, den, np.nan),
        "value": np.where(ok, value, np.nan),
        "lower": np.where(ok, lower, np.nan),
        "upper": np.where(ok, upper, np.nan),
        "status": raw["status"], "_small": small, "_zero": zero,
        "coverage": raw["coverage"].cast(pl.Float64), "_by_weight": by_weight,
        "recomputed": keep & recomputed,
        "secret": (raw["status"] == "suppressed_by_source").fill_null(False),
    })
    noun = weights.noun(weight_variable(ind) if not ind.stat.counted
                        else ind.denominator or "a_inw")
    figures = ("numerator", "denominator", "value", "lower", "upper")
    return out.select(pl.lit(ind.id, pl.String).alias("indicator_id"), "area_code", "year",
                      *[pl.col(c).fill_nan(None) for c in figures],
                      status.cast(pl.String).alias("status"), "coverage",
                      pl.when(pl.col("coverage").is_null()).then(None)
                      .when(pl.col("_by_weight")).then(pl.lit(noun))
                      .otherwise(pl.lit("inwoners")).cast(pl.String).alias("coverage_of"),
                      "recomputed", "secret").cast(pl.Schema(VALUE_SCHEMA))


def strict_indicators(con: duckdb.DuckDBPyConnection, indicators: list[Indicator],
                      cfg: RegionConfig) -> dict[str, str]:
    """Indicator id -> the ``disclosure: strict`` source one of its variables comes from."""
    strict = sorted(s.id for s in cfg.sources if s.disclosure == "strict")
    if not strict:
        return {}
    source_of: dict[str, str] = {}
    for variable, source in con.execute(
            "SELECT DISTINCT variable, source_id FROM observation "
            "WHERE list_contains(?, source_id) ORDER BY 1, 2", [strict]).fetchall():
        source_of.setdefault(variable, source)
    out: dict[str, str] = {}
    for ind in indicators:
        found = [source_of[v] for v in ind.variables if v in source_of]
        if found:
            out[ind.id] = found[0]
    return out


def run(con: duckdb.DuckDBPyConnection, indicators: list[Indicator],
        cfg: RegionConfig, levels: tuple[str, ...] | None = None) -> None:
    """Write ``ind_value``, ``ind_comparison`` and ``ind_trend`` into the database.

    Values and trends are computed for every area; comparisons and groups of comparable areas
    for the areas of ``levels`` (default ``comparisons.compared_levels(cfg)``).

    Only the values pass through polars (numpy statistics, complementary suppression, ranks);
    the comparison pairs (~0.6 million for the national wijken) and the trend selection are SQL
    on the written ``ind_value``, so they never exist as frames in this process (with all
    levels' pairs as frames that peaked at 2.5 GB).
    """
    check_age_groups(con, indicators)
    raw = gather_all(con, indicators, cfg)
    # pop: each indicator's gathered rows are freed as soon as its values exist.
    frames = [finish(ind, raw.pop(ind.id), cfg) for ind in indicators]
    values = pl.concat(frames) if frames else pl.DataFrame(schema=VALUE_SCHEMA)
    del frames
    # Disclosure control of strict sources before anything is ranked, compared or trended.
    strict = strict_indicators(con, indicators, cfg)
    values = disclosure.apply(
        values, disclosure.equations(con, cfg) if strict else [], strict,
        {i.id for i in indicators if i.stat.complement_is_a_cell},
        cfg.disclosure.min_count, cfg.disclosure.protect_zero)
    comparisons.write_values(con, values, indicators)
    del values
    levels = levels or comparisons.compared_levels(cfg)
    comparable.write(con, indicators, cfg, levels)
    comparisons.write_comparisons(con, indicators, cfg, levels)
    write_table(con, "ind_trend", trends.latest_change(con, indicators,
                                                       cfg.areas.composition_change_max))


def compute(con: duckdb.DuckDBPyConnection, indicators: list[Indicator],
            cfg: RegionConfig) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:func:`run`, then ``ind_value`` and ``ind_comparison`` as frames (for tests and tools;
    a build calls :func:`run` and leaves the tables in the database). The comparisons come in
    ``ind_value``'s order, then by comparator (the table itself has no order)."""
    run(con, indicators, cfg)
    return frame(con, "SELECT * FROM ind_value"), frame(
        con, "SELECT * FROM ind_comparison ORDER BY indicator_id, area_code, year, comparator")
