"""The build fingerprint covers package data: an edit to ``sources/kwb_columns/2023.yml`` makes
``--if-changed`` rebuild (issue 17 item 1), and a broken map is a message, not "internal error".

The package is copied next to the project and put first on ``PYTHONPATH``, so the test edits
its own copy of the column map, never the one other tests read.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

import wijkdata

PACKAGE = Path(wijkdata.__file__).resolve().parent
ARGS = ["build", "--regio", "demo", "--format", "csv", "--area", "WK990100", "--if-changed"]


def copy_package(base: Path) -> Path:
    target = base / "pkg" / "wijkdata"
    shutil.copytree(PACKAGE, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def wijkdata_cli(project: Path, pkg: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(pkg.parent))
    return subprocess.run(
        [sys.executable, "-c", "import wijkdata.cli as c; assert c.__file__.startswith("
         f"{str(pkg)!r}), c.__file__; c.main()", *args],
        cwd=project, env=env, capture_output=True, text=True, timeout=300, check=False)


def one_person_households(project: Path) -> tuple[float, float, float]:
    """Numerator, denominator and value for Wijk 00 Centrum in 2023, from the built database."""
    con = duckdb.connect(str(project / "data" / "processed" / "demo.duckdb"), read_only=True)
    try:
        row = con.execute("SELECT numerator, denominator, value FROM ind_value WHERE "
                          "indicator_id = 'eenpersoonshuishoudens' AND area_code = 'WK990100' "
                          "AND year = 2023").fetchone()
    finally:
        con.close()
    assert row is not None
    return row


def test_an_edited_kwb_column_map_rebuilds_with_if_changed(project: Path, tmp_path: Path) -> None:
    pkg = copy_package(tmp_path)
    first = wijkdata_cli(project, pkg, *ARGS)
    assert first.returncode == 0, first.stderr
    assert first.stderr.splitlines()[-1].startswith("built 1 profiles")
    # Wijk 00 Centrum, 2023 (kwb_2023_demo.csv): 895 one-person households of 2,570.
    assert one_person_households(project) == (895, 2570, 895 / 2570 * 100)
    same = wijkdata_cli(project, pkg, *ARGS)
    assert same.stderr == "up to date: nothing changed since the last build of demo\n"

    # Swap two columns in the 2023 map: the map is data, the fingerprint must see the edit
    # and the figure must follow it (810 households without children).
    column_map = pkg / "ingest" / "sources" / "kwb_columns" / "2023.yml"
    text = column_map.read_text(encoding="utf-8")
    lines = ("  a_1p_hh: [Eenpersoonshuishoudens, a_1p_hh]\n"
             "  a_hh_z_k: [HuishoudensZonderKinderen, a_hh_z_k]\n")
    assert lines in text
    column_map.write_text(text.replace(lines, "  a_1p_hh: [HuishoudensZonderKinderen, a_hh_z_k]\n"
                                              "  a_hh_z_k: [Eenpersoonshuishoudens, a_1p_hh]\n"),
                          encoding="utf-8")
    rebuilt = wijkdata_cli(project, pkg, *ARGS)
    assert rebuilt.returncode == 0, rebuilt.stderr
    # "[1/<number of demo sources>] ...": the count follows the demo config.
    assert any(ln.startswith("[1/") and ln.endswith(
        f"] cbs_kwb 'kwb_2022': {project / 'data' / 'demo' / 'kwb_2022_demo.csv'}")
               for ln in rebuilt.stderr.splitlines())
    assert rebuilt.stderr.splitlines()[-1].startswith("built 1 profiles")
    assert one_person_households(project) == (810, 2570, 810 / 2570 * 100)


def test_a_typo_in_a_kwb_column_map_names_file_line_and_key(project: Path,
                                                            tmp_path: Path) -> None:
    pkg = copy_package(tmp_path)
    column_map = pkg / "ingest" / "sources" / "kwb_columns" / "2023.yml"
    text = column_map.read_text(encoding="utf-8")
    column_map.write_text(text.replace("required: [a_inw]", "requird: [a_inw]"),
                          encoding="utf-8")
    line = text.splitlines().index("required: [a_inw]") + 1
    proc = wijkdata_cli(project, pkg, *ARGS)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1] == f"error: {column_map}, line {line}: requird: unknown key"


def test_one_column_mapped_to_two_variables_is_refused(project: Path, tmp_path: Path) -> None:
    pkg = copy_package(tmp_path)
    column_map = pkg / "ingest" / "sources" / "kwb_columns" / "2023.yml"
    text = column_map.read_text(encoding="utf-8")
    lines = "  a_1p_hh: [Eenpersoonshuishoudens, a_1p_hh]\n"
    assert lines in text
    column_map.write_text(text.replace(lines, "  a_1p_hh: [Eenpersoonshuishoudens, a_hh]\n"),
                          encoding="utf-8")
    line = text.splitlines().index("columns:") + 2  # where the mapping under columns: starts
    proc = wijkdata_cli(project, pkg, *ARGS)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1] == (
        f"error: {column_map}, line {line}: columns: Value error, column 'a_hh' is mapped to "
        "both 'a_hh' and 'a_1p_hh'; a published column holds one variable")
