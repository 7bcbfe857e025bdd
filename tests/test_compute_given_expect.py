"""compute.compute on a hand-made region in an in-memory DuckDB: exact rows out.

The region: gemeenten GM0001 and GM0002, Nederland NL00; GM0001 has wijk WK000100 with buurten
B1 = BU00010001, B2 = BU00010002, B3 = BU00010003; village DORP_X = B1 + B2. Every expected
number below is worked out in the comment next to it.
"""

from __future__ import annotations

import polars as pl
import pytest

from wijkdata.core.config import RegionConfig
from wijkdata.indicators import compute
from wijkdata.indicators.definitions import Indicator

from .memory_db import region_db

B1, B2, B3 = "BU00010001", "BU00010002", "BU00010003"

# (area, year, variable, value); status 'ok' unless given.
OBS_2023 = {
    # a_hh, a_1p_hh, a_inw, a_soz_wb, ervaren (given %), g_wozbag (x 1000 euro), a_woning
    "NL00": (1_000_000, 400_000, 2_000_000, 10_000, 79.0, 350.0, 900_000),
    "GM0001": (1000, 300, 2000, 30, 75.0, 260.0, 900),
    "GM0002": (500, 250, 1000, 10, 77.0, 240.0, 450),
    "WK000100": (1000, 300, 2000, 30, 75.0, 260.0, 900),
    B1: (400, 100, 800, 3, 80.0, 300.0, 400),
    B2: (100, 60, 200, 10, 70.0, 200.0, 100),
    B3: (500, 140, 1000, 17, 74.0, 270.0, 400),
}
VARS = ("a_hh", "a_1p_hh", "a_inw", "a_soz_wb", "ervaren", "g_wozbag", "a_woning")
OBS_2022 = {  # only GM0001 and NL00 have 2022: the trend rows
    "NL00": (1_000_000, 390_000, 2_000_000, 10_000),
    "GM0001": (1000, 270, 2000, 60),
}

AREAS = [
    ("NL00", "Nederland", "land", None, None),
    ("GM0001", "Eerstegem", "gemeente", "NL00", "GM0001"),
    ("GM0002", "Tweedegem", "gemeente", "NL00", "GM0002"),
    ("WK000100", "Wijk 00", "wijk", "GM0001", "GM0001"),
    (B1, "Een", "buurt", "WK000100", "GM0001"),
    (B2, "Twee", "buurt", "WK000100", "GM0001"),
    (B3, "Drie", "buurt", "WK000100", "GM0001"),
    ("DORP_X", "Xdorp", "custom", "GM0001", "GM0001"),
    ("REGIO", "Testregio", "regio", "NL00", None),
]


def _indicator(**kw: object) -> Indicator:
    base: dict[str, object] = {"title": "t", "description": "d", "theme": "demografie",
                               "sources": ["cbs_kwb"]}
    return Indicator.model_validate(base | kw)


INDICATORS = [
    _indicator(id="eenp", statistic="proportion", numerator="a_1p_hh", denominator="a_hh",
               multiplier=100, unit="%", format="percent_1", polarity="neutral",
               interval="wilson"),
    _indicator(id="bijstand", statistic="rate", numerator="a_soz_wb", denominator="a_inw",
               multiplier=1000, format="per_1000_1", polarity="lower_is_better",
               interval="byar"),
    _indicator(id="ervaren", statistic="given_percentage", value="ervaren", weight="a_inw",
               unit="%", format="percent_1", polarity="higher_is_better", interval="published"),
    _indicator(id="woz", statistic="mean", value="g_wozbag", weight="a_woning", multiplier=1000,
               unit="euro", format="euro_0", polarity="neutral"),
]

CONFIG = RegionConfig.model_validate({
    "name": "Testregio", "gemeenten": ["GM0001", "GM0002"],
    # Gemeenten are profiled too, so they are compared (comparisons.compared_levels).
    "areas": {"levels": ["gemeente", "wijk", "buurt"],
              "custom": [{"code": "DORP_X", "name": "Xdorp", "buurten": [B1, B2]}]},
    "sources": [{"id": "kwb", "kind": "cbs_kwb", "path": "kwb.csv", "year": 2023}],
})


@pytest.fixture(scope="module")
def result() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    rows = []
    for year, table in ((2023, OBS_2023), (2022, OBS_2022)):
        for area, vals in table.items():
            for var, v in zip(VARS, vals, strict=False):
                rows.append(("kwb", area, year, var, float(v), "ok", None, None))
    con = region_db(rows, AREAS, [("DORP_X", B1), ("DORP_X", B2)])
    values, comparisons = compute.compute(con, INDICATORS, CONFIG)
    trend = con.sql("SELECT * FROM ind_trend").pl()
    return values, comparisons, trend


def _row(values: pl.DataFrame, ind: str, area: str, year: int = 2023) -> tuple:
    r = values.filter((pl.col("indicator_id") == ind) & (pl.col("area_code") == area)
                      & (pl.col("year") == year)).row(0, named=True)
    def r4(x: float | None) -> float | None:
        return None if x is None else round(x, 4)
    return (r["numerator"], r["denominator"], r4(r["value"]), r4(r["lower"]), r4(r["upper"]),
            r["status"], r["suppression"])


def test_village_sums_numerators_and_denominators(result: tuple) -> None:
    values = result[0]
    # DORP_X = B1 + B2: (100 + 60) / (400 + 100) = 160 / 500 = 32%; Wilson 95% for 160/500:
    # centre 0.32 + z²/1000, half z·sqrt(0.32·0.68/500 + z²/10⁶), over 1 + z²/500
    # = [0.280618, 0.362127].
    assert _row(values, "eenp", "DORP_X") == (160.0, 500.0, 32.0, 28.0618, 36.2127, "ok", None)
    # Not the mean of the two percentages (25% and 60% -> 42.5%).
    assert _row(values, "eenp", B1) == (100.0, 400.0, 25.0, 21.0079, 29.4677, "ok", None)
    # REGIO = GM0001 + GM0002: 550 / 1500 = 36.6667%.
    assert _row(values, "eenp", "REGIO")[:3] == (550.0, 1500.0, 36.6667)


def test_rate_byar_interval_and_small_base_marked_not_hidden(result: tuple) -> None:
    values = result[0]
    # 30 / 2000 x 1000 = 15.0; Byar for O = 30: 30(1 - 1/270 - z/(3√30))³ = 20.2370 and
    # 31(1 - 1/279 + z/(3√31))³ = 42.8285, per 2000 x 1000 -> 10.1185 and 21.4142.
    assert _row(values, "bijstand", "GM0001") == (30.0, 2000.0, 15.0, 10.1185, 21.4142, "ok",
                                                  None)
    # B1 has 3 < 5 bijstand recipients: CBS publishes it, so it is shown with its interval and
    # marked 'small'. 3 / 800 x 1000 = 3.75; a count below 10 gets the exact Poisson interval
    # (Garwood): chi2(0.025; 6)/2 = 0.61867 and chi2(0.975; 8)/2 = 8.76727, per 800 x 1000
    # -> 0.7733 and 10.9591.
    assert _row(values, "bijstand", B1) == (3.0, 800.0, 3.75, 0.7733, 10.9591, "small", None)


def test_a_public_source_gets_no_complementary_suppression(result: tuple) -> None:
    values = result[0]
    # DORP_X shows 13 = 3 + 10 recipients and B1 is shown too: nothing to protect, because
    # CBS publishes both. B2 keeps its figure.
    assert _row(values, "bijstand", "DORP_X")[:3] == (13.0, 1000.0, 13.0)
    assert _row(values, "bijstand", B2)[:3] + _row(values, "bijstand", B2)[5:] == (
        10.0, 200.0, 50.0, "ok", None)
    assert _row(values, "eenp", B2)[5:] == ("ok", None)


def test_published_figures_weighted_and_multiplied(result: tuple) -> None:
    values = result[0]
    # (80·800 + 70·200) / 1000 = 78.0; no interval published -> none.
    assert _row(values, "ervaren", "DORP_X") == (None, None, 78.0, None, None, "ok", None)
    # WOZ in x 1000 euro, weighted with a_woning: (300·400 + 200·100) / 500 = 280 -> € 280.000.
    assert _row(values, "woz", "DORP_X")[2] == 280_000.0
    assert _row(values, "woz", B1)[2] == 300_000.0


def _cmp(comparisons: pl.DataFrame, ind: str, area: str) -> list[tuple]:
    part = comparisons.filter((pl.col("indicator_id") == ind) & (pl.col("area_code") == area)
                              & (pl.col("year") == 2023)).sort("comparator")
    def r4(x: float | None) -> float | None:
        return None if x is None else round(x, 4)
    return [(r["comparator"], r["comparator_code"], r4(r["comparator_value"]),
             r4(r["difference"]), r["comparison"], r["judgement"])
            for r in part.iter_rows(named=True)]


def test_comparisons_from_the_interval_with_polarity(result: tuple) -> None:
    comparisons = result[1]
    # DORP_X 32% [28.06, 36.21]: contains 30 (gemeente) -> similar; below 36.67 and 40 -> lower.
    # Neutral polarity: a difference is 'neutral', never better or worse.
    assert _cmp(comparisons, "eenp", "DORP_X") == [
        ("gemeente", "GM0001", 30.0, 2.0, "similar", "similar"),
        ("land", "NL00", 40.0, -8.0, "lower", "neutral"),
        ("regio", "REGIO", 36.6667, -4.6667, "lower", "neutral"),
    ]
    # B2 60% [50.20, 69.06] lies above all three.
    assert [c[4] for c in _cmp(comparisons, "eenp", B2)] == ["higher"] * 3
    # GM0001 bijstand 15 [10.12, 21.41] vs Nederland 5 -> higher; lower is better -> worse.
    # A gemeente is not compared with itself.
    assert _cmp(comparisons, "bijstand", "GM0001") == [
        ("land", "NL00", 5.0, 10.0, "higher", "worse"),
        ("regio", "REGIO", 13.3333, 1.6667, "similar", "similar"),
    ]
    # A small base is never called significant: B1's interval [0.75, 10.96] lies below the
    # gemeente's 15, yet the verdict is 'not_tested'. Differences: 3.75 - 15, - 5, - 13.3333.
    assert [c[3:] for c in _cmp(comparisons, "bijstand", B1)] == [
        (-11.25, "not_tested", "not_tested"), (-1.25, "not_tested", "not_tested"),
        (-9.5833, "not_tested", "not_tested")]
    # Published percentage without interval: the difference, no verdict.
    assert _cmp(comparisons, "ervaren", "DORP_X") == [
        ("gemeente", "GM0001", 75.0, 3.0, "not_tested", "not_tested"),
        ("land", "NL00", 79.0, -1.0, "not_tested", "not_tested"),
        ("regio", "REGIO", 75.6667, 2.3333, "not_tested", "not_tested"),
    ]


def test_rank_and_quintile_within_the_region(result: tuple) -> None:
    values = result[0]
    ranked = values.filter((pl.col("indicator_id") == "eenp") & (pl.col("year") == 2023)
                           & pl.col("rank").is_not_null()).sort("area_code")
    # 'eenp' is neutral: ranked from highest to lowest. Buurten: B2 60% (1), B3 28% (2),
    # B1 25% (3); quintile = (rank - 1)·5 // 3 + 1. The only wijk ranks 1 of 1. Villages,
    # gemeenten and the regio are not ranked.
    assert ranked.select("area_code", "rank", "n_ranked", "quintile").rows() == [
        (B1, 3, 3, 4), (B2, 1, 3, 1), (B3, 2, 3, 2), ("WK000100", 1, 1, 1)]


def test_trend_latest_change_and_its_test(result: tuple) -> None:
    trend = result[2].filter(pl.col("indicator_id").is_in(["eenp", "bijstand"])).sort(
        "indicator_id", "area_code")
    got = [(r["indicator_id"], r["area_code"], r["prev_year"], r["year"], round(r["change"], 4)
            if r["change"] is not None else None, r["test"], r["verdict"])
           for r in trend.iter_rows(named=True)]
    assert got == [
        # GM0001 60/2000 -> 30/2000: se = sqrt(60/2000² + 30/2000²) = 0.004743; |Δ| = 0.015
        # = 3.16 se > 1.96 -> significant.
        ("bijstand", "GM0001", 2022, 2023, -15.0, "poisson", "significant"),
        # NL00 10000 -> 10000 per 2 million: no change.
        ("bijstand", "NL00", 2022, 2023, 0.0, "poisson", "not_significant"),
        # REGIO 2022 lacks GM0002 -> 'incomplete' -> no test.
        ("bijstand", "REGIO", 2022, 2023, None, "none", "not_tested"),
        # GM0001 27% -> 30% of 1000: se = sqrt(.27·.73/1000 + .3·.7/1000) = 0.020177;
        # 0.03 = 1.49 se -> not significant.
        ("eenp", "GM0001", 2022, 2023, 3.0, "two_proportion_z", "not_significant"),
        # NL00 39% -> 40% of a million: se = 0.000691; 0.01 = 14.5 se -> significant.
        ("eenp", "NL00", 2022, 2023, 1.0, "two_proportion_z", "significant"),
        ("eenp", "REGIO", 2022, 2023, None, "none", "not_tested"),
    ]


def test_a_part_without_denominator_makes_the_village_incomplete() -> None:
    # B2 publishes its numerator but has no a_hh row: summing 100 + 60 over 400 alone would
    # claim 40% for the village, so the village is 'incomplete' instead.
    con = region_db([("kwb", B1, 2023, "a_1p_hh", 100.0, "ok"),
                     ("kwb", B1, 2023, "a_hh", 400.0, "ok"),
                     ("kwb", B2, 2023, "a_1p_hh", 60.0, "ok")],
                    members=[("DORP_X", B1), ("DORP_X", B2)])
    raw = compute.gather(con, INDICATORS[0], CONFIG).sort("area_code")
    assert raw.select("area_code", "num", "den", "status").rows() == [
        (B1, 100.0, 400.0, "ok"), (B2, 60.0, None, "missing"),
        ("DORP_X", None, None, "incomplete")]


def test_only_the_profiled_levels_and_own_areas_are_compared() -> None:
    """A region that profiles wijken compares its wijken and its village, not its buurten or
    gemeenten (no profile shows their comparisons); their values are computed all the same."""
    rows = [("kwb", area, 2023, var, float(v), "ok", None, None)
            for area, vals in OBS_2023.items() for var, v in zip(VARS, vals, strict=False)]
    con = region_db(rows, AREAS, [("DORP_X", B1), ("DORP_X", B2)])
    wijken = CONFIG.model_copy(update={"areas": CONFIG.areas.model_copy(
        update={"levels": ["wijk"]})})
    values, comparisons = compute.compute(con, INDICATORS, wijken)
    compared = sorted(set(comparisons["area_code"]))
    valued = sorted(set(values.filter(pl.col("value").is_not_null())["area_code"]))
    assert compared == ["DORP_X", "WK000100"]
    assert valued == sorted(["NL00", "GM0001", "GM0002", "WK000100", B1, B2, B3, "DORP_X",
                             "REGIO"])
    # Each compared area against the config's default comparators, per indicator.
    assert comparisons.height == 2 * len(INDICATORS) * len(CONFIG.comparators)
    assert _cmp(comparisons, "eenp", "WK000100") == _cmp(
        compute.compute(con, INDICATORS, CONFIG)[1], "eenp", "WK000100")
