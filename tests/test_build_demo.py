"""End to end on the demo region: the CLI builds HTML, CSV and the overview, figures right."""

from __future__ import annotations

from pathlib import Path

import duckdb
from typer.testing import CliRunner

from wijkdata.cli import app


def test_demo_build_html_and_csv(project: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html,csv"])
    assert result.exit_code == 0, result.output
    out = project / "reports" / "demo"
    assert (out / "index.html").exists()
    html = (out / "DORP_ESVELD.html").read_text(encoding="utf-8")
    assert "<title>Dorpsprofiel Esveld</title>" in html
    # Esveld = buurten BU99010200 (Esveld-Dorp) + BU99010201 (Esveld-Buiten), KWB 2023 demo:
    # a_1p_hh 245 + 80 = 325 over a_hh 600 + 170 = 770 huishoudens -> 42,2%.
    con = duckdb.connect(str(project / "data" / "processed" / "demo.duckdb"), read_only=True)
    row = con.execute(
        "SELECT numerator, denominator, round(value, 1) FROM ind_value "
        "WHERE indicator_id = 'eenpersoonshuishoudens' AND area_code = 'DORP_ESVELD' "
        "AND year = 2023").fetchone()
    assert row == (325.0, 770.0, 42.2)
    assert "42,2%" in html
    csv_text = (out / "DORP_ESVELD.csv").read_text(encoding="utf-8-sig")
    assert ("DORP_ESVELD;Esveld;dorp;Dorpsprofiel;eenpersoonshuishoudens;Eenpersoonshuishoudens;"
            "Bevolking en huishoudens;2023;%;42,2;38,8;45,7;325;770;getoond;") in csv_text


def test_unknown_region_lists_known_ones(project: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["build", "--regio", "atlantis"])
    assert result.exit_code == 2
    assert "error: unknown region 'atlantis': no file configs/atlantis.yml" in result.output
    assert "hint: known regions: " in result.output and "demo" in result.output
