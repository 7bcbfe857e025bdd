"""The running header and footer are CSS page-margin boxes added to the printed copy of a page:
names from a config stay text (they cannot close the CSS string or the <style> element), and the
screen-hiding rule never reaches the printed page."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pdfplumber
import pytest
from pypdf import PdfReader

from tests import printlayout
from wijkdata.report.pdf import PdfPrinter, css_string, find_browser, with_print_style

CREATED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_css_string_keeps_only_letters_digits_and_spaces_literal() -> None:
    assert css_string('Wijk 01 "Oost"</style>') == (
        '"Wijk 01 \\22 Oost\\22 \\3c \\2f style\\3e "')
    assert css_string("Súdwest-Fryslân \\ 2") == '"Súdwest\\2d Fryslân \\5c  2"'


def test_style_goes_first_in_the_head_or_after_the_doctype() -> None:
    assert with_print_style("<!doctype html><html><head lang='nl'><title>t</title>", "<S>") == (
        "<!doctype html><html><head lang='nl'><S><title>t</title>")
    assert with_print_style("<!DOCTYPE html><header>x</header>", "<S>") == (
        "<!DOCTYPE html><S><header>x</header>")
    assert with_print_style("<p>x</p>", "<S>") == "<S><p>x</p>"


@pytest.mark.skipif(find_browser() is None, reason="needs Chromium")
def test_header_and_footer_on_every_page_with_a_hostile_title() -> None:
    title = 'Wijk "Oost" </style><script>alert(1)</script> \\ }'
    html = ("<!doctype html><html><head><title>Kop</title></head><body><h1>Eerste</h1>"
            "<p style='break-before: page'>Tweede bladzijde</p></body></html>")
    with PdfPrinter() as printer:
        pdf = printer.print(html, title=title, author="GGD Noord- en Oost-Gelderland",
                            subject="Wijk 01 (WK020001)", created=CREATED)
    texts = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert len(texts) == 2
    for number, text in enumerate(texts, start=1):
        assert title in text
        assert "GGD Noord- en Oost-Gelderland" in text
        assert "Wijk 01 (WK020001)" in text
        assert f"pagina {number} van 2" in text
    assert "Eerste" in texts[0] and "Tweede bladzijde" in texts[1]
    assert "display" not in "".join(texts)  # no CSS leaked into the page as text


@pytest.mark.skipif(find_browser() is None, reason="needs Chromium")
def test_header_sits_in_the_top_margin_and_footer_in_the_bottom_margin() -> None:
    html = "<!doctype html><html><head></head><body><p>Midden</p></body></html>"
    with PdfPrinter() as printer:
        pdf = printer.print(html, title="Kop", author="Org", subject="Voet", created=CREATED)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        top = {w["text"]: w["top"] for w in page.extract_words()}
        height = float(page.height)
    assert top["Kop"] < printlayout.TOP and top["Org"] < printlayout.TOP
    assert top["Midden"] >= printlayout.TOP
    assert top["Voet"] > height - printlayout.BOTTOM
    assert top["pagina"] > height - printlayout.BOTTOM
