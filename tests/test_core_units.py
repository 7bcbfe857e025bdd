"""core.codes and core.db on their own: code classification, DuckDB helpers, atomic replace."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import polars as pl
import pytest

from wijkdata.core import codes
from wijkdata.core.db import (
    connect_existing,
    current_areas,
    frame,
    has_table,
    replacing,
    sql_text,
    write_table,
)
from wijkdata.core.errors import DataError

from .memory_db import add_table, region_db


@pytest.mark.parametrize(("code", "level", "gemeente", "wijk"), [
    ("NL00", "land", None, None),
    ("NL01", "land", None, None),
    ("GM0197", "gemeente", "GM0197", None),
    ("WK019701", "wijk", "GM0197", None),
    ("BU01970102", "buurt", "GM0197", "WK019701"),
    ("BU0363AA01", "buurt", "GM0363", "WK0363AA"),  # Amsterdam's letters
    ("BU0197010", None, None, None),  # one digit short
    ("DORP_ESVELD", None, None, None),
])
def test_code_classification(code: str, level: str | None, gemeente: str | None,
                             wijk: str | None) -> None:
    assert codes.level_of(code) == level
    assert codes.gemeente_of(code) == gemeente
    assert codes.wijk_of(code) == wijk


def test_normalise_pads_case_and_the_two_country_codes() -> None:
    assert codes.normalise("  wk019701 ") == "WK019701"
    assert codes.normalise("NL01") == codes.LAND == "NL00"
    df = pl.DataFrame({"c": ["GM0197    ", "nl01", "NL", "bu01970101"]})
    assert df.select(codes.normalise_expr("c")).to_series().to_list() == [
        "GM0197", "NL00", "NL00", "BU01970101"]


def test_hierarchy_parents_and_gemeenten() -> None:
    h = codes.hierarchy(pl.Series(["BU01970101", "WK019701", "GM0197", "NL00", "BU01970101"]))
    assert h.rows() == [
        ("BU01970101", "buurt", "WK019701", "GM0197"),
        ("GM0197", "gemeente", "NL00", "GM0197"),
        ("NL00", "land", None, None),
        ("WK019701", "wijk", "GM0197", "GM0197"),
    ]


def test_frame_with_parameters_and_write_table_order(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    write_table(con, "t", pl.DataFrame({"k": ["b", "a", "c"], "v": [2, 1, 3]}), order_by="k")
    assert frame(con, "SELECT * FROM t").rows() == [("a", 1), ("b", 2), ("c", 3)]
    assert frame(con, "SELECT v FROM t WHERE k = ?", ["o'b"]).height == 0
    assert frame(con, "SELECT v FROM t WHERE k = ?", ["c"]).rows() == [(3,)]
    con.close()


def test_sql_text_doubles_quotes_and_has_table_looks_by_name() -> None:
    assert sql_text("Gemeente 's-Hertogenbosch") == "'Gemeente ''s-Hertogenbosch'"
    con = duckdb.connect(":memory:")
    quoted = sql_text("it's")
    assert con.execute(f"SELECT {quoted}").fetchall() == [("it's",)]
    con.execute("CREATE TABLE area (code VARCHAR)")
    assert (has_table(con, "area"), has_table(con, "geometry")) == (True, False)
    con.close()


def test_current_areas_are_those_of_the_newest_kwb_year() -> None:
    # KWB 2022 has WK01 and WK02, KWB 2023 WK01 and WK03; the monitor's 2024 WK04 is no KWB.
    con = region_db([("kwb_2022", "WK01", 2022, "a_inw", 1.0, "ok"),
                     ("kwb_2022", "WK02", 2022, "a_inw", 1.0, "ok"),
                     ("kwb_2023", "WK01", 2023, "a_inw", 1.0, "ok"),
                     ("kwb_2023", "WK03", 2023, "a_inw", 1.0, "ok"),
                     ("ggd", "WK04", 2024, "roken", 20.0, "ok")])
    add_table(con, "provenance", [("kwb_2022", "cbs_kwb"), ("kwb_2023", "cbs_odata"),
                                  ("ggd", "ggd_monitor")], ("source_id", "kind"))
    assert current_areas(con) == {"WK01", "WK03"}
    # Without any KWB source there is no indeling to go by: every area counts.
    add_table(con, "provenance", [("ggd", "ggd_monitor")], ("source_id", "kind"))
    assert current_areas(con) is None
    con.close()


def test_connect_existing_names_the_missing_database(tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        connect_existing(tmp_path / "geen.duckdb")
    assert str(err.value) == (f"no database at {tmp_path / 'geen.duckdb'}\n"
                              "  hint: run 'wijkdata build' first")


def test_replacing_keeps_the_old_database_on_failure_and_clears_stale_files(
        tmp_path: Path) -> None:
    db = tmp_path / "r.duckdb"
    db.write_bytes(b"old")
    stale = tmp_path / ".r.duckdb.tmp-99999999"
    stale.write_bytes(b"from a killed run")
    with pytest.raises(RuntimeError), replacing(db) as tmp:
        assert not stale.exists()
        tmp.write_bytes(b"half")
        raise RuntimeError("crash")
    assert db.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.duckdb"]
    with replacing(db, from_current=True) as tmp:
        assert tmp.name == f".r.duckdb.tmp-{os.getpid()}"
        assert tmp.read_bytes() == b"old"
        tmp.write_bytes(b"new")
    assert db.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.duckdb"]
