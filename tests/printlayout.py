"""A printed profile read back with pdfplumber: its pages' text lines, how far down each page
is filled, and the text of its charts (the profile PDF is tagged, so a chart's text sits in a
Figure), checked against the print layout rules of issue 18. Each check returns what breaks a
rule (empty when the PDF keeps it), so a failing test names the page and the text."""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass
from pathlib import Path

import pdfplumber

MM = 72 / 25.4
# The printable area of pdf.py's A4 page: margins 18 mm top, 16 mm bottom, 14 mm left.
TOP, BOTTOM, LEFT = 18 * MM, 16 * MM, 14 * MM
MAX_EMPTY = 0.40  # no page but the last may be emptier than this
MIN_CHART_PT = 8.0


def squash(text: str) -> str:
    """Text without whitespace, soft hyphens and the hyphen Chromium ends a broken line with:
    lines from the PDF and texts from the HTML then compare whatever the wrapping."""
    return re.sub(r"[\s\u00ad\u2010]", "", htmllib.unescape(text))


@dataclass(frozen=True)
class Line:
    text: str
    x0: float
    top: float
    bottom: float


@dataclass(frozen=True)
class Page:
    number: int
    lines: list[Line]  # inside the printable area, top to bottom (no header or footer)
    empty: float  # share of the printable height under the lowest text or graphic
    chart_sizes: list[float]  # font size (pt) of every character of a chart on this page


def read(pdf: Path) -> list[Page]:
    pages = []
    with pdfplumber.open(pdf) as doc:
        for p in doc.pages:
            lo, hi = TOP, float(p.height) - BOTTOM
            chars = [c for c in p.chars if _inside(c, lo, hi)]
            # The page's white background rectangle is not content.
            drawn = [o for o in p.rects + p.curves + p.lines + p.images
                     if _inside(o, lo, hi) and not _white(o)]
            lowest = max([o["bottom"] for o in chars + drawn], default=lo)
            lines = [Line(t["text"], t["x0"], t["top"], t["bottom"])
                     for t in p.extract_text_lines() if _inside(t, lo, hi)]
            pages.append(Page(p.page_number, lines, (hi - lowest) / (hi - lo),
                              [c["size"] for c in chars if c.get("tag") == "Figure"]))
    return pages


def _inside(o: dict, lo: float, hi: float) -> bool:
    """Inside the printable height: not the header or the footer in the margins."""
    return bool(o["top"] >= lo - 1 and o["bottom"] <= hi + 1)


def _white(o: dict) -> bool:
    colour = o.get("non_stroking_color")
    values = colour if isinstance(colour, tuple | list) else (colour,)
    # A pattern fill (the map's "geen gegevens" hatching) has a name, not a colour.
    return not o.get("stroke") and all(isinstance(v, int | float) and v == 1 for v in values)


def too_empty(pages: list[Page]) -> list[str]:
    return [f"page {p.number} is {p.empty:.0%} empty" for p in pages[:-1] if p.empty > MAX_EMPTY]


def headings(html: str) -> list[str]:
    """The h2 and h3 texts, table captions and group label rows of a page, squashed."""
    found = re.findall(r"<(h2|h3|caption)[^>]*>(.*?)</\1>", html, re.DOTALL)
    found += re.findall(r'<(th) scope="rowgroup"[^>]*>(.*?)</th>', html, re.DOTALL)
    return [squash(re.sub(r"<[^>]+>", "", text)) for _, text in found]


def table_heads(html: str) -> list[str]:
    """The first two header cells of every table, squashed: the start of its header row."""
    heads = []
    for thead in re.findall(r"<thead>(.*?)</thead>", html, re.DOTALL):
        cells = [squash(re.sub(r"<[^>]+>", "", c))
                 for c in re.findall(r"<th[^>]*>(.*?)</th>", thead, re.DOTALL)]
        if len(cells) >= 2:
            heads.append(cells[0] + cells[1])
    return heads


def headings_last(pages: list[Page], html: str) -> list[str]:
    """Pages whose last line is a heading, a caption or a table's header row (or the first
    line of one that wraps): what it introduces went on to the next page."""
    titles, heads, bad = headings(html), table_heads(html), []
    for p in pages[:-1]:
        if not p.lines:
            continue
        last = squash(p.lines[-1].text)
        if (any(last == t or (len(last) >= 8 and t.startswith(last)) for t in titles)
                or any(last.startswith(h) for h in heads)):
            bad.append(f"page {p.number} ends with {p.lines[-1].text!r}")
    return bad


def chart_text_sizes(pages: list[Page]) -> list[float]:
    return sorted({round(s, 2) for p in pages for s in p.chart_sizes})


def page_of(pages: list[Page], text: str) -> list[int]:
    """The pages on which ``text`` occurs, once per occurrence (in reading order)."""
    want, found = squash(text), []
    for p in pages:
        found += [p.number] * "".join(squash(line.text) for line in p.lines).count(want)
    return found


def theme_charts(html: str) -> list[tuple[str, str]]:
    """(theme title, its chart's caption) for every theme section, in order; the caption is
    empty for a theme without a chart."""
    out = []
    for body in re.findall(r'<section class="theme".*?</section>', html, re.DOTALL):
        title = re.search(r"<h2[^>]*>(.*?)</h2>", body, re.DOTALL)
        cap = re.search(r'<figure class="chart">.*?<figcaption>(.*?)</figcaption>', body,
                        re.DOTALL)
        out.append((title.group(1) if title else "", cap.group(1) if cap else ""))
    return out


def charts_off_their_table(pages: list[Page], html: str) -> list[str]:
    """A theme's chart must be on the page where its table ends: the table's legend line
    ("Teken bij een vergelijkingsgebied", right under every theme table) and the chart's
    caption (the chart itself is unbreakable, with its caption under it) share a page."""
    legends = page_of(pages, "Teken bij een vergelijkingsgebied:")
    themes = theme_charts(html)
    assert len(legends) == len(themes), (legends, [t for t, _ in themes])
    bad = []
    for (title, caption), legend_page in zip(themes, legends, strict=True):
        if caption and page_of(pages, caption) != [legend_page]:
            bad.append(f"{title}: table ends on page {legend_page}, chart on "
                       f"{page_of(pages, caption)}")
    return bad


def list_markers(pages: list[Page], html: str, start: int = 10) -> list[str]:
    """Items ``start`` and on of every numbered list: the line of each begins with its number,
    a full stop and its first word, inside the page's left margin (a two-digit marker pushed
    past the margin printed as ".0.")."""
    bad = []
    for body in re.findall(r"<ol[^>]*>(.*?)</ol>", html, re.DOTALL):
        items = re.findall(r"<li[^>]*>(.*?)</li>", body, re.DOTALL)
        for n, item in enumerate(items[start - 1:], start=start):
            word = squash(re.sub(r"<[^>]+>", "", item).split()[0])
            hits = [line for p in pages for line in p.lines
                    if squash(line.text).startswith(f"{n}.{word}")]
            if not hits:
                bad.append(f"item {n} ({word}) has no line starting with '{n}.'")
            elif min(line.x0 for line in hits) < LEFT - 0.5:
                bad.append(f"item {n}: marker at x = {hits[0].x0:.1f} pt, left of the margin")
    return bad


def ordered_lists(html: str) -> list[int]:
    """The number of items of every numbered list in a page."""
    return [len(re.findall(r"<li[\s>]", body))
            for body in re.findall(r"<ol[^>]*>(.*?)</ol>", html, re.DOTALL)]
