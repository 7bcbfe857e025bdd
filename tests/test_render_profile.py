"""The rendered profile as a reader gets it: structure, escaping, branding, odd areas, nl-NL.

Every test builds the demo region (or a changed copy of it) through the CLI into the private
``project`` folder and reads the HTML back; the markup is parsed with html5lib in strict mode,
which raises on the first HTML5 parse error.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import html5lib
import pytest
from html5lib.html5parser import ParseError
from typer.testing import CliRunner

from wijkdata.cli import app
from wijkdata.report.formatting import long_date, number, plain, signed

EVIL = "Esv <script>alert(1)</script> \"Q\" & 'A'"


def build(runner: CliRunner, *args: str) -> None:
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html,csv", *args])
    assert result.exit_code == 0, result.output


def strict_parse(html: str) -> None:
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_strict_parser_rejects_broken_markup() -> None:
    # The validator used below must really fail on bad HTML, or its passes prove nothing.
    with pytest.raises(ParseError):
        strict_parse("<!DOCTYPE html><html lang=nl><title>x</title><p>a</span>")


def test_profile_structure(project: Path, runner: CliRunner) -> None:
    build(runner, "--area", "DORP_ESVELD")
    out = project / "reports" / "demo"
    html = (out / "DORP_ESVELD.html").read_text(encoding="utf-8")
    strict_parse(html)
    # Cover: kind, area, gemeente, organisation, date.
    assert '<p class="kind">Dorpsprofiel</p>\n  <h1>Esveld</h1>' in html
    assert "Dorp in de gemeente Vreedebeek · Vreedebeek en Lindenoord (demo)" in html
    assert "Stichting Gezond in de Wijk (demo) · 23 november 2026" in html
    # In het kort: 8 key figures, health and care first (at least four), each with its year;
    # the first one exact.
    kort = html.split('<ul class="kort">')[1].split("</ul>")[0]
    assert kort.count("<li>") == 8
    assert re.findall(r'<span class="l">([^<]+) <span class="y">', kort)[:4] == [
        "Wmo-cliënten", "Eenzaam", "Goede ervaren gezondheid", "Overgewicht"]
    assert ('<li><span class="v">90,9</span> <span class="u">per 1.000 inwoners</span>'
            '<span class="l">Wmo-cliënten <span class="y">(2023)</span></span>'
            '<span class="c">gemeente: 83,6 <span class="sig sig-similar">● gelijk</span>'
            '</span></li>') in kort
    # One section per theme, each with a captioned table with column and row headers.
    themes = re.findall(r'<section class="theme" id="([a-z_]+)"', html)
    assert themes == ["demografie", "sociaal_economisch", "zorg", "gezondheid", "leefomgeving"]
    assert html.count('<table class="ind">') == 5
    assert html.count("<caption>Bevolking en huishoudens: Esveld vergeleken met gemeente, regio, "
                      "Nederland en vergelijkbare wijken</caption>") == 1
    # (On a phone the regio column gives way: class hide-s.)
    assert ('<th scope="col">Gemeente</th><th scope="col" class="hide-s">Regio</th>'
            '<th scope="col">Nederland</th>') in html
    # The eenpersoonshuishoudens row: value, Wilson interval, comparators with symbol + word.
    row = html.split('<th scope="row">Eenpersoonshuishoudens')[1].split("</tr>")[0]
    assert "<strong>42,2%</strong><span class=\"desc\">38,8% – 45,7%</span>" in row
    assert '41,6%<span class="sig sig-similar">● gelijk</span>' in row
    assert "↓ −0,5 procentpunt sinds 2022" in row
    # Every table has a caption and every chart/map a data table behind it.
    assert html.count("<table") == html.count("<caption>")
    # (The small trend and spine charts in table rows have their figures as text beside them.)
    figures = re.findall(r'<figure class="(?:chart|map)">(.*?)</figure>', html, re.DOTALL)
    assert len(figures) == 7  # map, age structure, one bar chart per theme
    for fig in figures:
        assert fig.count("<svg") == 1 and fig.count("<summary>Tabel bij de") == 1
        assert "<caption>" in fig and '<th scope="row">' in fig
    assert ('<tr><th scope="row">Eenpersoonshuishoudens</th><td class="num">42,2%</td>'
            '<td class="num">41,6%</td></tr>') in figures[2]
    # Method page with definitions and de-duplicated caveats, colofon with table ids.
    assert '<section class="method" id="methode"' in html
    assert "<caption>Definities van de indicatoren</caption>" in html
    assert "<h3>Kanttekeningen</h3>" in html
    assert "<td>85618NED</td><td>2023</td>" in html
    assert "Gemaakt met wijkdata 0.1.0 op 23 november 2026 door Stichting Gezond in de Wijk" in html
    # CSV download next to the HTML.
    assert '<a href="DORP_ESVELD.csv" download>Cijfers (CSV)</a>' in html
    assert (out / "DORP_ESVELD.csv").read_text(encoding="utf-8").startswith("gebiedscode;gebied;")


def test_overview_is_valid_and_lists_every_profile(project: Path, runner: CliRunner) -> None:
    build(runner)
    html = (project / "reports" / "demo" / "index.html").read_text(encoding="utf-8")
    strict_parse(html)
    links = re.findall(r'<a href="([A-Z0-9_]+\.html)">', html)
    assert len(links) == 31 and "DORP_ESVELD.html" in links
    assert '<p class="count" id="aantal" aria-live="polite">31 van 31 gebieden</p>' in html
    assert ('<option value="wijk">wijken</option><option value="buurt">buurten</option>'
            '<option value="dorp">dorpen</option><option value="focusgebied">focusgebieden</option>'
            ) in html
    assert "<option>Lindenoord</option><option>Vreedebeek</option>" in html
    # The map's wijken link to their profiles, named for screen readers.
    assert '<a href="WK990100.html" aria-label="Wijk 00 Centrum: 34,8%"><path d="M' in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") \
        .replace('xmlns:xlink="http://www.w3.org/1999/xlink"', "")


def test_area_name_with_markup_is_escaped_in_html_and_svg(project: Path,
                                                          runner: CliRunner) -> None:
    edit(project / "configs" / "demo.yml", "name: Esveld,",
         "name: \"Esv <script>alert(1)</script> \\\"Q\\\" & 'A'\",")
    build(runner, "--area", "DORP_ESVELD")
    html = (project / "reports" / "demo" / "DORP_ESVELD.html").read_text(encoding="utf-8")
    strict_parse(html)
    assert "<script>alert(1)" not in html
    assert "<title>Dorpsprofiel Esv &lt;script&gt;alert(1)&lt;/script&gt; &#34;Q&#34; &amp; " \
           "&#39;A&#39;</title>" in html
    # Inside the SVG of the age chart the name sits in an attribute: quotes must be escaped too.
    assert ('aria-label="Leeftijdsopbouw van Esv &lt;script&gt;alert(1)&lt;/script&gt; '
            '&#34;Q&#34; &amp; &#39;A&#39;"') in html
    assert html.count("<script") == 0


def test_all_values_suppressed_still_renders(project: Path, runner: CliRunner) -> None:
    # De Venne (BU99010302) has 15 inwoners; blank its few published counts ("15;5;5;...") as
    # CBS does with '.', so that every figure of the buurt is secret.
    for name in ("kwb_2022_demo.csv", "kwb_2023_demo.csv"):
        path = project / "data" / "demo" / name
        line = next(x for x in path.read_text(encoding="utf-8").splitlines()
                    if x.startswith("BU99010302;"))
        head = ";".join(line.split(";")[:4])
        edit(path, line, head + ";" + ";".join("." for _ in line.split(";")[4:]))
    build(runner, "--area", "BU99010302")
    html = (project / "reports" / "demo" / "BU99010302.html").read_text(encoding="utf-8")
    strict_parse(html)
    assert ("Voor De Venne zijn geen cijfers beschikbaar: de bronnen publiceren ze niet of "
            "houden ze geheim, omdat er te weinig mensen wonen.") in html
    assert "Geen leeftijdsopbouw: de cijfers voor De Venne zijn geheim of ontbreken." in html
    assert '<span class="mark mark-withheld">geheim (bron)</span>' in html
    # The strict demo source's cell for De Venne (1 patient with diabetes) is suppressed.
    assert '<span class="mark mark-suppressed">afgeschermd (privacy)</span>' in html
    assert not re.search(r"<strong>\d", html)
    assert "<h2 id=\"leefomgeving-h\">Wonen en leefomgeving</h2>" in html


def test_area_without_boundaries_has_no_map_and_says_why(project: Path,
                                                         runner: CliRunner) -> None:
    cfg = project / "configs" / "demo.yml"
    edit(cfg, "  - {id: wijken, kind: boundaries, path: wijken_demo.geojson, "
              "publisher: \"Fictief (wijkdata demo)\"}\n", "")
    build(runner, "--area", "WK990100")
    html = (project / "reports" / "demo" / "WK990100.html").read_text(encoding="utf-8")
    strict_parse(html)
    assert ('<p class="notice" role="note">Geen kaart: Geen wijkgrenzen beschikbaar voor deze '
            'gemeente.</p>') in html
    assert "Tabel bij de kaart" not in html


def test_branding_from_config_without_template_fork(project: Path, runner: CliRunner) -> None:
    cfg = project / "configs" / "demo.yml"
    edit(cfg, "organisation:\n  name: Stichting Gezond in de Wijk (demo)",
         "organisation:\n  name: GGD Voorbeeldland & Co")
    edit(cfg, 'accent: "#00677f"', 'accent: "#7a1f5c"')
    edit(cfg, "logo: assets/wijkdata-logo.svg", "logo: assets/logo.png")
    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360f8ff3f0005fe02fe0def46b8"
                        "0000000049454e44ae426082")
    (project / "assets" / "logo.png").write_bytes(png)
    build(runner, "--area", "WK990100")
    html = (project / "reports" / "demo" / "WK990100.html").read_text(encoding="utf-8")
    assert ":root { --accent: #7a1f5c; }" in html
    assert "<span>GGD Voorbeeldland &amp; Co</span>" in html
    assert '<img src="data:image/png;base64,iVBORw0KGgo' in html
    index = (project / "reports" / "demo" / "index.html").read_text(encoding="utf-8")
    assert ":root { --accent: #7a1f5c; }" in index


@pytest.mark.parametrize(("logo", "message"), [
    ("../outside.svg", "organisation.logo '../outside.svg' lies outside the project folder"),
    ("assets/missing.svg", "organisation.logo 'assets/missing.svg' not found"),
])
def test_bad_logo_is_a_config_error(project: Path, runner: CliRunner, logo: str,
                                    message: str) -> None:
    (project.parent / "outside.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    edit(project / "configs" / "demo.yml", "logo: assets/wijkdata-logo.svg", f"logo: {logo}")
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html"])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_nl_formats() -> None:
    assert number(12.345, "percent_1") == "12,3%"
    assert number(1234, "number_0") == "1.234"
    assert number(13824000, "number_0") == "13.824.000"
    assert number(29750, "euro_0") == "€\u00a029.750"
    assert plain(1234.56, 1) == "1.234,6"
    assert signed(-0.46, "percent_1") == "\u22120,5 procentpunt"
    assert signed(35, "number_0") == "+35"
    assert long_date(date(2026, 11, 23)) == "23 november 2026"
    assert long_date(date(2027, 3, 1)) == "1 maart 2027"
