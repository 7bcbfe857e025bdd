"""Fingerprints of everything a build reads, and the decision what a build may skip.

This module runs nothing: it hashes inputs and compares them with what the last build recorded.
Three nested keys decide what a build must redo (the pipeline in ``build.py`` does the work):

- ``ingest``: package version, the package's files (code *and* package data such as
  ``sources/kwb_columns/*.yml``), the region config, every source file and every lookup table a
  source names. Recorded inside the DuckDB file (table ``build_inputs``); when it matches, the
  database is reused as it is.
- ``compute``: the ingest key plus every indicator YAML file (the build parses all of them).
  When only this differs, indicators are recomputed on a copy of the database.
- ``render``: the compute key plus templates, the logo, ``configs/<regio>/`` and
  ``configs/shared/`` (extras shown in profiles), the build options and ``SOURCE_DATE_EPOCH``.
  Recorded next to the outputs (``.wijkdata-manifest.json``); ``--if-changed`` stops when it
  matches and every output recorded there still exists.

The database also records the hashes of the data files it was made from, so that a sharded
build (``prepare`` / ``build --shard`` / ``assemble``) can fingerprint a render on a machine
that holds the prepared database but not the raw data.

Files are hashed by content (sha256). To keep a no-change check fast on large source files, a
file whose size and modification time equal those recorded by the previous build reuses the
recorded hash instead of being read again (the same trade-off ``make`` and ``rsync`` make).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from wijkdata import __version__
from wijkdata.core import atomic
from wijkdata.core.config import Region
from wijkdata.core.plugins import plugin_files
from wijkdata.ingest.datapaths import source_path

MANIFEST_NAME = ".wijkdata-manifest.json"
KEYS_TABLE = "build_inputs"
FILES_TABLE = "build_input_files"
CLOCK = "clock"  # the build_inputs row holding the epoch seconds the database was made at
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the wijkdata package, not pipeline/


@dataclass
class Hasher:
    """sha256 of files, reusing hashes from a previous build when size and mtime match."""

    known: dict[str, dict[str, Any]] = field(default_factory=dict)
    seen: dict[str, dict[str, Any]] = field(default_factory=dict)

    def file(self, path: Path) -> str:
        key = str(path.resolve())
        if key in self.seen:
            return str(self.seen[key]["sha256"])
        try:
            st = path.stat()
        except OSError:
            digest = "missing"
            self.seen[key] = {"sha256": digest}
            return digest
        old = self.known.get(key)
        if old and old.get("size") == st.st_size and old.get("mtime_ns") == st.st_mtime_ns:
            digest = str(old["sha256"])
        else:
            h = hashlib.sha256()
            with path.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
            digest = h.hexdigest()
        self.seen[key] = {"sha256": digest, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
        return digest

    def tree(self, folder: Path, patterns: Iterable[str] = ("*",)) -> str:
        """One hash over the relative names and contents of the files below ``folder``."""
        if not folder.is_dir():
            return "absent"
        files = sorted({p for pat in patterns for p in folder.rglob(pat) if p.is_file()
                        and "__pycache__" not in p.parts})
        return _combine((str(p.relative_to(folder)), self.file(p)) for p in files)

    def path(self, path: Path) -> str:
        """A file, or a folder of files (a cbs_odata source is a folder of saved pages)."""
        return self.tree(path) if path.is_dir() else self.file(path)


@functools.cache
def package_hash() -> str:
    """Every file of the installed wijkdata package, code and data (hashed once per process).

    Package data counts as much as code: ``sources/kwb_columns/2023.yml`` decides which CBS
    column becomes which variable. Once per process, so a file edited while a build runs cannot
    make one build disagree with itself.
    """
    files = sorted(p for p in PACKAGE_DIR.rglob("*") if p.is_file()
                   and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo"))
    return _combine((str(p.relative_to(PACKAGE_DIR)), hashlib.sha256(p.read_bytes()).hexdigest())
                    for p in files)


def _combine(parts: Iterable[tuple[str, str]]) -> str:
    h = hashlib.sha256()
    for name, value in parts:
        h.update(f"{name}\0{value}\n".encode())
    return h.hexdigest()


@dataclass(frozen=True)
class Keys:
    ingest: str
    compute: str
    render: str


@dataclass(frozen=True)
class SourceHashes:
    """The data files' share of the ingest key: one hash per source (and lookup table), and
    each hashed file by its manifest name. Recorded in the database for sharded builds."""

    parts: tuple[tuple[str, str], ...]
    files: dict[str, str]


@dataclass(frozen=True)
class Fingerprint:
    keys: Keys
    sources: SourceHashes
    inputs: dict[str, str]  # manifest name -> sha256 of every file hashed (data and project)


def hash_sources(region: Region, data_dir: Path, hasher: Hasher) -> SourceHashes:
    """Hash every data file the region's sources read."""
    before = set(hasher.seen)
    parts: list[tuple[str, str]] = []
    for s in region.config.sources:
        parts.append((f"source:{s.id}", hasher.path(source_path(region, s, data_dir))))
        for key, value in s.data_paths():
            if key != ("path",):  # a table read beside the file (csv: label_lookup)
                parts.append((f"{'.'.join(map(str, key))}:{s.id}", hasher.path(data_dir / value)))
    files = {_name(Path(k), region.project): v["sha256"] for k, v in hasher.seen.items()
             if k not in before}
    return SourceHashes(tuple(parts), files)


def fingerprint(region: Region, sources: SourceHashes, options: dict[str, Any],
                hasher: Hasher, compared: tuple[str, ...]) -> Fingerprint:
    """The three stage keys for this region's project files, these data files and options;
    ``compared``: the levels the indicators step compares (``comparisons.compared_levels``)."""
    project = region.project
    # Plugins named in $WIJKDATA_PLUGINS are code outside the package: a source kind's reader.
    plugins = [(f"plugin:{p}", hashlib.sha256(p.read_bytes()).hexdigest())
               for p in plugin_files()]
    ingest = _combine([("version", __version__), ("package", package_hash()), *plugins,
                       ("config", hasher.file(region.path)), *sources.parts])
    compute = _combine([("ingest", ingest),
                        ("indicators", hasher.tree(project / "indicators", ("*.yml", "*.yaml"))),
                        ("compared", ",".join(compared))])
    logo = region.logo_path()
    render = _combine([
        ("compute", compute),
        ("templates", hasher.tree(project / "templates")),
        # Per-region and shared extras shown in the profiles (speerpunten, netwerk, practices).
        ("region_files", hasher.tree(project / "configs" / region.slug)),
        ("shared_files", hasher.tree(project / "configs" / "shared")),
        ("logo", hasher.file(logo) if logo else "none"),
        ("options", json.dumps(options, sort_keys=True, default=str)),
        ("source_date_epoch", os.environ.get("SOURCE_DATE_EPOCH", "")),
    ])
    inputs = {_name(Path(k), project): v["sha256"] for k, v in hasher.seen.items()}
    inputs.update(sources.files)
    return Fingerprint(Keys(ingest, compute, render), sources, dict(sorted(inputs.items())))


def _name(path: Path, project: Path) -> str:
    """A file's name in the manifest: no absolute paths, so two machines write the same bytes."""
    if path.is_relative_to(project.resolve()):
        return str(path.relative_to(project.resolve()))
    return "data/" + path.name  # a --data-dir outside the project


# --- What the database was made from ------------------------------------------------------

def record(con: duckdb.DuckDBPyConnection, fp: Fingerprint, made_at: datetime) -> None:
    """Store the ingest and compute keys, the data files' hashes and the build clock in a new
    database (a sharded build renders every part with the clock of its ``prepare``)."""
    rows = [("ingest", fp.keys.ingest), ("compute", fp.keys.compute),
            (CLOCK, str(int(made_at.timestamp()))), *fp.sources.parts]
    con.execute(f"CREATE OR REPLACE TABLE {KEYS_TABLE} (stage VARCHAR, key VARCHAR)")
    con.executemany(f"INSERT INTO {KEYS_TABLE} VALUES (?, ?)", rows)
    con.execute(f"CREATE OR REPLACE TABLE {FILES_TABLE} (name VARCHAR, sha256 VARCHAR)")
    con.executemany(f"INSERT INTO {FILES_TABLE} VALUES (?, ?)",
                    sorted(fp.sources.files.items()))


def recorded(db_path: Path) -> tuple[dict[str, str], SourceHashes | None]:
    """The keys recorded in a database and its data files' hashes ({} and None when the
    database is absent or was written by an older version)."""
    if not db_path.exists():
        return {}, None
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error:
        return {}, None
    try:
        rows = con.execute(f"SELECT stage, key FROM {KEYS_TABLE}").fetchall()
        files = con.execute(f"SELECT name, sha256 FROM {FILES_TABLE} ORDER BY name").fetchall()
    except duckdb.Error:
        return {}, None
    finally:
        con.close()
    keys = {str(s): str(k) for s, k in rows}
    parts = tuple((str(s), str(k)) for s, k in rows if s not in ("ingest", "compute", CLOCK))
    return keys, SourceHashes(parts, {str(n): str(h) for n, h in files})


def database_work(fp: Fingerprint, db_keys: dict[str, str]) -> str:
    """What the database needs: ``"ingest"`` (and compute), ``"compute"`` or ``"none"``."""
    if db_keys.get("ingest") != fp.keys.ingest:
        return "ingest"
    return "none" if db_keys.get("compute") == fp.keys.compute else "compute"


# --- What the outputs were made from ------------------------------------------------------

def manifest_path(out_dir: Path) -> Path:
    return out_dir / MANIFEST_NAME


def cache_path(region: Region) -> Path:
    return region.project / "data" / "processed" / f"{region.slug}.hashes.json"


def load(out_dir: Path) -> dict[str, Any]:
    """The manifest of the last build into ``out_dir``, or {} when none can be read."""
    return _read_json(manifest_path(out_dir))


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def hasher_for(region: Region) -> Hasher:
    """A hasher primed with the sizes, times and hashes seen by the region's last build."""
    return Hasher(known=_read_json(cache_path(region)))


def text(fp: Fingerprint, outputs: list[str]) -> str:
    """The manifest's bytes: keys, input hashes and output names, no times, no absolute paths,
    so two builds of the same inputs (on one machine or assembled from shards) agree."""
    data = {
        "version": __version__,
        "keys": {"ingest": fp.keys.ingest, "compute": fp.keys.compute,
                 "render": fp.keys.render},
        "outputs": sorted(outputs),
        "inputs": fp.inputs,
    }
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def remember_hashes(region: Region, hasher: Hasher) -> None:
    """Keep sizes, times and hashes in data/processed so the next check reads no file twice."""
    atomic.write_text(cache_path(region), json.dumps(hasher.seen, indent=0, sort_keys=True))


def is_current(out_dir: Path, keys: Keys) -> bool:
    """True when the last build into ``out_dir`` used exactly these inputs and left its files."""
    data = load(out_dir)
    recorded_keys = data.get("keys")
    if not isinstance(recorded_keys, dict) or recorded_keys.get("render") != keys.render:
        return False
    outputs = data.get("outputs")
    if not isinstance(outputs, list) or not outputs:
        return False
    return all((out_dir / str(name)).is_file() for name in outputs)


def build_options(formats: tuple[str, ...], areas: tuple[str, ...],
                  levels: tuple[str, ...] | None) -> dict[str, Any]:
    """The options that change what a build writes (part of the render key)."""
    # The output folder itself is not part of it: the manifest lives inside that folder.
    return {"formats": sorted(formats), "areas": sorted(areas),
            "levels": sorted(levels) if levels else None}
