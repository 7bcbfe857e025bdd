"""Where a source's data lives under data_dir: a file placed by hand, or the fetched copy.

One rule for every command (build, check, doctor, sources, fetch), so they never disagree:

* ``path:`` names a file (or folder) under data_dir that a user or a test placed there;
* ``fetch:`` names the publisher's table; ``wijkdata fetch`` saves it in
  ``data_dir/<publisher>/<table>/<regio>/<source id>/`` — one folder per region and source,
  because two regions (or an 18+ and a 65+ source of one table) filter the same table
  differently and must not overwrite each other.

The build reads ``path`` when that exists (a file you placed yourself wins, and fetch never
touches it), else the fetched copy.
"""

from __future__ import annotations

import json
from pathlib import Path

from wijkdata.core.config import Region, Source

FEATURES_FILE = "features.geojson"  # the merged pages of a PDOK boundaries download
PROVENANCE_FILE = "provenance.json"  # written by fetch next to what it downloaded


def fetched_dir(region: Region, source: Source, data_dir: Path) -> Path | None:
    """The folder ``wijkdata fetch`` writes this source into (None: nothing to fetch)."""
    spec = source.fetch
    if spec is None:
        if source.fetch_spec() is not None and source.path:
            return data_dir / source.path  # a spec the kind derives: its copy is at its path
        return None
    return data_dir / spec.publisher / spec.table / region.slug / source.id


def fetched_path(region: Region, source: Source, data_dir: Path) -> Path | None:
    """What a reader opens of the fetched copy: the page folder, or the merged GeoJSON."""
    folder = fetched_dir(region, source, data_dir)
    if folder is None:
        return None
    if source.fetch is not None and source.fetch.publisher == "pdok":
        return folder / FEATURES_FILE
    return folder


def source_path(region: Region, source: Source, data_dir: Path) -> Path:
    """The path the build reads for ``source`` (it may not exist yet)."""
    # A placed file is confined to data_dir (core.paths: no .., no absolute path, no symlink out).
    placed = region.source_file(source, data_dir) if source.path else None
    fetched = fetched_path(region, source, data_dir)
    if placed is not None and (placed.exists() or fetched is None):
        return placed
    assert fetched is not None  # config validation: a source has path or fetch
    return fetched


def fetch_record(region: Region, source: Source, data_dir: Path) -> dict | None:
    """The provenance.json `wijkdata fetch` wrote for this source, if the build reads that copy."""
    folder = fetched_dir(region, source, data_dir)
    if folder is None or source_path(region, source, data_dir) != fetched_path(
            region, source, data_dir):
        return None
    try:
        data = json.loads((folder / PROVENANCE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def describe_missing(region: Region, source: Source, data_dir: Path) -> str:
    """One sentence naming where the data was looked for."""
    places = []
    if source.path:
        places.append(str(data_dir / source.path))
    fetched = fetched_path(region, source, data_dir)
    if fetched is not None and (not source.path or fetched != data_dir / source.path):
        places.append(str(fetched))
    return places[0] if len(places) == 1 else "neither " + " nor ".join(places)


def fetch_hint(region: Region, source: Source) -> str:
    if fetched_dir(region, source, Path()) is not None:
        return (f"run 'wijkdata fetch --regio {region.slug}', or pass --data-dir with the folder "
                "that holds the files")
    return (f"source '{source.id}' has no 'fetch:'; put {source.path} under the data folder or "
            "pass --data-dir with the folder that holds it")
