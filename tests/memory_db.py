"""An in-memory region database for given/expect tests of compute: the tables ingest writes, with
the columns ``core/tables.py`` declares, filled from plain tuples."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import duckdb
import polars as pl

from wijkdata.core.db import write_table
from wijkdata.core.tables import TABLES


def add_table(con: duckdb.DuckDBPyConnection, name: str, rows: Iterable[Sequence[Any]],
              columns: Sequence[str] | None = None) -> None:
    """Table ``name`` as declared; each row gives ``columns`` (default: the declared columns
    from the first, a short row leaving the rest NULL), every other column is NULL."""
    schema = TABLES[name]
    given = list(columns or schema)
    full = [dict(zip(given, (*r, *[None] * (len(given) - len(r))), strict=True)) for r in rows]
    write_table(con, name, pl.DataFrame(full, schema=schema, strict=False))


def region_db(observations: Iterable[Sequence[Any]], areas: Iterable[Sequence[Any]] = (),
              members: Iterable[tuple[str, str]] = (),
              parts: Iterable[tuple[str, str]] | None = None,
              provenance: Iterable[tuple[str, str | None]] | None = None,
              ) -> duckdb.DuckDBPyConnection:
    """``observation`` rows (source_id, area_code, year, variable, value, status[, lower,
    upper]), ``area`` rows (code, name, level, parent_code, gemeente_code), custom area members
    and, when given, custom area parts and the sources' (source_id, age_group)."""
    con = duckdb.connect(":memory:")
    add_table(con, "observation", observations)
    add_table(con, "area", areas)
    add_table(con, "custom_area_member", members)
    if parts is not None:
        add_table(con, "custom_area_part", parts)
    if provenance is not None:
        add_table(con, "provenance", provenance, ("source_id", "age_group"))
    return con
