"""Read (Multi)Polygon features from an OGC GeoPackage with sqlite3, no GDAL or DuckDB spatial.

A GeoPackage is an SQLite file: ``gpkg_geometry_columns`` names each layer's table, geometry
column and SRS; each geometry blob is a small GeoPackage header (magic ``GP``, flags, SRS id,
optional envelope) followed by standard WKB. DuckDB's spatial extension would do this, but it
cannot be downloaded on the machines we run on, so the two formats are parsed here (OGC 12-128r18
section 2.1.3 for the header, OGC Simple Features for WKB).
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from wijkdata.core.errors import DataError

Transform = Callable[[float, float], tuple[float, float]]
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def layers(con: sqlite3.Connection) -> list[tuple[str, str, int]]:
    """(table, geometry column, srs id) for every feature layer."""
    rows = con.execute(
        "SELECT table_name, column_name, srs_id FROM gpkg_geometry_columns ORDER BY table_name"
    ).fetchall()
    return [(str(t), str(c), int(s)) for t, c, s in rows]


def _wkb_start(blob: bytes) -> int:
    if blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry (no 'GP' magic)")
    flags = blob[3]
    envelope = (flags >> 1) & 0b111
    if envelope not in _ENVELOPE_BYTES:
        raise ValueError(f"invalid envelope indicator {envelope}")
    if flags & 0b10000:
        raise ValueError("empty geometry")
    return 8 + _ENVELOPE_BYTES[envelope]


class _Wkb:
    def __init__(self, data: bytes, pos: int, transform: Transform) -> None:
        self.data, self.pos, self.transform = data, pos, transform

    def _unpack(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return values

    def geometry(self) -> dict[str, Any]:
        order = "<" if self._unpack("B")[0] == 1 else ">"
        (code,) = self._unpack(order + "I")
        base, dims = code % 1000, 2 + (code // 1000 in (1, 2)) + 2 * (code // 1000 == 3)
        if code & 0x80000000 or code & 0x40000000:  # EWKB Z/M flags
            base = code & 0xFFFF
            dims = 2 + bool(code & 0x80000000) + bool(code & 0x40000000)
        if base == 3:
            return {"type": "Polygon", "coordinates": self._polygon(order, dims)}
        if base == 6:
            (n,) = self._unpack(order + "I")
            if n * 9 > len(self.data) - self.pos:
                raise ValueError(f"truncated geometry: a MultiPolygon claims {n:,} polygons")
            polys = []
            for _ in range(n):
                inner = self.geometry()
                if inner["type"] != "Polygon":
                    raise ValueError("a MultiPolygon member is not a Polygon")
                polys.append(inner["coordinates"])
            return {"type": "MultiPolygon", "coordinates": polys}
        raise ValueError(f"WKB geometry type {code} is not a (Multi)Polygon")

    def _polygon(self, order: str, dims: int) -> list[list[list[float]]]:
        (rings,) = self._unpack(order + "I")
        if rings * 4 > len(self.data) - self.pos:
            raise ValueError(f"truncated geometry: a polygon claims {rings:,} rings")
        out = []
        for _ in range(rings):
            (n,) = self._unpack(order + "I")
            # Check the count against the bytes left before unpacking: a blob claiming four
            # billion points would otherwise make a format string of gigabytes.
            left = len(self.data) - self.pos
            if n * dims * 8 > left:
                raise ValueError(f"truncated geometry: a ring claims {n:,} points, "
                                 f"but only {left:,} bytes follow")
            flat = self._unpack(order + "d" * (n * dims))
            out.append([list(self.transform(flat[i], flat[i + 1]))
                        for i in range(0, len(flat), dims)])
        return out


def geometry_from_blob(blob: bytes, transform: Transform) -> dict[str, Any]:
    """GeoJSON-like geometry dict from one GeoPackage geometry blob."""
    try:
        return _Wkb(blob, _wkb_start(blob), transform).geometry()
    except (struct.error, IndexError) as exc:
        raise ValueError(f"truncated geometry ({exc})") from None


def features(path: Path, srs_transform: Callable[[int], Transform]
             ) -> Iterator[tuple[int, dict[str, Any], dict[str, Any]]]:
    """(feature number, properties, geometry) for each feature of the file's single layer."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise DataError(f"{path}: cannot open as GeoPackage ({exc})") from None
    try:
        try:
            found = layers(con)
        except sqlite3.DatabaseError as exc:
            raise DataError(f"{path}: not a GeoPackage ({exc})") from None
        if len(found) != 1:
            raise DataError(f"{path}: expected one feature layer, found {len(found)}: "
                            + ", ".join(t for t, _c, _s in found))
        table, column, srs = found[0]
        transform = srs_transform(srs)
        # A table name cannot be a parameter. It comes from the file, so it must be one of the
        # file's own tables (the whitelist), and is quoted as an identifier ("" for ").
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type IN "
                                            "('table', 'view')").fetchall()}
        if table not in tables:
            raise DataError(f"{path}: layer '{table}' is listed in gpkg_geometry_columns but "
                            "is not a table of the file")
        quoted = '"' + table.replace('"', '""') + '"'
        try:
            cur = con.execute(f"SELECT * FROM {quoted}")
        except sqlite3.Error as exc:
            raise DataError(f"{path}: layer '{table}' cannot be read ({exc})") from None
        names = [d[0] for d in cur.description]
        if column not in names:
            raise DataError(f"{path}: layer '{table}' has no geometry column '{column}'")
        for i, row in enumerate(cur, start=1):
            props = dict(zip(names, row, strict=True))
            blob = props.pop(column)
            try:
                geom = geometry_from_blob(bytes(blob), transform)
            except (ValueError, TypeError) as exc:
                raise DataError(f"{path}, layer {table}, feature {i}: {exc}") from None
            yield i, props, geom
    finally:
        con.close()
