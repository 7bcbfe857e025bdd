"""configs/nederland.yml: all of KWB 2023, each wijk compared with its own GGD-regio."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from wijkdata.cli import app
from wijkdata.core.config import load_region

ROOT = Path(__file__).resolve().parents[1]


def test_config_lists_every_kwb_2023_gemeente() -> None:
    region = load_region("nederland", ROOT)
    cfg = region.config
    assert len(cfg.gemeenten) == 342 and len(set(cfg.gemeenten)) == 342
    assert cfg.gemeenten == sorted(cfg.gemeenten)
    assert cfg.regio_lookup == "ggd_regio"
    assert [s.kind for s in cfg.sources] == ["cbs_kwb", "ggd_monitor", "boundaries",
                                             "region_lookup"]


@pytest.mark.slow
def test_gemeenten_are_those_of_the_kwb_file(shared_data: Path) -> None:
    with (shared_data / "cbs" / "kwb_2023_selectie.csv").open(encoding="utf-8") as fh:
        codes = sorted({row[0] for row in csv.reader(fh, delimiter=";") if row[0][:2] == "GM"})
    assert load_region("nederland", ROOT).config.gemeenten == codes


@pytest.mark.slow
def test_aalten_wijk_compared_with_ggd_noord_en_oost_gelderland(
        project: Path, shared_data: Path, runner: CliRunner) -> None:
    import shutil

    shutil.copy(ROOT / "configs" / "nederland.yml", project / "configs" / "nederland.yml")
    result = runner.invoke(app, ["build", "--regio", "nederland", "--data-dir", str(shared_data),
                                 "--format", "html", "--area", "WK019701"])
    assert result.exit_code == 0, result.output
    assert (project / "reports" / "nederland" / "WK019701.html").is_file()
    # Independent sum from the raw file over the gemeenten that the lookup puts in GG1413.
    with (shared_data / "cbs" / "gebieden_in_nederland_2023_gemeente_ggdregio.csv").open(
            encoding="utf-8-sig") as fh:
        members = {r[1].strip() for r in csv.reader(fh, delimiter=";") if r[3].strip() == "GG1413"}
    assert "GM0197" in members and len(members) == 22
    num = den = 0.0
    with (shared_data / "cbs" / "kwb_2023_selectie.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            if row["gwb_code_10"] in members:
                num += float(row["a_1p_hh"])
                den += float(row["a_hh"])
    con = duckdb.connect(str(project / "data" / "processed" / "nederland.duckdb"),
                         read_only=True)
    assert con.execute("SELECT name, level FROM area WHERE code = 'GG1413'").fetchone() == (
        "GGD Noord- en Oost-Gelderland", "regio")
    assert con.execute("SELECT count(*) FROM area WHERE level = 'regio'").fetchone() == (25,)
    got = con.execute(
        "SELECT comparator_code, comparator_value FROM ind_comparison "
        "WHERE area_code = 'WK019701' AND comparator = 'regio' AND year = 2023 "
        "AND indicator_id = 'eenpersoonshuishoudens'").fetchone()
    assert got is not None and got[0] == "GG1413"
    assert got[1] == pytest.approx(num / den * 100, rel=1e-12)
