"""Hostile text in data, indicator definitions and config never becomes markup, script or formula.

Area names come from CBS files, titles from indicator YAML, names from the region config: all
of it is text that ends up in HTML, inline SVG, CSV downloads and PDFs mailed to outsiders.
"""

from __future__ import annotations

import csv
import http.server
import io
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader
from typer.testing import CliRunner

from tests.test_bad_inputs import set_cells
from wijkdata.cli import app
from wijkdata.core.errors import ConfigError
from wijkdata.core.yamlio import load_yaml
from wijkdata.report.pdf import PdfPrinter, find_browser
from wijkdata.report.render import safe_cell

SRC = Path(__file__).resolve().parents[1] / "src" / "wijkdata"
SCRIPT = "<script>alert('wijk')</script>"
IMG = '<img src=x onerror="alert(1)">'
FORMULA = '=HYPERLINK("http://evil.example","klik")'


@pytest.mark.parametrize(("cell", "expected"), [
    ("=1+2", "'=1+2"),
    ("+31 6 1234", "'+31 6 1234"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("-5", "-5"),  # negative numbers stay numbers
    ("-3,5", "-3,5"),
    ("Oude Kern", "Oude Kern"),
    (None, ""),
    (42, "42"),
])
def test_safe_cell_defuses_formulas(cell: object, expected: str) -> None:
    assert safe_cell(cell) == expected


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"fixture edit: {old!r} not found once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _hostile_project(project: Path) -> None:
    kwb = project / "data" / "demo" / "kwb_2022_demo.csv"  # the first stage names the areas
    set_cells(kwb, "BU99010000", {"regio": f"Oude Kern {SCRIPT}"})
    set_cells(kwb, "BU99010001", {"regio": FORMULA})
    _replace(project / "indicators" / "demografie" / "eenpersoonshuishoudens.yml",
             "title: Eenpersoonshuishoudens", f"title: 'Eenpersoonshuishoudens {IMG}'")
    cfg = project / "configs" / "demo.yml"
    _replace(cfg, "  name: Stichting Gezond in de Wijk (demo)\n",
             "  name: 'Stichting <b onmouseover=alert(2)>Gezond</b>'\n")
    _replace(cfg, "regio_name: Demoregio", "regio_name: 'Demo</title><script>x()</script>'")
    _replace(cfg, "name: Esveld,", "name: 'Esveld <svg onload=alert(3)>',")


def test_hostile_names_and_titles_are_escaped_in_html_svg_and_csv(
        project: Path, runner: CliRunner) -> None:
    _hostile_project(project)
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html,csv",
                                 "--area", "BU99010000", "--area", "BU99010001",
                                 "--area", "DORP_ESVELD"])
    assert result.exit_code == 0, result.stderr
    out = project / "reports" / "demo"
    pages = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.html")}
    assert sorted(pages) == ["BU99010000.html", "BU99010001.html", "DORP_ESVELD.html",
                             "index.html"]
    for name, html in pages.items():
        for raw in (SCRIPT, IMG, "<b onmouseover", "</title><script>", "<svg onload"):
            assert raw not in html, f"{name} contains {raw!r}"
        # Parsed as a browser would: no script element, no event-handler attribute anywhere.
        tags = _Tags()
        tags.feed(html)
        # index.html carries its own static filter/sort script; no data may reach a script.
        assert tags.scripts == (1 if name == "index.html" else 0), name
        assert not any(m in tags.script_text for m in ("alert", "x()", "HYPERLINK")), name
        assert tags.handlers == [], name
    profile = pages["BU99010000.html"]
    assert "<h1>Oude Kern &lt;script&gt;alert(&#39;wijk&#39;)&lt;/script&gt;</h1>" in profile
    # Inside the inline SVG charts the name is escaped too (bar labels, <title> tooltips).
    svg_text = " ".join(re.findall(r"<svg\b.*?</svg>", profile, re.DOTALL))
    assert "Oude Kern &lt;script&gt;" in svg_text
    assert "Eenpersoonshuishoudens &lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in profile
    assert "Stichting &lt;b onmouseover=alert(2)&gt;Gezond&lt;/b&gt;" in profile
    assert "Esveld &lt;svg onload=alert(3)&gt;" in pages["DORP_ESVELD.html"]

    rows = list(csv.reader(io.StringIO((out / "BU99010001.csv").read_text("utf-8")),
                           delimiter=";"))
    assert rows[1][:2] == ["BU99010001", "'" + FORMULA]
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts = 0
        self.handlers: list[str] = []
        self.script_text = ""
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_text += data

    def handle_endtag(self, tag: str) -> None:
        self._in_script = self._in_script and tag != "script"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scripts += tag == "script"
        self._in_script = self._in_script or tag == "script"
        self.handlers += [f"{tag} {k}" for k, _v in attrs if k.startswith("on")]


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"body{}")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[str]:
    _Recorder.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_pdf_printing_runs_no_script_and_fetches_nothing(recorder: str) -> None:
    if find_browser() is None:
        pytest.skip("no Chromium to print with")
    html = f"""<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="{recorder}/style.css">
<script src="{recorder}/app.js"></script></head><body>
<p id="p">Statische tekst</p><img src="{recorder}/beacon.png" alt="">
<iframe src="{recorder}/frame.html"></iframe>
<script>document.getElementById('p').textContent = 'SCRIPT RAN';
fetch('{recorder}/fetch'); new Image().src = '{recorder}/js-beacon';</script>
</body></html>"""
    with PdfPrinter() as printer:
        pdf = printer.print(html, title="t", author="a", subject="s",
                            created=datetime(2026, 11, 23, tzinfo=UTC))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Statische tekst" in text
    assert "SCRIPT RAN" not in text
    assert _Recorder.requests == []


def test_no_shell_true_or_os_system_in_the_source() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"shell\s*=\s*True|os\.system\(|os\.popen\(", line):
                offenders.append(f"{path.relative_to(SRC)}:{n}: {line.strip()}")
    assert offenders == []


def test_yaml_is_only_read_with_the_safe_loader() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"yaml\.(load|load_all|unsafe_load|full_load)\(|"
                         r"Loader=yaml\.(Loader|FullLoader|UnsafeLoader)", line):
                offenders.append(f"{path.relative_to(SRC)}:{n}: {line.strip()}")
    assert offenders == []


@pytest.mark.parametrize(("tag", "shown"), [
    ('!!python/object/apply:os.system ["touch {marker}"]', "!!python/object/apply:os.system"),
    ("!!python/name:os.system", "!!python/name:os.system"),
    ('!!python/object:pathlib.Path {{}}', "!!python/object:pathlib.Path"),
])
def test_python_tags_in_yaml_are_refused_and_never_run(tmp_path: Path, tag: str,
                                                       shown: str) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.yml"
    path.write_text(f"name: demo\nvalue: {tag.format(marker=marker)}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_yaml(path)
    assert str(err.value) == (f"{path}, line 2: the tag '{shown}' is not allowed\n"
                              "  hint: use plain values: text, numbers, lists and mappings")
    assert not marker.exists()
    # PyYAML's own safe loader agrees (the project never uses another one).
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(path.read_text(encoding="utf-8"))
