"""The committed demo files are exactly what the deterministic generator makes."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from wijkdata.cli import app
from wijkdata.ingest import demo

ROOT = Path(__file__).resolve().parents[1]


def test_committed_demo_files_match_the_generator() -> None:
    assert demo.differences(ROOT / "data" / "demo") == []


def test_demo_data_check_reports_a_stale_file(tmp_path: Path, runner: CliRunner) -> None:
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo-data", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["demo-data", "--out", str(out), "--check"]).output == (
        "demo data up to date\n")
    (out / "kwb_2023_demo.csv").write_text("gwb_code_10;a_inw\n", encoding="utf-8")
    result = runner.invoke(app, ["demo-data", "--out", str(out), "--check"])
    assert result.exit_code == 1
    assert "out of date: kwb_2023_demo.csv" in result.output


def test_demo_region_shape() -> None:
    """About 4 wijken and 15 buurten in the main gemeente, as the newcomer's demo promises."""
    name, wijken = demo.GEMEENTEN[0][1], demo.GEMEENTEN[0][2]
    assert name == "Vreedebeek"
    assert len(wijken) == 4
    assert sum(len(b) for _, _, b in wijken) == 15
