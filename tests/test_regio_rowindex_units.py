"""ingest.regio (the regional comparator) and report.rowindex (lazy rows per area) on their own."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from wijkdata.core.config import Region, RegionConfig
from wijkdata.core.errors import DataError
from wijkdata.core.tables import IND_VALUE, ValueRow
from wijkdata.ingest import regio
from wijkdata.report.rowindex import AreaRows, by_indicator_area

SOURCES = [{"id": "kwb", "kind": "cbs_kwb", "path": "kwb.csv", "year": 2023},
           {"id": "ggd_regios", "kind": "region_lookup", "path": "regios.csv"}]
LOOKUP = pl.DataFrame({
    "gemeente_code": ["GM0197", "GM1859", "GM0200", "GM0202"],
    "regio_code": ["GG1413", "GG1413", "GG1414", "GG1414"],
    "regio_name": ["GGD Noord- en Oost-Gelderland"] * 2 + ["GGD Gelderland-Midden"] * 2,
})


def _region(tmp_path: Path, gemeenten: list[str], lookup: bool) -> Region:
    raw = {"name": "Test", "gemeenten": gemeenten, "sources": SOURCES}
    if lookup:
        raw["regio_lookup"] = "ggd_regios"
    cfg = RegionConfig.model_validate(raw)
    return Region(slug="t", path=tmp_path / "t.yml", config=cfg, project=tmp_path)


def test_without_lookup_the_regio_is_the_config_gemeenten(tmp_path: Path) -> None:
    region = _region(tmp_path, ["GM0197", "GM1859"], lookup=False)
    assert regio.member_table(region, {}).height == 0
    sql = regio.groups_sql(region.config)
    assert sql == "SELECT 'REGIO', unnest(['GM0197', 'GM1859'])"
    assert duckdb.sql(sql).fetchall() == [("REGIO", "GM0197"), ("REGIO", "GM1859")]


def test_with_lookup_each_used_regio_keeps_all_its_gemeenten(tmp_path: Path) -> None:
    region = _region(tmp_path, ["GM0197"], lookup=True)
    members = regio.member_table(region, {"ggd_regios": LOOKUP})
    assert members.rows() == [("GG1413", "GGD Noord- en Oost-Gelderland", "GM0197"),
                              ("GG1413", "GGD Noord- en Oost-Gelderland", "GM1859")]
    area = pl.DataFrame({"code": ["NL00", "REGIO", "GM0197"], "name": ["Nederland", "Regio",
                                                                       "Aalten"],
                         "level": ["land", "regio", "gemeente"],
                         "parent_code": [None, "NL00", "NL00"],
                         "gemeente_code": [None, None, "GM0197"]})
    out = regio.with_regio_areas(region, area, members)
    assert out.rows() == [("NL00", "Nederland", "land", None, None),
                          ("GM0197", "Aalten", "gemeente", "NL00", "GM0197"),
                          ("GG1413", "GGD Noord- en Oost-Gelderland", "regio", "NL00", None)]
    assert regio.groups_sql(region.config) == (
        "SELECT regio_code, gemeente_code FROM regio_member")


def test_a_gemeente_missing_from_the_lookup_is_named(tmp_path: Path) -> None:
    region = _region(tmp_path, ["GM0197", "GM9999"], lookup=True)
    with pytest.raises(DataError) as err:
        regio.member_table(region, {"ggd_regios": LOOKUP})
    assert str(err.value) == (
        f"{tmp_path / 't.yml'}: gemeente GM9999 is not in the regio lookup 'ggd_regios' "
        "(1 missing)\n  hint: use a lookup of the same year as the gemeentelijke indeling "
        "of the data")


def test_area_rows_load_one_area_at_a_time_in_frame_order() -> None:
    given = pl.DataFrame({"indicator_id": ["a", "a", "b", "a"],
                          "area_code": ["WK2", "WK1", "WK1", "WK1"],
                          "year": [2023, 2022, 2023, 2023], "status": ["ok"] * 4,
                          "value": [5.0, 1.0, 7.0, 2.0]})
    # The table's other columns, NULL, as ind_value has them.
    frame = given.with_columns(pl.lit(None, dtype=t).alias(c) for c, t in IND_VALUE.items()
                               if c not in given.columns)
    rows = AreaRows(frame, ValueRow, by_indicator_area)
    assert rows[("a", "WK1")] == [ValueRow("a", "WK1", 2022, "ok", 1.0),
                                  ValueRow("a", "WK1", 2023, "ok", 2.0)]
    assert rows._loaded == {"WK1"}  # WK2 not turned into rows yet
    assert ("b", "WK2") not in rows
    assert ("a", "WK3") not in rows
    assert rows.get(("b", "WK1")) == [ValueRow("b", "WK1", 2023, "ok", 7.0)]
    assert sorted(rows) == [("a", "WK1"), ("a", "WK2"), ("b", "WK1")]
    assert len(rows) == 3
