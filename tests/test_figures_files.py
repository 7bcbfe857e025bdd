"""The figures as data: the Dutch-Excel CSV and the region workbook, read back with polars and
openpyxl, checked against figures computed by hand from the demo's raw KWB file."""

from __future__ import annotations

import math
import re
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

from tests.conftest import page_text
from wijkdata.cli import app

AREAS = ["DORP_ESVELD", "BU99010200", "BU99010201", "BU99010103"]


@pytest.fixture
def built(project: Path, runner: CliRunner) -> Path:
    args = ["build", "--regio", "demo", "--format", "html,csv"]
    for a in AREAS:
        args += ["--area", a]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return project / "reports" / "demo"


def _wilson(k: float, n: float, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def _read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, separator=";", decimal_comma=True, infer_schema_length=None)


def test_csv_is_dutch_excel_and_holds_numbers(built: Path) -> None:
    raw = (built / "DORP_ESVELD.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfgebiedscode;gebied;niveau;profiel;indicator;titel;"
                          b"thema;jaar;")
    assert b"\r\n" in raw and "Wmo-cliënten".encode() in raw
    df = _read(built / "DORP_ESVELD.csv")
    assert df.columns[:16] == ["gebiedscode", "gebied", "niveau", "profiel", "indicator",
                               "titel", "thema", "jaar", "eenheid", "waarde", "ondergrens",
                               "bovengrens", "teller", "noemer", "status", "toelichting"]
    row = df.filter(pl.col("indicator") == "eenpersoonshuishoudens").row(0, named=True)
    # Esveld = BU99010200 + BU99010201: a_1p_hh 245 + 80 = 325 of a_hh 600 + 170 = 770.
    lo, hi = _wilson(325, 770)
    assert (row["gebiedscode"], row["gebied"], row["niveau"], row["jaar"], row["eenheid"]) == (
        "DORP_ESVELD", "Esveld", "dorp", 2023, "%")
    assert row["waarde"] == 42.2  # 325 / 770 = 42,21%
    assert (row["ondergrens"], row["bovengrens"]) == (round(lo * 100, 1), round(hi * 100, 1))
    assert (row["teller"], row["noemer"], row["status"]) == (325, 770, "getoond")
    # Gemeente Vreedebeek (GM9901): 3180 of 7645 huishoudens = 41,6%.
    assert (row["gemeente_waarde"], row["gemeente_oordeel"]) == (41.6, "gelijk")
    assert (row["tabel"], row["licentie"]) == ("85618NED", "CC BY 4.0")
    assert row["bron"] == "Fictief (wijkdata demo) in CBS-formaat — Kerncijfers wijken en buurten"
    assert (row["trend_vanaf"], row["trend_oordeel"]) == (2022, "niet significant")


def test_region_csv_statuses_and_rounded_means(built: Path) -> None:
    df = _read(built / "cijfers-demo.csv")
    assert sorted(df["gebiedscode"].unique().to_list()) == sorted(AREAS)
    income = df.filter(pl.col("indicator") == "inkomen_per_inwoner")
    # Regio = Vreedebeek + Lindenoord weighted by inhabitants: (30.1 x 18070 + 28.5 x 4970) /
    # 23040 = 29.755 thousand euro; CBS publishes hundreds of euros, so 29.800, not 29.755.
    assert income["regio_waarde"].unique().to_list() == [29800]
    status = dict(zip(income["gebiedscode"], income["status"], strict=True))
    # Esveld-Buiten's income is '.' (secret) in the source: the buurt reads "geheim (bron)"
    # (not "afgeschermd (privacy)", our own disclosure control), and the village misses a part
    # and gets no total.
    assert status["BU99010201"] == "geheim (bron)"
    assert (status["BU99010200"], status["DORP_ESVELD"]) == ("getoond",
                                                             "onvolledig (buurt ontbreekt)")
    # Sportpark (BU99010103) has 15 huishoudens, fewer than the 50 a percentage needs: the
    # figure is shown, with its counts, and marked uncertain (core/status.py).
    small = df.filter((pl.col("gebiedscode") == "BU99010103")
                      & (pl.col("indicator") == "eenpersoonshuishoudens")).row(0, named=True)
    assert (small["status"], small["waarde"], small["teller"], small["noemer"]) == (
        "klein aantal: onzeker", 33.3, 5, 15)


def test_workbook_numbers_formats_sheets(built: Path) -> None:
    wb = openpyxl.load_workbook(built / "cijfers-demo.xlsx")
    assert wb.sheetnames[-2:] == ["Bronnen", "Toelichting"]
    assert "Bevolking en huishoudens" in wb.sheetnames
    ws = wb["Bevolking en huishoudens"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith("A1:")
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, [c for c in r], strict=True)) for r in ws.iter_rows(min_row=2)]
    esveld = next(r for r in rows if r["gebiedscode"].value == "DORP_ESVELD"
                  and r["indicator"].value == "eenpersoonshuishoudens")
    assert esveld["waarde"].value == 42.2 and esveld["waarde"].number_format == "#,##0.0"
    assert esveld["teller"].value == 325 and esveld["teller"].number_format == "#,##0"
    assert esveld["status"].value == "getoond"
    bronnen = [[c.value for c in r] for r in wb["Bronnen"].iter_rows()]
    assert bronnen[0] == ["uitgever", "titel", "tabel", "jaren", "licentie"]
    tables = [r[2] for r in bronnen[1:]]
    assert len(tables) == len(set(tables))  # each table once
    assert "85618NED" in tables
    notes = {r[0].value: r[1].value for r in wb["Toelichting"].iter_rows(min_row=2)}
    assert notes["status: geheim (bron)"] == "niet getoond: de bron houdt het cijfer geheim"


def test_profile_names_each_source_table_once(built: Path) -> None:
    html = page_text(built / "DORP_ESVELD.html")
    body = html[html.index("<caption>Gebruikte bronnen</caption>"):]
    body = body[body.index("<tbody>") + 7:body.index("</tbody>")]
    rows = [re.findall(r"<td>(.*?)</td>", tr) for tr in re.findall(r"<tr>(.*?)</tr>", body)]
    cbs = "Fictief (wijkdata demo) in CBS-formaat — Kerncijfers wijken en buurten"
    rivm = "Fictief (wijkdata demo) in RIVM-formaat — Gezondheid per wijk en buurt"
    # Two KWB years are two CBS tables; the two monitor years are one RIVM table; the wijk and
    # buurt boundary files are one map; no source the profile does not use.
    assert rows == [
        [cbs, "85318NED", "2022", "CC BY 4.0"],
        [cbs, "85618NED", "2023", "CC BY 4.0"],
        [rivm, "50090NED", "2016, 2020", "open data (RIVM StatLine)"],
        ["Fictief (wijkdata demo): huisartsenzorggroep — Huisartsenregistratie diabetes", "",
         "2023", "niet openbaar"],
        ["Fictief (wijkdata demo) — Wijk- en buurtkaart", "", "", "CC BY 4.0"],
    ]
