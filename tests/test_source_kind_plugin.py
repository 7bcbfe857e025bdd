"""One room per extension: a source kind from the tests folder, registered as a plugin.

``tests/extensions/source_kind_fixture.py`` is the one file (the README's "Add a source kind"
recipe); ``WIJKDATA_PLUGINS`` names it. The demo region is built with one extra source of that
kind and an indicator reading it, and its figure is found in the profiles. Options of another
kind are refused with the file, line and key (the config's ``sources:`` is a discriminated union
on ``kind`` over the registered kinds).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import page_text
from wijkdata.cli import app
from wijkdata.core.plugins import ENV
from wijkdata.core.source_kinds import kinds

PLUGIN = "tests.extensions.source_kind_fixture"
# Esveld (DORP_ESVELD) is the buurten BU99010200 and BU99010201: its count is their sum.
COUNTS = {"BU99010200": {"mz_steunpunt": 31}, "BU99010201": {"mz_steunpunt": 17},
          "BU99010202": {"mz_steunpunt": 9}}
SOURCE = ("  - {id: steunpunt_2023, kind: json_counts, path: steunpunt_2023.json, year: 2023,\n"
          "     variables: [mz_steunpunt]}\n")
INDICATOR = """id: mantelzorgers_steunpunt
title: Mantelzorgers bij het steunpunt
description: Mantelzorgers die bij het steunpunt mantelzorg ingeschreven staan.
theme: zorg
statistic: count
numerator: mz_steunpunt
unit: mantelzorgers
format: number_0
polarity: neutral
interval: none
sources: [json_counts]
"""


def _add_source(project: Path, source: str) -> None:
    config = project / "configs" / "demo.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("indicators: [all]\n", source + "indicators: [all]\n", 1),
                      encoding="utf-8")


@pytest.fixture
def with_plugin(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(ENV, PLUGIN)
    (project / "data" / "demo" / "steunpunt_2023.json").write_text(json.dumps(COUNTS),
                                                                   encoding="utf-8")
    (project / "indicators" / "zorg" / "mantelzorgers_steunpunt.yml").write_text(
        INDICATOR, encoding="utf-8")
    _add_source(project, SOURCE)
    return project


def test_a_kind_from_the_tests_folder_builds_into_the_profiles(with_plugin: Path,
                                                              runner: CliRunner) -> None:
    out = with_plugin / "reports" / "demo"
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html,csv",
                                 "--area", "DORP_ESVELD", "--area", "BU99010201"])
    assert result.exit_code == 0, result.output
    rows = {}
    for code in ("DORP_ESVELD", "BU99010201"):
        lines = (out / f"{code}.csv").read_text(encoding="utf-8-sig").splitlines()
        rows[code] = next(line for line in lines if ";mantelzorgers_steunpunt;" in line)
    # 31 + 17 = 48 for the village; the buurt's own 17. Provenance comes from the kind.
    # No gemeente or regio row in the file: no comparison, no trend (one year).
    assert rows["DORP_ESVELD"] == (
        "DORP_ESVELD;Esveld;dorp;Dorpsprofiel;mantelzorgers_steunpunt;"
        "Mantelzorgers bij het steunpunt;Zorg en ondersteuning;2023;mantelzorgers;48;;;48;;"
        "getoond;;;;;;;;;;;;;Steunpunt Mantelzorg (test) — Ingeschreven mantelzorgers;;"
        "niet openbaar")
    assert rows["BU99010201"].split(";")[8:13] == ["mantelzorgers", "17", "", "", "17"]
    html = " ".join(page_text(out / "DORP_ESVELD.html").split())
    assert ('<th scope="row">Mantelzorgers bij het steunpunt<span class="desc">2023 · '
            'mantelzorgers</span></th> <td class="num"><strong>48</strong></td>') in html
    assert "Steunpunt Mantelzorg (test)" in html


def test_an_option_of_another_kind_names_file_line_and_key(with_plugin: Path,
                                                           runner: CliRunner) -> None:
    _add_source(with_plugin, "  - {id: kwb_extra, kind: cbs_kwb, path: kwb_2023_demo.csv,\n"
                             "     year: 2023, variables: [a_inw]}\n")
    config = with_plugin / "configs" / "demo.yml"
    line = config.read_text(encoding="utf-8").splitlines().index(
        "     year: 2023, variables: [a_inw]}") + 1
    result = runner.invoke(app, ["check", "--regio", "demo"])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        f"error: {config}, line {line}: sources.9.variables: not an option of kind cbs_kwb; "
        "it belongs to kind json_counts")


def test_without_the_plugin_the_kind_is_unknown_and_named(with_plugin: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != ENV}
    wijkdata = Path(sys.executable).with_name("wijkdata")
    done = subprocess.run([str(wijkdata), "check", "--regio", "demo"],
                          cwd=with_plugin, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    config = with_plugin / "configs" / "demo.yml"
    line = config.read_text(encoding="utf-8").splitlines().index(
        "  - {id: steunpunt_2023, kind: json_counts, path: steunpunt_2023.json, year: 2023,") + 1
    known = ", ".join(sorted(k for k in kinds() if k != "json_counts"))  # wijkdata's own
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines()[-1] == (
        f"error: {config}, line {line}: sources.8.kind: unknown source kind 'json_counts'; "
        f"kinds: {known} (a plugin's kind needs its module installed or named in ${ENV})")
    assert "cbs_kwb, cbs_odata, csv, ggd_monitor" in known


def test_an_edit_to_a_plugin_module_changes_the_build_fingerprint(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from wijkdata.core.config import load_region
    from wijkdata.indicators.comparisons import compared_levels
    from wijkdata.pipeline import manifest

    folder = tmp_path / "plugins"
    folder.mkdir()
    module = folder / "wijkdata_probe_plugin.py"
    module.write_text("VERSION = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setenv(ENV, "wijkdata_probe_plugin")
    region = load_region("demo")  # loads the plugins named in the variable

    def ingest_key() -> str:
        hasher = manifest.Hasher()
        sources = manifest.hash_sources(region, region.data_dir(), hasher)
        return manifest.fingerprint(region, sources, {}, hasher,
                                    compared_levels(region.config)).keys.ingest

    before = ingest_key()
    assert ingest_key() == before
    module.write_text("VERSION = 2\n", encoding="utf-8")
    assert ingest_key() != before


def test_an_option_of_several_other_kinds_names_them_all() -> None:
    from pydantic import ValidationError

    from wijkdata.core.source_kinds import source_options

    owners = sorted(n for n, k in kinds().items() if "skip_rows" in k.options.model_fields)
    assert {"cbs_kwb", "ggd_monitor", "csv"} <= set(owners)  # file tables have title rows
    with pytest.raises(ValidationError) as err:
        source_options(id="w", kind="boundaries", path="w.geojson", skip_rows=2)
    assert err.value.errors()[0]["loc"] == ("skip_rows",)
    assert err.value.errors()[0]["msg"] == (
        "not an option of kind boundaries; it belongs to kinds "
        f"{', '.join(owners[:-1])} and {owners[-1]}")
