"""The session kit fits a session: 16:9 slides whose charts fill the slide with labels of at
least 14 pt and a source with its year on every slide; a handout of at most four A4 pages.
Read back from the printed PDFs (pypdf: text with its size on the page)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from wijkdata.cli import app
from wijkdata.report.pdf import find_browser

pytestmark = pytest.mark.skipif(find_browser() is None, reason="no Chromium on this machine")


FOOTER_PT = 40  # the footer line sits in the bottom 13 mm of the slide


def _sized_text(page: object) -> list[tuple[float, str, float]]:
    """(size in pt, text, height above the slide's bottom in pt) of every text run: the font
    size scaled by the text matrix and the CTM (pypdf reports both)."""
    out: list[tuple[float, str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            scale = math.hypot(tm[1], tm[3]) * math.hypot(cm[1], cm[3])
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            out.append((round(size * scale, 1), text.strip(), y))

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    # The footer (source and year) is on every slide, at 10 pt, at the bottom.
    assert any(y < FOOTER_PT and s >= 10 for s, _, y in out)
    return out


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import make_project

    with pytest.MonkeyPatch.context() as mp:
        proj = make_project(tmp_path_factory.mktemp("kit"), mp)
        runner = CliRunner()
        result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html",
                                     "--area", "DORP_ESVELD"])
        assert result.exit_code == 0, result.output
        result = runner.invoke(app, ["session", "--regio", "demo", "--area", "DORP_ESVELD",
                                     "--date", "2026-12-03"])
        assert result.exit_code == 0, result.output
    return proj / "reports" / "demo" / "sessies" / "2026-12-03-DORP_ESVELD"


def test_slides_charts_fill_the_slide_with_large_labels(kit: Path) -> None:
    reader = PdfReader(kit / "presentatie.pdf")
    chart_slides = 0
    for number, page in enumerate(reader.pages, start=1):
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (720,
                                                                                           405)
        runs = _sized_text(page)
        text = " ".join(t for _, t, _ in runs)
        # Year and source on every slide (the network slide names its date).
        assert re.search(r"(Bron: .*\b20\d\d\b|Netwerkkaart van .* 20\d\d)", text), number
        # Everything but the footer line is at least 14 pt.
        body = [(s, t) for s, t, y in runs if y > FOOTER_PT]
        small = [(s, t) for s, t in body if s < 14]
        assert small == [], (number, small)
        if "tegen de gemeente (grijs)" in text:
            chart_slides += 1
            sizes = {s for s, t, y in runs
                     if y > FOOTER_PT and (t == "gemeente" or t.endswith("%"))}
            assert len(sizes) == 1 and min(sizes) >= 14, sizes  # one size for all labels
    # Bevolking, Inkomen, Zorg, Gezondheid and Wonen each have a chart slide in the demo.
    assert chart_slides == 5


def test_handout_is_at_most_four_a4_pages(kit: Path) -> None:
    reader = PdfReader(kit / "handout.pdf")
    assert 1 <= len(reader.pages) <= 4
    assert {(round(float(p.mediabox.width)), round(float(p.mediabox.height)))
            for p in reader.pages} == {(596, 843)}
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    for part in ("In het kort", "Opvallende punten", "Vragen voor het gesprek",
                 "In gesprek: Gezondheid en leefstijl", "Netwerk rond Esveld"):
        assert part in text, part
    assert text.count("Wat vindt u belangrijk om samen op te pakken?") == 5
