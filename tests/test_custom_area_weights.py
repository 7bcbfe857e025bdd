"""Issue 13: published figures of custom areas weighted by their own age group, coverage, whole
wijken, CBS-published rates, age groups never mixed, trends across boundary changes.

A hand-made region in an in-memory DuckDB (compute.compute on real tables); every expected
number is worked out in the comment next to it.
"""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from wijkdata.core.config import RegionConfig
from wijkdata.core.errors import ConfigError
from wijkdata.core.tables import ValueRow
from wijkdata.indicators import compute
from wijkdata.indicators.definitions import Indicator
from wijkdata.report.labels import basis_text, reason_text

from .memory_db import region_db

B1, B2, B3, B4 = "BU00010001", "BU00010002", "BU00010003", "BU00010004"
W1 = "WK000100"
BANDS = ("a_inw", "a_00_14", "a_15_24", "a_25_44", "a_45_64", "a_65_oo")
# KWB 2020 age bands per buurt. B3 is an industrial estate: 0 inhabitants, bands secret.
KWB_2020 = {
    B1: (1000, 100, 100, 200, 300, 300),
    B2: (1000, 200, 200, 300, 200, 100),
    B3: (0, None, None, None, None, None),
    B4: (100, 10, 10, 20, 10, 50),
    W1: (2100, 310, 310, 520, 510, 450),
    "GM0001": (2100, 310, 310, 520, 510, 450),
    "NL00": (2_000_000, 300_000, 250_000, 500_000, 550_000, 400_000),
}
# RIVM 2020 estimates: (65+ eenzaam, 18+ ervaren); None = '.' (secret).
RIVM_2020 = {B1: (40.0, 70.0), B2: (60.0, 80.0), B3: (None, None), B4: (None, None),
             W1: (47.0, 74.0), "GM0001": (47.0, 74.0), "NL00": (45.0, 75.0)}
# Wmo: counts a_wmo_t and the rate CBS published from its unrounded counts (p_wmo_t).
WMO_2023 = {B1: (1000, 55, 54.2), B2: (1000, 80, 81.7), B3: (0, 0, None), B4: (100, 5, 47.9),
            W1: (2100, 140, 66.1), "GM0001": (2100, 140, 66.1), "NL00": (2_000_000, 150_000, 75.0)}

AREAS = [
    ("NL00", "Nederland", "land", None, None),
    ("GM0001", "Eerstegem", "gemeente", "NL00", "GM0001"),
    (W1, "Wijk 00", "wijk", "GM0001", "GM0001"),
    (B1, "Een", "buurt", W1, "GM0001"), (B2, "Twee", "buurt", W1, "GM0001"),
    (B3, "Bedrijven", "buurt", W1, "GM0001"), (B4, "Vier", "buurt", W1, "GM0001"),
    ("DORP_V", "Vdorp", "custom", "GM0001", "GM0001"),
    ("FOCUS_W", "Wgebied", "custom", "GM0001", "GM0001"),
    ("REGIO", "Testregio", "regio", "NL00", None),
]


def _indicator(**kw: object) -> Indicator:
    base: dict[str, object] = {"title": "t", "description": "d", "theme": "gezondheid",
                               "sources": ["ggd_monitor"], "unit": "%", "format": "percent_1",
                               "polarity": "lower_is_better", "interval": "published",
                               "statistic": "given_percentage"}
    return Indicator.model_validate(base | kw)


EENZAAM_65 = _indicator(id="eenzaam65", value="eenzaam_65plus", age_group="65+")
# The same figures from a source without an age group (a partner's own table), weighted by
# inhabitants as any published figure without age_group is.
EENZAAM_INW = _indicator(id="eenzaam_inw", value="eenzaam_copy", weight="a_inw")
ERVAREN = _indicator(id="ervaren", value="ervaren", age_group="18+",
                     polarity="higher_is_better")
WMO = _indicator(id="wmo", theme="zorg", statistic="rate", numerator="a_wmo_t",
                 denominator="a_inw", published="p_wmo_t", multiplier=1000,
                 unit="per 1.000 inwoners", format="per_1000_1", polarity="neutral",
                 interval="byar", sources=["cbs_kwb"])

CONFIG = RegionConfig.model_validate({
    "name": "Testregio", "gemeenten": ["GM0001"],
    "areas": {"levels": ["wijk", "buurt"],
              "custom": [{"code": "DORP_V", "name": "Vdorp", "buurten": [B1, B2, B3, B4]},
                         {"code": "FOCUS_W", "name": "Wgebied", "kind": "focusgebied",
                          "wijken": [W1]}]},
    "sources": [{"id": "kwb", "kind": "cbs_kwb", "path": "kwb.csv", "year": 2023}],
})


def _database(rivm_age: str = "65+") -> duckdb.DuckDBPyConnection:
    rows = []
    for area, bands in KWB_2020.items():
        for var, v in zip(BANDS, bands, strict=True):
            rows.append(("kwb_2020", area, 2020, var, v, "ok" if v is not None
                         else "suppressed_by_source"))
    for area, (e65, erv) in RIVM_2020.items():
        rows.append(("ggd_65", area, 2020, "eenzaam_65plus", e65,
                     "ok" if e65 is not None else "suppressed_by_source"))
        rows.append(("eigen", area, 2020, "eenzaam_copy", e65,
                     "ok" if e65 is not None else "suppressed_by_source"))
        rows.append(("ggd_18", area, 2020, "ervaren", erv,
                     "ok" if erv is not None else "suppressed_by_source"))
    for area, (inw, wmo, pub) in WMO_2023.items():
        rows += [("kwb_2023", area, 2023, "a_inw", inw, "ok"),
                 ("kwb_2023", area, 2023, "a_wmo_t", wmo, "ok"),
                 ("kwb_2023", area, 2023, "p_wmo_t", pub,
                  "ok" if pub is not None else "suppressed_by_source")]
    return region_db(
        rows, AREAS,
        members=[("DORP_V", b) for b in (B1, B2, B3, B4)]
        + [("FOCUS_W", b) for b in (B1, B2, B3, B4)],
        parts=[("DORP_V", b) for b in (B1, B2, B3, B4)] + [("FOCUS_W", W1)],
        provenance=[("kwb_2020", None), ("kwb_2023", None), ("ggd_65", rivm_age),
                    ("ggd_18", "18+"), ("eigen", None)])


@pytest.fixture(scope="module")
def values() -> pl.DataFrame:
    con = _database()
    out, _ = compute.compute(con, [EENZAAM_65, EENZAAM_INW, ERVAREN, WMO], CONFIG)
    return out


def _get(values: pl.DataFrame, ind: str, area: str) -> dict:
    return values.filter(indicator_id=ind, area_code=area).row(0, named=True)


def _row(r: dict) -> ValueRow:
    """The typed row report code reads, from the computed columns."""
    return ValueRow(**{k: v for k, v in r.items() if k in ValueRow._fields})


def test_a_65plus_figure_is_weighted_by_65_plussers_not_inhabitants(values: pl.DataFrame
                                                                       ) -> None:
    # B1 40% of 300 65-plussers, B2 60% of 100; B3 (0 inhabitants) and B4 (secret) left out.
    # Weighted by 65-plussers: (40 x 300 + 60 x 100) / 400 = 18000 / 400 = 45.0%, but the share
    # of 65-plussers with a value is 400 / (300 + 100 + 50) = 0.888... < 0.9: 'incomplete'.
    r = _get(values, "eenzaam65", "DORP_V")
    assert (r["value"], r["status"], round(r["coverage"], 4), r["coverage_of"]) == (
        None, "incomplete", 0.8889, "65-plussers")
    assert reason_text(_row(r)) == "onvolledig (89% van de 65-plussers)"
    # The same figure weighted by inhabitants: (40 x 1000 + 60 x 1000) / 2000 = 50.0%, and
    # 2000 of 2100 inhabitants (0.952) have a value: shown.
    r = _get(values, "eenzaam_inw", "DORP_V")
    assert (r["value"], r["status"], round(r["coverage"], 4)) == (50.0, "ok", 0.9524)
    assert basis_text(_row(r), "buurten") == "op basis van buurten met 95% van de inwoners"


def test_an_18plus_figure_is_weighted_by_adults_derived_from_the_age_bands(
        values: pl.DataFrame) -> None:
    # Adults = a_inw - a_00_14 - 0.3 x a_15_24: B1 1000 - 100 - 30 = 870, B2 1000 - 200 - 60
    # = 740, B4 100 - 10 - 3 = 87, B3 0. Value (70 x 870 + 80 x 740) / 1610 = 120100 / 1610
    # = 74.5963; coverage 1610 / 1697 = 0.9487 >= 0.9: shown, with its basis.
    r = _get(values, "ervaren", "DORP_V")
    assert (round(r["value"], 4), r["status"], round(r["coverage"], 4)) == (
        74.5963, "ok", 0.9487)
    assert basis_text(_row(r), "buurten") == "op basis van buurten met 95% van de volwassenen"


def test_an_area_of_whole_wijken_uses_the_wijk_values(values: pl.DataFrame) -> None:
    # FOCUS_W is wijk W1: its own RIVM estimate (47.0 and 74.0), complete (coverage 1).
    assert [(_get(values, i, "FOCUS_W")["value"], _get(values, i, "FOCUS_W")["coverage"])
            for i in ("eenzaam65", "ervaren")] == [(47.0, 1.0), (74.0, 1.0)]


def test_a_cbs_rate_is_shown_as_published_and_recomputed_only_for_sums(
        values: pl.DataFrame) -> None:
    # B1: CBS publishes 54.2 per 1,000 (55 / 1000 x 1000 = 55.0 from the rounded counts).
    b1 = _get(values, "wmo", B1)
    assert (b1["value"], b1["recomputed"]) == (54.2, False)
    # The village sums its parts (B3 has 0 inhabitants and is left out): (55 + 80 + 5) /
    # (1000 + 1000 + 100) x 1000 = 140 / 2100 x 1000 = 66.6667, said to be recomputed.
    v = _get(values, "wmo", "DORP_V")
    assert (round(v["value"], 4), v["recomputed"]) == (66.6667, True)
    assert basis_text(_row(v), "buurten") == "berekend uit afgeronde aantallen"
    # The interval still comes from the counts: Byar for 55 (>= 10) ...
    assert (round(b1["lower"], 2), round(b1["upper"], 2)) == (41.43, 71.59)
    # ... and the exact Poisson interval for B4's 5 (< 10): (1.6235, 11.6683) / 100 x 1000
    # = (16.2349, 116.6833); Byar would give (1.6113, 11.6682).
    b4 = _get(values, "wmo", B4)
    assert (round(b4["lower"], 2), round(b4["upper"], 2)) == (16.23, 116.68)


def test_an_indicator_never_reads_another_age_group() -> None:
    con = _database(rivm_age="18-64")
    with pytest.raises(ConfigError) as err:
        compute.compute(con, [EENZAAM_65], CONFIG)
    assert err.value.message == ("indicator 'eenzaam65' (age_group 65+) reads "
                                 "'eenzaam_65plus' from source 'ggd_65', whose age_group is "
                                 "18-64")


def _trend_db(rows: list[tuple[str, int, str, float]]) -> duckdb.DuckDBPyConnection:
    """observation rows (area, year, variable, value) -> database with ind_value computed."""
    return region_db([("kwb", *r, "ok") for r in rows], AREAS,
                     members=[("DORP_V", B1), ("DORP_V", B2)])


BIJSTAND = Indicator.model_validate({
    "id": "bijstand", "title": "Bijstand", "description": "d", "theme": "sociaal_economisch",
    "sources": ["cbs_kwb"], "statistic": "rate", "numerator": "a_soz_wb",
    "denominator": "a_inw", "multiplier": 1000, "format": "per_1000_1",
    "polarity": "lower_is_better", "interval": "byar"})


def test_no_trend_across_a_changed_indeling_and_exact_test_for_small_counts() -> None:
    rows = []
    # W1 holds B1 + B2 in 2022 and B1 + B4 in 2023 (B2 gone, B4 new): changed.
    for year, parts in ((2022, (B1, B2)), (2023, (B1, B4))):
        for b in parts:
            rows += [(b, year, "a_inw", 1000.0), (b, year, "a_soz_wb", 20.0)]
        rows += [(W1, year, "a_inw", 2000.0), (W1, year, "a_soz_wb", 40.0)]
    # GM0001 1000 -> 1250 inhabitants (+25% > 20%): changed. NL00 +10%: not changed;
    # 5 -> 15 per 1000 and 1100: exact conditional test, p = 0.0459 < 0.05 -> significant
    # (given 20 events, 15 or more in the second year at p = 1100/2100, two-sided).
    rows += [("GM0001", 2022, "a_inw", 1000.0), ("GM0001", 2022, "a_soz_wb", 50.0),
             ("GM0001", 2023, "a_inw", 1250.0), ("GM0001", 2023, "a_soz_wb", 50.0),
             ("NL00", 2022, "a_inw", 1000.0), ("NL00", 2022, "a_soz_wb", 5.0),
             ("NL00", 2023, "a_inw", 1100.0), ("NL00", 2023, "a_soz_wb", 15.0)]
    con = _trend_db(rows)
    cfg = RegionConfig.model_validate({
        "name": "t", "gemeenten": ["GM0001"],
        "areas": {"custom": [{"code": "DORP_V", "name": "Vdorp", "buurten": [B1, B2]}]},
        "sources": [{"id": "kwb", "kind": "cbs_kwb", "path": "kwb.csv", "year": 2023}],
        "small_numbers": {"min_numerator": 0, "min_denominator": 0}})
    compute.compute(con, [BIJSTAND], cfg)
    got = {r[0]: (r[1], r[2]) for r in con.execute(
        "SELECT area_code, verdict, test FROM ind_trend ORDER BY area_code").fetchall()}
    assert got[W1] == ("composition_changed", "none")
    assert got["GM0001"] == ("composition_changed", "none")
    assert got[B1] == ("not_significant", "poisson")  # 20 -> 20 per 1000: same buurt
    assert got["NL00"] == ("significant", "poisson")
    # DORP_V (B1 + B2) has B2 only in 2022: its parts differ between the years.
    assert got["DORP_V"] == ("composition_changed", "none")
