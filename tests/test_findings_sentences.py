"""Opvallende punten: exact Dutch sentences and their order."""

from __future__ import annotations

from pathlib import Path

import duckdb
from typer.testing import CliRunner

from tests.conftest import page_text
from wijkdata.cli import app
from wijkdata.indicators.definitions import load_all
from wijkdata.report.findings import Finding, rank, sentence
from wijkdata.report.formatting import listing, versus

ROOT = Path(__file__).resolve().parents[1]


def test_phrase_from_the_yaml_for_a_neutral_indicator() -> None:
    ind = next(i for i in load_all(ROOT / "indicators") if i.id == "leeftijd_65plus")
    text = sentence("Bredevoort", ind.label, "higher", "gemeente", "Aalten", 31.0, 24.0,
                    "percent_0", "neutral", phrase=ind.finding_phrase("higher"))
    assert text == ("In Bredevoort wonen naar verhouding meer 65-plussers dan gemiddeld in de "
                    "gemeente Aalten (31% tegen 24%).")


def test_lower_phrase_and_judgement_with_polarity() -> None:
    ind = next(i for i in load_all(ROOT / "indicators") if i.id == "bijstand")
    text = sentence("Dinxperlo", ind.label, "lower", "land", "Nederland", 12.26, 20.0,
                    ind.format, "better", phrase=ind.finding_phrase("lower"), unit=ind.unit)
    # A rate says what it is per: the unit once, after the second figure.
    assert text == ("In Dinxperlo ontvangen naar verhouding minder inwoners een "
                    "bijstandsuitkering dan gemiddeld in Nederland (12,3 tegen 20,0 per 1.000 "
                    "inwoners); dat is gunstig.")


def test_generic_sentence_without_phrase_and_untested_source() -> None:
    assert sentence("Groenlo", "Rokers", "higher", "regio", "Achterhoek", 21.44, 15.0,
                    "percent_1", "untested") == (
        "In Groenlo ligt de waarde voor rokers hoger dan gemiddeld in Achterhoek (21,4% tegen "
        "15,0%); niet getoetst, want de bron geeft geen marge.")
    assert sentence("Eibergen", "Bijstand", "higher", "gemeente", "Berkelland", 30.0, 20.0,
                    "per_1000_1", "worse") == (
        "In Eibergen ligt de waarde voor bijstand hoger dan gemiddeld in de gemeente "
        "Berkelland (30,0 tegen 20,0); dat is ongunstig.")
    # A name that starts with an abbreviation keeps its capitals, and never gets quotes.
    assert sentence("Eibergen", "WOZ-waarde", "lower", "land", "Nederland", 250.0, 300.0,
                    "number_0", "neutral").startswith(
        "In Eibergen ligt de waarde voor WOZ-waarde lager dan gemiddeld in Nederland")


def test_rank_puts_health_and_care_first_and_demography_last() -> None:
    found = [Finding("a", "demografie", "A", "neutral", 0.9),
             Finding("a2", "demografie", "A2", "neutral", 0.8),
             Finding("a3", "demografie", "A3", "neutral", 0.7),
             Finding("b", "gezondheid", "B", "better", 0.1),
             Finding("c", "zorg", "C", "worse", 0.2),
             Finding("d", "gezondheid", "D", "worse", 0.5),
             Finding("s", "sociaal_economisch", "S", "better", 0.4),
             Finding("s2", "sociaal_economisch", "S2", "worse", 0.1),
             Finding("e", "gezondheid", "E", "untested", 2.0, model_estimate=True),
             Finding("k", "leefomgeving", "K", "untested", 3.0)]
    # unfavourable health/care (D, C), social-economic (worse first: S2, S), favourable
    # health/care (B), untested model estimates (E), the rest (K), at most two demographic.
    assert [f.text for f in rank(found)] == ["D", "C", "S2", "S", "B", "E", "K", "A"]
    assert [f.text for f in rank(found, limit=20)][-2:] == ["A", "A2"]
    assert [f.text for f in rank(found, limit=2)] == ["D", "C"]


def test_demo_village_findings_use_the_yaml_phrasing(project: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html"])
    assert result.exit_code == 0, result.output
    html = page_text(project / "reports" / "demo" / "DORP_HOLTERHOEK.html")
    con = duckdb.connect(str(project / "data" / "processed" / "demo.duckdb"), read_only=True)
    # Holterhoek 65+: (a_65_oo) / (a_inw) of its three buurten in 2023, against Vreedebeek.
    num, den = con.execute(
        "SELECT numerator, denominator FROM ind_value WHERE indicator_id = 'leeftijd_65plus' "
        "AND area_code = 'DORP_HOLTERHOEK' AND year = 2023").fetchone() or (None, None)
    assert (num, den) == (280.0, 1670.0)  # 16,8%; the gemeente has 3920 / 18070 = 21,7%
    assert ("<li>In Holterhoek wonen naar verhouding minder 65-plussers dan gemiddeld in de "
            "gemeente Vreedebeek (16,8% tegen 21,7%).</li>") in html
    # Trend: 310/775 = 40,0% (2022) -> 315/795 = 39,6% (2023); se = sqrt(.4·.6/775 +
    # .3962·.6038/795) = 0.0247, |Δ| = 0.0038 = 0.15 se -> not significant, and said so.
    row = html.split('<th scope="row">Eenpersoonshuishoudens')[1].split("</tr>")[0]
    assert "↓ −0,4 procentpunt sinds 2022 (niet significant)" in row


def test_figures_side_by_side_and_enumerations_read_as_dutch() -> None:
    # The unit once, after the second figure; "%" and euro come with the number itself.
    assert versus(63.64, 24.3498, "per_1000_1", "per 1.000 inwoners") == (
        "63,6 tegen 24,3 per 1.000 inwoners")
    assert versus(31.0, 24.0, "percent_0", "%") == "31% tegen 24%"
    assert versus(2.0, 4.0, "number_0", "klasse") == "2 tegen 4"
    assert listing(["Esveld-Dorp"]) == "Esveld-Dorp"
    assert listing(["Esveld-Dorp", "Esveld-Buiten"]) == "Esveld-Dorp en Esveld-Buiten"
    assert listing(["A", "B", "C"]) == "A, B en C"
