"""The region overview to explore, in real headless Chromium: sorting by keyboard, choosing the
map's indicator, downloads, a CSP that allows exactly its own script, no requests, no errors."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import demo_build, open_page
from wijkdata.report.pdf import find_browser

pytestmark = pytest.mark.skipif(find_browser() is None, reason="no Chromium on this machine")


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with demo_build(tmp_path_factory, "overview") as proj:
        pass
    yield proj / "reports" / "demo" / "index.html"


def test_csp_allows_exactly_the_inline_script(index: Path) -> None:
    html = index.read_text(encoding="utf-8")
    scripts = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    # One policy for every page (csp.py); the overview adds only its script's hash.
    assert ('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "img-src data:; font-src data:; style-src 'unsafe-inline'; "
            "connect-src 'none'; media-src 'none'; object-src 'none'; "
            "frame-src 'none'; base-uri 'none'; form-action 'none'; "
            f"script-src 'sha256-{digest}'\">") in html
    assert '<a href="cijfers-demo.csv" download>' in html
    assert '<a href="cijfers-demo.xlsx" download>' in html


@pytest.mark.parametrize("width", [1280, 375])
def test_sort_by_keyboard_and_choose_the_map(index: Path, width: int, browser: Any) -> None:
    context, page, seen = open_page(browser, index.as_uri(), width)
    # Keyboard only: Tab to the "Inwoners" column's sort button, Enter sorts ascending,
    # Enter again descending; empty cells go last.
    col = page.evaluate("Array.from(document.querySelectorAll('#gebieden thead button'))"
                        ".findIndex(b => b.textContent.startsWith('Aantal inwoners'))")
    assert col >= 2
    page.focus("#gemeente")
    for _ in range(col + 1):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").startswith("Aantal inwoners")
    page.keyboard.press("Enter")
    cells = ("Array.from(document.querySelectorAll('#gebieden tbody tr'))"
             f".map(r => r.cells[{col}].dataset.sort)")
    up = [float(x) for x in page.evaluate(cells) if x]
    assert up == sorted(up) and up[0] == 0.0  # BU99010304, 0 inwoners (demo data)
    page.keyboard.press("Enter")
    down = [float(x) for x in page.evaluate(cells) if x]
    assert down == sorted(up, reverse=True)
    # The map: one figure shown, the choice switches it (keyboard on the select).
    shown = "Array.from(document.querySelectorAll('figure[data-map]')).filter(f => !f.hidden)" \
            ".map(f => f.dataset.map)"
    assert page.evaluate(shown) == ["0"]
    options = page.evaluate("Array.from(document.querySelectorAll('#kaart-keuze option'))"
                            ".map(o => o.textContent)")
    assert len(options) >= 2 and options[0] == "Eenpersoonshuishoudens"
    page.focus("#kaart-keuze")
    page.keyboard.press("ArrowDown")
    assert page.evaluate(shown) == ["1"]
    caption = page.inner_text("figure[data-map='1'] figcaption").replace("\u00ad", "")
    assert caption.startswith(f"Wijken in de regio, gekleurd naar {options[1].lower()}.")
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    context.close()
    assert widths == [width, width]
    assert seen["errors"] == []
    assert seen["requests"] == [index.as_uri()]


def test_printed_the_table_of_all_areas_fits_the_paper(index: Path, browser: Any) -> None:
    # 718 px: A4's 210 mm less a browser's usual 10 mm print margins, at 96 px an inch.
    context, page, _ = open_page(browser, index.as_uri(), 718)
    page.emulate_media(media="print")
    past_the_edge = page.evaluate("""() => Array.from(
        document.querySelectorAll('#gebieden th, #gebieden td, #gebieden .mark'))
        .filter(c => c.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .length""")
    cells = page.locator("#gebieden tbody td").count()
    caption = page.locator("#gebieden caption").inner_text().replace("\u00ad", "")
    context.close()
    assert cells > 100
    assert past_the_edge == 0  # 112 cells and marks of the demo's overview ran past it
    assert caption == "Kerncijfers per gebied"  # no "klik op een kolomkop" on paper
