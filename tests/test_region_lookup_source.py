"""region_lookup: gemeente -> GGD-regio from a StatLine label CSV (BOM, quoted, padded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from wijkdata.core.errors import DataError
from wijkdata.core.source_kinds import SourceOptions, kinds, source_options
from wijkdata.ingest.sources import region_lookup

FIX = Path(__file__).resolve().parent / "fixtures" / "region_lookup"
GM_COL = "Codes en namen van gemeenten/Code (code)"
GG_COL = "Lokaliseringen van gemeenten/GGD-regio's/Code (code)"


def _source(path: str = "ggd_regio.csv", **kw: object) -> SourceOptions:
    return source_options(id="ggd_regio", kind="region_lookup", path=path, **kw)


def test_registered_as_a_source_kind() -> None:
    assert kinds()["region_lookup"] is region_lookup.KIND


def test_reads_codes_and_names_stripped_and_sorted() -> None:
    loaded = region_lookup.read(_source(), FIX / "ggd_regio.csv")
    assert loaded.lookups is not None
    assert loaded.lookups.rows() == [
        ("GM0197", "GG1413", "GGD Noord- en Oost-Gelderland"),
        ("GM9901", "GG0001", "GGD Vreedebeek"),
        ("GM9902", "GG0002", "GGD Lindenoord en Omstreken"),
    ]
    assert loaded.lookups.columns == ["gemeente_code", "regio_code", "regio_name"]
    assert loaded.observations.height == 0
    assert loaded.rows == 3


def test_columns_can_be_named_explicitly() -> None:
    src = _source(columns={"gemeente": GM_COL, "regio_code": GG_COL,
                           "regio_name": "Regio's"})
    loaded = region_lookup.read(src, FIX / "ggd_regio.csv")
    assert loaded.lookups is not None
    # "Regio's" holds the gemeente names here: the explicit choice wins over detection.
    assert loaded.lookups.row(0) == ("GM0197", "GG1413", "Aalten")


def test_explicit_column_that_does_not_exist() -> None:
    src = _source(columns={"gemeente": "Gemeente", "regio_code": GG_COL, "regio_name": "x"})
    with pytest.raises(DataError) as err:
        region_lookup.read(src, FIX / "ggd_regio.csv")
    assert err.value.message == (f"{FIX / 'ggd_regio.csv'}: column 'Gemeente' (columns.gemeente "
                                 "of source 'ggd_regio') not found")


def test_gemeente_without_regio_code_names_row_and_column() -> None:
    path = FIX / "missing_regio.csv"
    with pytest.raises(DataError) as err:
        region_lookup.read(_source("missing_regio.csv"), path)
    assert err.value.message == (f"{path}, row 3, column '{GG_COL}': gemeente GM9902 has no "
                                 "regio code (got '', expected e.g. GG1413)")


def test_gemeente_listed_twice() -> None:
    path = FIX / "duplicate_gemeente.csv"
    with pytest.raises(DataError) as err:
        region_lookup.read(_source("duplicate_gemeente.csv"), path)
    assert err.value.message == (f"{path}, column '{GM_COL}': gemeente GM9901 appears twice "
                                 "(rows 2 and 4); a gemeente lies in one regio")


@pytest.mark.slow
def test_real_gebieden_in_nederland_2023(shared_data: Path) -> None:
    path = shared_data / "cbs" / "gebieden_in_nederland_2023_gemeente_ggdregio.csv"
    loaded = region_lookup.read(_source(path.name), path)
    table = loaded.lookups
    assert table is not None
    assert table.height == 342
    assert table["regio_code"].n_unique() == 25
    row = table.filter(table["gemeente_code"] == "GM0197").row(0)
    assert row == ("GM0197", "GG1413", "GGD Noord- en Oost-Gelderland")
    achterhoek = ["GM0197", "GM1859", "GM1876", "GM0222", "GM1955", "GM1586", "GM1509",
                  "GM0294"]
    regios = set(table.filter(table["gemeente_code"].is_in(achterhoek))["regio_code"])
    assert regios == {"GG1413"}
