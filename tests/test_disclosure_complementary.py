"""Small numbers (issue 16): marks for every source, suppression only for strict sources.

Pure cases of the disclosure functions on hand-made sums, and a demo build in which no
suppressed figure appears anywhere while CBS figures on a small base are shown and marked.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl
from typer.testing import CliRunner

from wijkdata.cli import app
from wijkdata.core.status import MARK, Status
from wijkdata.core.tables import ValueRow
from wijkdata.indicators import disclosure, disclosure_audit
from wijkdata.indicators.definitions import Indicator
from wijkdata.indicators.disclosure import Equation
from wijkdata.report.village_table import NOTE, build

K = 5


def test_primary_cells_are_counts_below_k_zero_included_unless_configured() -> None:
    # (with the property, without it): 98 of 100 discloses as much as 2 of 100.
    mass = {"A": (2.0, 98.0), "B": (98.0, 2.0), "C": (0.0, 40.0), "D": (5.0, 5.0)}
    assert disclosure.primary(mass, K) == {"A", "B", "C"}
    assert disclosure.primary(mass, K, protect_zero=False) == {"A", "B"}


def test_one_small_buurt_gets_the_smallest_partner_that_covers_k() -> None:
    # W = B1 + B2 + B3. B1 has 2 of 100 patients with diabetes. B3 (12 of 120) is smaller
    # than B2 (30 of 300) and holds at least 5 in both counts: B3 is the partner.
    eqs = [Equation("W", ("B1", "B2", "B3"))]
    mass = {"W": (44.0, 476.0), "B1": (2.0, 98.0), "B2": (30.0, 270.0), "B3": (12.0, 108.0)}
    assert disclosure.complementary(eqs, mass, {"B1"}, {"B1"}, K) == {"B3"}
    # The attacker: B1 + B3 = 14 with diabetes, 206 without; B1 can be 0..14 (needs 0..7).
    assert disclosure_audit.ranges(eqs, mass, {"B1", "B3"}, 0) == {
        "B1": (0.0, 14.0), "B3": (0.0, 14.0)}


def test_a_partner_that_is_small_itself_is_not_enough() -> None:
    # B1 (2) and B2 (3) together are 5: B1 could only be 0..5, so a third buurt is hidden.
    eqs = [Equation("W", ("B1", "B2", "B3", "B4"))]
    mass = {"W": (35.0, 365.0), "B1": (2.0, 98.0), "B2": (3.0, 97.0), "B3": (10.0, 90.0),
            "B4": (20.0, 80.0)}
    assert disclosure.complementary(eqs, mass, {"B1", "B2"}, {"B1", "B2"}, K) == {"B3"}


def test_a_village_inside_a_wijk_gives_the_hidden_buurt_away_unless_audited() -> None:
    # The demo's shape: wijk W = a + b + c + d, village E = a + b, village H = c + d + e,
    # wijk V = e + f. d is small. Hiding a and b for d (each sum has two hidden cells) is not
    # enough: W - E - c = d exactly. The audit finds it and the pattern grows until it holds.
    eqs = [Equation("E", ("a", "b")), Equation("H", ("c", "d", "e")),
           Equation("V", ("e", "f")), Equation("W", ("a", "b", "c", "d"))]
    mass = {"a": (100.0,), "b": (20.0,), "c": (40.0,), "d": (4.0,), "e": (30.0,), "f": (10.0,)}
    mass |= {"E": (120.0,), "H": (74.0,), "V": (40.0,), "W": (164.0,)}
    assert disclosure_audit.ranges(eqs, mass, {"a", "b", "d"}, 0)["d"] == (4.0, 4.0)
    extra = disclosure.complementary(eqs, mass, {"d"}, {"d"}, K)
    assert disclosure_audit.violations(eqs, mass, {"d"} | extra, {"d"}, K) == []
    lo, hi = disclosure_audit.ranges(eqs, mass, {"d"} | extra, 0)["d"]
    assert lo == 0 and hi >= 9


def test_a_one_buurt_village_hides_its_total() -> None:
    eqs = [Equation("DORP", ("B1",)), Equation("W", ("B1", "B2"))]
    mass = {"DORP": (3.0,), "W": (50.0,), "B1": (3.0,), "B2": (47.0,)}
    assert disclosure.complementary(eqs, mass, {"B1"}, {"B1"}, K) == {"DORP", "B2"}


def test_apply_blanks_strict_rows_only_and_keeps_why() -> None:
    rows = [("strict", "W", 44.0, 520.0), ("strict", "B1", 2.0, 100.0),
            ("strict", "B2", 30.0, 300.0), ("strict", "B3", 12.0, 120.0),
            ("public", "B1", 2.0, 100.0)]
    values = pl.DataFrame({
        "indicator_id": [r[0] for r in rows], "area_code": [r[1] for r in rows],
        "year": [2023] * 5, "numerator": [r[2] for r in rows],
        "denominator": [r[3] for r in rows], "value": [r[2] / r[3] * 100 for r in rows],
        "lower": [1.0] * 5, "upper": [2.0] * 5, "status": ["ok", "small", "ok", "ok", "small"],
    }, schema_overrides={"year": pl.Int32})
    eqs = [Equation("W", ("B1", "B2", "B3"))]
    out = disclosure.apply(values, eqs, {"strict": "ha"}, {"strict", "public"})
    assert out.sort("indicator_id", "area_code").select(
        "indicator_id", "area_code", "numerator", "value", "status", "suppression").rows() == [
        ("public", "B1", 2.0, 2.0, "small", None),  # CBS published it: shown, marked
        ("strict", "B1", None, None, "suppressed", "primary"),
        ("strict", "B2", 30.0, 10.0, "ok", None),
        ("strict", "B3", None, None, "suppressed", "complementary"),
        ("strict", "W", 44.0, 44.0 / 520 * 100, "ok", None),
    ]


def _csv_row(path: Path, indicator: str) -> dict[str, str]:
    """One indicator's row of an area's CSV (Dutch-Excel dialect: BOM, ';'), by column name."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(";")
    rows = [dict(zip(header, x.split(";"), strict=True)) for x in lines[1:]]
    return next(r for r in rows if r["indicator"] == indicator)


def test_demo_shows_small_cbs_figures_and_hides_only_the_strict_source(
        project: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html,csv"])
    assert result.exit_code == 0, result.output
    out = project / "reports" / "demo"
    con = duckdb.connect(str(project / "data" / "processed" / "demo.duckdb"), read_only=True)
    # Only the strict indicator is ever suppressed.
    assert con.execute("SELECT DISTINCT indicator_id FROM ind_value "
                       "WHERE status = 'suppressed'").fetchall() == [("diabetes_huisarts",)]
    # Sportpark (45 inhabitants): 0 bijstand recipients of 45 is CBS's own figure. Shown as
    # 0,0 per 1.000 with its interval, marked, not tested against the gemeente.
    r = _csv_row(out / "BU99010103.csv", "bijstand")
    assert (r["waarde"], r["status"], r["eenheid"], r["ondergrens"], r["bovengrens"],
            r["teller"], r["noemer"]) == ("0,0", MARK[Status.SMALL], "per 1.000 inwoners", "0,0",
                                          "82,0", "0", "45")
    page = (out / "BU99010103.html").read_text(encoding="utf-8").replace("\u00ad", "")
    row = page[page.index("Bijstandsuitkeringen<span"):].split("</tr>")[0]
    assert (f'<strong>0,0</strong><span class="mark mark-small">{MARK[Status.SMALL]}</span>'
            '<span class="desc">0,0 – 82,0</span>') in row
    assert "sig-better" not in row and "sig-worse" not in row
    # De Venne (15 inhabitants): CBS publishes '.', which stays "geheim (bron)".
    r = _csv_row(out / "BU99010302.csv", "bijstand")
    assert (r["waarde"], r["status"]) == ("", MARK[Status.WITHHELD])
    # Every suppressed cell: empty value + mark in its own CSV, the mark in its own HTML, the
    # village table and the overview; never the number.
    hidden = con.execute("SELECT area_code FROM ind_value WHERE status = 'suppressed' "
                         "ORDER BY 1").fetchall()
    members = dict(con.execute("SELECT buurt_code, custom_code FROM custom_area_member")
                   .fetchall())
    names = dict(con.execute("SELECT code, name FROM area").fetchall())
    mark = f'<span class="mark mark-suppressed">{MARK[Status.SUPPRESSED]}</span>'
    overview = (out / "index.html").read_text(encoding="utf-8").replace("\u00ad", "")
    checked = 0
    for (area,) in hidden:
        r = _csv_row(out / f"{area}.csv", "diabetes_huisarts")
        assert (r["waarde"], r["status"], r["teller"], r["noemer"]) == (
            "", MARK[Status.SUPPRESSED], "", ""), area
        page = (out / f"{area}.html").read_text(encoding="utf-8").replace("\u00ad", "")
        own = page[page.index("Diabetes (huisartsenregistratie)<span"):].split("</tr>")[0]
        assert mark in own and "<strong>" not in own, area
        over = re.search(rf'href="{area}.html"[^<]*</a>.*?</tr>', overview, re.S)
        assert over is not None and mark in over.group(0), area
        if area in members:
            village = (out / f"{members[area]}.html").read_text(encoding="utf-8")
            village = village.replace("\u00ad", "")
            table = village[village.index("Buurten in dit dorp"):]
            vrow = re.search(rf'<th scope="row">{re.escape(names[area])}</th>(.*?)</tr>', table)
            assert vrow is not None and mark in vrow.group(1), area
        checked += 1
    assert checked == 11  # 3 primary, 8 complementary


def test_village_table_cells_carry_the_status() -> None:
    ind = Indicator.model_validate({
        "id": "eenp", "title": "Eenpersoonshuishoudens", "description": "d",
        "theme": "demografie", "statistic": "proportion", "numerator": "a", "denominator": "b",
        "multiplier": 100, "unit": "%", "format": "percent_1", "polarity": "neutral",
        "interval": "wilson", "sources": ["x"], "key": True})
    def v(area: str, year: int, status: str, value: float | None) -> ValueRow:
        return ValueRow("eenp", area, year, status, value)

    values = {
        ("eenp", "DORP_A"): [v("DORP_A", 2022, "ok", 30.0), v("DORP_A", 2023, "ok", 32.0)],
        ("eenp", "B1"): [v("B1", 2023, "suppressed", None)],
        ("eenp", "B2"): [v("B2", 2022, "ok", 61.0), v("B2", 2023, "small", 60.04)],
        ("eenp", "B4"): [v("B4", 2023, "withheld", None)],
    }
    table = build(values, {"B1": "Een", "B2": "Twee", "B4": "Vier"}, [ind], "DORP_A", "Adorp",
                  ["B1", "B2", "B3", "B4"])
    assert table is not None
    assert table.columns == ["Eenpersoonshuishoudens (2023)"]
    assert [(n, [(c.text, c.status, c.mark) for c in cells]) for n, cells in table.rows] == [
        ("Een", [("afgeschermd (privacy)", "suppressed", "afgeschermd (privacy)")]),
        ("Twee", [("60,0%", "small", "klein aantal: onzeker")]),
        ("B3", [("geen gegevens", "missing", "geen gegevens")]),
        ("Vier", [("geheim (bron)", "withheld", "geheim (bron)")]),
        ("Adorp (totaal)", [("32,0%", "ok", "")])]
    assert table.note == NOTE.format(noun="dorp")
    assert build(values, {}, [ind], "B1", "Een", []) is None
