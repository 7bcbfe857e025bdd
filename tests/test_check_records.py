"""``wijkdata check`` lists every problem of a source as a record, with the file's own row numbers.

The file below has two title rows above the header (``skip_rows: 2``), so its first data row is
row 4 of the file: the row an analyst sees in a spreadsheet or text editor.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wijkdata.cli import app
from wijkdata.core.errors import DataError, Problem, collecting
from wijkdata.core.source_kinds import source_options
from wijkdata.ingest.sources import ggd_monitor

LONG = "x" * 250
KWB = f"""Kerncijfers wijken en buurten 2023
Bron: CBS
gwb_code_10;regio;gm_naam;a_inw;g_afs_hp
GM0197;Aalten;Aalten;27100;1,1
WK019701;Aalten-kern;Aalten;veel;0,9
BU01970101;Centrum;Aalten;1210;{LONG}
BU0197010;Oost;Aalten;905;0,5
WK019701;Aalten-kern;Aalten;4120;0,9
"""
CONFIG = """name: Checkregio
gemeenten: [GM0197]
data_dir: data/raw
sources:
  - {id: kwb_2023, kind: cbs_kwb, path: kwb_2023.csv, year: 2023, skip_rows: 2}
"""


@pytest.fixture
def kwb(project: Path) -> Path:
    raw = project / "data" / "raw"
    raw.mkdir(parents=True)
    (raw / "kwb_2023.csv").write_text(KWB, encoding="utf-8")
    (project / "configs" / "chk.yml").write_text(CONFIG, encoding="utf-8")
    return raw / "kwb_2023.csv"


def test_check_lists_every_problem_with_file_rows(kwb: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", "--regio", "chk"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"kwb_2023 (cbs_kwb 2023): {kwb}",
        f"  FATAL: {kwb}, row 7, column 'gwb_code_10': 'BU0197010' is not a CBS area code "
        "(expected NL00, GM0000, WK000000 or BU00000000)",
        f"  FATAL: {kwb}, column 'gwb_code_10': area code WK019701 appears twice (rows 5 and 8)",
        f"  FATAL: {kwb}, row 5, column 'a_inw': expected a number, '.', or an empty cell, "
        "found 'veel'",
        f"  FATAL: {kwb}, row 6, column 'g_afs_hp': expected a number, '.', or an empty cell, "
        f"found '{'x' * 200}... (250 characters)'",
        "1 sources checked, 1 fatal",
    ]


def test_check_json_gives_records_with_values_cut_to_200(kwb: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", "--regio", "chk", "--json"])
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["region"] == "chk" and doc["fatal"] == 1 and doc["changes"] == []
    (src,) = doc["sources"]
    assert (src["id"], src["kind"], src["year"], src["ok"], src["rows"]) == (
        "kwb_2023", "cbs_kwb", 2023, False, None)
    assert src["errors"] == [
        {"code": "invalid-area-code", "file": str(kwb), "row": 7, "column": "gwb_code_10",
         "value": "BU0197010", "hint": None,
         "message": "'BU0197010' is not a CBS area code "
                    "(expected NL00, GM0000, WK000000 or BU00000000)"},
        {"code": "duplicate-area-code", "file": str(kwb), "row": None, "column": "gwb_code_10",
         "value": "WK019701", "hint": None,
         "message": "area code WK019701 appears twice (rows 5 and 8)"},
        {"code": "type-error", "file": str(kwb), "row": 5, "column": "a_inw", "value": "veel",
         "hint": None, "message": "expected a number, '.', or an empty cell, found 'veel'"},
        {"code": "type-error", "file": str(kwb), "row": 6, "column": "g_afs_hp",
         "value": "x" * 200, "hint": None,
         "message": "expected a number, '.', or an empty cell, found "
                    f"'{'x' * 200}... (250 characters)'"},
    ]


def test_check_json_of_a_clean_and_a_missing_source(kwb: Path, runner: CliRunner) -> None:
    kwb.write_text(KWB.replace("veel", "4100").replace(LONG, "0,9")
                   .replace("BU0197010;", "BU01970102;")
                   .replace("WK019701;Aalten-kern;Aalten;4120;0,9\n", ""), encoding="utf-8")
    cfg = kwb.parents[2] / "configs" / "chk.yml"
    cfg.write_text(CONFIG + "  - {id: kwb_2022, kind: cbs_kwb, path: weg.csv, year: 2022}\n",
                   encoding="utf-8")
    result = runner.invoke(app, ["check", "--regio", "chk", "--json"])
    assert result.exit_code == 1
    clean, missing = json.loads(result.output)["sources"]
    assert (clean["ok"], clean["rows"], clean["areas"], clean["missing"], clean["errors"]) == (
        True, 4, {"gemeente": 1, "wijk": 1, "buurt": 2}, {}, [])
    assert missing["errors"] == [{
        "code": "missing-file", "file": str(kwb.with_name("weg.csv")), "row": None,
        "column": None, "value": None,
        "hint": "source 'kwb_2022' has no 'fetch:'; put weg.csv under the data folder or pass "
                "--data-dir with the folder that holds it",
        "message": f"data not found: {kwb.with_name('weg.csv')}"}]


def test_a_build_still_stops_at_the_first_problem(kwb: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["build", "--regio", "chk", "--format", "html"])
    assert result.exit_code == 1
    assert result.output.endswith(
        f"error: {kwb}, row 7, column 'gwb_code_10': 'BU0197010' is not a CBS area code "
        "(expected NL00, GM0000, WK000000 or BU00000000)\n")


def test_monitor_rows_are_file_rows_after_filtering_by_margin(tmp_path: Path) -> None:
    # File rows 3 and 4 are the interval bounds of GM0197, row 5 its point estimate: a bad
    # estimate must be reported on row 5, not on row 2 (the first of the estimates alone).
    path = tmp_path / "monitor.csv"
    path.write_text(
        "Titel\n"
        "ID;Marges;WijkenEnBuurten;Perioden;Roker_11\n"
        "0;MOG0095;GM0197;2022JJ00;10\n"
        "1;MBG0095;GM0197;2022JJ00;14\n"
        "2;MW00000;GM0197;2022JJ00;twaalf\n", encoding="utf-8")
    source = source_options(id="ggd", kind="ggd_monitor", path="monitor.csv", skip_rows=1,
                            age_group="18+")
    with pytest.raises(DataError) as err:
        ggd_monitor.read(source, path)
    assert err.value.message == (f"{path}, row 5, column 'Roker_11': expected a number, '.', "
                                 "or an empty cell, found 'twaalf'")
    assert err.value.problem == Problem("type-error", str(path), err.value.problem.message,
                                        row=5, column="Roker_11", value="twaalf")
    with collecting() as found:
        ggd_monitor.read(source, path)
    assert [(p.row, p.value) for p in found] == [(5, "twaalf")]
