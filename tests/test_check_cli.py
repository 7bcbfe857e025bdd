"""``wijkdata check`` and ``wijkdata sources`` on a small two-year region, and ingest safety.

The two KWB years below re-code one buurt (BU01970102 -> BU01970103) and merge a gemeente
(GM1859 -> GM1980): both must be REPORTED, not merged.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from wijkdata.cli import app
from wijkdata.core.config import load_region
from wijkdata.core.errors import DataError
from wijkdata.ingest.run import ingest

KWB_2022 = """gwb_code_10;regio;gm_naam;a_inw;g_afs_hp
GM0197;Aalten;Aalten;27000;1,1
WK019701;Aalten-kern;Aalten;4100;0,9
BU01970101;Centrum;Aalten;1200;.
BU01970102;Oost;Aalten;900;0,7
GM1859;Berkelland;Berkelland;44000;1,4
BU18590101;Borculo;Berkelland;3000;1,0
"""
KWB_2023 = """gwb_code_10;regio;gm_naam;a_inw;g_afs_hp
GM0197;Aalten;Aalten;27100;1,1
WK019701;Aalten-kern;Aalten;4120;0,9
BU01970101;Centrum;Aalten;1210;0,5
BU01970103;Oost;Aalten;905;
GM1980;Nieuw-Berkelland;Nieuw-Berkelland;52000;1,3
WK198001;Borculo;Nieuw-Berkelland;3100;1,0
"""
CONFIG = """name: Checkregio
gemeenten: [GM0197, GM1859, GM1980]
data_dir: data/raw
sources:
  - {id: kwb_2022, kind: cbs_kwb, path: kwb_2022.csv, year: 2022}
  - {id: kwb_2023, kind: cbs_kwb, path: kwb_2023.csv, year: 2023, publisher: CBS (test)}
"""


@pytest.fixture
def region_dir(project: Path) -> Path:
    raw = project / "data" / "raw"
    raw.mkdir(parents=True)
    (raw / "kwb_2022.csv").write_text(KWB_2022, encoding="utf-8")
    (raw / "kwb_2023.csv").write_text(KWB_2023, encoding="utf-8")
    (project / "configs" / "chk.yml").write_text(CONFIG, encoding="utf-8")
    return raw


def test_check_reports_rows_areas_missing_and_code_changes(region_dir: Path,
                                                           runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", "--regio", "chk"])
    assert result.exit_code == 0, result.output
    absent = ("a_00_14, a_15_24, a_1p_hh, a_25_44, a_45_64, a_65_oo, a_bst_b, a_bst_nb, "
              "a_eur_al, a_gehuwd, a_gesch, a_hh, a_hh_m_k, a_hh_z_k, a_jz_tn, a_man, a_neu_al, "
              "a_nl_all, a_ongeh, a_pau, a_soz_ao, a_soz_ow, a_soz_wb, a_soz_ww, a_verwed, "
              "a_vrouw, a_wmo_t, a_woning, bev_dich, g_3km_sc, g_hh_sti, g_hhgro, g_ink_pi, "
              "g_pau_hh, g_pau_km, g_afs_gs, g_afs_kv, g_afs_sc, g_wozbag, p_hh_hi, p_hh_li, "
              "p_huurw, p_ink_hi, p_ink_li, p_jz_tn, p_koopw, p_wmo_t, ste_mvs, ste_oad")
    absent = ", ".join(sorted(absent.split(", ")))
    assert result.output.splitlines() == [
        f"kwb_2022 (cbs_kwb 2022): {region_dir / 'kwb_2022.csv'}",
        "  rows read: 6; areas in region: 2 gemeenten, 1 wijken, 3 buurten",
        "  missing values: 1 suppressed_by_source",
        f"  note: 49 mapped KWB columns absent in this file: {absent}",
        "  note: no rows for gemeente GM1980",
        "  note: 1 buurten without their wijk in the file: BU18590101",
        f"kwb_2023 (cbs_kwb 2023): {region_dir / 'kwb_2023.csv'}",
        "  rows read: 6; areas in region: 2 gemeenten, 2 wijken, 2 buurten",
        "  missing values: 1 missing",
        f"  note: 49 mapped KWB columns absent in this file: {absent}",
        "  note: no rows for gemeente GM1859",
        "area codes that differ between years or sources (reported, not merged):",
        "  cbs_kwb 2022 (kwb_2022) vs 2023 (kwb_2023): 1 gemeenten only in 2022 (GM1859), "
        "1 only in 2023 (GM1980) — gemeente re-division: not merged",
        "  cbs_kwb 2022 (kwb_2022) vs 2023 (kwb_2023): 0 wijken only in 2022, "
        "1 only in 2023 (WK198001)",
        "  cbs_kwb 2022 (kwb_2022) vs 2023 (kwb_2023): 2 buurten only in 2022 "
        "(BU01970102, BU18590101), 1 only in 2023 (BU01970103)",
        "2 sources checked, 0 fatal",
    ]


def test_check_exits_1_on_a_fatal_source(region_dir: Path, runner: CliRunner) -> None:
    (region_dir / "kwb_2023.csv").write_text(KWB_2023.replace("4120", "veel"), encoding="utf-8")
    result = runner.invoke(app, ["check", "--regio", "chk"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    i = lines.index(f"kwb_2023 (cbs_kwb 2023): {region_dir / 'kwb_2023.csv'}")
    assert lines[i + 1] == (f"  FATAL: {region_dir / 'kwb_2023.csv'}, row 3, column 'a_inw': "
                            "expected a number, '.', or an empty cell, found 'veel'")
    assert lines[-1] == "2 sources checked, 1 fatal"


def test_sources_lists_provenance_before_a_build(region_dir: Path, runner: CliRunner) -> None:
    import hashlib

    result = runner.invoke(app, ["sources", "--regio", "chk"])
    assert result.exit_code == 0
    digest = hashlib.sha256(KWB_2023.encode()).hexdigest()
    out = result.output.splitlines()
    assert out[out.index("kwb_2023: kwb_2023.csv") + 1:][:2] == [
        "  CBS (test), - 2023; licence CC BY 4.0",
        f"  sha256 {digest}; loaded (not built yet)",
    ]


def _tables(db: Path) -> dict[str, pl.DataFrame]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [r[0] for r in con.sql("SELECT table_name FROM information_schema.tables")
                 .fetchall()]
        return {n: con.sql(f'SELECT * FROM "{n}" ORDER BY ALL').pl() for n in sorted(names)}
    finally:
        con.close()


def test_ingest_twice_gives_the_same_database_and_a_failure_keeps_it(
        project: Path, region_dir: Path) -> None:
    # Only gemeenten present in both years, so ingest's own checks pass.
    cfg = CONFIG.replace("[GM0197, GM1859, GM1980]", "[GM0197]")
    (project / "configs" / "chk.yml").write_text(cfg, encoding="utf-8")
    region = load_region("chk", project)
    db = project / "data" / "processed" / "chk.duckdb"
    ingest(region, db, region_dir, lambda _m: None)
    first = _tables(db)
    ingest(region, db, region_dir, lambda _m: None)
    second = _tables(db)
    assert first.keys() == second.keys()
    for name in first:
        assert first[name].equals(second[name]), name
    obs = first["observation"].filter(pl.col("area_code") == "GM0197",
                                      pl.col("variable") == "a_inw")
    assert obs.select("year", "value").rows() == [(2022, 27000.0), (2023, 27100.0)]

    (region_dir / "kwb_2023.csv").write_text(KWB_2023.replace("27100", "-5"), encoding="utf-8")
    with pytest.raises(DataError) as err:
        ingest(region, db, region_dir, lambda _m: None)
    assert "negative value -5; counts cannot be negative" in err.value.message
    after = _tables(db)
    for name in first:
        assert first[name].equals(after[name]), name


def test_check_names_polygons_without_statistics(project: Path, region_dir: Path,
                                                 runner: CliRunner) -> None:
    square = {"type": "Polygon", "coordinates": [[[6.5, 51.9], [6.6, 51.9], [6.6, 52.0],
                                                  [6.5, 52.0], [6.5, 51.9]]]}
    feats = [{"type": "Feature", "geometry": square, "properties": {"wijkcode": c}}
             for c in ("WK019701", "WK019799")]
    import json

    (region_dir / "wijken.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    cfg = CONFIG + "  - {id: wijken, kind: boundaries, path: wijken.geojson}\n"
    (project / "configs" / "chk.yml").write_text(cfg, encoding="utf-8")
    result = runner.invoke(app, ["check", "--regio", "chk"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert f"wijken (boundaries): {region_dir / 'wijken.geojson'}" in lines
    assert "  rows read: 2; areas in region: 2 wijken" in lines
    assert "  wijken: 1 areas with a boundary but no statistics: WK019799" in lines
    assert lines[-1] == "3 sources checked, 0 fatal"
