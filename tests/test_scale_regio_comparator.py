"""regio_lookup: every area is compared with its own gemeente's regio (GGD-regio), set-based."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from wijkdata.cli import app

FIX = Path(__file__).resolve().parent / "fixtures" / "region_lookup"


def _with_lookup(project: Path) -> None:
    shutil.copy(FIX / "ggd_regio.csv", project / "data" / "demo" / "ggd_regio.csv")
    cfg = project / "configs" / "demo.yml"
    text = cfg.read_text(encoding="utf-8")
    text = text.replace("indicators: [all]\n",
                        "  - {id: ggd_regio, kind: region_lookup, path: ggd_regio.csv}\n"
                        "regio_lookup: ggd_regio\nindicators: [all]\n")
    cfg.write_text(text, encoding="utf-8")


def test_each_area_gets_its_gemeentes_regio(project: Path, runner: CliRunner) -> None:
    _with_lookup(project)
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html",
                                 "--area", "DORP_ESVELD"])
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(project / "data" / "processed" / "demo.duckdb"), read_only=True)
    # Only the regios of the config's gemeenten; GM0197 (GG1413) in the fixture is left out.
    assert con.execute("SELECT * FROM regio_member ORDER BY ALL").fetchall() == [
        ("GG0001", "GGD Vreedebeek", "GM9901"),
        ("GG0002", "GGD Lindenoord en Omstreken", "GM9902"),
    ]
    assert con.execute("SELECT code, name, level, parent_code FROM area WHERE level = 'regio' "
                       "ORDER BY code").fetchall() == [
        ("GG0001", "GGD Vreedebeek", "regio", "NL00"),
        ("GG0002", "GGD Lindenoord en Omstreken", "regio", "NL00"),
    ]
    # GG0001 holds only GM9901, so its sums are GM9901's KWB 2023 demo counts:
    # a_1p_hh 3180 over a_hh 7645 huishoudens.
    row = con.execute("SELECT numerator, denominator FROM ind_value "
                      "WHERE indicator_id = 'eenpersoonshuishoudens' AND area_code = 'GG0001' "
                      "AND year = 2023").fetchone()
    assert row == (3180.0, 7645.0)
    pairs = con.execute(
        "SELECT DISTINCT substr(area_code, 1, 6), comparator_code FROM ind_comparison "
        "WHERE comparator = 'regio' AND area_code LIKE 'WK99%' ORDER BY ALL").fetchall()
    assert pairs == [("WK9901", "GG0001"), ("WK9902", "GG0002")]
    value = con.execute(
        "SELECT DISTINCT comparator_value FROM ind_comparison WHERE comparator = 'regio' "
        "AND indicator_id = 'eenpersoonshuishoudens' AND year = 2023 "
        "AND area_code LIKE 'WK9901%'").fetchall()
    assert value == [(3180 / 7645 * 100,)]


def test_regio_lookup_must_name_a_region_lookup_source(project: Path,
                                                       runner: CliRunner) -> None:
    cfg = project / "configs" / "demo.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(
        "indicators: [all]\n", "regio_lookup: wijken\nindicators: [all]\n"), encoding="utf-8")
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html"])
    assert result.exit_code == 2
    assert "regio_lookup 'wijken' is not the id of a source of kind region_lookup" in \
        result.output
