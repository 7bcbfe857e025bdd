"""Hostile logos in real headless Chromium: nothing runs, nothing is fetched, the report shows.

A logo is the one piece of markup a config brings into every page. Each attack below is put in
the region's SVG logo of a real build; the page is then opened in Chromium with JavaScript ON
(so a script that could run would run) and a real HTTP server on 127.0.0.1 as the target of every
external reference. The logo is embedded as an image (logo.py), and the page's
Content-Security-Policy (csp.py) forbids script and network requests besides.
"""

from __future__ import annotations

import base64
import http.server
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from tests.buildproc import WIJKDATA, env_for
from tests.conftest import make_project
from wijkdata.cli import app
from wijkdata.report.csp import csp_meta, script_hash
from wijkdata.report.pdf import find_browser

pytestmark = pytest.mark.skipif(find_browser() is None, reason="no Chromium on this machine")

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ' \
      'width="120" height="32">{}<rect width="24" height="24" fill="#00677f"/></svg>'
# {url} is the recording server; every attack would call it, alert, or hide the report.
ATTACKS = {
    "event_handler_without_whitespace": '<svg/onload="alert(1);fetch(\'{url}/onload\')"/>',
    "img_onerror": '<foreignObject width="10" height="10"><img xmlns="http://www.w3.org/1999/'
                   'xhtml" src="{url}/img" onerror="alert(2)"/></foreignObject>',
    "animate_onbegin": '<animate onbegin="alert(3)" attributeName="x" dur="1s"/>',
    "entity_encoded_javascript": '<a xlink:href="&#106;avascript:alert(4)"><text y="20">'
                                 'klik</text></a>',
    "style_hides_report": "<style>body, main, h1 {{ display: none !important; }}</style>",
    "external_href": '<image href="{url}/image.png" width="10" height="10"/>'
                     '<use href="{url}/sprite.svg#x"/>',
    "script_element": "<script>alert(5); new Image().src = '{url}/script';</script>",
}


class Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def recorder() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _open(browser: Any, url: str) -> tuple[Any, Any, list[str]]:
    """JavaScript on and the network open: only the page itself may stop an attack."""
    context = browser.new_context(java_script_enabled=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url, wait_until="load")
    page.wait_for_timeout(300)  # let an animation begin or an onload fire, were it allowed to
    return context, page, dialogs


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_hostile_logo_runs_nothing_fetches_nothing(attack: str, tmp_path: Path, recorder: str,
                                                   browser: Any) -> None:
    Recorder.hits.clear()
    with pytest.MonkeyPatch.context() as mp:
        project = make_project(tmp_path, mp)
        (project / "assets" / "wijkdata-logo.svg").write_text(
            SVG.format(ATTACKS[attack].format(url=recorder)), encoding="utf-8")
        result = CliRunner().invoke(app, ["build", "--regio", "demo", "--format", "html",
                                          "--area", "BU99010000"])
        assert result.exit_code == 0, result.output
    page_file = project / "reports" / "demo" / "BU99010000.html"
    html = page_file.read_text(encoding="utf-8")
    # The logo is in the page only as base64 inside an <img>: none of its markup is the page's.
    logo_b64 = html.split('src="data:image/svg+xml;base64,', 1)[1].split('"', 1)[0]
    assert recorder in base64.b64decode(logo_b64).decode() or "url" not in ATTACKS[attack]
    assert recorder not in html
    context, page, dialogs = _open(browser, page_file.as_uri())
    try:
        assert dialogs == []
        assert page.is_visible("h1")
        assert page.inner_text("h1") == "Oude Kern"
        # The logo still shows, except the one that is not well-formed XML (HTML-only syntax).
        width = page.evaluate("document.querySelector('img.logo').naturalWidth")
        assert width == (0 if attack == "event_handler_without_whitespace" else 120)
    finally:
        context.close()
    assert Recorder.hits == []


def test_policy_blocks_script_injected_into_content(tmp_path: Path, recorder: str,
                                                    browser: Any) -> None:
    """Even markup that slipped into a page could not run or call out: the policy stops it."""
    Recorder.hits.clear()
    page_file = tmp_path / "page.html"
    page_file.write_text(
        f"<!doctype html><html><head>{csp_meta()}</head><body><h1>Wijk</h1>"
        f"<script>alert('inline')</script><img src=\"{recorder}/pixel\" onerror=\"alert(1)\">"
        f"<script src=\"{recorder}/app.js\"></script></body></html>", encoding="utf-8")
    context, page, dialogs = _open(browser, page_file.as_uri())
    try:
        assert dialogs == []
        assert page.inner_text("h1") == "Wijk"
    finally:
        context.close()
    assert Recorder.hits == []


def test_policy_runs_only_the_page_own_hashed_script(tmp_path: Path, browser: Any) -> None:
    own = "document.title = 'eigen script';"
    page_file = tmp_path / "page.html"
    page_file.write_text(
        f"<!doctype html><html><head>{csp_meta([script_hash(own)])}<title>start</title></head>"
        f"<body><script>{own}</script><script>document.title = 'geinjecteerd';</script>"
        "</body></html>", encoding="utf-8")
    context, page, _dialogs = _open(browser, page_file.as_uri())
    try:
        assert page.title() == "eigen script"
    finally:
        context.close()


def test_printing_a_hostile_logo_to_pdf_fetches_nothing(tmp_path: Path, recorder: str) -> None:
    """The PDF path of a real build (a subprocess: this module holds a browser already)."""
    Recorder.hits.clear()
    with pytest.MonkeyPatch.context() as mp:
        project = make_project(tmp_path, mp)
    # All well-formed attacks in one logo (the HTML-only one would make the SVG unreadable).
    svg = SVG.format("".join(a.format(url=recorder) for k, a in ATTACKS.items()
                             if k != "event_handler_without_whitespace"))
    (project / "assets" / "wijkdata-logo.svg").write_text(svg, encoding="utf-8")
    done = subprocess.run([str(WIJKDATA), "build", "--regio", "demo", "--format", "pdf",
                           "--area", "BU99010000"], cwd=project, env=env_for(project),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    text = PdfReader(project / "reports" / "demo" / "BU99010000.pdf").pages[0].extract_text()
    assert "Oude Kern" in text
    assert Recorder.hits == []
