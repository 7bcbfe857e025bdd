"""Print layout (issue 18 item 3) on more kinds of profile than the demo village of
test_pdf_profile.py: a demo wijk and the demo gemeente, and a real Achterhoek village built from
../shared/data. Each PDF is read back (tests/printlayout.py) and every page checked."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests import printlayout
from tests.conftest import SHARED_DATA, make_project, page_text
from wijkdata.cli import app
from wijkdata.report.pdf import find_browser

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(find_browser() is None, reason="needs Chromium")]

DEMO = ["WK990101", "GM9901"]  # Wijk 01 Noord; the gemeente Vreedebeek
REAL = ["DORP_BREDEVOORT"]


def _build(base: Path, regio: str, areas: list[str], *extra: str) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        proj = make_project(base, mp)
        args = ["build", "--regio", regio, "--format", "html,pdf", *extra]
        for code in areas:
            args += ["--area", code]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
    return proj / "reports" / regio


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """PDF path per area code: the demo areas, and the Achterhoek ones when the real data is
    there."""
    out = _build(tmp_path_factory.mktemp("demo"), "demo", DEMO)
    pdfs = {code: out / f"{code}.pdf" for code in DEMO}
    if SHARED_DATA.is_dir():
        real = _build(tmp_path_factory.mktemp("achterhoek"), "achterhoek", REAL,
                      "--data-dir", str(SHARED_DATA))
        pdfs |= {code: real / f"{code}.pdf" for code in REAL}
    yield pdfs
    shutil.rmtree(out.parent.parent, ignore_errors=True)


_READ: dict[Path, list[printlayout.Page]] = {}


def _profile(built: dict[str, Path], code: str) -> tuple[list[printlayout.Page], str]:
    if code not in built:
        pytest.skip(f"real data folder {SHARED_DATA} is absent")
    pdf = built[code]
    if pdf not in _READ:
        _READ[pdf] = printlayout.read(pdf)
    return _READ[pdf], page_text(pdf.with_suffix(".html"))


@pytest.mark.parametrize("code", DEMO + REAL)
def test_chart_text_is_one_size_of_8_25_pt(built: dict[str, Path], code: str) -> None:
    pages, _ = _profile(built, code)
    assert printlayout.chart_text_sizes(pages) == [8.25]  # 11 px × 0.75 pt/px


@pytest.mark.parametrize("code", DEMO + REAL)
def test_no_heading_ends_a_page(built: dict[str, Path], code: str) -> None:
    pages, html = _profile(built, code)
    assert printlayout.headings_last(pages, html) == []


@pytest.mark.parametrize("code", DEMO + REAL)
def test_no_page_but_the_last_is_more_than_40_percent_empty(built: dict[str, Path],
                                                            code: str) -> None:
    pages, _ = _profile(built, code)
    assert printlayout.too_empty(pages) == []


@pytest.mark.parametrize("code", DEMO + REAL)
def test_chart_on_the_page_where_its_table_ends(built: dict[str, Path], code: str) -> None:
    pages, html = _profile(built, code)
    assert printlayout.charts_off_their_table(pages, html) == []


@pytest.mark.parametrize("code", DEMO + REAL)
def test_numbered_list_markers_from_10_on(built: dict[str, Path], code: str) -> None:
    pages, html = _profile(built, code)
    assert printlayout.list_markers(pages, html) == []
