"""Trends: the latest change per indicator and area, and whether it is more than chance.

Only the last two years of a series are compared, because that is the change a reader sees in
the report ("+1,2% sinds 2022"). The test follows the statistic:

* proportion: two-proportion z-test on the counts (``stats.change_significant``);
* rate: comparison of two Poisson rates (``stats.rate_change_significant``);
* count, mean, given percentage: not tested. A published mean or model estimate carries no
  counts, so a claim of significance would be invented.

A change is only tested when both years are published (status ``ok``): a suppressed year has
lost its counts on purpose and must not come back through a test statistic.
"""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl

from wijkdata.core.db import frame

from . import stats
from .definitions import Indicator

TREND_SCHEMA = {
    "indicator_id": pl.String, "area_code": pl.String, "year": pl.Int32,
    "prev_year": pl.Int32, "value": pl.Float64, "prev_value": pl.Float64,
    "change": pl.Float64, "test": pl.String, "verdict": pl.String,
}
TESTS = {"proportion": "two_proportion_z", "rate": "poisson"}


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


def latest_change(con: duckdb.DuckDBPyConnection, indicators: list[Indicator]) -> pl.DataFrame:
    """One row per indicator and area with at least two years (in ``ind_value``): the last two
    compared, ordered by indicator and area."""
    return verdicts(frame(con, LAST_TWO_SQL), indicators)


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
    with np.errstate(divide="ignore", invalid="ignore"):
        prop = stats.change_significant(k1 / n1, n1, k2 / n2, n2)
    rate = stats.rate_change_significant(k1, n1, k2, n2)
    significant = np.where(kind == "proportion", prop, rate)
    testable = both & np.isin(kind, list(TESTS)) & ~np.isnan(k1 + k2 + n1 + n2)
    verdict = np.where(~testable, "not_tested",
                       np.where(significant, "significant", "not_significant"))
    test = np.array([TESTS.get(str(k), "none") for k in kind], dtype=object)
    return pl.DataFrame({
        "indicator_id": v["indicator_id"], "area_code": v["area_code"], "year": v["year"],
        "prev_year": v["prev_year"], "value": v["value"], "prev_value": v["prev_value"],
        "change": v["value"] - v["prev_value"],
        "test": np.where(testable, test, "none").astype(str),
        "verdict": verdict.astype(str),
    }, schema=TREND_SCHEMA)


VERDICT_TEXT = {"significant": "significant", "not_significant": "niet significant"}


def verdict_text(verdict: str | None) -> str:
    """Dutch wording for the report; an untested change gets no claim at all."""
    return VERDICT_TEXT.get(verdict or "", "")
