"""The whole national wijk build runs in the test suite on the real data (CI-size time)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wijkdata.cli import app

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_every_wijk_of_the_netherlands_gets_a_profile(
        project: Path, shared_data: Path, runner: CliRunner) -> None:
    shutil.copy(ROOT / "configs" / "nederland.yml", project / "configs" / "nederland.yml")
    result = runner.invoke(app, ["build", "--regio", "nederland", "--data-dir", str(shared_data),
                                 "--format", "html"])
    assert result.exit_code == 0, result.output
    out = project / "reports" / "nederland"
    kwb = (shared_data / "cbs" / "kwb_2023_selectie.csv").read_text(encoding="utf-8")
    wijken = sorted(line.split(";", 1)[0] for line in kwb.splitlines() if line.startswith("WK"))
    assert len(wijken) == 3352
    assert sorted(p.stem for p in out.glob("WK*.html")) == wijken
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{code}.html"' in index for code in wijken)
    assert "built 3352 profiles for Nederland" in result.output
