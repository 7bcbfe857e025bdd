"""``wijkdata fetch`` then ``wijkdata build``: saved CBS API pages become a region's profiles.

Uses the local CBS stand-in of test_fetch_server.py (real Aalten KWB 2020 rows, paged)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from tests import test_fetch_server as server
from tests.test_fetch_server import Api, _region
from wijkdata.cli import app

api = server.api  # the local CBS stand-in fixture, shared with test_fetch_server.py


@pytest.mark.slow
def test_fetched_pages_build_a_region_end_to_end(
        project: Path, api: Api, runner: CliRunner, shared_data: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    raw = _region(project, extra=(
        "  - {id: ggd_2020, kind: ggd_monitor, age_group: '18+', year: 2020, path: ggd.csv}\n"
        "output: {formats: [html]}\n"))
    cfg = (project / "configs" / "t.yml").read_text(encoding="utf-8").replace(
        "filters: {WijkenEnBuurten: [GM0197, WK0197, BU0197]}}",
        "filters: {WijkenEnBuurten: [GM0197, WK0197, BU0197]},\n"
        "     columns: {a_inw: AantalInwoners, a_65_oo: k_65JaarOfOuder, a_hh: HuishoudensTotaal}}")
    (project / "configs" / "t.yml").write_text(cfg, encoding="utf-8")
    raw.mkdir(parents=True, exist_ok=True)
    shutil.copy(shared_data / "rivm" /
                "gezondheid_wijk_buurt_50090NED_2020_18plus_doelgemeenten.csv", raw / "ggd.csv")
    monkeypatch.setenv("WIJKDATA_CBS_API", api.base + "/v3")
    assert runner.invoke(app, ["fetch", "--regio", "t"]).exit_code == 0
    result = runner.invoke(app, ["build", "--regio", "t", "--format", "html"])
    assert result.exit_code == 0, result.output
    assert "built 4 profiles" in result.output
    con = duckdb.connect(str(project / "data" / "processed" / "t.duckdb"), read_only=True)
    try:
        got = con.sql("SELECT value FROM observation WHERE area_code = 'GM0197' "
                      "AND variable = 'a_inw' AND year = 2020").fetchall()
        sources = con.sql("SELECT source_id, path FROM provenance ORDER BY 1").fetchall()
    finally:
        con.close()
    assert got == [(27121.0,)]
    assert sources == [("ggd_2020", "ggd.csv"), ("kwb_api", "cbs/kwb_2020_api")]
    again = runner.invoke(app, ["build", "--regio", "t", "--format", "html"])
    assert again.exit_code == 0
