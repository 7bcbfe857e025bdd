"""Wijk and buurt boundaries from GeoJSON (WGS84), simplified once at ingest for small maps.

A profile map is ~300 px wide, so coordinates are rounded to 5 decimals (~1 m) and points closer
than ``TOLERANCE`` degrees to the previous kept point are dropped; that keeps a national wijk file
small enough to embed a gemeente's map in every profile.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from .. import codes
from ..config import Source
from ..errors import DataError
from .common import Loaded, empty_observations

PUBLISHER = "CBS / Kadaster (PDOK, CBS Wijken en Buurten)"
LICENCE = "CC BY 4.0"
TITLE = "Wijk- en buurtkaart"
CODE_KEYS = ("buurtcode", "wijkcode", "gemeentecode", "statcode", "code")
NAME_KEYS = {"buurtcode": "buurtnaam", "wijkcode": "wijknaam", "gemeentecode": "gemeentenaam"}
TOLERANCE = 0.0004


def _simplify_ring(ring: list[list[float]]) -> list[list[float]]:
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


def read(source: Source, path: Path) -> Loaded:
    if not path.exists():
        raise DataError(f"data file not found: {path} (source '{source.id}')")
    if source.suffix_format not in ("geojson", "json"):
        raise DataError(f"{path}: boundaries are read from GeoJSON; got '{source.suffix_format}'")
    try:
        data = json.loads(path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not valid GeoJSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise DataError(f"{path}: expected a GeoJSON FeatureCollection with 'features'")
    rows: list[dict[str, Any]] = []
    for i, feat in enumerate(data["features"], start=1):
        props = (feat or {}).get("properties") or {}
        key = next((k for k in CODE_KEYS if props.get(k)), None)
        if key is None:
            raise DataError(f"{path}, feature {i}: no area code property ({', '.join(CODE_KEYS)})")
        code = codes.normalise(str(props[key]))
        level = codes.level_of(code)
        if level is None:
            raise DataError(f"{path}, feature {i}: '{code}' is not a CBS area code")
        try:
            geom = simplify(feat.get("geometry") or {})
        except (ValueError, TypeError) as exc:
            raise DataError(f"{path}, feature {i} ({code}): {exc}") from None
        name_key = NAME_KEYS.get(key)
        name = props.get(name_key) if name_key else None
        rows.append({"code": code, "level": level, "name": name, "geojson": json.dumps(geom)})
    if not rows:
        raise DataError(f"{path}: the FeatureCollection has no features")
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
