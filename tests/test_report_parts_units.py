"""The parts of a profile's context, each on its own: area selection, prose and charts, given rows
made by hand (no database, no build)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wijkdata.core.config import Region, RegionConfig
from wijkdata.core.tables import AreaRow, CharacteristicRow, TrendRow, ValueRow
from wijkdata.indicators import trends
from wijkdata.indicators.definitions import Indicator
from wijkdata.report import area_selection, profile_charts, profile_prose
from wijkdata.report.findings import Finding
from wijkdata.report.report_types import Cell, KeyFigure, Row, Theme

EENP = Indicator.model_validate({
    "id": "eenp", "title": "Eenpersoonshuishoudens", "description": "d", "theme": "demografie",
    "statistic": "proportion", "numerator": "a", "denominator": "b", "multiplier": 100,
    "unit": "%", "format": "percent_1", "polarity": "lower_is_better", "interval": "wilson",
    "sources": ["x"], "key": True})
NEUTRAL = EENP.model_copy(update={"polarity": "neutral"})
CONFIG = RegionConfig.model_validate({
    "name": "Testregio", "gemeenten": ["GM0001"], "comparators": ["gemeente", "regio", "land"],
    "areas": {"levels": ["wijk", "buurt"],
              "custom": [{"code": "DORP_A", "name": "Adorp", "buurten": ["BU00010101"]}]},
    "sources": [{"id": "kwb", "kind": "cbs_kwb", "path": "kwb.csv", "year": 2023}]})


def _value(**cols: Any) -> ValueRow:
    return ValueRow(**{"indicator_id": "eenp", "area_code": "WK000101", "year": 2023,
                       "status": "ok", **cols})


def _row(value: Cell, comparisons: dict[str, Cell], status: str = "ok") -> Row:
    return Row(EENP, 2023, value, "", comparisons, "", "", "", "", status)


# --- area selection ---------------------------------------------------------------------------

def test_profile_codes_are_the_levels_inside_the_region_then_the_custom_areas(
        tmp_path: Path) -> None:
    region = Region(slug="t", path=tmp_path / "t.yml", config=CONFIG, project=tmp_path)
    area = {a.code: a for a in [
        AreaRow("GM0001", "Agemeente", "gemeente", None, "GM0001"),
        AreaRow("WK000102", "Oost", "wijk", "GM0001", "GM0001"),
        AreaRow("WK000101", "West", "wijk", "GM0001", "GM0001"),
        AreaRow("BU00010101", "Kern", "buurt", "WK000101", "GM0001"),
        AreaRow("WK000201", "Elders", "wijk", "GM0002", "GM0002"),  # not in the region
        AreaRow("DORP_A", "Adorp", "custom", "GM0001", "GM0001")]}
    # Sorted by code, gemeente and other regions left out, the custom area last.
    assert area_selection.profile_codes(region, area) == [
        "BU00010101", "WK000101", "WK000102", "DORP_A"]
    # Only the newest indeling: WK000102 is gone from it.
    assert area_selection.profile_codes(region, area, current={"WK000101", "BU00010101"}) == [
        "BU00010101", "WK000101", "DORP_A"]
    assert area_selection.profile_codes(region, area, levels=["gemeente"]) == [
        "GM0001", "DORP_A"]


def test_what_an_area_is_compared_with_and_made_of() -> None:
    assert area_selection.comparators_for(CONFIG, "wijk") == ["gemeente", "regio", "land"]
    assert area_selection.comparators_for(CONFIG, "gemeente") == ["regio", "land"]
    parts = {"DORP_W": ["WK000101", "WK000102"], "DORP_M": ["WK000101", "BU00010201"]}
    assert area_selection.part_word(parts, "DORP_W", "custom") == "wijken"
    assert area_selection.part_word(parts, "DORP_M", "custom") == "buurten"
    assert area_selection.part_word(parts, "DORP_X", "custom") == "buurten"
    assert area_selection.part_word(parts, "GG1413", "regio") == "gemeenten"
    assert area_selection.part_word(parts, "GM0001", "gemeente") == "buurten"
    assert [area_selection.spread_level(lvl) for lvl in ("buurt", "wijk", "custom", "gemeente")
            ] == ["buurt", "wijk", "wijk", "wijk"]
    wijk_only = EENP.model_copy(update={"levels": ["wijk"]})
    assert area_selection.shown_indicators([EENP, wijk_only], "buurt") == [EENP]


# --- prose ------------------------------------------------------------------------------------

def test_interval_and_rank_in_words() -> None:
    # 670 of 2350: 28.51%, Wilson 26.72 to 30.37 (see test_context_report.py).
    assert profile_prose.interval_text(_value(lower=26.72, upper=30.37), "percent_1") == (
        "26,7% – 30,4%")
    assert profile_prose.interval_text(_value(lower=26.72), "percent_1") == ""
    ranked = _value(rank=3, n_ranked=12, quintile=2)
    assert profile_prose.rank_text(ranked, EENP, "wijk") == (
        "3 van 12 wijken (gunstigste eerst; kwintiel 2)")
    assert profile_prose.rank_text(ranked, NEUTRAL, "buurt") == (
        "3 van 12 buurten (hoogste eerst; kwintiel 2)")
    assert profile_prose.rank_text(_value(), EENP, "wijk") == ""


def test_trend_text_says_the_change_and_only_the_verdict_of_the_years_shown() -> None:
    pts = [(2020, 30.0), (2022, 27.5), (2023, 31.0)]  # 31.0 - 27.5 = +3.5 points
    tested = TrendRow("eenp", "WK000101", 2023, 2022, verdict="significant")
    assert profile_prose.trend_text(pts, "percent_1", tested, True) == (
        "↑ +3,5 procentpunt sinds 2022 (significant)")
    assert profile_prose.trend_text(pts, "percent_1", tested, False) == (
        "↑ +3,5 procentpunt sinds 2022")
    assert profile_prose.trend_text(pts, "percent_1", None, False) == (
        "↑ +3,5 procentpunt sinds 2022")
    changed = TrendRow("eenp", "WK000101", 2023, 2022, verdict=trends.CHANGED)
    assert profile_prose.trend_text(pts, "percent_1", changed, True) == (
        "indeling gewijzigd sinds 2022")
    assert profile_prose.trend_text(pts[:1], "percent_1", None, False) == ""


def test_comparators_in_running_text() -> None:
    assert [profile_prose.comparator_word(c) for c in ("gemeente", "regio", "land")] == [
        "gemeente", "regio", "Nederland"]
    assert profile_prose.comparator_names("buurt", "Agemeente", "GGD Testregio") == {
        "gemeente": "Agemeente", "regio": "GGD Testregio", "land": "Nederland",
        "vergelijkbaar": "vergelijkbare buurten"}
    assert profile_prose.comparator_names("custom", "A", "R")["vergelijkbaar"] == (
        "vergelijkbare wijken")


def test_comparable_method_names_the_characteristics_and_the_pool() -> None:
    rows = {"wijk": [CharacteristicRow("wijk", "eenp", 38.24, 6.46, 1234),
                     CharacteristicRow("wijk", "inkomen", 31.0, 4.26, 1230)]}
    method = profile_prose.comparable_method(rows, [EENP], "Testregio")
    assert method == {"wijk": (
        "De vergelijkbare wijken zijn de wijken die het meest op dit gebied lijken, gezocht "
        "onder de 1.234 wijken in de gegevens van Testregio. Kenmerken: eenpersoonshuishoudens "
        "(gemiddeld 38,2, standaardafwijking 6,5), inkomen (gemiddeld 31,0, standaardafwijking "
        "4,3). Elk kenmerk is gestandaardiseerd (z-score: verschil met het gemiddelde gedeeld "
        "door de standaardafwijking); de afstand is de euclidische afstand tussen de z-scores. "
        "De waarde van de groep telt de aantallen van de vergelijkbare gebieden op "
        "(percentages en cijfers per 1.000) of weegt gepubliceerde cijfers met het aantal "
        "inwoners of huishoudens; ze wordt getoetst zoals de gemeente.")}


def test_key_figure_compares_with_the_nearest_comparator() -> None:
    gemeente = Cell("30,1%", judgement="similar", symbol="● gelijk", value=30.1)
    regio = Cell("31,0%", judgement="worse", symbol="▼ ongunstiger", value=31.0)
    value = Cell("28,5%", value=28.5)
    assert profile_prose.key_figure(_row(value, {"gemeente": gemeente, "regio": regio})) == (
        KeyFigure("Eenpersoonshuishoudens", "28,5%", "", "gemeente: 30,1%", "● gelijk",
                  "similar", 2023, "eenp"))
    # A gemeente profile has no gemeente to compare with: the regio.
    assert profile_prose.key_figure(_row(value, {"regio": regio})).comparison == "regio: 31,0%"
    small = Cell("28,5%", value=28.5, status="small", mark="klein aantal: onzeker")
    assert profile_prose.key_figure(_row(small, {"gemeente": gemeente})).comparison == (
        "klein aantal: onzeker; gemeente: 30,1%")


def test_findings_only_from_tested_differences_or_large_untested_gaps() -> None:
    names = profile_prose.comparator_names("wijk", "Agemeente", "Testregio")
    worse = Cell("25,0%", judgement="worse", value=25.0)
    found = profile_prose.findings_for(EENP, "West", _row(Cell("28,5%", value=28.5),
                                                          {"gemeente": worse}), names)
    # 28.5 against 25.0: 3.5 / 25.0 = 0.14 of the gemeente's figure.
    assert found == [Finding(
        "eenp", "demografie",
        "In West ligt de waarde voor eenpersoonshuishoudens hoger dan gemiddeld in de gemeente "
        "Agemeente (28,5% tegen 25,0%); dat is ongunstig.", "worse", 3.5 / 25.0, "gemeente",
        "higher", False)]
    # A small base proves nothing; a similar figure is no finding, nor an untested gap of
    # 4.9 points (below 5); an untested gap of 6.0 points is, with Nederland.
    assert profile_prose.findings_for(EENP, "West", _row(Cell("28,5%", value=28.5),
                                                         {"gemeente": worse}, "small"),
                                      names) == []
    similar = {"gemeente": Cell("28,0%", judgement="similar", value=28.0),
               "land": Cell("23,6%", judgement="not_tested", value=23.6)}
    assert profile_prose.findings_for(EENP, "West", _row(Cell("28,5%", value=28.5), similar),
                                      names) == []
    similar["land"] = Cell("22,5%", judgement="not_tested", value=22.5)
    [gap] = profile_prose.findings_for(EENP, "West", _row(Cell("28,5%", value=28.5), similar),
                                       names)
    assert (gap.judgement, gap.comparator, gap.direction, gap.text) == (
        "untested", "land", "higher",
        "In West ligt de waarde voor eenpersoonshuishoudens hoger dan gemiddeld in Nederland "
        "(28,5% tegen 22,5%); niet getoetst, want de bron geeft geen marge.")


# --- charts -----------------------------------------------------------------------------------

def test_age_chart_table_has_area_and_gemeente_per_age_group() -> None:
    shares = {"WK000101": [15.0, 10.2, 25.0, 27.6, 22.2],
              "GM0001": [16.0, 11.0, 24.0, 28.0, None]}
    ids = [ind_id for _, ind_id in profile_charts.AGE_GROUPS]

    def latest(ind_id: str, code: str) -> ValueRow | None:
        v = shares.get(code, [None] * 5)[ids.index(ind_id)]
        return None if v is None else _value(indicator_id=ind_id, area_code=code, value=v)

    svg, table = profile_charts.age_chart(latest, "WK000101", "GM0001", "West")
    assert table == [("0-14 jaar", "15,0%", "16,0%"), ("15-24 jaar", "10,2%", "11,0%"),
                     ("25-44 jaar", "25,0%", "24,0%"), ("45-64 jaar", "27,6%", "28,0%"),
                     ("65+ jaar", "22,2%", "")]
    assert 'aria-label="Leeftijdsopbouw van West"' in svg
    assert profile_charts.age_chart(latest, "WK999999", "GM0001", "Nergens") == ("", [])


def test_theme_chart_pairs_each_percentage_with_its_nearest_comparator() -> None:
    gemeente = Cell("30,1%", value=30.1)
    theme = Theme("demografie", "Bevolking", [
        _row(Cell("28,5%", value=28.5), {"gemeente": gemeente, "land": Cell("27,0%",
                                                                            value=27.0)}),
        _row(Cell("12,0%", value=12.0), {}),
        _row(Cell("geen gegevens"), {"gemeente": gemeente})])  # no value: no bar
    profile_charts.theme_chart(theme, "West")
    assert theme.chart_rows == [("Eenpersoonshuishoudens", 28.5), ("gemeente", 30.1),
                                ("Eenpersoonshuishoudens", 12.0), ("", None)]
    assert theme.chart_table == [("Eenpersoonshuishoudens", "28,5%", "30,1%"),
                                 ("Eenpersoonshuishoudens", "12,0%", "geen gegevens")]
    assert 'aria-label="Bevolking: West tegen de gemeente"' in theme.chart_svg


def test_trend_line_and_position_spine_only_when_there_is_something_to_draw() -> None:
    assert profile_charts.trend_line([(2023, 28.5)], EENP) == ""
    assert 'aria-label="Trend Eenpersoonshuishoudens"' in profile_charts.trend_line(
        [(2022, 27.5), (2023, 28.5)], EENP)
    comps = {"gemeente": Cell("30,1%", judgement="similar", value=30.1)}
    assert profile_charts.position_spine(EENP, 28.5, None, comps, "wijk") == ""
    assert profile_charts.position_spine(EENP, None, (10.0, 20.0, 40.0, 50.0), comps,
                                         "wijk") == ""
    spine = profile_charts.position_spine(EENP, 28.5, (10.0, 20.0, 40.0, 50.0), comps, "buurt")
    assert 'aria-label="Eenpersoonshuishoudens: positie tussen de buurten van de regio"' in spine


def test_a_count_is_placed_among_the_wijken_without_the_gemeente_line() -> None:
    inwoners = Indicator.model_validate({
        "id": "inwoners", "title": "Aantal inwoners", "description": "d", "theme": "demografie",
        "statistic": "count", "numerator": "a_inw", "unit": "inwoners", "format": "number_0",
        "polarity": "neutral", "interval": "none", "sources": ["x"]})
    comps = {"gemeente": Cell("18.070", judgement="not_tested", value=18070.0)}
    spine = profile_charts.position_spine(inwoners, 2350.0, (45.0, 900.0, 2700.0, 3120.0),
                                          comps, "wijk")
    # The scale is the wijken's range, 45 to 3,120 over 146 px from x = 7: the dot at
    # 7 + (2,350 - 45) / 3,075 x 146 = 116.4 (with the gemeente's 18,070 on it: 25.7).
    assert '<circle cx="116.4"' in spine
    assert "<line" not in spine
    # A percentage keeps its gemeente line.
    pct = profile_charts.position_spine(EENP, 28.5, (10.0, 20.0, 40.0, 50.0),
                                        {"gemeente": Cell("30,1%", value=30.1)}, "wijk")
    assert '<line x1="' in pct
