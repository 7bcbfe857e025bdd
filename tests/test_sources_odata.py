"""cbs_odata reader: saved v3 and v4 pages into observations, with exact values."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from wijkdata.core.errors import DataError
from wijkdata.core.source_kinds import SourceOptions, source_options
from wijkdata.ingest.sources import cbs_odata

FIX = Path(__file__).parent / "fixtures" / "sources"


def _src(**kw: object) -> SourceOptions:
    return source_options(id="o", kind="cbs_odata", path="x", **kw)


def test_v4_observations_long_rows_with_value_attributes() -> None:
    loaded = cbs_odata.read(_src(odata_version=4), FIX / "v4-observations.json")
    rows = sorted(loaded.observations.select("area_code", "year", "variable", "value",
                                             "status").rows())
    assert rows == [
        ("BU01970101", 2020, "t001036", None, "suppressed_by_source"),
        ("GM0197", 2020, "m000100", None, "not_applicable"),
        ("GM0197", 2020, "t001036", 27121.0, "ok"),
        ("GM0197", 2021, "t001036", 27290.0, "ok"),
        ("WK019701", 2020, "t001036", 4115.0, "ok"),
    ]
    assert loaded.notes == ["left out 1 rows with non-yearly periods (quarters, months)"]


def test_v4_declared_measures_and_year(tmp_path: Path) -> None:
    loaded = cbs_odata.read(_src(odata_version=4, year=2021, columns={"a_inw": "T001036"}),
                            FIX / "v4-observations.json")
    assert loaded.observations.select("area_code", "variable", "value").rows() == [
        ("GM0197", "a_inw", 27290.0)]


def test_v4_declared_measure_that_is_absent() -> None:
    with pytest.raises(DataError) as err:
        cbs_odata.read(_src(columns={"a_inw": "T009999"}), FIX / "v4-observations.json")
    assert err.value.message == (f"{FIX / 'v4-observations.json'}: measure 'T009999' (project "
                                 "variable 'a_inw') not in the Observations")


def test_folder_without_pages_says_to_fetch(tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        cbs_odata.read(_src(), tmp_path)
    assert str(err.value) == (f"{tmp_path}: no saved API pages (page-0001.json, ...)\n"
                              "  hint: run 'wijkdata fetch' for this region first")


def test_a_truncated_saved_page_is_a_data_error(tmp_path: Path) -> None:
    (tmp_path / "page-0001.json").write_text('{"value": [{"Id": 0,', encoding="utf-8")
    with pytest.raises(DataError) as err:
        cbs_odata.read(_src(), tmp_path)
    assert err.value.message.startswith(f"{tmp_path / 'page-0001.json'}: not a complete JSON "
                                        "response (")


def test_variable_names_keep_the_number_when_two_keys_share_a_name() -> None:
    assert cbs_odata.variable_names(
        ["Appartement_48", "Appartement_56", "AantalInwoners_5"], "_x") == {
        "appartement_48_x": "Appartement_48", "appartement_56_x": "Appartement_56",
        "aantal_inwoners_x": "AantalInwoners_5"}


def test_v3_real_aalten_page_with_filters(shared_data: Path, tmp_path: Path) -> None:
    page = (shared_data / "cbs" / "odata_fixtures" / "kwb_84799ned" /
            "TypedDataSet_Aalten_GM0197.json")
    shutil.copy(page, tmp_path / "page-0001.json")
    src = _src(year=2020, filters={"WijkenEnBuurten": ["WK0197"]},
               columns={"a_inw": "AantalInwoners", "a_65_oo": "k_65JaarOfOuder"})
    obs = cbs_odata.read(src, tmp_path).observations
    rows = {r[0]: r[1] for r in obs.filter(variable="a_inw").select("area_code", "value").rows()}
    raw = {r["WijkenEnBuurten"].strip(): r["AantalInwoners_5"]
           for r in json.loads(page.read_bytes())["value"]
           if r["WijkenEnBuurten"].startswith("WK")}
    assert rows == {k: float(v) for k, v in raw.items()}
    assert sorted(rows) == ["WK019701", "WK019702", "WK019703", "WK019704"]
    assert rows["WK019701"] == 4115.0


def test_v3_other_dimension_must_be_filtered(shared_data: Path) -> None:
    page = shared_data / "cbs" / "odata_fixtures" / "v3_80137ned" / "TypedDataSet.json"
    with pytest.raises(DataError) as err:
        cbs_odata.read(_src(code_column="BedrijfstakkenSBI93"), page)
    assert err.value.message == (
        f"{page}: dimension 'Persoonskenmerken' has 9 values (1, 2, 3, 4, 5, ...)")
