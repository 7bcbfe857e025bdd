"""Every real statistics/boundary file in ../shared/data through its source kind, in full,
with figures spot-checked against the raw file read independently (csv module, openpyxl,
pyarrow) — not through our own reader."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import polars as pl
import pyarrow.parquet as pq
import pytest

from wijkdata.core.source_kinds import kinds, source_options

pytestmark = pytest.mark.slow


def _read(kind: str, path: Path, **kw: object):  # type: ignore[no-untyped-def]
    src = source_options(id="r", kind=kind, path=path.name, **kw)
    return kinds()[kind].read(src, path)


def _value(obs: pl.DataFrame, code: str, variable: str) -> tuple[float | None, str]:
    row = obs.filter(area_code=code, variable=variable).row(0, named=True)
    return row["value"], row["status"]


def _xlsx_row(path: Path, col: str, key: str) -> dict[str, object]:
    wb = openpyxl.load_workbook(path, read_only=True)
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [str(h).strip() for h in next(rows)]
    i = header.index(col)
    for r in rows:
        if str(r[i]).strip() == key:
            wb.close()
            return dict(zip(header, r, strict=True))
    raise AssertionError(f"{key} not in {path}")


def test_kwb_2023_xlsx_and_csv(shared_data: Path) -> None:
    for name in ("kwb_2023_selectie.xlsx", "kwb_2023_selectie.csv"):
        loaded = _read("cbs_kwb", shared_data / "cbs" / name, year=2023)
        assert loaded.rows == 18116
        obs = loaded.observations
        assert obs["area_code"].n_unique() == 18116
        assert obs.filter(pl.col("area_code").str.starts_with("GM"))["area_code"].n_unique() == 342
        assert _value(obs, "WK0363AA", "a_inw")[1] in ("ok", "suppressed_by_source")
    with (shared_data / "cbs" / "kwb_2023_selectie.csv").open(encoding="utf-8") as fh:
        raw = {r["gwb_code_10"]: r for r in csv.DictReader(fh, delimiter=";")}
    for code in ("GM0197", "WK019701", "BU01970101"):
        assert _value(obs, code, "a_inw") == (float(raw[code]["a_inw"]), "ok")
        hp = raw[code]["g_afs_hp"]
        expected = (None, "suppressed_by_source") if hp == "." else (
            float(hp.replace(",", ".")), "ok")
        assert _value(obs, code, "g_afs_hp") == expected
    xl = _xlsx_row(shared_data / "cbs" / "kwb_2023_selectie.xlsx", "gwb_code_10", "GM0197")
    assert _value(obs, "GM0197", "g_wozbag") == (float(xl["g_wozbag"]), "ok")


def test_kwb_2020_odata_parquet_with_names_from_the_dimension(shared_data: Path) -> None:
    path = shared_data / "cbs" / "kwb_2020_84799NED" / "cbs.v3.84799NED_TypedDataSet.parquet"
    loaded = _read("cbs_kwb", path, year=2020)
    assert loaded.rows == 17341
    table = pq.read_table(path, columns=["WijkenEnBuurten", "AantalInwoners_5",
                                         "k_65JaarOfOuder_12"]).to_pylist()
    raw = {r["WijkenEnBuurten"].strip(): r for r in table}
    obs = loaded.observations
    for code in ("GM0197", "WK019701", "BU01970101", "GM1652"):
        assert _value(obs, code, "a_inw") == (float(raw[code]["AantalInwoners_5"]), "ok")
        assert _value(obs, code, "a_65_oo")[0] == float(raw[code]["k_65JaarOfOuder_12"])
    # 68 columns are empty in this release: a mapped one is 'missing', not zero.
    assert _value(obs, "GM0197", "g_wozbag") == (None, "missing")
    names = dict(loaded.areas.iter_rows())
    assert names["BU01970101"] == "Barlo-Kern"
    assert names["GM0197"] == "Aalten"


@pytest.mark.parametrize("year,age,sheet_rows", [(2016, "18plus", 17341),
                                                  (2016, "65plus", 17341),
                                                  (2020, "18plus", 17341),
                                                  (2020, "65plus", 17341)])
def test_rivm_xlsx_every_year_and_age(shared_data: Path, year: int, age: str,
                                      sheet_rows: int) -> None:
    path = shared_data / "rivm" / f"gezondheid_wijk_buurt_50090NED_{year}_{age}.xlsx"
    loaded = _read("ggd_monitor", path, age_group=age.replace("plus", "+"))
    assert loaded.rows == sheet_rows
    obs = loaded.observations
    assert obs["year"].unique().to_list() == [year]
    raw = _xlsx_row(path, "WijkenEnBuurten", "GM0197")
    want = float(str(raw["ErvarenGezondheidGoedZeerGoed_4"]).strip())
    assert _value(obs, "GM0197", "ervaren_gezondheid_goed_zeer_goed") == (want, "ok")
    empty_2016 = obs.filter(variable="beperkt_vanwege_gezondheid")
    if year == 2016:  # not asked in 2016: every cell empty -> not applicable
        assert set(empty_2016["status"]) == {"not_applicable"}
    else:
        assert "ok" in set(empty_2016["status"])


def test_rivm_2020_csv_counts_dots_like_the_raw_file(shared_data: Path) -> None:
    path = shared_data / "rivm" / "gezondheid_wijk_buurt_50090NED_2020_18plus.csv"
    obs = _read("ggd_monitor", path, age_group="18+").observations
    with path.open(encoding="utf-8") as fh:
        dots = sum(1 for r in csv.DictReader(fh, delimiter=";")
                   if r["ErvarenGezondheidGoedZeerGoed_4"].strip() == ".")
    assert dots == 769  # as SOURCES.md says
    col = obs.filter(variable="ervaren_gezondheid_goed_zeer_goed")
    assert (col["status"] == "suppressed_by_source").sum() == dots


def test_rivm_gemeente_table_leaves_out_ggd_regions(shared_data: Path) -> None:
    path = (shared_data / "rivm" /
            "gezondheidsmonitor_2020_ervaren_gezondheid_65plus_gemeente_ggdregio.csv")
    loaded = _read("ggd_monitor", path, year=2020, age_group="65+")
    assert loaded.notes[0] == "left out rows of other region types (not areas): 1 CG, 25 GG"
    assert loaded.observations.height == 356  # NL + 355 gemeenten
    assert _value(loaded.observations, "NL00", "ervaren_gezondheid_goed_zeer_goed")[1] == "ok"


@pytest.mark.parametrize("name,features", [("cbs_wijken_2024_nl.geojson", 3475),
                                           ("cbs_wijken_2024_doelgemeenten.geojson", 134),
                                           ("cbs_gemeenten_2024_nl.geojson", 343),
                                           ("pdok_buurten_2021_ermelo_gm0233.gpkg", 17)])
def test_every_boundary_file(shared_data: Path, name: str, features: int) -> None:
    loaded = _read("boundaries", shared_data / "geo" / name)
    assert loaded.geometry is not None
    assert loaded.geometry.height == features
    first = json.loads(loaded.geometry["geojson"][0])
    assert first["type"] in ("Polygon", "MultiPolygon")


def test_kwb_2020_doelgemeenten_csv(shared_data: Path) -> None:
    path = shared_data / "cbs" / "kwb_2020_84799NED" / "kwb_2020_84799NED_doelgemeenten.csv"
    loaded = _read("cbs_kwb", path, year=2020)
    assert loaded.rows == 731
    assert _value(loaded.observations, "GM0197", "a_inw") == (27121.0, "ok")


def test_gemert_bakel_buurten_recoded_between_2020_and_2023_are_reported(
        shared_data: Path, project: Path) -> None:
    from wijkdata.core.config import load_region
    from wijkdata.ingest.check import run_check

    (project / "configs" / "gb.yml").write_text(
        "name: Gemert-Bakel\ngemeenten: [GM1652]\nsources:\n"
        "  - {id: kwb_2020, kind: cbs_kwb, year: 2020,\n"
        "     path: cbs/kwb_2020_84799NED/cbs.v3.84799NED_TypedDataSet.parquet}\n"
        "  - {id: kwb_2023, kind: cbs_kwb, year: 2023,\n"
        "     path: cbs/kwb_2023_selectie_doelgemeenten.csv}\n", encoding="utf-8")
    checks, changes = run_check(load_region("gb", project), shared_data)
    assert [c.fatal for c in checks] == [None, None]
    assert [c.areas for c in checks] == [{"gemeente": 1, "wijk": 7, "buurt": 24},
                                         {"gemeente": 1, "wijk": 9, "buurt": 24}]
    b20 = {c for c in checks[0].codes if c.startswith("BU")}
    b23 = {c for c in checks[1].codes if c.startswith("BU")}
    assert len(b20 & b23) == 12  # SOURCES.md: only 12 of 24 Gemert-Bakel buurten match
    assert changes == [
        "cbs_kwb 2020 (kwb_2020) vs 2023 (kwb_2023): 0 wijken only in 2020, "
        "2 only in 2023 (WK165207, WK165208)",
        "cbs_kwb 2020 (kwb_2020) vs 2023 (kwb_2023): 12 buurten only in 2020 (BU16520001, "
        "BU16520002, BU16520003, BU16520004 ...), 12 only in 2023 (BU16520101, BU16520104, "
        "BU16520107, BU16520202 ...)",
    ]
