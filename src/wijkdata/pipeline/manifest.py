"""Content hashes of a build's inputs, so unchanged work is skipped.

Three nested keys decide what a build must redo:

- ``ingest``: package version and code, the region config and every source file. Stored inside
  the DuckDB file (table ``build_inputs``); when it matches, the database is reused as it is.
- ``compute``: the ingest key plus the selected indicator YAML files. When only this differs,
  indicators are recomputed on a copy of the database and ingest is skipped.
- ``render``: the compute key plus templates, the logo, ``configs/<regio>/`` and
  ``configs/shared/`` (extras shown in profiles) and the build options. Stored next to the
  outputs (``.wijkdata-manifest.json``); ``wijkdata build --if-changed`` stops when it matches
  and every output recorded there still exists.

Files are hashed by content (sha256). To keep a no-change check fast on large source files, a
file whose size and modification time equal those recorded in the previous manifest reuses the
recorded hash instead of being read again (the same trade-off ``make`` and ``rsync`` make).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from wijkdata import __version__
from wijkdata.core import atomic
from wijkdata.core.config import Region
from wijkdata.core.db import replacing
from wijkdata.indicators.definitions import Indicator
from wijkdata.ingest.datapaths import source_path

MANIFEST_NAME = ".wijkdata-manifest.json"
KEYS_TABLE = "build_inputs"
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the wijkdata package, not pipeline/
Progress = Callable[[str], None]


@dataclass
class Hasher:
    """sha256 of files, reusing hashes from a previous manifest when size and mtime match."""

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


@functools.cache
def package_code_hash() -> str:
    """The wijkdata source as this process loaded it (hashed once per process).

    Beyond the version number, so that a developer who edits compute.py gets a recompute; once
    per process, so a file edited while a build runs cannot make one build disagree with itself.
    """
    files = sorted(p for p in PACKAGE_DIR.rglob("*.py") if "__pycache__" not in p.parts)
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


def compute_keys(region: Region, indicators: list[Indicator], data_dir: Path,
                 options: dict[str, Any], hasher: Hasher) -> Keys:
    """The three stage keys for this region, these indicators and these build options."""
    project = region.project
    code = package_code_hash()
    ingest_parts = [("version", __version__), ("code", code),
                    ("config", hasher.file(region.path))]
    # A cbs_odata source is a folder of saved API pages: hash all of them.
    paths = [(s.id, source_path(region, s, data_dir)) for s in region.config.sources]
    ingest_parts += [(f"source:{sid}", hasher.tree(p) if p.is_dir() else hasher.file(p))
                     for sid, p in paths]
    ingest = _combine(ingest_parts)
    ind_root = project / "indicators"
    compute = _combine([("ingest", ingest)] + [
        (f"indicator:{i.id}", hasher.file(_indicator_file(ind_root, i.id, i.theme)))
        for i in sorted(indicators, key=lambda i: i.id)
    ])
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
    return Keys(ingest, compute, render)


def _indicator_file(root: Path, ind_id: str, theme: str) -> Path:
    path = root / theme / f"{ind_id}.yml"
    if path.exists():
        return path
    hits = sorted(root.rglob(f"{ind_id}.y*ml"))
    return hits[0] if hits else path


def read_db_keys(db_path: Path) -> dict[str, str]:
    """The stage keys recorded in a database, or {} when it is absent or from an older build."""
    if not db_path.exists():
        return {}
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error:
        return {}
    try:
        rows = con.execute(f"SELECT stage, key FROM {KEYS_TABLE}").fetchall()
    except duckdb.Error:
        return {}
    finally:
        con.close()
    return {str(s): str(k) for s, k in rows}


def _write_db_keys(con: duckdb.DuckDBPyConnection, keys: Keys) -> None:
    con.execute(f"CREATE OR REPLACE TABLE {KEYS_TABLE} (stage VARCHAR, key VARCHAR)")
    con.execute(f"INSERT INTO {KEYS_TABLE} VALUES ('ingest', ?), ('compute', ?)",
                [keys.ingest, keys.compute])


def refresh_database(region: Region, keys: Keys, db_path: Path, data_dir: Path,
                     progress: Progress,
                     finish: Callable[[duckdb.DuckDBPyConnection], None]) -> str:
    """Bring the database up to date doing only the stages whose inputs changed.

    Returns what ran: ``"ingest"`` (ingest and compute), ``"compute"`` or ``"none"``.
    """
    from wijkdata.ingest.run import ingest

    recorded = read_db_keys(db_path)
    if recorded.get("ingest") == keys.ingest:
        if recorded.get("compute") == keys.compute:
            progress("sources and indicators unchanged: reusing the database")
            return "none"
        progress("sources unchanged: skipping ingest, recomputing indicators")
        # Work on a copy and rename it over the original, like ingest does: a failed
        # recompute leaves the last good database in place.
        with replacing(db_path, from_current=True) as tmp:
            con = duckdb.connect(str(tmp))
            try:
                finish(con)
                _write_db_keys(con, keys)
            finally:
                con.close()
        return "compute"

    def finish_and_record(con: duckdb.DuckDBPyConnection) -> None:
        finish(con)
        _write_db_keys(con, keys)

    ingest(region, db_path, data_dir, progress, finish=finish_and_record)
    return "ingest"


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


def write(region: Region, out_dir: Path, keys: Keys, hasher: Hasher, outputs: list[Path]) -> None:
    """Record the keys, input hashes and output names next to the outputs.

    The manifest holds no times and no absolute paths, so two builds of the same inputs write
    the same bytes; the size/mtime cache that makes the next check fast lives in data/processed.
    """
    inputs = {}
    for key in sorted(hasher.seen):
        path = Path(key)
        if path.is_relative_to(region.project.resolve()):
            name = str(path.relative_to(region.project.resolve()))
        else:
            name = "data/" + path.name  # a --data-dir outside the project
        inputs[name] = hasher.seen[key]["sha256"]
    data = {
        "version": __version__,
        "keys": {"ingest": keys.ingest, "compute": keys.compute, "render": keys.render},
        "outputs": sorted(p.name for p in outputs),
        "inputs": dict(sorted(inputs.items())),
    }
    atomic.write_text(manifest_path(out_dir), json.dumps(data, indent=1, sort_keys=True) + "\n")
    atomic.write_text(cache_path(region), json.dumps(hasher.seen, indent=0, sort_keys=True))


def is_current(out_dir: Path, keys: Keys) -> bool:
    """True when the last build into ``out_dir`` used exactly these inputs and left its files."""
    data = load(out_dir)
    recorded = data.get("keys")
    if not isinstance(recorded, dict) or recorded.get("render") != keys.render:
        return False
    outputs = data.get("outputs")
    if not isinstance(outputs, list) or not outputs:
        return False
    return all((out_dir / str(name)).is_file() for name in outputs)


def build_options(formats: tuple[str, ...], areas: tuple[str, ...],
                  levels: tuple[str, ...] | None, out_dir: Path) -> dict[str, Any]:
    """The options that change what a build writes (part of the render key)."""
    # The output folder itself is not part of it: the manifest lives inside that folder.
    return {"formats": sorted(formats), "areas": sorted(areas),
            "levels": sorted(levels) if levels else None}
