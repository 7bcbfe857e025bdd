"""report.region_tables: what the report loads from a region database, as typed rows.

The database is made in memory from the declared tables (tests/memory_db.py), a few rows each,
so every loaded figure can be checked by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wijkdata.core.config import Region, RegionConfig
from wijkdata.core.tables import TABLES, AreaRow, CharacteristicRow, ComparisonRow, TrendRow
from wijkdata.indicators.definitions import Indicator
from wijkdata.report.region_tables import RegionTables, comparable_tables
from wijkdata.report.report_types import Source

from .memory_db import add_table, region_db

EENP = Indicator.model_validate({
    "id": "eenp", "title": "Eenpersoonshuishoudens", "description": "d", "theme": "demografie",
    "statistic": "proportion", "numerator": "a_1p_hh", "denominator": "a_hh",
    "multiplier": 100, "unit": "%", "format": "percent_1", "polarity": "lower_is_better",
    "interval": "wilson", "sources": ["cbs_kwb"]})
AREAS = [("GM0001", "Agemeente", "gemeente", None, "GM0001"),
         *[(f"WK00010{i}", f"Wijk {i}", "wijk", "GM0001", "GM0001") for i in range(1, 6)],
         ("BU00010101", "Kern", "buurt", "WK000101", "GM0001"),
         ("DORP_A", "Adorp", "custom", "GM0001", "GM0001")]


@pytest.fixture
def tables(tmp_path: Path) -> RegionTables:
    con = region_db([("kwb", "WK000101", 2023, "a_1p_hh", 10.0, "ok"),
                     ("kwb", "WK000101", 2022, "a_1p_hh", 12.0, "ok")], AREAS,
                    members=[("DORP_A", "BU00010101")], parts=[("DORP_A", "BU00010101")])
    for name in TABLES:
        if name not in ("observation", "area", "custom_area_member", "custom_area_part"):
            add_table(con, name, [])
    add_table(con, "provenance", [("kwb", "cbs_kwb", "kwb.csv", "ab12", "CBS", "Kerncijfers",
                                   "85618NED", "CC BY 4.0", None, 2023)],
              ("source_id", "kind", "path", "sha256", "publisher", "title", "table_id",
               "licence", "age_group", "year"))
    # The wijken's 2023 figures 10, 20, 30, 40, 50; WK000101 also 2022 (given after 2023).
    add_table(con, "ind_value",
              [("eenp", f"WK00010{i}", 2023, None, None, 10.0 * i, None, None, "ok")
               for i in range(1, 6)]
              + [("eenp", "WK000101", 2022, None, None, 12.0, None, None, "ok"),
                 ("eenp", "GM0001", 2023, None, None, 99.0, None, None, "ok")])
    # In no particular order, as the build writes them (comparisons.py): readers look up.
    add_table(con, "ind_comparison", [
        ("eenp", "WK000101", 2023, "regio", "REGIO", 50.0, -40.0, "lower", "better"),
        ("eenp", "WK000102", 2023, "gemeente", "GM0001", 99.0, -79.0, "lower", "better"),
        ("eenp", "WK000101", 2022, "gemeente", "GM0001", None, None, "not_tested",
         "not_tested"),
        ("eenp", "WK000101", 2023, "gemeente", "GM0001", 99.0, -89.0, "lower", "better")])
    add_table(con, "ind_trend", [("eenp", "WK000101", 2023, 2022, 10.0, 12.0, -2.0,
                                  "two_proportion_z", "not_significant")])
    add_table(con, "geometry", [("WK000101", "wijk", "{}"), ("BU00010101", "buurt", "{}")])
    # Ranks given out of order: the groups come nearest first.
    add_table(con, "comparable_area", [("WK000101", 2, "WK000103", 1.5),
                                       ("WK000101", 1, "WK000102", 0.5)])
    add_table(con, "comparable_characteristic", [("wijk", "eenp", 30.0, 15.8, 5)])
    region = Region(slug="t", path=tmp_path / "t.yml", project=tmp_path,
                    config=RegionConfig.model_validate({
                        "name": "T", "gemeenten": ["GM0001"],
                        "sources": [{"id": "kwb", "kind": "cbs_kwb", "path": "kwb.csv",
                                     "year": 2023}]}))
    try:
        return RegionTables(con, region, [EENP])
    finally:
        con.close()


def test_areas_names_and_figures_as_typed_rows(tables: RegionTables) -> None:
    assert tables.area["BU00010101"] == AreaRow("BU00010101", "Kern", "buurt", "WK000101",
                                                "GM0001")
    assert (tables.name_of("WK000102"), tables.name_of("WK999999", "?")) == ("Wijk 2", "?")
    assert tables.gemeente_name("BU00010101") == "Agemeente"
    assert tables.gemeente_name("WK999999") == ""
    # Each area's series in year order; latest is the newest year.
    assert [(r.year, r.value) for r in tables.values[("eenp", "WK000101")]] == [
        (2022, 12.0), (2023, 10.0)]
    latest = tables.latest("eenp", "WK000101")
    assert latest is not None and (latest.year, latest.value) == (2023, 10.0)
    assert tables.latest("eenp", "BU00010101") is None
    assert tables.comps[("eenp", "WK000101", 2023)] == {
        "gemeente": ComparisonRow("eenp", "WK000101", 2023, "gemeente", "better", "GM0001",
                                  99.0),
        "regio": ComparisonRow("eenp", "WK000101", 2023, "regio", "better", "REGIO", 50.0)}
    assert tables.comps[("eenp", "WK000101", 2022)] == {"gemeente": ComparisonRow(
        "eenp", "WK000101", 2022, "gemeente", "not_tested", "GM0001", None)}
    assert tables.comps[("eenp", "WK000102", 2023)]["gemeente"].comparator_value == 99.0
    assert tables.trend[("eenp", "WK000101")] == TrendRow(
        "eenp", "WK000101", 2023, 2022, 10.0, 12.0, -2.0, "two_proportion_z",
        "not_significant")


def test_spread_is_over_the_wijken_only(tables: RegionTables) -> None:
    # 10, 20, 30, 40, 50: min 10, quartiles at positions 1 and 3 of 0..4 -> 20 and 40, max 50;
    # the gemeente's 99 is no wijk, 2022 has one wijk only.
    assert tables.spread[("eenp", 2023, "wijk")] == (10.0, 20.0, 40.0, 50.0)
    assert tables.spread[("eenp", 2022, "wijk")] == (12.0, 12.0, 12.0, 12.0)
    assert ("eenp", 2023, "gemeente") not in tables.spread


def test_members_shapes_sources_and_comparable_groups(tables: RegionTables) -> None:
    assert tables.members == {"DORP_A": ["BU00010101"]}
    assert tables.parts == {"DORP_A": ["BU00010101"]}
    assert [g.code for g in tables.shapes[("wijk", "0001")]] == ["WK000101"]
    assert [g.code for g in tables.shapes[("buurt", "0001")]] == ["BU00010101"]
    assert tables.sources == [Source("kwb", "CBS", "Kerncijfers", "85618NED", 2023,
                                     "CC BY 4.0", "kwb.csv", "ab12", kind="cbs_kwb")]
    # The newest KWB year's areas: only WK000101 has 2023 observations.
    assert tables.current == {"WK000101"}
    assert tables.groups == {"WK000101": ["WK000102", "WK000103"]}
    assert tables.characteristics == {"wijk": [CharacteristicRow("wijk", "eenp", 30.0, 15.8,
                                                                 5)]}


def test_a_database_from_before_the_comparator_has_no_groups() -> None:
    con = region_db([], AREAS)
    try:
        assert comparable_tables(con) == ({}, {})
    finally:
        con.close()
