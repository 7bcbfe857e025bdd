"""GeoPackage boundaries (RD New) read with sqlite3 + our own WKB parser and RD -> WGS84."""

from __future__ import annotations

import json
import math
import sqlite3
import struct
from pathlib import Path

import pytest
from pyproj import Transformer

from wijkdata.core.errors import DataError
from wijkdata.core.source_kinds import source_options
from wijkdata.ingest.sources import boundaries
from wijkdata.ingest.sources.rd import rd_to_wgs84

RD_POINTS = [(155000.0, 463000.0), (121687.0, 487484.0), (176000.0, 473000.0),
             (13000.0, 372000.0), (250000.0, 600000.0), (180000.0, 320000.0)]


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    dx = (a[0] - b[0]) * 111_320 * math.cos(math.radians(b[1]))
    dy = (a[1] - b[1]) * 110_574
    return math.hypot(dx, dy)


def test_amersfoort_origin_is_the_published_reference_point() -> None:
    assert rd_to_wgs84(155000.0, 463000.0) == (5.38720621, 52.15517440)


@pytest.mark.parametrize("xy", RD_POINTS)
def test_rd_to_wgs84_agrees_with_proj_to_about_a_metre(xy: tuple[float, float]) -> None:
    """PROJ (EPSG:28992 -> 4326, 7-parameter Helmert) is an independent implementation."""
    proj = Transformer.from_crs(28992, 4326, always_xy=True).transform(*xy)
    assert metres(rd_to_wgs84(*xy), proj) < 1.0


def _gpkg(path: Path, blob: bytes, srs: int = 28992, code: str = "BU02330001") -> None:
    con = sqlite3.connect(path)
    con.executescript(
        "CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, "
        "geometry_type_name TEXT, srs_id INTEGER, z INTEGER, m INTEGER);"
        'CREATE TABLE "buurten" (fid INTEGER PRIMARY KEY, geom BLOB, buurtcode TEXT, '
        "buurtnaam TEXT);")
    con.execute("INSERT INTO gpkg_geometry_columns VALUES ('buurten', 'geom', 'MULTIPOLYGON', "
                "?, 0, 0)", (srs,))
    con.execute('INSERT INTO "buurten" VALUES (1, ?, ?, ?)', (blob, code, "Testbuurt"))
    con.commit()
    con.close()


def _blob(points: list[tuple[float, float]], *, big_endian: bool = False, z: bool = False,
          envelope: bool = True) -> bytes:
    """GeoPackage header + WKB MultiPolygon of one ring, written by hand."""
    o = ">" if big_endian else "<"
    bo = b"\x00" if big_endian else b"\x01"
    dims = 3 if z else 2
    ring = struct.pack(o + "I", len(points)) + b"".join(
        struct.pack(o + "d" * dims, *p, *([7.0] if z else [])) for p in points)
    poly = bo + struct.pack(o + "I", 1003 if z else 3) + struct.pack(o + "I", 1) + ring
    multi = bo + struct.pack(o + "I", 1006 if z else 6) + struct.pack(o + "I", 1) + poly
    flags = (0 if big_endian else 1) | ((1 if envelope else 0) << 1)
    header = b"GP\x00" + bytes([flags]) + struct.pack(o + "i", 28992)
    if envelope:
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        header += struct.pack(o + "4d", min(xs), max(xs), min(ys), max(ys))
    return header + multi


SQUARE = [(155000.0, 463000.0), (156000.0, 463000.0), (156000.0, 464000.0),
          (155000.0, 464000.0), (155000.0, 463000.0)]


@pytest.mark.parametrize("big_endian,z,envelope", [(False, False, True), (True, False, False),
                                                   (False, True, True)])
def test_handmade_geopackage_square_in_rd(tmp_path: Path, big_endian: bool, z: bool,
                                          envelope: bool) -> None:
    path = tmp_path / "b.gpkg"
    _gpkg(path, _blob(SQUARE, big_endian=big_endian, z=z, envelope=envelope))
    loaded = boundaries.read(source_options(id="b", kind="boundaries", path="b.gpkg"), path)
    assert loaded.areas.rows() == [("BU02330001", "Testbuurt")]
    geom = json.loads(loaded.geometry["geojson"][0])
    assert geom["type"] == "MultiPolygon"
    ring = geom["coordinates"][0][0]
    assert ring[0] == [5.38721, 52.15517]  # the Amersfoort origin, rounded to 5 decimals
    assert len(ring) == 5
    expected = [list(map(lambda v: round(v, 5), rd_to_wgs84(*p))) for p in SQUARE]
    assert ring == expected


def test_geopackage_in_an_unsupported_crs_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "b.gpkg"
    _gpkg(path, _blob(SQUARE), srs=3035)
    with pytest.raises(DataError) as err:
        boundaries.read(source_options(id="b", kind="boundaries", path="b.gpkg"), path)
    assert err.value.message == (f"{path}: coordinate system EPSG:3035 is not supported; "
                                 "expected EPSG:28992 (RD New) or EPSG:4326")


def test_truncated_geometry_names_layer_and_feature(tmp_path: Path) -> None:
    path = tmp_path / "b.gpkg"
    _gpkg(path, _blob(SQUARE)[:60])
    with pytest.raises(DataError) as err:
        boundaries.read(source_options(id="b", kind="boundaries", path="b.gpkg"), path)
    assert err.value.message.startswith(f"{path}, layer buurten, feature 1: truncated geometry")


def test_real_pdok_geopackage_ermelo(shared_data: Path) -> None:
    path = shared_data / "geo" / "pdok_buurten_2021_ermelo_gm0233.gpkg"
    loaded = boundaries.read(source_options(id="b", kind="boundaries", path=path.name), path)
    assert loaded.rows == 17
    assert set(loaded.geometry["level"]) == {"buurt"}
    assert loaded.geometry["code"].str.starts_with("BU0233").all()
    names = dict(loaded.areas.iter_rows())
    assert names["BU02330001"] == "Ermelo-Oost"
    # Cross-check against an independent file: the CBS gemeente polygon of Ermelo (2024,
    # WGS84 GeoJSON, generalised). Its east and south extremes coincide with ours to the
    # 5th decimal (~1 m); the other two differ by the source's generalisation (< 0.005 deg).
    ours = _bbox([json.loads(t) for t in loaded.geometry["geojson"]])
    gm = json.loads((shared_data / "geo" / "cbs_gemeenten_2024_nl.geojson").read_bytes())
    theirs = _bbox([f["geometry"] for f in gm["features"]
                    if f["properties"]["gemeentecode"] == "GM0233"])
    assert ours[1] == pytest.approx(theirs[1], abs=1e-5)  # east
    assert ours[2] == pytest.approx(theirs[2], abs=1e-5)  # south
    assert all(abs(a - b) < 0.005 for a, b in zip(ours, theirs, strict=True))


def _bbox(geoms: list[dict]) -> tuple[float, float, float, float]:
    pts = [pt for g in geoms
           for poly in (g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]])
           for ring in poly for pt in ring]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return min(xs), max(xs), min(ys), max(ys)
