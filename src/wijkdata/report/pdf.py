"""HTML -> A4 PDF with headless Chromium driven by Playwright (one long-lived browser).

The browser is found, never downloaded: ``$WIJKDATA_BROWSER``, then Chromium on PATH (Debian's
``chromium``), then a browser Playwright installed earlier on an analyst's laptop. Pages are
printed with JavaScript off and every network request refused: a profile is self-contained.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import logging
import multiprocessing
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
from pypdf import PdfReader, PdfWriter

from wijkdata.core.errors import DataError
from wijkdata.core.lifeline import die_with_parent

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DRIVER_CLOSED = "Connection closed while reading from the driver"


def _not_the_closed_driver(record: logging.LogRecord) -> bool:
    """Logging filter: drop asyncio's report of Playwright's driver having gone away.

    Ctrl-C in a terminal reaches the whole process group, Playwright's node driver too. It
    exits, and Playwright leaves "Connection closed while reading from the driver" in a future
    nobody awaits; when that is collected asyncio logs "Future exception was never retrieved"
    and a traceback, after the build's own one-line report. Nothing is lost by dropping it: a
    driver that dies while a page prints fails that ``print`` call, which the build reports.
    """
    exc = record.exc_info[1] if record.exc_info else None
    return exc is None or str(exc) != DRIVER_CLOSED


def find_browser() -> Path | None:
    env = os.environ.get("WIJKDATA_BROWSER")
    if env:
        return Path(env) if Path(env).exists() else None
    for name in CANDIDATES:
        hit = shutil.which(name)
        if hit:
            return Path(hit)
    return playwright_chromium()


# Where `playwright install chromium` puts its browser, per OS (newest revision first).
PLAYWRIGHT_EXES = ("chromium-*/chrome-linux*/chrome", "chromium-*/chrome-win*/chrome.exe",
                   "chromium-*/chrome-mac*/Chromium.app/Contents/MacOS/Chromium",
                   "chromium-*/chrome-mac*/Google Chrome for Testing.app/Contents/MacOS/"
                   "Google Chrome for Testing")


def playwright_roots() -> list[Path]:
    env = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    if env and env != "0":
        return [Path(env)]
    local = os.environ.get("LOCALAPPDATA")
    return [Path.home() / ".cache" / "ms-playwright",
            Path.home() / "Library" / "Caches" / "ms-playwright",
            *([Path(local) / "ms-playwright"] if local else [])]


def playwright_chromium() -> Path | None:
    """The Chromium of `playwright install chromium`, for machines without a system one."""
    hits = [exe for root in playwright_roots() if root.is_dir()
            for pattern in PLAYWRIGHT_EXES for exe in root.glob(pattern) if exe.is_file()]
    # chromium-1134 before chromium-999: compare the revision as a number.
    hits.sort(key=lambda p: int(m.group(1)) if (m := re.search(r"chromium-(\d+)", str(p)))
              else 0, reverse=True)
    return hits[0] if hits else None


# The running header (title left, organisation right) and footer (subject left, "pagina n van
# m" right) are CSS page-margin boxes in the printed copy of the page. Chromium's header and
# footer templates were a separate little document laid out and scripted for every page:
# about 12 % of the CPU time of a national profile (docs/bench.md).
MARGIN_BOX = ('@{box} {{ content: {content}; font-family: "DejaVu Sans", sans-serif; '
              'font-size: 8px; color: #5b6770; }}')
PAGE_NUMBER = '"pagina " counter(page) " van " counter(pages)'

# Nothing of a page is drawn for the screen: the browser only prints it. A screen frame laid
# the whole profile out and painted it before the print layout did it again (~10 % of the
# CPU time, a third of the GPU process's).
SCREEN_HIDDEN = "@media screen { html { display: none; } }"


def css_string(value: str) -> str:
    """``value`` as a CSS string in which only letters, digits and spaces stay literal, so a
    name from a config cannot close the string, the rule or the ``<style>`` element."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in value) + '"'


def print_style(*, title: str, author: str, subject: str) -> str:
    """The ``<style>`` element added to the copy of a page that is printed."""
    boxes = (("top-left", css_string(title)), ("top-right", css_string(author)),
             ("bottom-left", css_string(subject)), ("bottom-right", PAGE_NUMBER))
    rules = " ".join(MARGIN_BOX.format(box=box, content=content) for box, content in boxes)
    return f"<style>{SCREEN_HIDDEN} @page {{ {rules} }}</style>"


_HEAD = re.compile(r"<head(?:\s[^>]*)?>", re.I)
_DOCTYPE = re.compile(r"\s*<!doctype[^>]*>", re.I)


def with_print_style(html: str, style: str) -> str:
    """``html`` with ``style`` first in its head (page styles after it still win)."""
    found = _HEAD.search(html) or _DOCTYPE.match(html)
    at = found.end() if found else 0
    return html[:at] + style + html[at:]


class PdfPrinter:
    """Context manager holding one browser; ``print(html, ...)`` returns PDF bytes."""

    def __init__(self, browser: Path | None = None) -> None:
        self.browser = browser or find_browser()
        if self.browser is None:
            raise DataError(
                "no Chromium found to print PDFs",
                hint="install it (Debian: apt-get install chromium) or set WIJKDATA_BROWSER; "
                "'wijkdata doctor' checks this",
            )

    def __enter__(self) -> PdfPrinter:
        from playwright.sync_api import sync_playwright

        logging.getLogger("asyncio").addFilter(_not_the_closed_driver)  # added once, however often
        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(executable_path=str(self.browser),
                                                 args=CHROMIUM_ARGS, headless=True)
        self._context = self._browser.new_context(java_script_enabled=False)
        self._context.route("**/*", lambda route: route.abort())
        self._page = self._context.new_page()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        # Best effort: after Ctrl-C the driver may have closed the browser already, and an
        # error here must not replace the one (or the interruption) being reported.
        for close in (self._context.close, self._browser.close, self._pw.stop):
            with contextlib.suppress(Exception):
                close()

    def print(self, html: str, *, title: str, author: str, subject: str,
              created: datetime, landscape: bool = False) -> bytes:
        style = print_style(title=title, author=author, subject=subject)
        pdf = self._printed(
            with_print_style(html, style),
            format="A4", landscape=landscape, print_background=True,
            margin={"top": "18mm", "bottom": "16mm", "left": "14mm", "right": "14mm"},
            prefer_css_page_size=False,
            # Tagged: headings, tables and each chart (a Figure with its aria-label as alt
            # text) reach a screen reader, as the Dutch accessibility rules for public bodies
            # ask of a PDF; tests find a chart's text by its Figure tag. About twice the bytes
            # and a third of the CPU time of a profile.
            tagged=True,
        )
        return set_metadata(stable_node_ids(pdf), title=title, author=author,
                            subject=subject, created=created)

    def _printed(self, html: str, **options: Any) -> bytes:
        """``html`` loaded into the page and printed with ``options`` (``page.pdf``'s)."""
        self._page.set_content(html, wait_until="load")
        return self._page.pdf(**options)


# A tagged PDF names its structure elements after DOM node ids ("(node00042106)"), which count
# every node the long-lived page ever created: the same profile printed after other profiles
# (one browser per shard, or per worker) got other bytes. Renumbered by rank, at the same
# width, the ids keep their order (the IDTree's keys stay sorted) and every byte offset.
_NODE_ID = re.compile(rb"\(node(\d+)\)")


def stable_node_ids(pdf: bytes) -> bytes:
    """``pdf`` with its structure-element ids numbered 0, 1, 2, ... in their own order."""
    # split() leaves the text between ids at even and the ids' digits at odd places: one list
    # comprehension instead of a Python callback per id (~2,000 in a profile).
    parts = _NODE_ID.split(pdf)
    digits = parts[1::2]
    rank = {n: i for i, n in enumerate(sorted({int(d) for d in digits}))}
    parts[1::2] = [b"(node%0*d)" % (len(d), rank[int(d)]) for d in digits]
    return b"".join(parts)


def set_metadata(pdf: bytes, *, title: str, author: str, subject: str,
                 created: datetime) -> bytes:
    """Title, author and subject, with dates from the build clock so builds are reproducible."""
    stamp = created.strftime("D:%Y%m%d%H%M%S+00'00'")
    info = {"/Title": title, "/Author": author, "/Subject": subject, "/Creator": "wijkdata",
            "/Producer": "wijkdata (Chromium, pypdf)", "/CreationDate": stamp,
            "/ModDate": stamp}
    return replace_info(pdf, info) or _rewrite_info(pdf, info)


def _rewrite_info(pdf: bytes, info: dict[str, str]) -> bytes:
    """The general way: pypdf reads every object and writes the file anew (~20 ms for an
    untagged profile, many times that for a tagged one)."""
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    writer.add_metadata(info)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# Chromium's PDF (Skia) starts with its document information dictionary as object 1 and ends
# with one classic cross-reference table. Replacing that object in place and shifting the
# offsets behind it costs milliseconds instead of pypdf's full parse and rewrite; any other
# layout falls back to :func:`_rewrite_info`.
_SKIA_INFO = re.compile(rb"(%PDF-1\.\d\n%[^\n]*\n)1 0 obj\n<<(?:[^()<>]|\((?:[^()\\]|\\.)*\)"
                        rb"|<[0-9A-Fa-f]*>)*>>\nendobj\n", re.S)
_XREF = re.compile(rb"xref\n0 (\d+)\n")
_STARTXREF = re.compile(rb"startxref\n(\d+)\n%%EOF\n?$")


def _pdf_text(value: str) -> bytes:
    """A PDF text string: literal when ASCII, else UTF-16BE with its byte order mark."""
    if value.isascii() and value.isprintable():
        escaped = value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return b"(" + escaped.encode("ascii") + b")"
    return b"<" + ("\ufeff" + value).encode("utf-16-be").hex().upper().encode("ascii") + b">"


def replace_info(pdf: bytes, info: dict[str, str]) -> bytes | None:
    """``pdf`` with object 1 (Skia's info dictionary) replaced by ``info``; None if the file
    is not laid out as Skia writes it."""
    head = _SKIA_INFO.match(pdf)
    tail = _STARTXREF.search(pdf, len(pdf) - 64)
    if head is None or tail is None or b"/Info 1 0 R" not in pdf[-256:]:
        return None
    xref_at = int(tail.group(1))
    table = _XREF.match(pdf, xref_at)
    if table is None:
        return None
    body = b"\n".join(name.encode("ascii") + b" " + _pdf_text(value)
                       for name, value in info.items())
    obj = b"1 0 obj\n<<" + body + b">>\nendobj\n"
    start, end = head.end(1), head.end()
    delta = len(obj) - (end - start)
    count = int(table.group(1))
    entries = table.end()
    rows = _shifted_rows(pdf[entries:entries + 20 * count], count, end, delta)
    if rows is None:
        return None
    rest = entries + 20 * count
    return (pdf[:start] + obj + pdf[end:xref_at] + pdf[xref_at:entries] + rows
            + pdf[rest:tail.start()] + b"startxref\n%d\n%%%%EOF\n" % (xref_at + delta))


_DIGIT_PLACES = 10 ** np.arange(9, -1, -1, dtype=np.int64)  # an xref offset's ten digits


def _shifted_rows(table: bytes, count: int, end: int, delta: int) -> bytes | None:
    """The cross-reference rows (``nnnnnnnnnn ggggg n``), each in-use offset at or behind
    ``end`` moved by ``delta``; None if a row is not a classic 20-byte one. As one numpy array:
    a tagged profile has ~2,300 rows, a Python loop over them cost ~5 ms."""
    rows = np.frombuffer(table, dtype=np.uint8)
    if len(rows) != 20 * count:
        return None
    rows = rows.reshape(count, 20)
    kind = rows[:, 17]
    digits = rows[:, :10].astype(np.int64) - ord("0")
    if not (np.isin(kind, (ord("n"), ord("f"))).all() and ((digits >= 0) & (digits <= 9)).all()):
        return None
    offsets = digits @ _DIGIT_PLACES
    moved = (kind == ord("n")) & (offsets >= end)
    offsets[moved] += delta
    out = rows.copy()
    out[:, :10] = (offsets[:, None] // _DIGIT_PLACES % 10 + ord("0")).astype(np.uint8)
    return out.tobytes()


# --- Printing many profiles on both cores -------------------------------------------------
# Playwright's sync API serves one page at a time, so two tabs in one browser do not overlap
# here; two worker processes, each with its own long-lived browser, do. Workers are started
# with ``spawn`` (a forked Playwright or vl-convert hangs) and ``map`` keeps the input order,
# so the files come out the same as with one printer.

@dataclass(frozen=True)
class PrintJob:
    html_path: Path  # read by the worker: pages are not held in memory or pickled whole
    title: str
    author: str
    subject: str
    created: datetime


_WORKER: PdfPrinter | None = None


def _close_worker() -> None:
    global _WORKER
    if _WORKER is not None:
        _WORKER.__exit__(None, None, None)
        _WORKER = None


def _start_worker(browser: Path | None, parent: int) -> None:
    global _WORKER
    die_with_parent(parent)  # a killed build must not leave printers and browsers behind
    _WORKER = PdfPrinter(browser).__enter__()
    atexit.register(_close_worker)


def _print_job(job: PrintJob) -> bytes:
    assert _WORKER is not None, "worker started without a printer"
    return _WORKER.print(job.html_path.read_text(encoding="utf-8"), title=job.title,
                         author=job.author, subject=job.subject, created=job.created)


def print_all(jobs: Iterable[PrintJob], workers: int = 2,
              browser: Path | None = None) -> Iterator[bytes]:
    """PDF bytes for every job, in the order given; ``workers`` browsers print side by side."""
    jobs = list(jobs)
    if workers <= 1 or len(jobs) < 2:
        with PdfPrinter(browser) as printer:
            for job in jobs:
                yield printer.print(job.html_path.read_text(encoding="utf-8"), title=job.title,
                                    author=job.author, subject=job.subject,
                                    created=job.created)
        return
    found = browser or find_browser()
    if found is None:
        PdfPrinter(None)  # raises the "no Chromium found" DataError
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=ctx,
                             initializer=_start_worker, initargs=(found, os.getpid())) as pool:
        yield from pool.map(_print_job, jobs, chunksize=1)
