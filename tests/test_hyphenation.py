"""Dutch hyphenation: soft hyphens from pyphen nl_NL, and no word breaks without a hyphen —
checked in real Chromium at 1280 and 375 px and on the PDF text (pdftotext)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import make_project
from wijkdata.cli import app
from wijkdata.report import hyphenation
from wijkdata.report.pdf import find_browser

SOFT = "\u00ad"
needs_tools = pytest.mark.skipif(find_browser() is None or shutil.which("pdftotext") is None,
                                 reason="needs Chromium and pdftotext")


def test_soft_hyphens_in_text_only() -> None:
    page = ('<html><head><title>Arbeidsongeschiktheidsuitkeringen</title></head><body>'
            '<p>Arbeidsongeschiktheidsuitkeringen</p><table><tr>'
            '<td title="Arbeidsongeschiktheidsuitkeringen">Arbeidsongeschiktheidsuitkeringen, '
            'Wmo-cliënten &amp;Eenpersoonshuishoudens 2023</td></tr></table>'
            '<ul class="kort hyphenate"><li><ul><li>Bevolkingsdichtheid</li></ul></li>'
            '<li>Bijstandsuitkeringen</li></ul><p>Bijstandsuitkeringen</p>'
            '<svg><text>Bevolkingsdichtheid</text></svg>'
            '<script>var Omgevingsadressendichtheid = 1;</script></body></html>')
    out = hyphenation.html(page).replace(SOFT, "|")
    assert out == (
        '<html><head><title>Arbeidsongeschiktheidsuitkeringen</title></head><body>'
        '<p>Arbeidsongeschiktheidsuitkeringen</p><table><tr>'
        '<td title="Arbeidsongeschiktheidsuitkeringen">Ar|beids|on|ge|schikt|heids|uit|ke|rin|gen, '
        'Wmo-cliënten &amp;Een|per|soons|huis|hou|dens 2023</td></tr></table>'
        '<ul class="kort hyphenate"><li><ul><li>Be|vol|kings|dicht|heid</li></ul></li>'
        '<li>Bij|stands|uit|ke|rin|gen</li></ul><p>Bijstandsuitkeringen</p>'
        '<svg><text>Bevolkingsdichtheid</text></svg>'
        '<script>var Omgevingsadressendichtheid = 1;</script></body></html>')
    # Short words stay whole (they fit any column), so pages do not fill up with hyphens.
    assert hyphenation.text("Wijk buurt gezond") == "Wijk buurt gezond"


def test_names_stay_whole() -> None:
    # A reader searches the PDF for "Huisartsenpraktijk": names in class "naam" keep no soft
    # hyphens, however deep the markup; the cell after the name is hyphenated again.
    page = ('<body><table><tr><td class="naam">Huisartsenpraktijk Vreedebeek<span class="desc">'
            '<span>Dorpsstraat</span> Lindenoord</span></td><td>Huisartsenpraktijk</td></tr>'
            '</table></body>')
    assert hyphenation.html(page).replace(SOFT, "|") == (
        '<body><table><tr><td class="naam">Huisartsenpraktijk Vreedebeek<span class="desc">'
        '<span>Dorpsstraat</span> Lindenoord</span></td><td>Huis|art|sen|prak|tijk</td></tr>'
        '</table></body>')


def test_other_tags_inside_a_narrow_place_keep_their_attributes() -> None:
    # The page is split only at tags that open or close a narrow or whole element; text with
    # other tags in it (strong, a span with a title) is hyphenated between those tags, in
    # upper-case markup too, and a naam element of any tag name (here a div) stays whole.
    page = ('<body><TABLE><TR><TD><strong>Bijstandsuitkeringen</strong> <span '
            'title="Bevolkingsdichtheid">Bevolkingsdichtheid</span></TD></TR></TABLE>'
            '<div class="naam">Huisartsenpraktijk</div><div class="hyphenate">'
            '<div class="naam">Huisartsenpraktijk</div>Huisartsenpraktijk</div></body>')
    assert hyphenation.html(page).replace(SOFT, "|") == (
        '<body><TABLE><TR><TD><strong>Bij|stands|uit|ke|rin|gen</strong> <span '
        'title="Bevolkingsdichtheid">Be|vol|kings|dicht|heid</span></TD></TR></TABLE>'
        '<div class="naam">Huisartsenpraktijk</div><div class="hyphenate">'
        '<div class="naam">Huisartsenpraktijk</div>Huis|art|sen|prak|tijk</div></body>')


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as mp:
        proj = make_project(tmp_path_factory.mktemp("hyph"), mp)
        result = CliRunner().invoke(app, ["build", "--regio", "demo", "--format", "html,pdf",
                                          "--area", "DORP_ESVELD", "--area", "WK990100"])
        assert result.exit_code == 0, result.output
    yield proj / "reports" / "demo"


# For every word of the visible text that spans two lines: the character before the break.
# A break is fine after a soft hyphen (the browser then draws a hyphen) or a real hyphen.
BROKEN_WORDS_JS = r"""() => {
  const bad = [], ok = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    if (node.parentElement.closest('svg, script, style')) continue;
    const re = /\S+/g; let m;
    while ((m = re.exec(node.data))) {
      const r = document.createRange();
      r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
      const tops = new Set(Array.from(r.getClientRects()).filter(x => x.width > 0)
                             .map(x => Math.round(x.top)));
      if (tops.size < 2 || !/\p{L}/u.test(m[0])) continue;  // words, not numbers
      // The shortest prefix that reaches the second line ends with the first character
      // there; the character before it closed the first line.
      for (let i = 2; i <= m[0].length; i++) {
        const c = document.createRange();
        c.setStart(node, m.index); c.setEnd(node, m.index + i);
        const lines = new Set(Array.from(c.getClientRects()).filter(x => x.width > 0)
                                .map(x => Math.round(x.top)));
        if (lines.size < 2) continue;
        const word = m[0].replace(/\u00ad/g, '');
        (['\u00ad', '-', '/'].includes(m[0][i - 2]) ? ok : bad).push(word);
        break;
      }
    }
  }
  return {bad, ok};
}"""


@needs_tools
@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("name", ["DORP_ESVELD.html", "index.html"])
def test_no_word_breaks_without_hyphen_in_chromium(built: Path, name: str, width: int,
                                                   browser: Any) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto((built / name).as_uri(), wait_until="load")
    found: dict[str, list[str]] = page.evaluate(BROKEN_WORDS_JS)
    page.close()
    assert found["bad"] == []
    if width == 375 and name == "DORP_ESVELD.html":
        assert found["ok"], "a phone-width profile breaks some long word (with a hyphen)"


class _Words(HTMLParser):
    """The words of a page's visible text (soft hyphens removed)."""

    def __init__(self) -> None:
        super().__init__()
        self.words: set[str] = set()
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("script", "style", "svg", "title")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style", "svg", "title")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.words |= set(re.findall(r"[^\W\d_]+", data.replace(SOFT, "")))


@needs_tools
def test_no_word_breaks_without_hyphen_in_pdf(built: Path) -> None:
    parser = _Words()
    parser.feed((built / "DORP_ESVELD.html").read_text(encoding="utf-8"))
    words = parser.words
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(built / "DORP_ESVELD.pdf"), "-"],
                          capture_output=True, text=True, check=True, timeout=60).stdout
    # Chromium keeps the (invisible) soft hyphens in the text layer and draws U+2010 where it
    # breaks at one.
    lines = [x.replace(SOFT, "").strip() for x in text.splitlines()]
    bad, hyphenated = [], []
    for a, b in zip(lines, lines[1:], strict=False):
        end = re.search(r"([^\W\d_]+)([-\u2010]?)$", a)
        start = re.match(r"[^\W\d_]+", b)
        if not end or not start:
            continue
        joined = end.group(1) + start.group(0)
        if joined in words and end.group(1) not in words | {w.lower() for w in words}:
            (hyphenated if end.group(2) else bad).append(joined)
    assert bad == []
    assert hyphenated, "the A4 profile breaks some long word (with a hyphen)"
