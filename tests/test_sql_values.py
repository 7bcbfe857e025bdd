"""SQL gets values as parameters; a name that must be written into SQL is checked first."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.test_sources_gpkg import SQUARE, _blob
from wijkdata.core.db import identifier, write_table
from wijkdata.core.errors import DataError
from wijkdata.core.source_kinds import source_options
from wijkdata.ingest.sources import boundaries


@pytest.mark.parametrize("name", ["raw_kwb_2023", "stg_ggd_2020_65plus", "area", "_wd_frame"])
def test_plain_identifiers_pass(name: str) -> None:
    assert identifier(name) == name


@pytest.mark.parametrize("name", ['x"; DROP TABLE area; --', "Area", "raw-kwb", "", "a b",
                                  "ä", "x" * 64])
def test_other_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a plain SQL identifier"):
        identifier(name)


def test_write_table_refuses_a_hostile_table_or_order_name() -> None:
    con = duckdb.connect()
    frame = pl.DataFrame({"code": ["b", "a"]})
    with pytest.raises(ValueError):
        write_table(con, 'area" AS SELECT 1; --', frame)
    with pytest.raises(ValueError):
        write_table(con, "area", frame, order_by="code; DROP TABLE area")
    write_table(con, "area", frame, order_by="code")
    assert con.execute("SELECT code FROM area").fetchall() == [("a",), ("b",)]


def _layer(path: Path, table: str, listed: str | None = None) -> None:
    con = sqlite3.connect(path)
    quoted = '"' + table.replace('"', '""') + '"'
    con.executescript(
        "CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, "
        "geometry_type_name TEXT, srs_id INTEGER, z INTEGER, m INTEGER);"
        f"CREATE TABLE {quoted} (fid INTEGER PRIMARY KEY, geom BLOB, buurtcode TEXT, "
        "buurtnaam TEXT);")
    con.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'MULTIPOLYGON', 28992, "
                "0, 0)", (listed or table,))
    con.execute(f"INSERT INTO {quoted} VALUES (1, ?, 'BU02330001', 'Testbuurt')",
                (_blob(SQUARE),))
    con.commit()
    con.close()


def test_a_layer_name_with_a_quote_is_read_as_a_name(tmp_path: Path) -> None:
    path = tmp_path / "b.gpkg"
    _layer(path, 'buurten "2023"')
    loaded = boundaries.read(source_options(id="b", kind="boundaries", path="b.gpkg"), path)
    assert loaded.geometry is not None
    assert loaded.geometry["code"].to_list() == ["BU02330001"]


def test_a_listed_layer_that_is_no_table_of_the_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "b.gpkg"
    _layer(path, "buurten", listed='buurten" UNION SELECT * FROM sqlite_master --')
    with pytest.raises(DataError) as err:
        boundaries.read(source_options(id="b", kind="boundaries", path="b.gpkg"), path)
    assert str(err.value) == (
        f"{path}: layer 'buurten\" UNION SELECT * FROM sqlite_master --' is listed in "
        "gpkg_geometry_columns but is not a table of the file")
