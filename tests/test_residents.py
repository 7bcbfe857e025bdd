"""The bewonersversie: plain-language rules, readability (Flesch-Douma), two A4 pages."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest
import textstat
from pypdf import PdfReader
from typer.testing import CliRunner

from tests.conftest import open_page
from wijkdata.cli import app
from wijkdata.core.clock import build_date
from wijkdata.core.config import load_region
from wijkdata.report import residents
from wijkdata.report.area_selection import profile_codes
from wijkdata.report.context import ContextBuilder
from wijkdata.report.inputs import db_path_for, load_indicators, logo_svg
from wijkdata.report.pdf import CHROMIUM_ARGS, find_browser
from wijkdata.report.render import environment

# Flesch-Douma (W.H. Douma, "De leesbaarheid van landbouwbladen", Landbouwhogeschool
# Wageningen, 1960): 206,835 - 0,93 x words per sentence - 77 x syllables per word. 60-70 reads
# as "normaal", 70-80 "vrij makkelijk"; B1 texts for a general public aim for 60 or more.
FLESCH_DOUMA_MIN = 65.0
MAX_WORDS_PER_SENTENCE = 20


def flesch_douma(text: str) -> float:
    textstat.set_lang("nl")
    return float(textstat.flesch_reading_ease(text))


def visible_text(page: str) -> str:
    """The words a reader sees: main text without styles and pictograms; a heading without
    closing punctuation ends its own sentence."""
    body = re.sub(r"<style.*?</style>|<svg.*?</svg>", "", page, flags=re.S)
    body = re.sub(r"</(h1|h2)>", ".</\\1>", body)
    text = html.unescape(re.sub(r"<[^>]+>", " ", body.split("<main>")[1]))
    return re.sub(r"\s+", " ", re.sub(r"([?.:])\.", r"\1", text)).strip()


def test_textstat_dutch_is_flesch_douma() -> None:
    # Two sentences of 6 words, every word one syllable (pyphen's Dutch dictionary):
    # 206,835 - 0,93 x 12/2 - 77 x 12/12 = 124,255.
    assert flesch_douma("De kat zit op de mat. De hond ligt in de mand.") == 124.255
    # Longer words (ge-zond-heid: 3, wo-nen: 2): 4 words, 10 syllables, one sentence:
    # 206,835 - 0,93 x 4 - 77 x 10/4 = 10,615 (to float precision).
    assert flesch_douma("Gezondheid wonen gezondheid wonen.") == pytest.approx(10.615,
                                                                               abs=1e-9)


def test_fractions_in_everyday_words() -> None:
    assert residents.fraction(0.261) == (1, 4)  # 1 / 0,261 = 3,8 -> 1 op de 4
    assert residents.fraction(0.0636) == (1, 16)  # bijstand 63,6 per 1.000 -> 1 op de 16
    assert residents.fraction(0.41) == (4, 10)  # from 35%: tenths
    assert residents.fraction(0.35) == (4, 10)  # 3,5 tenths rounds half up
    assert residents.fraction_text(1, 4, 0.261) == "ongeveer 1 op de 4"
    assert residents.fraction_text(1, 4, 0.25) == "1 op de 4"
    assert residents.fraction_text(5, 10, 0.48) == "ongeveer de helft van de"
    assert residents.fraction_text(10, 10, 0.97) == "bijna alle"
    svg = residents.pictogram(1, 4, "#00677f", "1 op de 4")
    assert svg.count("<circle") == 4 and svg.count('fill="#00677f"') == 2  # head and body
    assert residents.pictogram(1, 25, "#00677f", "x") == ""  # too many people to draw


def test_default_questions_are_asked_of_residents() -> None:
    assert residents.resident_questions(["Wat ziet u in uw praktijk?", "Eigen vraag?"]) == [
        "Wat merkt u hiervan in uw straat of buurt?", "Eigen vraag?"]


def test_every_demo_area_reads_easily(project: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html"])
    assert result.exit_code == 0, result.output
    region = load_region("demo")
    con = duckdb.connect(str(db_path_for(region)), read_only=True)
    try:
        builder = ContextBuilder(con, region, load_indicators(region), logo_svg(region),
                                 build_date())
    finally:
        con.close()
    env = environment(project / "templates")
    questions = list(region.config.dialogue.questions)
    scores = {}
    for code in profile_codes(region, builder.area, None, builder.current):
        text = visible_text(residents.render(env, builder.report(code), questions))
        scores[code] = flesch_douma(text)
        for sentence in re.split(r"(?<=[.?!])\s+", text):
            assert len(sentence.split()) <= MAX_WORDS_PER_SENTENCE, (code, sentence)
        assert " – " not in text and "%" not in text and "significant" not in text, code
    low = {c: s for c, s in scores.items() if s < FLESCH_DOUMA_MIN}
    assert not low, f"below Flesch-Douma {FLESCH_DOUMA_MIN}: {low}"


def test_esveld_two_pages_with_the_flagged_finding(project: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "bewoners",
                                 "--area", "DORP_ESVELD"])
    assert result.exit_code == 0, result.output
    out = project / "reports" / "demo"
    assert len(PdfReader(out / "DORP_ESVELD-bewoners.pdf").pages) == 2
    page = (out / "DORP_ESVELD-bewoners.html").read_text(encoding="utf-8")
    text = visible_text(page)
    # From the profile's first finding (bijstand 63,6 against 24,3 per 1.000, up from 37,2).
    assert ("In Esveld krijgen meer inwoners bijstand dan in de hele gemeente Vreedebeek. "
            "Dat is niet goed. Sinds 2022 is het ook meer geworden.") in text
    # The figures follow page 1's tiles, health and care first: Wmo 150 / 1.650 is exactly 1 op
    # de 11; eenzaamheid 51,2% rounds to 5 tenths, not exactly: "ongeveer de helft". Bijstand
    # (a sociaal-economisch key figure) is said under "Wat valt op?" instead.
    figures = text[text.index("De cijfers in het kort"):text.index("Wat valt op?")]
    assert figures == (
        "De cijfers in het kort. 1 op de 11 inwoners krijgt thuis hulp van de gemeente. "
        "Ongeveer de helft van de volwassenen voelen zich eenzaam. Ongeveer 7 van de 10 "
        "volwassenen voelen zich gezond. Ongeveer de helft van de volwassenen zijn te zwaar. ")
    assert "In Esveld wonen 1.650 mensen." in text
    assert "1. Herkent u dit?" in text
    assert not (out / "DORP_ESVELD.pdf").exists()  # only the format asked for


@pytest.mark.parametrize("share", [0.0, 0.02, 0.2, 0.34, 0.5, 0.66, 0.99])
def test_fraction_is_within_five_points_or_one_in_n(share: float) -> None:
    n, d = residents.fraction(share)
    if n == 1 and d > 2:
        assert abs(1 / d - share) <= 0.5 / d  # 1 / round(1 / p)
    else:
        assert abs(n / d - share) <= 0.05


@pytest.mark.skipif(find_browser() is None, reason="no Chromium on this machine")
def test_on_screen_the_text_is_a_column_with_room_at_its_sides(
        project: Path, runner: CliRunner) -> None:
    from playwright.sync_api import sync_playwright

    # Built first: the build prints with its own Playwright, which cannot run inside another.
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "bewoners",
                                 "--area", "DORP_ESVELD"])
    assert result.exit_code == 0, result.output
    url = (project / "reports" / "demo" / "DORP_ESVELD-bewoners.html").as_uri()
    seen: dict[int, tuple[Any, ...]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(find_browser()),
                                     args=CHROMIUM_ARGS, headless=True)
        for width in (1280, 400):
            context, page, _ = open_page(browser, url, width)
            box = page.locator("main p").first.bounding_box()
            seen[width] = (box["x"], box["width"], page.evaluate(
                "document.documentElement.scrollWidth"))
            context.close()
        browser.close()
    # 1280 px: a 42rem (672 px) column plus 16 px padding each side, centred:
    # (1280 - 704) / 2 + 16 = 304. 400 px: the padding alone, no sideways scrolling.
    assert seen == {1280: (304, 672, 1280), 400: (16, 368, 400)}
