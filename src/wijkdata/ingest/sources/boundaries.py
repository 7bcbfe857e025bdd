"""Wijk and buurt boundaries from GeoJSON (WGS84) or GeoPackage (RD New or WGS84), simplified
once at ingest for small maps.

A profile map is ~300 px wide, so coordinates are rounded to 5 decimals (~1 m) and points closer
than ``TOLERANCE`` degrees to the previous kept point are dropped; that keeps a national wijk file
small enough to embed a gemeente's map in every profile.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar, Literal

import polars as pl

from wijkdata.core import codes
from wijkdata.core.errors import DataError, shown
from wijkdata.core.source_kinds import SourceKind, SourceOptions, register

from . import gpkg
from .common import Loaded, empty_observations, read_json
from .rd import rd_to_wgs84

PUBLISHER = "CBS / Kadaster (PDOK, CBS Wijken en Buurten)"
LICENCE = "CC BY 4.0"
TITLE = "Wijk- en buurtkaart"
CODE_KEYS = ("buurtcode", "wijkcode", "gemeentecode", "statcode", "code")
NAME_KEYS = {"buurtcode": "buurtnaam", "wijkcode": "wijknaam", "gemeentecode": "gemeentenaam"}
TOLERANCE = 0.0004
RD_NEW, WGS84 = 28992, 4326


class Options(SourceOptions):
    kind: Literal["boundaries"]
    DEFAULT_FORMAT: ClassVar[str] = "geojson"  # PDOK's merged pages (fetch.py)
    format: Literal["geojson", "json", "gpkg"] | None = None

    def declared_format(self) -> str | None:
        return self.format


def _simplify_ring(ring: list[list[float]]) -> list[list[float]]:
    if not isinstance(ring, list) or len(ring) < 4:
        # GeoJSON: a linear ring is closed and has at least four positions.
        raise ValueError("a polygon ring needs at least 4 positions")
    kept = [ring[0]]
    for x, y in ring[1:-1]:
        px, py = kept[-1]
        if abs(x - px) > TOLERANCE or abs(y - py) > TOLERANCE:
            kept.append([x, y])
    kept.append(ring[-1])
    if len(kept) < 4:  # a ring needs 3 distinct points; keep the original when it would collapse
        kept = ring
    return [[round(x, 5), round(y, 5)] for x, y in kept]


def simplify(geometry: dict[str, Any]) -> dict[str, Any]:
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "Polygon":
        return {"type": kind, "coordinates": [_simplify_ring(r) for r in coords or []]}
    if kind == "MultiPolygon":
        return {
            "type": kind,
            "coordinates": [[_simplify_ring(r) for r in poly] for poly in coords or []],
        }
    raise ValueError(f"geometry type {kind!r} is not a (Multi)Polygon")


def _transform_for(path: Path) -> Callable[[int], gpkg.Transform]:
    def pick(srs: int) -> gpkg.Transform:
        if srs == RD_NEW:
            return rd_to_wgs84
        if srs == WGS84:
            return lambda x, y: (x, y)
        raise DataError(f"{path}: coordinate system EPSG:{srs} is not supported; "
                        f"expected EPSG:{RD_NEW} (RD New) or EPSG:{WGS84}")
    return pick


def _features(source: Options, path: Path) -> Iterator[tuple[int, dict, dict]]:
    fmt = source.suffix_format
    if fmt == "gpkg":
        yield from gpkg.features(path, _transform_for(path))
        return
    if fmt not in ("geojson", "json"):
        raise DataError(f"{path}: boundaries are read from GeoJSON or GeoPackage; got '{fmt}'")
    data = read_json(path, "valid GeoJSON")
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise DataError(f"{path}: expected a GeoJSON FeatureCollection with 'features'")
    declared = _declared_srs(path, data.get("crs"))
    transform: gpkg.Transform | None = None
    if declared is not None:
        transform = _transform_for(path)(declared)
    for i, feat in enumerate(data["features"], start=1):
        if not isinstance(feat, dict):
            raise DataError(f"{path}, feature {i}: expected a GeoJSON Feature (an object)")
        geometry = feat.get("geometry") or {}
        if transform is None:
            transform = _guess_transform(path, i, geometry)
        yield i, feat.get("properties") or {}, _reproject(geometry, transform)


def _declared_srs(path: Path, crs: object) -> int | None:
    """The EPSG code of an (old-style, GeoJSON 2008) ``crs`` member, or None when absent."""
    if crs is None:
        return None
    name = str(((crs or {}).get("properties") or {}).get("name", "")) \
        if isinstance(crs, dict) else ""
    if name.upper().endswith(("CRS84", "EPSG::4326", "EPSG:4326")):
        return WGS84
    found = re.search(r"EPSG:{1,2}(\d+)$", name, re.IGNORECASE)
    if not found:
        raise DataError(f"{path}: crs '{shown(name)}' is not an EPSG code this reader knows; "
                        f"expected EPSG:{RD_NEW} (RD New) or EPSG:{WGS84}")
    return int(found.group(1))


def _guess_transform(path: Path, i: int, geometry: dict[str, Any]) -> gpkg.Transform:
    """No ``crs``: longitude/latitude (RFC 7946), or RD New when the numbers are metres."""
    first: Any = geometry.get("coordinates") if isinstance(geometry, dict) else None
    while isinstance(first, list) and first and isinstance(first[0], list):
        first = first[0]
    if not (isinstance(first, list) and len(first) >= 2
            and all(isinstance(v, int | float) for v in first[:2])):
        return lambda x, y: (x, y)  # simplify() names what is wrong with the geometry
    x, y = float(first[0]), float(first[1])
    if abs(x) <= 180 and abs(y) <= 90:
        return lambda x, y: (x, y)
    if 0 <= x <= 300_000 and 289_000 <= y <= 629_000:  # the RD New grid of the Netherlands
        return rd_to_wgs84
    raise DataError(f"{path}, feature {i}: coordinates ({x:g}, {y:g}) are neither longitude/"
                    f"latitude nor RD New metres; add a crs member or convert to EPSG:{WGS84}")


def _reproject(geometry: Any, transform: gpkg.Transform) -> Any:
    """The geometry with every position transformed (a copy; malformed parts left as found)."""
    if not isinstance(geometry, dict):
        return geometry

    def walk(node: Any) -> Any:
        if isinstance(node, list) and len(node) >= 2 and all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in node[:2]):
            return list(transform(float(node[0]), float(node[1])))
        if isinstance(node, list):
            return [walk(n) for n in node]
        return node

    return {**geometry, "coordinates": walk(geometry.get("coordinates"))}


def read(source: Options, path: Path) -> Loaded:
    if not path.exists():
        raise DataError(f"data file not found: {path} (source '{source.id}')")
    rows: list[dict[str, Any]] = []
    for i, props, geometry in _features(source, path):
        key = next((k for k in CODE_KEYS if props.get(k)), None)
        if key is None:
            raise DataError(f"{path}, feature {i}: no area code property ({', '.join(CODE_KEYS)})")
        code = codes.normalise(str(props[key]))
        level = codes.level_of(code)
        if level is None:
            raise DataError(f"{path}, feature {i}: '{code}' is not a CBS area code")
        try:
            geom = simplify(geometry)
        except (ValueError, TypeError) as exc:
            raise DataError(f"{path}, feature {i} ({code}): {exc}") from None
        name_key = NAME_KEYS.get(key)
        name = props.get(name_key) if name_key else None
        rows.append({"code": code, "level": level, "name": name, "geojson": json.dumps(geom)})
    if not rows:
        raise DataError(f"{path}: the file has no features")
    geo = pl.DataFrame(rows, schema={"code": pl.String, "level": pl.String,
                                     "name": pl.String, "geojson": pl.String})
    dup = geo["code"].is_duplicated()
    if dup.any():
        raise DataError(f"{path}: area code {geo['code'][int(dup.arg_true()[0])]} appears twice")
    return Loaded(
        observations=empty_observations(),
        areas=geo.select("code", "name"),
        raw=geo.select("code", "level", "name"),
        geometry=geo.select("code", "level", "geojson"),
    )


KIND = register(SourceKind(Options, read, PUBLISHER, LICENCE, TITLE, role="boundaries"))
