"""`wijkdata regios` and the region configs shipped with the project."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from wijkdata.cli import app
from wijkdata.core.config import known_regions, load_region

ROOT = Path(__file__).resolve().parents[1]


def test_regios_lists_every_config_with_counts(project: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["regios"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["regio", "gemeenten", "niveaus", "eigen", "gebieden",
                                "profielen", "naam"]
    demo = next(x for x in lines if x.startswith("demo "))
    assert demo.split()[:5] == ["demo", "2", "wijk,buurt", "4", "-"]
    for slug in ("achterhoek", "apeldoorn", "zutphen", "nijmegen", "eindhoven", "gemert-bakel",
                 "amersfoort"):
        assert any(x.startswith(slug + " ") for x in lines), slug


@pytest.mark.parametrize("slug", known_regions(ROOT))
def test_every_shipped_config_is_valid(slug: str) -> None:
    region = load_region(slug, ROOT)
    assert region.config.gemeenten


def test_achterhoek_has_its_eight_gemeenten_and_villages() -> None:
    cfg = load_region("achterhoek", ROOT).config
    assert cfg.gemeenten == ["GM0197", "GM1859", "GM1876", "GM0222", "GM1955", "GM1586",
                             "GM1509", "GM0294"]
    assert [c.code for c in cfg.areas.custom] == [
        "DORP_BREDEVOORT", "DORP_DINXPERLO", "DORP_LICHTENVOORDE", "DORP_GROENLO",
        "DORP_EIBERGEN"]


def test_build_after_demo_counts_profiles(project: Path, runner: CliRunner) -> None:
    assert runner.invoke(app, ["build", "--regio", "demo", "--format", "html"]).exit_code == 0
    demo = next(x for x in runner.invoke(app, ["regios"]).output.splitlines()
                if x.startswith("demo "))
    # The demo has 6 wijken and 21 buurten in two gemeenten (Oosterveld split in two and an
    # estate added in 2023), plus 3 dorpen and 1 focusgebied: 31 profiles.
    assert demo.split()[4] == "31"
