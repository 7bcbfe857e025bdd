"""Where a region's figures come from: one row per source (file, sha256, publisher, licence).

The ingest records these rows in the ``provenance`` table; ``wijkdata sources`` shows the
recorded rows, or, before the first build, the same rows computed from the config and files.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from wijkdata.core import tables
from wijkdata.core.config import Region, Source
from wijkdata.core.db import connect_existing, frame
from wijkdata.core.source_kinds import kind_of

from .datapaths import source_path

SCHEMA = tables.PROVENANCE
NOT_BUILT = "(not built yet)"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    if path.is_dir():  # a cbs_odata source: the saved API pages, by name and content
        for part in sorted(p for p in path.rglob("*") if p.is_file()):
            h.update(f"{part.relative_to(path)}\0{sha256_file(part)}\n".encode())
        return h.hexdigest()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def describe(source: Source, sha256: str, read: Path | None = None) -> dict[str, Any]:
    """The columns known before loading; the config overrides the source kind's defaults.

    ``path`` is the configured file, or for a fetch-only source the folder the build read.
    """
    kind = kind_of(source)
    return {
        "source_id": source.id,
        "kind": source.kind,
        "path": source.path or str(read),
        "sha256": sha256,
        "publisher": source.publisher or kind.publisher,
        "title": source.title or kind.title,
        "table_id": source.table_id or "",
        "year": source.year,
        "licence": source.licence or kind.licence,
        "age_group": source.age_group_declared(),
    }


def planned(region: Region, folder: Path) -> list[dict[str, Any]]:
    """The rows a build would record now: files hashed, 'folder' or 'MISSING' when not a file."""
    rows = []
    for s in region.config.sources:
        path = source_path(region, s, folder)
        digest = sha256_file(path) if path.is_file() else ("folder" if path.is_dir()
                                                           else "MISSING")
        rows.append(describe(s, digest, path) | {"rows": None, "observations": None,
                                            "loaded_at": NOT_BUILT})
    return rows


def recorded(db_path: Path) -> list[dict[str, Any]]:
    """The rows the last build recorded, by source id."""
    con = connect_existing(db_path)
    try:
        return frame(con, "SELECT * FROM provenance ORDER BY source_id").to_dicts()
    finally:
        con.close()
