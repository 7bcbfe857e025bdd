"""``wijkdata doctor``: exact lines for what is in place and for what is missing, exit 0 or 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from wijkdata.cli import app
from wijkdata.pipeline.doctor import Check, check_fonts, check_packages, check_python
from wijkdata.report.pdf import find_browser

# The demo config's sources in order (read from it, so adding a demo source breaks nothing).
DEMO_FILES = [(src["id"], src["path"]) for src in yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "configs" / "demo.yml").read_text(encoding="utf-8")
)["sources"]]


def test_python_version_lines() -> None:
    assert check_python((3, 12, 1)).lines() == ["ok    python: 3.12.1"]
    assert check_python((3, 10, 4)).lines() == [
        "FAIL  python: 3.10.4 is too old",
        "      fix: install Python 3.11 or newer and recreate the virtual environment",
    ]


def test_package_requirements_are_compared_with_what_is_installed() -> None:
    import polars

    checks = check_packages(["polars>=1.0", "polars>=999", "no-such-package-wijkdata>=1",
                             "pytest>=8; extra == 'dev'"])
    assert [line for c in checks for line in c.lines()] == [
        f"ok    package polars: {polars.__version__}",
        f"FAIL  package polars: {polars.__version__} does not satisfy >=999",
        "      fix: pip install 'polars>=999'",
        "FAIL  package no-such-package-wijkdata: not installed",
        "      fix: pip install 'no-such-package-wijkdata>=1'",
    ]


def test_fonts_missing_says_what_to_install(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no fc-list
    assert check_fonts([tmp_path]).lines() == [
        "FAIL  fonts: DejaVu Sans not found",
        "      fix: install DejaVu fonts (Debian/Ubuntu: apt-get install fonts-dejavu-core)",
    ]
    font = tmp_path / "truetype" / "dejavu" / "DejaVuSans.ttf"
    font.parent.mkdir(parents=True)
    font.write_bytes(b"\0")
    assert check_fonts([tmp_path]) == Check("fonts", True, f"DejaVu Sans ({font})")


def _expected_ok_lines(project: Path) -> list[str]:
    data = project / "data" / "demo"
    return [
        f"ok    write demo output: {project / 'reports' / 'demo'}",
        f"ok    write demo database: {project / 'data' / 'processed'}",
        *[f"ok    data demo {sid}: {data / name}" for sid, name in DEMO_FILES],
    ]


def test_doctor_all_in_place(project: Path, runner: CliRunner) -> None:
    browser = find_browser()
    if browser is None:
        pytest.skip("no Chromium on this machine: the failure case is tested below")
    result = runner.invoke(app, ["doctor", "--regio", "demo"])
    lines = result.stdout.splitlines()
    assert lines[0] == "ok    python: " + ".".join(map(str, sys.version_info[:3]))
    assert any(ln.startswith(f"ok    browser: {browser} (Chromium ") for ln in lines)
    assert lines[-len(DEMO_FILES) - 2:] == _expected_ok_lines(project)
    if any(ln.startswith("FAIL") for ln in lines):  # e.g. a CI image without DejaVu fonts
        pytest.fail("\n".join(ln for ln in lines if not ln.startswith("ok")))
    assert result.exit_code == 0
    assert result.stderr == "doctor: everything a build needs is in place\n"


def test_doctor_names_a_missing_browser(project: Path, runner: CliRunner,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIJKDATA_BROWSER", str(project / "no-chromium"))
    result = runner.invoke(app, ["doctor", "--regio", "demo"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    at = lines.index(f"FAIL  browser: WIJKDATA_BROWSER={project / 'no-chromium'} does not exist")
    assert lines[at + 1] == ("      fix: point WIJKDATA_BROWSER at an existing Chromium "
                             "executable, or unset it to use chromium from PATH (Debian/Ubuntu: "
                             "apt-get install chromium)")
    _assert_summary(result.stdout, result.stderr)


def _assert_summary(stdout: str, stderr: str) -> None:
    n = sum(line.startswith("FAIL") for line in stdout.splitlines())
    assert stderr == f"doctor: {n} problem{'s' if n > 1 else ''} found\n"


def test_doctor_names_a_missing_data_file_and_exits_1(project: Path,
                                                      runner: CliRunner) -> None:
    missing = project / "data" / "demo" / "ggd_monitor_2020_demo.csv"
    missing.unlink()
    result = runner.invoke(app, ["doctor", "--regio", "demo"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    data = project / "data" / "demo"
    at = lines.index(f"FAIL  data demo ggd_2020: {missing} is missing")
    assert lines[at - 1:at + 2] == [
        f"ok    data demo ggd_2016: {data / 'ggd_monitor_2016_demo.csv'}",
        f"FAIL  data demo ggd_2020: {missing} is missing",
        f"      fix: copy the file to {missing}, or pass --data-dir with the folder that holds "
        "ggd_monitor_2020_demo.csv",
    ]
    # Every other demo file is reported present.
    assert [ln for ln in lines if ln.startswith("ok    data demo ")] == [
        f"ok    data demo {sid}: {data / name}" for sid, name in DEMO_FILES if sid != "ggd_2020"]
    _assert_summary(result.stdout, result.stderr)


def test_doctor_names_an_unwritable_output_folder(project: Path, runner: CliRunner) -> None:
    out = project / "reports" / "demo"
    out.mkdir(parents=True)
    out.chmod(0o555)
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(out)], check=False, capture_output=True)
    try:
        if os.access(out, os.W_OK) and os.geteuid() != 0:
            pytest.skip("cannot make a folder read-only here")
        result = runner.invoke(app, ["doctor", "--regio", "demo"])
    finally:
        subprocess.run(["chattr", "-i", str(out)], check=False, capture_output=True)
        out.chmod(0o755)
    lines = result.stdout.splitlines()
    at = lines.index(f"FAIL  write demo output: {out} is not writable")
    assert lines[at + 1] == (f"      fix: make {out} writable for this user (chmod u+w), "
                             "or choose another folder")
    assert result.exit_code == 1


def test_doctor_reports_a_broken_config(project: Path, runner: CliRunner) -> None:
    cfg = project / "configs" / "demo.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("regio_name:", "regio_naam:"),
                   encoding="utf-8")
    result = runner.invoke(app, ["doctor", "--regio", "demo"])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-2:] == [
        f"FAIL  config demo: {cfg}, line 10: regio_naam: unknown key",
        "      fix: correct configs/demo.yml",
    ]
