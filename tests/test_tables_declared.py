"""The demo database has exactly the tables and columns core/tables.py declares."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from wijkdata.core import tables
from wijkdata.core.config import load_region
from wijkdata.ingest import provenance
from wijkdata.pipeline.build import BuildOptions, build


def test_demo_database_matches_the_declared_tables(project: Path) -> None:
    region = load_region("demo", project)
    result = build(region, BuildOptions(formats=("html",)), lambda _: None)
    con = duckdb.connect(str(result.db_path), read_only=True)
    try:
        names = {n for (n,) in con.sql("SELECT table_name FROM information_schema.tables "
                                       "WHERE table_type = 'BASE TABLE'").fetchall()}
        declared = {n for n in names if not n.startswith("raw_")}
        assert declared == set(tables.TABLES)
        for name, schema in tables.TABLES.items():
            got = con.sql(f'SELECT * FROM "{name}" LIMIT 0').pl().schema
            assert got == pl.Schema(schema), name
        ids = {s.id for s in region.config.sources}
        assert {n for n in names if n.startswith("raw_")} == {f"raw_{i}" for i in ids}
        views = {n for (n,) in con.sql("SELECT table_name FROM information_schema.tables "
                                       "WHERE table_type = 'VIEW'").fetchall()}
        assert views == {f"stg_{i}" for i in ids}
        for view in views:
            got = con.sql(f'SELECT * FROM "{view}" LIMIT 0').pl().schema
            assert got == pl.Schema(tables.OBSERVATION), view
    finally:
        con.close()
    # The rows 'wijkdata sources' shows before a build are the rows the build records.
    recorded = provenance.recorded(result.db_path)
    planned = provenance.planned(region, region.data_dir())
    keys = ["source_id", "kind", "path", "sha256", "publisher", "title", "table_id", "year",
            "licence"]
    assert [{k: r[k] for k in keys} for r in recorded] == sorted(
        ({k: r[k] for k in keys} for r in planned), key=lambda r: r["source_id"])
    assert {r["loaded_at"] for r in planned} == {provenance.NOT_BUILT}
