"""Trends: the latest change per indicator and area, and whether it is more than chance.

Only the last two years of a series are compared, because that is the change a reader sees in
the report ("+1,2% sinds 2022"). The test follows the statistic (its class's
``change_significant`` and ``trend_test``, ``statistics/``):

* proportion: two-proportion z-test on the counts (``stats.change_significant``);
* rate: comparison of two Poisson rates (``stats.rate_change_significant``: the exact
  conditional test when a count is below 10, else the normal approximation);
* count, mean, given percentage: not tested. A published mean or model estimate carries no
  counts, so a claim of significance would be invented.

A change is only tested when both years are "ok": a small base ("klein aantal") is shown but
not tested, and a suppressed year has lost its counts on purpose and must not come back
through a test statistic.

No trend at all across a change of the area itself (verdict ``composition_changed``, shown as
"indeling gewijzigd sinds <jaar>"): a wijk whose buurten differ between the two years, a custom
area whose parts differ (a part new or gone in the data), or an area whose number of
inhabitants changed by more than ``max_change`` (default 20 %) between the two years.
"""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl

from wijkdata.core.db import frame, has_table

from . import statistics
from .definitions import Indicator

TREND_SCHEMA = {
    "indicator_id": pl.String, "area_code": pl.String, "year": pl.Int32,
    "prev_year": pl.Int32, "value": pl.Float64, "prev_value": pl.Float64,
    "change": pl.Float64, "test": pl.String, "verdict": pl.String,
}


# The last two years of every series in one pass over ind_value: lag() gives the previous
# year, lead() IS NULL marks the last one. Nationally (0.8 million values) this stays inside
# DuckDB instead of sorting and shifting a polars copy of the whole table.
# Indicators with a single year (all of them in a one-year national build) are left out
# before the window, which then has nothing to sort.
LAST_TWO_SQL = """
    WITH multi AS (
        SELECT indicator_id FROM ind_value GROUP BY indicator_id HAVING count(DISTINCT year) > 1
    ),
    s AS (
        SELECT indicator_id, area_code, year, numerator, denominator, value, status,
               lag(year) OVER w AS prev_year, lag(value) OVER w AS prev_value,
               lag(numerator) OVER w AS prev_num, lag(denominator) OVER w AS prev_den,
               lag(status) OVER w = 'ok' AS prev_ok, lead(year) OVER w IS NULL AS last
        FROM ind_value WHERE indicator_id IN (SELECT indicator_id FROM multi)
        WINDOW w AS (PARTITION BY indicator_id, area_code ORDER BY year)
    )
    SELECT * EXCLUDE (last) FROM s WHERE last AND prev_year IS NOT NULL
    ORDER BY indicator_id, area_code
"""


# Per area and year: its parts present in the data that year (buurten of a wijk by code,
# parts of a custom area) and its inhabitants (nearest year with a_inw; a custom area sums its
# present parts). One statement for all trend rows.
COMPOSITION_SQL = """
    WITH t AS ({last_two}),
    present AS (SELECT DISTINCT area_code, year FROM observation),
    parts AS (
        SELECT 'WK' || substr(area_code, 3, 6) AS area_code, area_code AS part FROM present
        WHERE area_code LIKE 'BU%'
        UNION SELECT custom_code, part_code FROM custom_area_part
    ),
    wanted AS (SELECT DISTINCT area_code, year FROM t
               UNION SELECT DISTINCT area_code, prev_year FROM t),
    members AS (
        SELECT w.area_code, w.year,
               list(p.part ORDER BY p.part) FILTER (WHERE pr.area_code IS NOT NULL) AS parts
        FROM wanted w JOIN parts p ON p.area_code = w.area_code
        LEFT JOIN present pr ON pr.area_code = p.part AND pr.year = w.year
        GROUP BY ALL
    ),
    inw_obs AS (SELECT area_code, year, value FROM observation
                WHERE variable = 'a_inw' AND status = 'ok'),
    own AS (
        SELECT w.area_code, w.year,
               arg_min(o.value, struct_pack(d := abs(o.year - w.year), y := o.year)) AS inw
        FROM wanted w JOIN inw_obs o ON o.area_code = w.area_code GROUP BY ALL
    ),
    grouped AS (
        SELECT w.area_code, w.year, sum(o.value) AS inw
        FROM wanted w JOIN custom_area_part c ON c.custom_code = w.area_code
        JOIN inw_obs o ON o.area_code = c.part_code
             AND o.year = (SELECT y.year FROM inw_obs y WHERE y.area_code = c.part_code
                           ORDER BY abs(y.year - w.year), y.year LIMIT 1)
        GROUP BY ALL
    ),
    inw AS (SELECT * FROM own UNION ALL SELECT * FROM grouped)
    SELECT t.indicator_id, t.area_code,
           coalesce(m1.parts IS DISTINCT FROM m0.parts, false)
           OR coalesce(abs(i1.inw - i0.inw) > {share} * i0.inw, false) AS changed
    FROM t
    LEFT JOIN members m0 ON m0.area_code = t.area_code AND m0.year = t.prev_year
    LEFT JOIN members m1 ON m1.area_code = t.area_code AND m1.year = t.year
    LEFT JOIN inw i0 ON i0.area_code = t.area_code AND i0.year = t.prev_year
    LEFT JOIN inw i1 ON i1.area_code = t.area_code AND i1.year = t.year
"""


def latest_change(con: duckdb.DuckDBPyConnection, indicators: list[Indicator],
                  max_change: float = 0.2) -> pl.DataFrame:
    """One row per indicator and area with at least two years (in ``ind_value``): the last two
    compared, ordered by indicator and area."""
    last = frame(con, LAST_TWO_SQL)
    if last.height == 0 or not all(has_table(con, t) for t in ("observation",
                                                                "custom_area_part")):
        return verdicts(last, indicators)
    changed = frame(con, COMPOSITION_SQL.format(
        last_two=LAST_TWO_SQL.replace("ORDER BY indicator_id, area_code", ""),
        share=float(max_change)))
    last = last.join(changed, on=["indicator_id", "area_code"], how="left",
                     maintain_order="left")
    return verdicts(last, indicators)


def verdicts(v: pl.DataFrame, indicators: list[Indicator]) -> pl.DataFrame:
    """The change and its test for each series' last two years (rows of :data:`LAST_TWO_SQL`)."""
    statistic = pl.DataFrame({"indicator_id": [i.id for i in indicators],
                              "statistic": [i.statistic for i in indicators]})
    if v.height == 0:
        return pl.DataFrame(schema=TREND_SCHEMA)
    v = v.join(statistic, on="indicator_id", how="left", maintain_order="left")
    both = ((v["status"] == "ok") & v["prev_ok"].fill_null(False)).to_numpy()
    kind = v["statistic"].to_numpy().astype(object)
    n1 = v["prev_den"].to_numpy().astype(np.float64)
    k1 = v["prev_num"].to_numpy().astype(np.float64)
    n2 = v["denominator"].to_numpy().astype(np.float64)
    k2 = v["numerator"].to_numpy().astype(np.float64)
    # Each statistic tests its own rows (its class in statistics/); one without a test
    # (mean, count, given percentage) leaves them untested.
    testable = both & ~np.isnan(k1 + k2 + n1 + n2)
    significant = np.zeros(len(kind), dtype=bool)
    test = np.full(len(kind), "none", dtype=object)
    for name in dict.fromkeys(kind.tolist()):
        rows = kind == name
        stat = statistics.get(name) if name is not None else None  # None: not in this build
        if stat is None or stat.trend_test is None:
            testable &= ~rows
            continue
        test[rows] = stat.trend_test
        at = np.flatnonzero(rows)
        significant[at] = stat.change_significant(k1[at], n1[at], k2[at], n2[at])
    verdict = np.where(~testable, "not_tested",
                       np.where(significant, "significant", "not_significant"))
    if "changed" in v.columns:
        moved = v["changed"].fill_null(False).to_numpy()
        verdict = np.where(moved, "composition_changed", verdict)
        testable = testable & ~moved
    return pl.DataFrame({
        "indicator_id": v["indicator_id"], "area_code": v["area_code"], "year": v["year"],
        "prev_year": v["prev_year"], "value": v["value"], "prev_value": v["prev_value"],
        "change": v["value"] - v["prev_value"],
        "test": np.where(testable, test, "none").astype(str),
        "verdict": verdict.astype(str),
    }, schema=TREND_SCHEMA)


VERDICT_TEXT = {"significant": "significant", "not_significant": "niet significant"}
CHANGED = "composition_changed"


def verdict_text(verdict: str | None) -> str:
    """Dutch wording for the report; an untested change gets no claim at all."""
    return VERDICT_TEXT.get(verdict or "", "")
