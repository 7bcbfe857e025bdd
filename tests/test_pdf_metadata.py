"""The PDF's document information, set in place on Chromium's file (no pypdf rewrite): read
back by pypdf and poppler, every cross-reference offset still pointing at its object, and the
pypdf path for a file Chromium did not write."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from wijkdata.report.pdf import (
    PdfPrinter,
    find_browser,
    replace_info,
    set_metadata,
    stable_node_ids,
)

pytestmark = pytest.mark.skipif(find_browser() is None or shutil.which("pdfinfo") is None,
                                reason="needs Chromium and pdfinfo")

CREATED = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
HTML = ("<!doctype html><html><head><title>Kop</title></head><body><h1>Wijk 01 Aalten</h1>"
        "<p style='break-before: page'>Tweede bladzijde</p></body></html>")


@pytest.fixture(scope="module")
def chromium_pdf() -> bytes:
    """Chromium's own PDF of a two-page document, before any metadata is set."""
    with PdfPrinter() as printer:
        printer.print(HTML, title="t", author="a", subject="s", created=CREATED)  # warm-up
        page = printer._page
        page.set_content(HTML, wait_until="load")
        return page.pdf(format="A4")


def offsets_point_at_objects(pdf: bytes) -> None:
    start = int(re.findall(rb"startxref\n(\d+)", pdf)[-1])
    head = re.match(rb"xref\n0 (\d+)\n", pdf[start:])
    assert head is not None
    table = start + head.end()
    for number in range(1, int(head.group(1))):
        row = pdf[table + 20 * number:table + 20 * number + 20]
        if row[17:18] == b"n":
            at = int(row[:10])
            assert pdf[at:].startswith(b"%d 0 obj" % number), (number, pdf[at:at + 20])


def test_information_replaced_in_place(chromium_pdf: bytes, tmp_path: Path) -> None:
    title = "Wijkprofiel Súdwest-Fryslân (noord) \\ oost"
    out = set_metadata(chromium_pdf, title=title, author="GGD Gelderland-Zuid",
                       subject="Wijk 01 (WK190001), Fryslân", created=CREATED)
    assert replace_info(chromium_pdf, {"/Title": title}) is not None  # the fast path ran
    offsets_point_at_objects(out)
    assert out.count(b"HeadlessChrome") == 0  # Chromium's own entries are gone
    meta = PdfReader(io.BytesIO(out), strict=True).metadata
    assert meta is not None
    assert dict(meta) == {"/Title": title, "/Author": "GGD Gelderland-Zuid",
                          "/Subject": "Wijk 01 (WK190001), Fryslân", "/Creator": "wijkdata",
                          "/Producer": "wijkdata (Chromium, pypdf)",
                          "/CreationDate": "D:20261123093000+00'00'",
                          "/ModDate": "D:20261123093000+00'00'"}
    path = tmp_path / "p.pdf"
    path.write_bytes(out)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert info.stderr == ""
    assert f"Title:           {title}\n" in info.stdout
    assert "Pages:           2\n" in info.stdout
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert [page.split() for page in text.split("\f")] == \
        [["Wijk", "01", "Aalten"], ["Tweede", "bladzijde"], []]


def test_same_bytes_every_time(chromium_pdf: bytes) -> None:
    first = set_metadata(chromium_pdf, title="A", author="B", subject="C", created=CREATED)
    again = set_metadata(chromium_pdf, title="A", author="B", subject="C", created=CREATED)
    assert first == again


def catalog_first_pdf() -> bytes:
    """A one-page PDF whose object 1 is the catalog (no information dictionary)."""
    objects = [b"<</Type /Catalog /Pages 2 0 R>>", b"<</Type /Pages /Kids [3 0 R] /Count 1>>",
               b"<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]>>"]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o
                                                         for o in offsets)
    return out + b"trailer\n<</Size 4 /Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % xref


def test_other_pdfs_go_through_pypdf() -> None:
    made = catalog_first_pdf()
    assert replace_info(made, {"/Title": "x"}) is None
    meta = PdfReader(io.BytesIO(set_metadata(made, title="Profiel", author="GGD",
                                             subject="Wijk", created=CREATED))).metadata
    assert meta is not None
    assert (meta["/Title"], meta["/Author"], meta["/CreationDate"]) == \
        ("Profiel", "GGD", "D:20261123093000+00'00'")


def test_a_pypdf_file_is_rewritten_in_place_too() -> None:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buf = io.BytesIO()
    writer.write(buf)
    out = set_metadata(buf.getvalue(), title="Profiel", author="GGD", subject="Wijk",
                       created=CREATED)
    offsets_point_at_objects(out)
    meta = PdfReader(io.BytesIO(out), strict=True).metadata
    assert meta is not None
    assert meta["/Subject"] == "Wijk"


def test_a_cross_reference_row_that_is_not_classic_leaves_the_fast_path(
        chromium_pdf: bytes) -> None:
    xref = int(re.findall(rb"startxref\n(\d+)", chromium_pdf)[-1])
    row = chromium_pdf.index(b" 00000 n", xref) - 10  # the first in-use row
    broken = chromium_pdf[:row] + b"00000x0015" + chromium_pdf[row + 10:]
    assert replace_info(chromium_pdf, {"/Title": "x"}) is not None
    assert replace_info(broken, {"/Title": "x"}) is None


def test_structure_ids_do_not_depend_on_what_the_browser_printed_before() -> None:
    # Chromium names structure elements after DOM node ids, which grow with every page the
    # long-lived tab has held; renumbered by rank at the same width, order and length stay.
    first = b"<</ID (node00000119)>> <</ID (node00000121)>> [(node00000119) 5 0 R]"
    later = b"<</ID (node00042106)>> <</ID (node00042200)>> [(node00042106) 5 0 R]"
    assert stable_node_ids(first) == stable_node_ids(later) == (
        b"<</ID (node00000000)>> <</ID (node00000001)>> [(node00000000) 5 0 R]")
