"""The demo profile and overview in real headless Chromium (Debian's /usr/bin/chromium).

Self-contained (no request but the page itself, no console error, network refused), phone width
without horizontal scroll, keyboard order with a visible focus ring, working sort and filter,
and a visual-regression screenshot kept in tests/artifacts/ with its key elements on screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import demo_build, open_page
from wijkdata.report.pdf import find_browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"

pytestmark = pytest.mark.skipif(find_browser() is None, reason="no Chromium on this machine")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One HTML build of the demo region for the whole module, in a private project copy."""
    with demo_build(tmp_path_factory, "browser") as proj:
        pass
    yield proj / "reports" / "demo"


@pytest.mark.parametrize("name", ["DORP_ESVELD.html", "WK990100.html", "index.html"])
def test_self_contained_no_failed_requests_or_console_errors(reports: Path, browser: Any,
                                                             name: str) -> None:
    url = (reports / name).as_uri()
    context, page, seen = open_page(browser, url)
    page.wait_for_timeout(200)
    context.close()
    assert seen["failed"] == []
    assert seen["errors"] == []
    assert seen["requests"] == [url]  # the document itself, nothing else


@pytest.mark.parametrize("name", ["DORP_ESVELD.html", "index.html"])
def test_phone_width_has_no_horizontal_scroll(reports: Path, browser: Any, name: str) -> None:
    context, page, _ = open_page(browser, (reports / name).as_uri(), width=375)
    widths = page.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth,"
                           " window.innerWidth]")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"phone-{name.replace('.html', '')}.png"))
    context.close()
    assert widths == [375, 375, 375]


def test_keyboard_reaches_links_in_order_with_visible_focus(reports: Path, browser: Any) -> None:
    context, page, _ = open_page(browser, (reports / "DORP_ESVELD.html").as_uri())
    stops = []
    for _ in range(10):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(
            "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
            " return [e.tagName, e.textContent.trim(), s.outlineStyle, s.outlineWidth]; })()"))
    context.close()
    texts = [s[1] for s in stops]
    assert texts[:4] == ["Naar de inhoud", "In het kort", "Het gebied", "Bevolking en huishoudens"]
    assert all(s[0] == "A" for s in stops)
    assert all(s[2] == "solid" and s[3] == "3px" for s in stops)


def test_overview_filters_and_sorts(reports: Path, browser: Any) -> None:
    context, page, seen = open_page(browser, (reports / "index.html").as_uri())
    order = []
    for _ in range(8):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id || "
                                   "document.activeElement.textContent.trim()"))
    assert order == ["Naar de inhoud", "cijfers-demo.csv", "cijfers-demo.xlsx", "zoek", "niveau",
                     "gemeente", "Gebied", "Gemeente"]
    visible = "Array.from(document.querySelectorAll('#gebieden tbody tr')).filter(r => !r.hidden)"
    page.select_option("#niveau", "dorp")
    # Soft hyphens (hyphenation.py) are invisible; compare the words without them.
    assert page.evaluate(f"{visible}.map(r => r.cells[0].textContent.replaceAll('\\u00ad', '')"
                         ".trim())") == [
        "Esveld dorp · DORP_ESVELD", "Holterhoek dorp · DORP_HOLTERHOEK",
        "Broekland dorp · DORP_BROEKLAND"]
    assert page.inner_text("#aantal") == "3 van 31 gebieden"
    page.select_option("#niveau", "focusgebied")
    # Soft hyphens (hyphenation.py) are invisible; compare the words without them.
    assert page.evaluate(f"{visible}.map(r => r.cells[0].textContent.replaceAll('\\u00ad', '')"
                         ".trim())") == [
        "Lindenoord-Land focusgebied · FOCUS_LINDENOORD_LAND"]
    page.select_option("#niveau", "")
    page.fill("#zoek", "esveld")
    assert page.evaluate(f"{visible}.map(r => r.cells[0].dataset.sort)") == [
        "Esveld-Dorp", "Esveld-Buiten", "Wijk 02 Esveld en Holterhoek", "Esveld"]
    assert page.inner_text("#aantal") == "4 van 31 gebieden"
    page.fill("#zoek", "")
    page.click("th button[data-col='0']")
    names = page.evaluate(f"{visible}.map(r => r.cells[0].dataset.sort)")
    assert names == sorted(names, key=str.lower) and len(names) == 31
    assert page.get_attribute("#gebieden thead th:first-child", "aria-sort") == "ascending"
    page.click("th button[data-col='0']")
    assert page.evaluate(f"{visible}[0].cells[0].dataset.sort") == max(names, key=str.lower)
    context.close()
    assert seen["errors"] == []


def test_visual_regression_screenshot_with_key_elements_visible(reports: Path,
                                                               browser: Any) -> None:
    context, page, _ = open_page(browser, (reports / "DORP_ESVELD.html").as_uri())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "profile-DORP_ESVELD.png"), full_page=True)
    boxes = {}
    for name, selector in {"title": "h1", "first table": "table.ind",
                           "chart": "section.theme figure.chart svg",
                           "map": "figure.map svg", "key figures": "ul.kort"}.items():
        el = page.locator(selector).first
        assert el.is_visible(), name
        boxes[name] = el.bounding_box()
    assert page.inner_text("h1") == "Esveld"
    height = page.evaluate("document.documentElement.scrollHeight")
    context.close()
    for name, box in boxes.items():
        assert box is not None and box["width"] > 100 and box["height"] > 20, name
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1200, name
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, name
    # Reading order on the page: title, key figures, map, first theme table, its chart.
    assert boxes["title"]["y"] < boxes["key figures"]["y"] < boxes["map"]["y"] \
        < boxes["first table"]["y"] < boxes["chart"]["y"]


def test_print_stylesheet_and_table_headers(reports: Path, browser: Any) -> None:
    context, page, _ = open_page(browser, (reports / "DORP_ESVELD.html").as_uri())
    tables = page.evaluate(
        "Array.from(document.querySelectorAll('table')).map(t => [!!t.caption,"
        " t.querySelectorAll('thead th[scope=col]').length])")
    assert len(tables) >= 10
    for has_caption, col_heads in tables:
        assert has_caption and col_heads >= 2
    # The indicator tables: every body row has a row header.
    assert page.evaluate(
        "Array.from(document.querySelectorAll('table.ind tbody tr'))"
        ".every(r => r.cells[0].tagName === 'TH' && r.cells[0].scope === 'row')")
    assert page.locator("nav.toc").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("nav.toc").is_visible()
    assert not page.locator("details table.data").first.is_visible()  # chart data: in the table
    assert page.locator("table.ind").first.is_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('section.theme h2'))"
                         ".breakAfter") == "avoid"
    assert page.evaluate("getComputedStyle(document.querySelector('table.ind tr'))"
                         ".breakInside") == "avoid"
    context.close()


@pytest.mark.parametrize("name", ["DORP_ESVELD.html", "WK990100.html"])
def test_every_comparison_badge_fits_its_cell_on_paper(reports: Path, browser: Any,
                                                      name: str) -> None:
    context, page, _ = open_page(browser, (reports / name).as_uri())
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 688, "height": 994})  # A4 inside the print margins
    outside = page.evaluate("""() => Array.from(document.querySelectorAll('table.ind td .sig'))
        .filter(s => { const c = s.closest('td').getBoundingClientRect(),
                             r = s.getBoundingClientRect();
                       return r.left < c.left - 0.5 || r.right > c.right + 0.5; })
        .map(s => s.textContent)""")
    badges = page.locator("table.ind td .sig").count()
    context.close()
    assert badges > 100
    assert outside == []



def test_the_legend_draws_niet_getoetst_as_the_cells_do_on_paper(reports: Path,
                                                                 browser: Any) -> None:
    context, page, _ = open_page(browser, (reports / "DORP_ESVELD.html").as_uri())
    page.emulate_media(media="print")
    frame = """s => { const c = getComputedStyle(s);
                      return [c.borderTopWidth, c.paddingLeft, c.marginRight,
                              c.backgroundColor]; }"""
    legend = page.locator("p.legend .sig-not_tested").first.evaluate(frame)
    cell = page.locator("table.ind td .sig-not_tested").first.evaluate(frame)
    page.emulate_media(media="screen")
    on_screen = page.locator("p.legend .sig-not_tested").first.evaluate(frame)
    context.close()
    # Plain text, and no gap before the legend's full stop ("getoetst ." with a margin).
    assert legend == cell == ["0px", "0px", "0px", "rgb(255, 255, 255)"]
    assert on_screen == ["1px", "4px", "2px", "rgb(255, 255, 255)"]  # a badge, as .sig draws it
