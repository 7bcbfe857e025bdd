"""Complementary suppression: pure cases, and a demo build in which no hidden figure appears."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl
import yaml
from typer.testing import CliRunner

from wijkdata.cli import app
from wijkdata.indicators import disclosure
from wijkdata.indicators.definitions import Indicator, load_all
from wijkdata.report.formatting import number
from wijkdata.report.village_table import NOTE, build


def test_single_hidden_member_gets_the_smallest_partner() -> None:
    groups = {"DORP_A": ["B1", "B2", "B3"]}
    extra, totals = disclosure.complementary(groups, {"B1"}, {"DORP_A"},
                                             {"B2": 300.0, "B3": 120.0})
    assert (extra, totals) == ({"B3"}, set())


def test_two_hidden_members_need_nothing_more() -> None:
    groups = {"DORP_A": ["B1", "B2", "B3"]}
    assert disclosure.complementary(groups, {"B1", "B2"}, {"DORP_A"}, {}) == (set(), set())


def test_hidden_total_protects_itself() -> None:
    # The village total is not published (e.g. incomplete): subtraction is impossible.
    assert disclosure.complementary({"DORP_A": ["B1", "B2"]}, {"B1"}, set(), {}) == (set(), set())


def test_one_buurt_village_hides_its_total() -> None:
    assert disclosure.complementary({"DORP_A": ["B1"]}, {"B1"}, {"DORP_A"}, {}) == (
        set(), {"DORP_A"})


def test_ties_are_broken_by_code_and_chains_are_followed() -> None:
    # Hiding B2 for DORP_A leaves DORP_B (B2, B4, B5) with one hidden member, so B4 (smaller
    # code of two equal sizes) follows.
    groups = {"DORP_A": ["B1", "B2"], "DORP_B": ["B2", "B4", "B5"]}
    extra, totals = disclosure.complementary(groups, {"B1"}, {"DORP_A", "DORP_B"},
                                             {"B2": 10.0, "B4": 50.0, "B5": 50.0})
    assert (extra, totals) == ({"B2", "B4"}, set())


def test_apply_blanks_the_partner_row() -> None:
    values = pl.DataFrame({
        "indicator_id": ["x"] * 4, "area_code": ["DORP_A", "B1", "B2", "B3"],
        "year": [2023] * 4, "numerator": [30.0, None, 10.0, 17.0],
        "denominator": [600.0, None, 200.0, 300.0], "value": [50.0, None, 50.0, 56.7],
        "lower": [1.0, None, 1.0, 1.0], "upper": [2.0, None, 2.0, 2.0],
        "status": ["ok", "suppressed", "ok", "ok"],
    }, schema_overrides={"year": pl.Int32})
    members = pl.DataFrame({"custom_code": ["DORP_A"] * 3, "buurt_code": ["B1", "B2", "B3"]})
    out = disclosure.apply(values, members).sort("area_code")
    assert out.select("area_code", "numerator", "value", "status", "suppression").rows() == [
        ("B1", None, None, "suppressed", "primary"),
        ("B2", None, None, "suppressed", "complementary"),  # 200 < 300: the cheaper partner
        ("B3", 17.0, 56.7, "ok", None),
        ("DORP_A", 30.0, 50.0, "ok", None),
    ]


def test_no_suppressed_value_in_any_rendered_file(project: Path, runner: CliRunner) -> None:
    """Demo plus a village holding De Venne (BU99010302, 15 inhabitants) and Broekland."""
    cfg_path = project / "configs" / "demo.yml"
    cfg = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))
    cfg["areas"]["custom"].append({"code": "DORP_BROEK", "name": "Broek",
                                   "buurten": ["BU99010301", "BU99010302"]})
    cfg_path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html,csv"])
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(project / "data" / "processed" / "demo.duckdb"), read_only=True)
    defs = {i.id: i for i in load_all(project / "indicators")
            if i.statistic in ("proportion", "rate")}
    # What every suppressed proportion or rate would have shown, from the raw counts.
    hidden = []
    for ind in defs.values():
        hidden += con.execute("""
            SELECT v.indicator_id, v.area_code, v.year, v.suppression, n.value / d.value
            FROM ind_value v
            JOIN observation n ON n.area_code = v.area_code AND n.year = v.year
                AND n.variable = ? AND n.status = 'ok'
            JOIN observation d ON d.area_code = v.area_code AND d.year = v.year
                AND d.variable = ? AND d.status = 'ok' AND d.value > 0
            WHERE v.indicator_id = ? AND v.status = 'suppressed'
        """, [ind.numerator, ind.denominator, ind.id]).fetchall()
    assert {h[3] for h in hidden} == {"primary", "complementary"}
    venne = con.execute("SELECT count(*) FROM ind_value WHERE area_code = 'BU99010302' "
                        "AND status = 'suppressed'").fetchone()
    assert venne is not None and venne[0] >= 40
    # Every De Venne figure is suppressed or absent, except the CBS-published counts.
    shown = con.execute("SELECT DISTINCT indicator_id FROM ind_value "
                        "WHERE area_code = 'BU99010302' AND status = 'ok' ORDER BY 1").fetchall()
    assert [r[0] for r in shown] == ["inwoners", "woningvoorraad"]
    out = project / "reports" / "demo"
    venne_html = (out / "BU99010302.html").read_text(encoding="utf-8")
    assert venne_html.count("te weinig waarnemingen") >= 40
    broek = (out / "DORP_BROEK.html").read_text(encoding="utf-8")
    assert "Buurten in dit dorp" in broek
    row = re.search(r'<th scope="row">De Venne</th>(.*?)</tr>', broek)
    assert row is not None and not re.search(r"\d", row.group(1))
    members = dict(con.execute("SELECT buurt_code, custom_code FROM custom_area_member")
                   .fetchall())
    names = dict(con.execute("SELECT code, name FROM area").fetchall())
    checked = 0
    for ind_id, area, year, _, fraction in hidden:
        ind = defs[ind_id]
        text = number(fraction * ind.multiplier, ind.format)
        page = (out / f"{area}.html").read_text(encoding="utf-8")
        own = re.search(rf'<th scope="row">{re.escape(ind.title)}<span class="desc">{year}'
                        r"(.*?)</tr>", page, re.S)
        if own:  # the row shows this year: no number, the suppression text instead
            assert "<strong>te weinig waarnemingen</strong>" in own.group(1), (area, ind_id)
            assert f"<strong>{text}</strong>" not in own.group(1)
            checked += 1
        for line in (out / f"{area}.csv").read_text(encoding="utf-8").splitlines():
            cells = line.split(";")
            if cells[2] == ind_id and cells[4] == str(year):
                assert cells[5] == "te weinig waarnemingen", (area, ind_id)
                checked += 1
        if area in members:
            village = (out / f"{members[area]}.html").read_text(encoding="utf-8")
            table = village[village.index("Buurten in dit dorp"):]
            header = re.findall(r'<th scope="col">(.*?)</th>', table.split("</thead>")[0])
            vrow = re.search(rf'<th scope="row">{re.escape(names[area])}</th>(.*?)</tr>', table)
            assert vrow is not None
            cells = dict(zip(header[1:], re.findall(r"<td[^>]*>(.*?)</td>", vrow.group(1)),
                             strict=True))
            column = f"{ind.label} ({year})"
            if column in cells:
                assert cells[column] == "te weinig waarnemingen", (area, ind_id)
                checked += 1
    assert checked >= len(hidden)


def test_village_table_shows_members_then_total_with_suppression_text() -> None:
    ind = Indicator.model_validate({
        "id": "eenp", "title": "Eenpersoonshuishoudens", "description": "d",
        "theme": "demografie", "statistic": "proportion", "numerator": "a", "denominator": "b",
        "multiplier": 100, "unit": "%", "format": "percent_1", "polarity": "neutral",
        "interval": "wilson", "sources": ["x"], "key": True})
    values = {
        ("eenp", "DORP_A"): [{"year": 2022, "status": "ok", "value": 30.0},
                             {"year": 2023, "status": "ok", "value": 32.0}],
        ("eenp", "B1"): [{"year": 2023, "status": "suppressed", "value": None}],
        ("eenp", "B2"): [{"year": 2022, "status": "ok", "value": 61.0},
                         {"year": 2023, "status": "ok", "value": 60.04}],
    }
    table = build(values, {"B1": "Een", "B2": "Twee"}, [ind], "DORP_A", "Adorp",
                  ["B1", "B2", "B3"])
    assert table is not None
    assert table.columns == ["Eenpersoonshuishoudens (2023)"]
    assert table.rows == [("Een", ["te weinig waarnemingen"]), ("Twee", ["60,0%"]),
                          ("B3", ["geen gegevens"]), ("Adorp (totaal)", ["32,0%"])]
    assert table.note == NOTE
    assert build(values, {}, [ind], "B1", "Een", []) is None
