"""What the README promises a new user: the Makefile's Python check, a Chromium from
`playwright install chromium`, a build without Chromium, `doctor` for the user's own regions, and
the "Add a region" / "Add an indicator" recipes exactly as written."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from tests.publishers import Publishers, point_at, serve
from wijkdata.cli import app
from wijkdata.indicators.definitions import load_indicator
from wijkdata.report.pdf import find_browser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _old_python() -> Path | None:
    """A real Python older than 3.11 on this machine, to try the Makefile's check with."""
    for cand in sorted(Path.home().glob(".pyenv/versions/3.1[0]*/bin/python3")) + [
            Path(p) for p in ("/usr/bin/python3.10", "/usr/bin/python3.9")]:
        if cand.is_file():
            return cand
    return None


@pytest.fixture
def old_python() -> Path:
    found = _old_python()
    if found is None:
        pytest.skip("no Python older than 3.11 on this machine to try the Makefile check with")
    return found


def _make(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return subprocess.run(["make", "--no-print-directory", *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)


def test_make_with_a_too_old_python_says_which_it_needs(tmp_path: Path,
                                                        old_python: Path) -> None:
    version = subprocess.run([str(old_python), "--version"], capture_output=True, text=True,
                             check=True).stdout.strip()
    done = _make(tmp_path, f"PY={old_python}", "setup")
    assert done.returncode == 2
    assert done.stdout.splitlines() == [
        f"wijkdata needs Python 3.11 or newer; PY={old_python} is {version}. Install Python "
        "3.11+ and run e.g.: make PY=python3.12 setup"]
    assert not (tmp_path / ".venv").exists()


def test_make_clean_removes_a_venv_made_with_a_too_old_python(tmp_path: Path,
                                                              old_python: Path) -> None:
    subprocess.run([str(old_python), "-m", "venv", "--without-pip", str(tmp_path / ".venv")],
                   check=True, timeout=120)
    version = subprocess.run([str(tmp_path / ".venv" / "bin" / "python"), "--version"],
                             capture_output=True, text=True, check=True).stdout.strip()
    refused = _make(tmp_path, "setup")  # the right Python, but the old venv is in the way
    assert refused.returncode == 2
    assert refused.stdout.splitlines() == [
        f".venv was made with {version}; wijkdata needs 3.11+. Run: make clean, then make again"]
    done = _make(tmp_path, "clean")
    assert done.returncode == 0, done.stderr
    assert f"removing .venv: made with {version}, wijkdata needs 3.11+" in done.stdout
    assert not (tmp_path / ".venv").exists()


def _real_chromium() -> Path:
    for cand in ("/usr/lib/chromium/chromium", "/usr/lib/chromium-browser/chromium-browser"):
        if Path(cand).is_file():
            return Path(cand)
    pytest.skip("no Chromium binary on this machine to lay out as a Playwright download")


def test_a_playwright_installed_chromium_is_found_and_prints_the_pdf(
        project: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    # Lay a real Chromium out exactly where `playwright install chromium` puts it on Linux,
    # with no browser on the PATH: the build must find that one and print with it.
    browsers = tmp_path / "ms-playwright"
    exe = browsers / "chromium-1187" / "chrome-linux" / "chrome"
    exe.parent.mkdir(parents=True)
    exe.symlink_to(_real_chromium())
    (browsers / "chromium-999" / "chrome-linux").mkdir(parents=True)  # an older revision
    (browsers / "chromium-999" / "chrome-linux" / "chrome").symlink_to(_real_chromium())
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(browsers))
    monkeypatch.delenv("WIJKDATA_BROWSER", raising=False)
    monkeypatch.setenv("PATH", str(Path(shutil.which("python3") or "/usr/bin/python3").parent))
    assert shutil.which("chromium") is None
    assert find_browser() == exe  # the newest revision (1187 > 999, compared as numbers)
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "pdf",
                                 "--area", "DORP_ESVELD"])
    assert result.exit_code == 0, result.output
    pdf = project / "reports" / "demo" / "DORP_ESVELD.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_a_build_without_chromium_keeps_html_and_csv_and_names_the_format_option(
        project: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIJKDATA_BROWSER", str(project / "no-chromium"))
    result = runner.invoke(app, ["build", "--regio", "demo", "--area", "DORP_ESVELD"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert "warning: no Chromium found, so this build makes no PDFs" in lines
    assert lines[-2:] == [
        "error: PDFs not made: no Chromium found (the HTML and CSV files are in reports/demo)",
        "  hint: install Chromium without admin rights: 'playwright install chromium' (or "
        "apt-get install chromium), or build without PDFs: --format html,csv"]
    out = project / "reports" / "demo"
    assert (out / "DORP_ESVELD.html").is_file() and (out / "DORP_ESVELD.csv").is_file()
    assert not list(out.glob("*.pdf"))


def test_doctor_checks_only_the_regions_in_use_and_names_fetch(
        project: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["doctor"])
    assert not [ln for ln in result.stdout.splitlines() if ln.split(" data ")[0:1] and
                " data " in ln]  # nothing built yet: no region's data is checked
    assert runner.invoke(app, ["build", "--regio", "demo", "--format", "csv"]).exit_code == 0
    result = runner.invoke(app, ["doctor"])
    data = [ln for ln in result.stdout.splitlines() if " data " in ln]
    assert {ln.split(":")[0].split(" data ")[1].split()[0] for ln in data} == {"demo"}
    result = runner.invoke(app, ["doctor", "--regio", "zutphen"])
    lines = result.stdout.splitlines()
    folder = project / "data" / "raw" / "cbs" / "84799NED" / "zutphen" / "kwb_2020"
    at = lines.index(f"FAIL  data zutphen kwb_2020: {folder} is missing")
    assert lines[at + 1] == "      fix: run 'wijkdata fetch --regio zutphen'"
    assert ("ok    data zutphen kwb_2025: optional, not present (the build leaves it out; "
            "'wijkdata fetch --regio zutphen' adds it)") in lines


def _readme_block(heading: str, lang: str) -> str:
    section = README.split(f"### {heading}\n", 1)[1].split("\n### ", 1)[0]
    found = re.search(rf"```{lang}\n(.*?)```", section, re.S)
    assert found, f"no {lang} block under '{heading}' in README.md"
    return found.group(1)


@pytest.fixture
def publishers(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Publishers]:
    for state in serve(shared_data):
        point_at(state, monkeypatch)
        yield state


def test_the_readme_region_recipe_fetches_and_builds(
        project: Path, runner: CliRunner, publishers: Publishers, shared_data: Path) -> None:
    (project / "configs" / "mijnregio.yml").write_text(_readme_block("Add a region", "yaml"),
                                                       encoding="utf-8")
    fetched = runner.invoke(app, ["fetch", "--regio", "mijnregio"])
    assert fetched.exit_code == 0, fetched.output
    # The stand-in has no buurt layer; the recipe marks it optional, so fetch reports it only.
    assert any(ln.startswith("buurten              not fetched (optional) ")
               for ln in fetched.stdout.splitlines())
    built = runner.invoke(app, ["build", "--regio", "mijnregio", "--format", "csv"])
    assert built.exit_code == 0, built.output
    kwb = pl.read_csv(shared_data / "cbs" / "kwb_2023_selectie.csv", separator=";",
                      infer_schema=False)
    wijken = kwb.filter(pl.col("gwb_code_10").str.starts_with("WK0197")
                        | pl.col("gwb_code_10").str.starts_with("WK1859")).height
    assert f"built {wijken + 2} profiles for Mijn regio" in built.stderr  # + 2 custom areas
    assert (project / "reports" / "mijnregio" / "DORP_BREDEVOORT.csv").is_file()
    listed = runner.invoke(app, ["sources", "--regio", "mijnregio"]).stdout.splitlines()
    at = listed.index("kwb_2023: " + str(project / "data" / "raw" / "cbs" / "85618NED" /
                                          "mijnregio" / "kwb_2023"))
    fetched = listed[at + 3]
    assert fetched.startswith(f"  fetched 2026-11-23T00:00:00+00:00 from {publishers.base}/cbs/"
                              "v3/85618NED/UntypedDataSet?$format=json&$filter=")
    assert fetched.endswith(" (CBS 85618NED, licence CC BY 4.0)")


def test_the_readme_indicator_recipe_loads_and_says_to_run_docs(tmp_path: Path) -> None:
    path = tmp_path / "demografie" / "eenpersoonshuishoudens.yml"
    path.parent.mkdir()
    path.write_text(_readme_block("Add an indicator", "yaml"), encoding="utf-8")
    ind = load_indicator(path)
    assert (ind.id, ind.numerator, ind.denominator) == ("eenpersoonshuishoudens", "a_1p_hh",
                                                        "a_hh")
    assert "wijkdata docs" in _readme_block("Add an indicator", "sh")
