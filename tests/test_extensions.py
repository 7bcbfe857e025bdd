"""One room per extension, proved: a statistic and an output format that live in the tests
folder (tests/extensions/), loaded through WIJKDATA_PLUGINS, build the demo.

Figures by hand from the demo's KWB counts (the same as test_build_demo.py): Esveld has
a_1p_hh 325 of a_hh 770 huishoudens in 2023 (320 of 750 in 2022), gemeente Vreedebeek
(GM9901) 3180 of 7645 (3115 of 7490). The test statistic is the odds × 100:
Esveld 2023 325 / 445 × 100 = 73.03..., 2022 320 / 430 × 100 = 74.41...;
Vreedebeek 2023 3180 / 4465 × 100 = 71.22..., 2022 3115 / 4375 × 100 = 71.2.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from wijkdata.cli import app
from wijkdata.core import plugins
from wijkdata.indicators import statistics
from wijkdata.report import formats

PLUGINS = ("tests.extensions.odds", "tests.extensions.kerncijfers")

ODDS_YAML = """\
id: odds_eenpersoons
theme: demografie
title: Kans op een eenpersoonshuishouden
description: Eenpersoonshuishoudens per 100 andere particuliere huishoudens.
statistic: odds
numerator: a_1p_hh
denominator: a_hh
multiplier: 100
format: number_1
polarity: lower_is_better
sources: [cbs_kwb]
"""


@pytest.fixture
def with_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test extensions for this test only: registries and imports are restored after."""
    monkeypatch.setenv(plugins.ENV, ",".join(PLUGINS))
    monkeypatch.setattr(statistics, "_REGISTRY", dict(statistics._REGISTRY))
    monkeypatch.setattr(formats, "_REGISTRY", dict(formats._REGISTRY))
    monkeypatch.setattr(plugins, "_loaded", set())
    for module in PLUGINS:  # imported afresh, so they register into the copies above
        monkeypatch.delitem(sys.modules, module, raising=False)


def test_demo_builds_with_a_statistic_and_a_format_from_the_tests_folder(
        project: Path, runner: CliRunner, with_plugins: None) -> None:
    (project / "indicators" / "demografie" / "odds_eenpersoons.yml").write_text(
        ODDS_YAML, encoding="utf-8")
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html,kerncijfers",
                                 "--area", "DORP_ESVELD", "--area", "WK990101"])
    assert result.exit_code == 0, result.output
    out = project / "reports" / "demo"
    con = duckdb.connect(str(project / "data" / "processed" / "demo.duckdb"), read_only=True)
    # The value: the class's figures().
    assert con.execute(
        "SELECT area_code, year, numerator, denominator, value, lower FROM ind_value "
        "WHERE indicator_id = 'odds_eenpersoons' AND area_code IN ('DORP_ESVELD', 'GM9901') "
        "ORDER BY 1, 2").fetchall() == [
        ("DORP_ESVELD", 2022, 320.0, 750.0, 320 / 430 * 100, None),
        ("DORP_ESVELD", 2023, 325.0, 770.0, 325 / 445 * 100, None),
        ("GM9901", 2022, 3115.0, 7490.0, 3115 / 4375 * 100, None),
        ("GM9901", 2023, 3180.0, 7645.0, 3180 / 4465 * 100, None)]
    # The comparison: the class's own rule (2% tolerance, no interval needed): 73.03 lies
    # above 1.02 × 71.22 = 72.64, so 'higher', and with lower_is_better 'worse'.
    assert con.execute(
        "SELECT comparison, judgement FROM ind_comparison WHERE indicator_id = "
        "'odds_eenpersoons' AND area_code = 'DORP_ESVELD' AND year = 2023 "
        "AND comparator = 'gemeente'").fetchone() == ("higher", "worse")
    # The trend: the class's test. Esveld fell 1.38 (more than 1% of 74.42), Vreedebeek rose
    # 0.02 (less than 1% of 71.2).
    assert con.execute(
        "SELECT area_code, test, verdict FROM ind_trend WHERE indicator_id = "
        "'odds_eenpersoons' AND area_code IN ('DORP_ESVELD', 'GM9901') ORDER BY 1").fetchall() \
        == [("DORP_ESVELD", "odds_moved_1pct", "significant"),
            ("GM9901", "odds_moved_1pct", "not_significant")]
    # The format: one file per profiled area, published with the HTML.
    assert sorted(p.name for p in out.glob("*.kerncijfers.txt")) == [
        "DORP_ESVELD.kerncijfers.txt", "WK990101.kerncijfers.txt"]
    lines = (out / "DORP_ESVELD.kerncijfers.txt").read_text(encoding="utf-8").splitlines()
    assert "odds_eenpersoons\t2023\t73,0\tworse" in lines
    assert "eenpersoonshuishoudens\t2023\t42,2%\tsimilar" in lines
    # The report's definition line comes from the class's method_text.
    html = (out / "DORP_ESVELD.html").read_text(encoding="utf-8")
    assert "a_1p_hh / (a_hh − a_1p_hh)" in html


def test_an_unknown_format_names_the_registered_ones(
        project: Path, runner: CliRunner, with_plugins: None) -> None:
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html,odt"])
    assert result.exit_code == 2
    assert ("error: --format: unknown format 'odt'; use html, pdf, csv, bewoners and/or "
            "kerncijfers, e.g. --format html,pdf") in result.output


def test_a_plugin_that_cannot_be_imported_is_a_config_error(
        project: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(plugins.ENV, "tests.extensions.nothing_here")
    monkeypatch.setattr(plugins, "_loaded", set())
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html"])
    assert result.exit_code == 2
    assert ("error: WIJKDATA_PLUGINS: cannot import plugin module "
            "'tests.extensions.nothing_here': No module named "
            "'tests.extensions.nothing_here'") in result.output


def test_an_unknown_statistic_names_the_file_line_and_the_registered_ones(
        project: Path, runner: CliRunner) -> None:
    yml = project / "indicators" / "demografie" / "odds_eenpersoons.yml"
    yml.write_text(ODDS_YAML, encoding="utf-8")  # without the plugin: 'odds' is unknown
    result = runner.invoke(app, ["indicators"])
    assert result.exit_code == 2
    assert (f"error: {yml}, line 5: statistic: Value error, unknown statistic 'odds'; use "
            "proportion, rate, mean, count, given_percentage") in result.output
