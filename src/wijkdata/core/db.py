"""Small DuckDB helpers shared by ingest, compute and the report context."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl

from .atomic import note_replaced
from .errors import DataError


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    """Run a query and return a polars frame."""
    return con.sql(sql, params=params or None).pl()


# A table or column name written into SQL (DuckDB takes values as parameters, never names):
# lower-case letters, digits and _ only, so it needs no quoting and cannot end the statement.
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def identifier(name: str) -> str:
    """``name`` checked to be a plain identifier (the whitelist above), else ValueError."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return name


def sql_text(text: str) -> str:
    """A SQL string literal: the one place text is quoted into SQL by hand.

    Only for what DuckDB cannot take as a parameter (a view's definition, the literal rows
    of a generated statement); values in queries go as ``params``.
    """
    return "'" + text.replace("'", "''") + "'"


def write_table(con: duckdb.DuckDBPyConnection, name: str, df: pl.DataFrame,
                order_by: str | None = None) -> None:
    """Create (or replace) table ``name`` from a polars frame."""
    table = identifier(name)
    order = (" ORDER BY " + ", ".join(identifier(c.strip()) for c in order_by.split(","))
             if order_by else "")
    con.register("_wd_frame", df.to_arrow())
    try:
        con.execute(f'CREATE OR REPLACE TABLE "{table}" AS SELECT * FROM _wd_frame{order}')
    finally:
        con.unregister("_wd_frame")


def connect_existing(path: Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    if not path.exists():
        raise DataError(f"no database at {path}", hint="run 'wijkdata build' first")
    return duckdb.connect(str(path), read_only=read_only)


@contextlib.contextmanager
def replacing(db_path: Path, *, from_current: bool = False) -> Iterator[Path]:
    """Yield a temporary database path; it replaces ``db_path`` only if the block succeeds.

    Ingest builds a new database this way and an incremental recompute edits a copy
    (``from_current``), so a failed or killed run always leaves the last good database.
    Temporary files of earlier, killed runs are removed first (the caller holds the lock).
    """
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for stale in db_path.parent.glob(f".{db_path.name}.tmp-*"):
        stale.unlink(missing_ok=True)
    tmp = db_path.with_name(f".{db_path.name}.tmp-{os.getpid()}")
    try:
        if from_current:
            shutil.copyfile(db_path, tmp)
        yield tmp
        os.replace(tmp, db_path)
        note_replaced(db_path)
    finally:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)


def current_areas(con: duckdb.DuckDBPyConnection) -> set[str] | None:
    """Areas of the newest CBS indeling in the data, or None when no KWB source was loaded.

    Boundaries and older monitor years name wijken and buurten that no longer exist (a national
    build saw 282 such wijken); a profile of a vanished area would be almost empty, so only areas
    present in the newest Kerncijfers year are profiled.
    """
    rows = con.execute(
        "WITH kwb AS (SELECT o.area_code, o.year FROM observation o "
        "JOIN provenance p USING (source_id) WHERE p.kind IN ('cbs_kwb', 'cbs_odata')) "
        "SELECT DISTINCT area_code FROM kwb WHERE year = (SELECT max(year) FROM kwb)"
    ).fetchall()
    return {r[0] for r in rows} or None
def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT table_name FROM duckdb_tables() WHERE table_name = ?",
                            [name]).fetchall())
