"""Run a region's ingest stages into a DuckDB file.

raw files -> ``raw_<id>`` (as read, codes stripped) -> ``observation`` (long, typed, with status,
all stages; ``stg_<id>`` is the view of one stage) + ``area``, ``custom_area_member``,
``geometry``, ``provenance``.

The database is written to a temporary file and renamed over the previous one only when every
stage succeeded, so a failed or killed ingest leaves the last good database in place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from wijkdata.core import codes, memory
from wijkdata.core.clock import build_timestamp
from wijkdata.core.config import Region, Source
from wijkdata.core.db import identifier, replacing, sql_text, write_table
from wijkdata.core.errors import DataError
from wijkdata.core.testhooks import pause_point

from . import provenance, regio
from .datapaths import describe_missing, fetch_hint, source_path
from .provenance import sha256_file
from .sources import Loaded, read_source
from .sources.scope import reading_for

Progress = Callable[[str], None]


@dataclass(frozen=True)
class StageResult:
    source: Source
    path: Path
    rows: int
    observations: int
    sha256: str
    notes: tuple[str, ...]


def read_stage(region: Region, source: Source, data_dir: Path) -> tuple[Loaded, Path]:
    path = source_path(region, source, data_dir)
    if not path.exists():
        raise DataError(
            f"data not found for source {source.label} in {region.path.name}: "
            f"{describe_missing(region, source, data_dir)}",
            hint=fetch_hint(region, source),
        )
    with reading_for(region.config.gemeenten):  # a national table: the region's rows
        return read_source(source, path), path


def _in_region(frame: pl.DataFrame, col: str, gemeenten: list[str]) -> pl.DataFrame:
    return frame.filter((pl.col(col) == codes.LAND)
                        | codes.gemeente_expr(col).is_in(gemeenten).fill_null(False))


def ingest(region: Region, db_path: Path, data_dir: Path, progress: Progress
           ) -> list[StageResult]:
    """Load every stage into a new database that replaces ``db_path`` only when all succeeded.

    A build does more in the same temporary database (see ``build.py``) and calls :func:`load`.
    """
    with replacing(db_path) as tmp:
        con = duckdb.connect(str(tmp))
        try:
            return load(con, region, data_dir, progress)
        finally:
            con.close()


def load(con: duckdb.DuckDBPyConnection, region: Region, data_dir: Path,
         progress: Progress) -> list[StageResult]:
    """Run every ingest stage of the region into ``con`` (an empty database)."""
    cfg = region.config
    results: list[StageResult] = []
    area_codes: list[pl.Series] = []
    names: list[pl.DataFrame] = []
    geoms: list[pl.DataFrame] = []
    lookups: dict[str, pl.DataFrame] = {}
    for i, source in enumerate(cfg.sources, start=1):
        where = source_path(region, source, data_dir)
        if source.optional and not where.exists():
            progress(f"warning: optional source {source.label} left out: not found "
                     f"({describe_missing(region, source, data_dir)}); "
                     f"{fetch_hint(region, source)} to add it")
            continue
        progress(f"[{i}/{len(cfg.sources)}] {source.kind} '{source.id}': {where}")
        try:
            results.append(_load_stage(con, region, source, data_dir, i, first=not results,
                                       into=(area_codes, names, geoms, lookups)))
        except Exception as exc:
            # Python's or DuckDB's out-of-memory while this file was read, filtered or
            # written (polars aborts the process instead when its own allocations fail).
            if memory.is_out_of_memory(exc):
                raise memory.reading(where) from None
            raise
    _check_duplicates(con)
    area = _areas(region, area_codes, names, geoms)
    regio_members = regio.member_table(region, lookups)
    write_table(con, "regio_member", regio_members)
    area = regio.with_regio_areas(region, area, regio_members)
    write_table(con, "area", area, order_by="code")
    members = _members(region, area)
    write_table(con, "custom_area_member", members)
    write_table(con, "custom_area_part", _parts(region, members))
    geo = (pl.concat(geoms).unique("code", keep="first").sort("code") if geoms
           else pl.DataFrame(schema={"code": pl.String, "level": pl.String,
                                     "geojson": pl.String}))
    write_table(con, "geometry", geo)
    for line in coverage_warnings(region, area, set(geo["code"].to_list())):
        progress("warning: " + line)
    _provenance(con, results)
    return results


_Collected = tuple[list[pl.Series], list[pl.DataFrame], list[pl.DataFrame],
                   dict[str, pl.DataFrame]]


def _load_stage(con: duckdb.DuckDBPyConnection, region: Region, source: Source,
                data_dir: Path, i: int, *, first: bool, into: _Collected) -> StageResult:
    """Read one source, write its raw table and observations, and collect its areas, names,
    lookups and shapes into ``into`` (for the area table built after all sources)."""
    cfg = region.config
    area_codes, names, geoms, lookups = into
    loaded, path = read_stage(region, source, data_dir)
    obs = _in_region(loaded.observations, "area_code", cfg.gemeenten)
    for col in ("lower", "upper"):
        if col not in obs.columns:
            obs = obs.with_columns(pl.lit(None, pl.Float64).alias(col))
    obs = obs.select(
        pl.lit(source.id).alias("source_id"),
        "area_code", "year", "variable", "value", "status", "lower", "upper",
    )
    write_table(con, f"raw_{source.id}", loaded.raw)
    _append_observations(con, source.id, obs, first=first)
    if first:
        pause_point("ingest")  # crash tests kill the build here
    area_codes.append(obs["area_code"].unique())
    names.append(_in_region(loaded.areas, "code", cfg.gemeenten)
                 .with_columns(pl.lit(i).alias("stage")))
    if loaded.lookups is not None:
        lookups[source.id] = loaded.lookups
    if loaded.geometry is not None:
        geoms.append(_in_region(loaded.geometry, "code", cfg.gemeenten))
    return StageResult(source, path, loaded.rows, obs.height, sha256_file(path),
                       tuple(loaded.notes))

def _append_observations(con: duckdb.DuckDBPyConnection, source_id: str, obs: pl.DataFrame,
                         first: bool) -> None:
    """Append one stage to ``observation``; ``stg_<id>`` is a view of that stage's rows.

    Each stage goes into the table as it is read, in insertion order: no polars concat of all
    stages, no second copy per stage, and no sort (``ORDER BY ALL`` took ~1 s nationally);
    the table is still the same for the same inputs.
    """
    con.register("_wd_obs", obs.to_arrow())
    try:
        con.execute("CREATE TABLE observation AS SELECT * FROM _wd_obs" if first
                    else "INSERT INTO observation SELECT * FROM _wd_obs")
    finally:
        con.unregister("_wd_obs")
    # A view's definition takes no parameters, so the id is quoted (core.db.sql_text); the
    # view's name is checked to be a plain identifier (source ids are, by the config's pattern).
    con.execute(f'CREATE OR REPLACE VIEW "{identifier("stg_" + source_id)}" AS '
                f"SELECT * FROM observation WHERE source_id = {sql_text(source_id)}")


def _check_duplicates(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse a variable given twice for one area and year, e.g. by two overlapping stages.

    Streamed in DuckDB over the ``observation`` table: a grouped count finds the first clash
    (~0.1 s nationally; collecting the sources of every group as well took 0.5 s), and only
    that clash's sources are then looked up.
    """
    row = con.execute("""
        SELECT variable, year, area_code FROM observation
        GROUP BY area_code, year, variable HAVING count(*) > 1
        ORDER BY variable, area_code, year LIMIT 1
    """).fetchone()
    if row is not None:
        variable, year, area_code = row
        sources = [r[0] for r in con.execute(
            "SELECT DISTINCT source_id FROM observation WHERE variable = ? AND year = ? "
            "AND area_code = ? ORDER BY source_id", [variable, year, area_code]).fetchall()]
        raise DataError(
            f"variable '{variable}' for {year} is given twice for "
            f"{area_code} (sources: {', '.join(sources)})",
            hint="two stages load the same year of the same table; keep one",
        )


def _areas(region: Region, area_codes: list[pl.Series], names: list[pl.DataFrame],
           geoms: list[pl.DataFrame]) -> pl.DataFrame:
    cfg = region.config
    all_codes = pl.concat(
        [c.rename("code") for c in area_codes]
        + [n["code"] for n in names]
        + [g["code"] for g in geoms]
    )
    hier = codes.hierarchy(all_codes).filter(pl.col("level").is_not_null())
    name_table = (
        pl.concat(names).filter(pl.col("name").is_not_null() & (pl.col("name") != ""))
        .sort("stage").unique("code", keep="first").select("code", "name")
        if names else pl.DataFrame(schema={"code": pl.String, "name": pl.String})
    )
    area = hier.join(name_table, on="code", how="left").with_columns(
        pl.col("name").fill_null(pl.col("code"))
    )
    known = set(area.filter(pl.col("level").is_in(["buurt", "wijk"]))["code"].to_list())
    for custom in cfg.areas.custom:
        missing = [b for b in custom.buurten + custom.wijken if b not in known]
        if missing:
            kind = "buurt" if missing[0].startswith("BU") else "wijk"
            raise DataError(
                f"{region.path}: custom area {custom.code} ({custom.name}): {kind} {missing[0]} "
                "is not in the data",
                hint="check the code against 'wijkdata check --regio " + region.slug + "'",
            )
    present = set(area["code"].to_list())  # once: per gemeente it cost 0.5 s nationally
    missing_gm = [g for g in cfg.gemeenten if g not in present]
    if missing_gm:
        raise DataError(f"{region.path}: gemeente {missing_gm[0]} is not in the data")
    extra = pl.DataFrame(
        [(c.code, c.name, "custom", c.gemeente_code, c.gemeente_code) for c in cfg.areas.custom]
        + [(codes.REGIO, cfg.regio_label, "regio", codes.LAND, None)],
        schema={"code": pl.String, "name": pl.String, "level": pl.String,
                "parent_code": pl.String, "gemeente_code": pl.String},
        orient="row",
    )
    area = pl.concat([area.select(extra.columns), extra])
    return area.with_columns(
        pl.when(pl.col("code") == codes.LAND).then(pl.lit("Nederland"))
        .otherwise(pl.col("name")).alias("name")
    )


def coverage_warnings(region: Region, area: pl.DataFrame, with_geometry: set[str]) -> list[str]:
    """Per gemeente: profiled areas that have no boundary or no name in the configured files.

    Without this a build silently made map-less profiles titled by their code.
    """
    cfg = region.config
    profiled = [lv for lv in cfg.areas.levels if lv != "gemeente"]
    with_custom = {c.gemeente_code for c in cfg.areas.custom}
    rows = area.filter(pl.col("level").is_in(["wijk", "buurt"])).select(
        "code", "name", "level", "gemeente_code")
    def fix(level: str) -> str:
        src = next((s for s in cfg.sources if s.fetch and s.fetch.collection == level + "en"),
                   None)
        if src is not None:
            return f"run 'wijkdata fetch --regio {region.slug}' (source '{src.id}')"
        return (f"add a boundaries source with fetch: {{publisher: pdok, table: "
                f"wijken-en-buurten-<year>, collection: {level}en}} and run "
                f"'wijkdata fetch --regio {region.slug}'")

    out = []
    for gm in cfg.gemeenten:
        mine = rows.filter(pl.col("gemeente_code") == gm)
        # A village or focus area is drawn from its buurten, so those need boundaries too.
        levels = sorted({*profiled, "buurt"}) if gm in with_custom else profiled
        for level in levels:
            at = mine.filter(pl.col("level") == level)
            if at.height == 0:
                continue
            no_map = [c for c in at["code"].to_list() if c not in with_geometry]
            if len(no_map) == at.height:
                out.append(f"gemeente {gm}: no {level} boundaries in the configured files, so its "
                           f"{level} profiles get no map; {fix(level)}")
            unnamed = at.filter(pl.col("name") == pl.col("code")).height
            if unnamed == at.height:
                out.append(f"gemeente {gm}: no {level} names in the configured files, so its "
                           f"{level} profiles are titled by code; boundaries from PDOK carry "
                           f"the names ({fix(level)})")
    return out


def _members(region: Region, area: pl.DataFrame) -> pl.DataFrame:
    """custom_code -> buurt_code, with ``wijken:`` expanded to the buurten found in the data."""
    buurten = area.filter(pl.col("level") == "buurt")
    rows: list[tuple[str, str]] = []
    for custom in region.config.areas.custom:
        chosen = list(custom.buurten)
        for wijk in custom.wijken:
            chosen += sorted(b for b in buurten.filter(pl.col("parent_code") == wijk)["code"]
                             if b not in chosen)
        if not chosen:
            raise DataError(f"{region.path}: custom area {custom.code} has no buurten in the data")
        rows += [(custom.code, b) for b in chosen]
    return pl.DataFrame(rows, schema={"custom_code": pl.String, "buurt_code": pl.String},
                        orient="row")


def _parts(region: Region, members: pl.DataFrame) -> pl.DataFrame:
    """custom_code -> part_code: what compute sums or weighs for a custom area.

    An area made of whole wijken (``wijken:`` only) is made of those wijken: their own source
    values are used, so a buurt recoded since the source year cannot leave a gap. Otherwise the
    parts are the member buurten.
    """
    rows: list[tuple[str, str]] = []
    for custom in region.config.areas.custom:
        if custom.wijken and not custom.buurten:
            rows += [(custom.code, w) for w in custom.wijken]
        else:
            rows += [(custom.code, b) for b in
                     members.filter(pl.col("custom_code") == custom.code)["buurt_code"]]
    return pl.DataFrame(rows, schema={"custom_code": pl.String, "part_code": pl.String},
                        orient="row")


def _provenance(con: duckdb.DuckDBPyConnection, results: list[StageResult]) -> None:
    rows = [provenance.describe(r.source, r.sha256, r.path)
            | {"rows": r.rows, "observations": r.observations,
               "loaded_at": build_timestamp().isoformat()}
            for r in results]
    df = pl.DataFrame(rows, schema=provenance.SCHEMA)
    write_table(con, "provenance", df)
