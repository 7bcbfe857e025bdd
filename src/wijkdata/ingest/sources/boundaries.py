"""Wijk and buurt boundaries from GeoJSON (WGS84) or GeoPackage (RD New or WGS84), simplified
once at ingest for small maps.

A profile map is ~300 px wide, so coordinates are rounded to 5 decimals (~1 m) and points closer
than ``TOLERANCE`` degrees to the previous kept point are dropped; that keeps a national wijk file
small enough to embed a gemeente's map in every profile.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl

from wijkdata.core import codes
from wijkdata.core.config import Source
from wijkdata.core.errors import DataError

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


def _features(source: Source, path: Path) -> Iterator[tuple[int, dict, dict]]:
    fmt = source.suffix_format
    if fmt == "gpkg":
        yield from gpkg.features(path, _transform_for(path))
        return
    if fmt not in ("geojson", "json"):
        raise DataError(f"{path}: boundaries are read from GeoJSON or GeoPackage; got '{fmt}'")
    data = read_json(path, "valid GeoJSON")
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise DataError(f"{path}: expected a GeoJSON FeatureCollection with 'features'")
    for i, feat in enumerate(data["features"], start=1):
        yield i, (feat or {}).get("properties") or {}, (feat or {}).get("geometry") or {}


def read(source: Source, path: Path) -> Loaded:
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
