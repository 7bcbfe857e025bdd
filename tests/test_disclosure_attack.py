"""Proved by attack (issue 16): recover every suppressed cell from what a build wrote.

The attacker reads the CSVs a build published (teller, noemer, the percentage of every area and
of its comparators) and knows the geography (a wijk is the sum of its buurten, a gemeente of its
wijken, a village of its buurten, the regio of its gemeenten) and that counts are whole,
non-negative and a numerator is at most its denominator. For each suppressed cell it minimises
and maximises the numerator by linear programming (scipy's ``linprog``). This code shares
nothing with the build's own audit (``disclosure_audit.py``): variables are numerators and
denominators, and printed percentages count as constraints as well.

The pattern passes when every primary cell can lie anywhere in ``[max(0, x − k), x + k]`` and
every complementary cell in a range at least 2k wide.

Regression example: the rule before issue 16 (hide a proportion with numerator < 5 or
denominator < 50; in a village with exactly one hidden buurt hide a second one) is attacked on
the same demo counts and loses: Sportpark's zero and Holterhoek-Noord's 4 come back exactly.
"""

from __future__ import annotations

import csv
import math
import re
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pytest
import yaml
from scipy.optimize import linprog
from typer.testing import CliRunner

from tests.conftest import SHARED_DATA, make_project
from wijkdata.cli import app
from wijkdata.core.status import MARK, Status

K = 5
HIDDEN = MARK[Status.SUPPRESSED]
IND = "diabetes_huisarts"


def _num(text: str) -> float:
    return float(text.replace(".", "").replace(",", ".").rstrip("%").strip())


@dataclass
class Published:
    """What an attacker reads from the CSVs of one indicator."""

    counts: dict[str, tuple[float, float]] = field(default_factory=dict)   # area: (num, den)
    percent: dict[str, float] = field(default_factory=dict)                # area: printed %
    hidden: set[str] = field(default_factory=set)                          # marked suppressed


def read_csvs(folder: Path, indicator: str, comparators: Mapping[str, str]) -> Published:
    """Parse every CSV the build wrote. ``comparators`` maps an area to its gemeente code; the
    regio column belongs to ``REGIO``."""
    pub = Published()
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:  # Dutch-Excel dialect: BOM
            for row in csv.DictReader(fh, delimiter=";"):
                if row["indicator"] != indicator:
                    continue
                code = row["gebiedscode"]
                if row["status"] == HIDDEN:
                    assert row["waarde"] == row["teller"] == row["noemer"] == "", row
                    pub.hidden.add(code)
                elif row["waarde"]:
                    pub.percent[code] = _num(row["waarde"])
                    if row["teller"]:
                        pub.counts[code] = (_num(row["teller"]), _num(row["noemer"]))
                for col, other in (("gemeente_waarde", comparators.get(code)),
                                   ("regio_waarde", "REGIO")):
                    if other and row.get(col):
                        pub.percent[other] = _num(row[col])
    return pub


def attack(pub: Published, sums: Iterable[tuple[str, list[str]]], targets: Iterable[str]
           ) -> dict[str, tuple[float, float]]:
    """Feasible range of each target's numerator, by two linear programs per target."""
    sums = [(t, ms) for t, ms in sums]
    areas = sorted({t for t, _ in sums} | {m for _, ms in sums for m in ms}
                   | set(pub.counts) | set(pub.percent) | set(targets))
    col = {a: i for i, a in enumerate(areas)}
    n = len(areas)  # x = (num_0 .. num_n-1, den_0 .. den_n-1)
    eq_rows, eq_rhs, le_rows, le_rhs = [], [], [], []

    def row() -> np.ndarray:
        return np.zeros(2 * n)

    for total, members in sums:
        for off in (0, n):
            r = row()
            r[off + col[total]] = -1
            for m in members:
                r[off + col[m]] += 1
            eq_rows.append(r)
            eq_rhs.append(0.0)
    for a in areas:
        r = row()
        r[col[a]], r[n + col[a]] = 1, -1  # num <= den
        le_rows.append(r)
        le_rhs.append(0.0)
    for a, p in pub.percent.items():
        lo, hi = (p - 0.05) / 100, (p + 0.05) / 100  # printed with one decimal
        r = row()
        r[col[a]], r[n + col[a]] = 1, -hi  # num <= hi * den
        le_rows.append(r)
        le_rhs.append(0.0)
        r = row()
        r[col[a]], r[n + col[a]] = -1, lo  # num >= lo * den
        le_rows.append(r)
        le_rhs.append(0.0)
    bounds = [(0.0, None)] * (2 * n)
    for a, (num, den) in pub.counts.items():
        bounds[col[a]] = (num, num)
        bounds[n + col[a]] = (den, den)
    out = {}
    for a in targets:
        ends = []
        for sign in (1.0, -1.0):
            goal = row()
            goal[col[a]] = sign
            res = linprog(goal, A_ub=np.array(le_rows), b_ub=np.array(le_rhs),
                          A_eq=np.array(eq_rows), b_eq=np.array(eq_rhs), bounds=bounds,
                          method="highs")
            assert res.status in (0, 3), res.message
            ends.append(math.inf if res.status == 3 else float(res.fun) * sign)
        out[a] = (ends[0], ends[1])
    return out


def geography(con: duckdb.DuckDBPyConnection) -> list[tuple[str, list[str]]]:
    """The sums everybody knows: CBS codes and the villages named in the profiles."""
    sums: dict[str, list[str]] = {}
    for code, parent in con.execute(
            "SELECT code, parent_code FROM area WHERE level IN ('buurt', 'wijk')").fetchall():
        sums.setdefault(parent, []).append(code)
    for custom, buurt in con.execute("SELECT * FROM custom_area_member").fetchall():
        sums.setdefault(custom, []).append(buurt)
    gms = [r[0] for r in con.execute("SELECT code FROM area WHERE level = 'gemeente'").fetchall()]
    sums["REGIO"] = gms
    return sorted(sums.items())


def truth(con: duckdb.DuckDBPyConnection, num: str, den: str) -> dict[str, tuple[float, float]]:
    """The true counts: the source's rows, villages and the regio summed from them."""
    rows = con.execute(
        "SELECT n.area_code, n.value, d.value FROM observation n JOIN observation d "
        "USING (area_code, year) WHERE n.variable = ? AND d.variable = ?", [num, den]).fetchall()
    out = {a: (x, y) for a, x, y in rows}
    for total, members in geography(con):
        # A member without a row (the demo's estate: no inhabitants, no patients) adds 0.
        if total not in out and any(m in out for m in members):
            out[total] = (sum(out[m][0] for m in members if m in out),
                          sum(out[m][1] for m in members if m in out))
    return out


def check(ranges: Mapping[str, tuple[float, float]], true: Mapping[str, tuple[float, float]],
          primary: set[str]) -> list[str]:
    """Cells the attacker narrows below the ±k requirement (empty when the pattern is safe)."""
    bad = []
    for a, (lo, hi) in sorted(ranges.items()):
        x = true[a][0]
        if a in primary:
            safe = lo <= max(0.0, x - K) + 1e-6 and hi >= x + K - 1e-6
        else:
            safe = hi - lo >= 2 * K - 1e-6
        if not safe:
            bad.append(f"{a}: {x:g} in [{lo:g}, {hi:g}]")
    return bad


def _primary(true: Mapping[str, tuple[float, float]]) -> set[str]:
    return {a for a, (x, n) in true.items() if x < K or n - x < K}


def test_attack_recovers_nothing_from_the_demo_build(project: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html,csv"])
    assert result.exit_code == 0, result.output
    out = project / "reports" / "demo"
    con = duckdb.connect(str(project / "data" / "processed" / "demo.duckdb"), read_only=True)
    sums = geography(con)
    gemeente = {c: g for c, g in con.execute("SELECT code, gemeente_code FROM area").fetchall()
                if g}
    pub = read_csvs(out, IND, gemeente)
    true = truth(con, "ha_diabetes", "ha_ingeschreven")
    suppressed = dict(con.execute("SELECT area_code, suppression FROM ind_value "
                                  "WHERE indicator_id = ? AND status = 'suppressed'",
                                  [IND]).fetchall())
    # The three small buurten of the generator are the primary cells, nothing else.
    assert sorted(a for a, why in suppressed.items() if why == "primary") == [
        "BU99010103", "BU99010203", "BU99010302"]
    # Broekland's total is its buurt Broekland (complementary) plus the estate without
    # registrations, so it would show Broekland's own count: hidden too.
    assert sorted(a for a, why in suppressed.items() if why == "complementary") == [
        "BU99010102", "BU99010200", "BU99010201", "BU99010300", "BU99010301", "DORP_BROEKLAND",
        "WK990102", "WK990103"]
    # Every suppressed area that has a CSV of its own says so; none shows a count anywhere.
    assert pub.hidden == {a for a in suppressed if (out / f"{a}.csv").exists()}
    assert not set(pub.counts) & set(suppressed)
    ranges = attack(pub, sums, sorted(suppressed))
    assert check(ranges, true, _primary(true)) == []
    # Sportpark's 0 patients with diabetes: the attacker cannot rule out 5 or more.
    assert ranges["BU99010103"][0] == 0 and ranges["BU99010103"][1] >= 5
    # The same cells read "afgeschermd (privacy)" in the HTML: the profile's theme table and
    # the village table of Holterhoek (Holterhoek-Noord is one of its buurten).
    page = (out / "BU99010203.html").read_text(encoding="utf-8").replace("\u00ad", "")
    row = page[page.index("Diabetes (huisartsenregistratie)<span"):][:400]
    assert f'<span class="mark mark-suppressed">{HIDDEN}</span>' in row
    assert not re.search(r"(?<![\d,])1,7%", page)  # 4 / 236 patients
    village = (out / "DORP_HOLTERHOEK.html").read_text(encoding="utf-8").replace("\u00ad", "")
    # Holterhoek-Noord and Veldhoek hidden, Holterhoek-Kern shown (given back by the pruning).
    assert village.count(f'<span class="mark mark-suppressed">{HIDDEN}</span>') == 2


def old_rule(true: Mapping[str, tuple[float, float]], villages: Mapping[str, list[str]]
             ) -> set[str]:
    """The rule before issue 16, kept as a regression example: primary numerator < 5 or
    denominator < 50, then one partner buurt in a village whose total is shown and that has
    exactly one hidden buurt (the smallest denominator)."""
    hidden = {a for a, (x, n) in true.items() if x < 5 or n < 50}
    changed = True
    while changed:
        changed = False
        for v, members in sorted(villages.items()):
            inside = [m for m in members if m in hidden]
            if v not in hidden and len(inside) == 1:
                partner = min((m for m in members if m not in hidden),
                              key=lambda m: (true[m][1], m))
                hidden.add(partner)
                changed = True
    return hidden


def test_the_old_rule_is_broken_by_the_same_attack(project: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "csv"])
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(project / "data" / "processed" / "demo.duckdb"), read_only=True)
    true = truth(con, "ha_diabetes", "ha_ingeschreven")
    sums = geography(con)
    villages = {t: ms for t, ms in sums if t.startswith("DORP_")}
    hidden = old_rule(true, villages)
    # Holterhoek-Noord's partner in Holterhoek is Veldhoek (513 < 872 patients).
    assert sorted(hidden) == ["BU99010103", "BU99010203", "BU99010300", "BU99010302"]
    pub = Published(counts={a: c for a, c in true.items() if a not in hidden},
                    hidden=hidden)
    ranges = attack(pub, sums, sorted(hidden))
    # Wijk minus its shown buurten gives Sportpark and Holterhoek-Noord back exactly; then the
    # village gives Veldhoek, and wijk 03 gives De Venne.
    assert ranges["BU99010103"] == pytest.approx((0, 0), abs=1e-6)
    assert ranges["BU99010300"] == pytest.approx((28, 28), abs=1e-6)
    assert ranges["BU99010203"] == pytest.approx((4, 4), abs=1e-6)
    assert ranges["BU99010302"] == pytest.approx((1, 1), abs=1e-6)
    assert len(check(ranges, true, _primary(true))) == 4


REAL_GEMEENTEN = ["GM0197", "GM1586"]  # Aalten and Oost Gelre: four villages among them


@pytest.mark.slow
def test_attack_on_a_real_data_build_with_a_strict_source(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CBS KWB 2023 bijstand (a_soz_wb) over inhabitants (a_inw) per buurt, declared strict
    for this test only; wijk and gemeente rows are exact sums of the buurten, so every sum the
    attacker uses holds exactly (CBS itself rounds to 5, which would only help the defender)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent")
    proj = make_project(tmp_path, monkeypatch)
    data = proj / "data" / "real"
    (data / "cbs").mkdir(parents=True)
    kwb = data / "cbs" / "kwb_2023_selectie.csv"
    shutil.copyfile(SHARED_DATA / "cbs" / "kwb_2023_selectie.csv", kwb)
    buurten: dict[str, tuple[int, int]] = {}
    with kwb.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            code = row["gwb_code_10"].strip()
            if code.startswith("BU") and "GM" + code[2:6] in REAL_GEMEENTEN:
                inw, wb = row["a_inw"].strip(), row["a_soz_wb"].strip()
                if inw.isdigit() and wb.isdigit():
                    buurten[code] = (int(wb), int(inw))
    counts = dict(buurten)
    for code, (x, n) in buurten.items():
        for parent in ("WK" + code[2:8], "GM" + code[2:6]):
            have = counts.get(parent, (0, 0))
            counts[parent] = (have[0] + x, have[1] + n)
    lines = ["code;bijstand;inwoners"] + [f"{c};{x};{n}" for c, (x, n) in sorted(counts.items())]
    (data / "strict.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    cfg = yaml.safe_load((proj / "configs" / "achterhoek.yml").read_text(encoding="utf-8"))
    cfg["gemeenten"] = REAL_GEMEENTEN
    cfg["areas"] = {"levels": ["wijk", "buurt"], "custom": [
        c for c in cfg["areas"]["custom"] if "GM" + c["buurten"][0][2:6] in REAL_GEMEENTEN]}
    cfg["sources"] = [s for s in cfg["sources"] if s["id"] == "kwb_2023"] + [{
        "id": "strict_test", "kind": "csv", "path": "strict.csv",
        "year": 2023, "code_column": "code", "disclosure": "strict",
        "columns": {"t_bijstand": "bijstand", "t_inwoners": "inwoners"}}]
    cfg["indicators"] = ["strict_bijstand"]
    # Only the test's indicator is selected, so the comparable-areas comparator (which needs
    # its structural characteristics among the indicators) is left out.
    cfg["comparators"] = [c for c in cfg["comparators"] if c != "vergelijkbaar"]
    cfg["output"] = {"formats": ["csv"]}
    cfg.pop("mail", None)
    (proj / "configs" / "strict.yml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    (proj / "indicators" / "sociaal_economisch" / "strict_bijstand.yml").write_text(yaml.safe_dump({
        "id": "strict_bijstand", "title": "Bijstand (strikt, test)", "description": "test",
        "theme": "sociaal_economisch", "statistic": "proportion", "numerator": "t_bijstand",
        "denominator": "t_inwoners", "multiplier": 100, "unit": "%", "format": "percent_1",
        "polarity": "lower_is_better", "interval": "wilson", "sources": ["csv"]}),
        encoding="utf-8")
    result = CliRunner().invoke(app, ["build", "--regio", "strict", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(proj / "data" / "processed" / "strict.duckdb"), read_only=True)
    gemeente = {c: g for c, g in con.execute("SELECT code, gemeente_code FROM area").fetchall()
                if g}
    pub = read_csvs(proj / "reports" / "strict", "strict_bijstand", gemeente)
    true = truth(con, "t_bijstand", "t_inwoners")
    why = dict(con.execute("SELECT area_code, suppression FROM ind_value WHERE indicator_id = "
                           "'strict_bijstand' AND status = 'suppressed'").fetchall())
    n_primary = sum(1 for w in why.values() if w == "primary")
    shown_or_not = {r[0] for r in con.execute("SELECT area_code FROM ind_value WHERE "
                                              "indicator_id = 'strict_bijstand'").fetchall()}
    assert {a for a, w in why.items() if w == "primary"} == _primary(true) & shown_or_not
    assert pub.hidden == {a for a in why if (proj / "reports" / "strict" / f"{a}.csv").exists()}
    ranges = attack(pub, geography(con), sorted(why))
    assert check(ranges, true, _primary(true)) == []
    print(f"real data: {n_primary} primary, {len(why) - n_primary} complementary cells")
