""""Ongunstig en verslechterd": the rule, the sentence, its place at the top of page 1."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from wijkdata.cli import app
from wijkdata.core.tables import TrendRow
from wijkdata.indicators.definitions import load_all
from wijkdata.report import worsening
from wijkdata.report.findings import Finding, rank
from wijkdata.report.report_types import Cell

ROOT = Path(__file__).resolve().parents[1]
IND = {i.id: i for i in load_all(ROOT / "indicators")}


def _trend(change: float, verdict: str = "significant") -> TrendRow:
    return TrendRow("bijstand", "WK1", prev_year=2022, year=2023, change=change,
                    verdict=verdict, prev_value=37.0)


def test_flag_needs_a_worse_comparator_and_a_significant_worsening() -> None:
    bijstand = IND["bijstand"]  # lower is better
    worse = {"gemeente": Cell("24,3", judgement="similar"),
             "land": Cell("23,5", judgement="worse")}
    shown = (2022, 2023)
    w = worsening.flag(bijstand, worse, _trend(+26.5), shown)
    assert w == worsening.Worsening("land", 2022, 37.0)
    # Rising but not significant, significant but falling, or no comparator worse: no flag.
    assert worsening.flag(bijstand, worse, _trend(+26.5, "not_significant"), shown) is None
    assert worsening.flag(bijstand, worse, _trend(-3.0), shown) is None
    similar = {"gemeente": Cell("24,3", judgement="similar")}
    assert worsening.flag(bijstand, similar, _trend(+26.5), shown) is None
    # The trend must be the one the row shows (its last two years).
    assert worsening.flag(bijstand, worse, _trend(+26.5), (2020, 2023)) is None
    # Higher is better: a fall is the worsening; a neutral indicator is never flagged.
    assert worsening.worsened(IND["ervaren_gezondheid"], -2.0, "significant")
    assert not worsening.worsened(IND["ervaren_gezondheid"], +2.0, "significant")
    assert not worsening.worsened(IND["eenpersoonshuishoudens"], +9.0, "significant")


def test_the_gemeente_is_named_before_other_comparators() -> None:
    both = {"land": Cell("23,5", judgement="worse"), "gemeente": Cell("24,3", judgement="worse"),
            "vergelijkbaar": Cell("20,0", judgement="worse")}
    w = worsening.flag(IND["bijstand"], both, _trend(+1.0), (2022, 2023))
    assert w is not None and w.comparator == "gemeente"


def test_sentence_and_rank() -> None:
    f = worsening.finding(IND["bijstand"], "Esveld", 63.64, 24.3498, "gemeente", "Vreedebeek",
                          worsening.Worsening("gemeente", 2022, 37.15))
    assert f.text == ("Ongunstig en verslechterd: ‘Bijstand’ is in Esveld hoger dan gemiddeld "
                      "in de gemeente Vreedebeek (63,6 tegen 24,3 per 1.000 inwoners) en gestegen "
                      "sinds 2022 (toen 37,2).")
    others = [Finding("a", "t", "A", "worse", 9.0), Finding("b", "t", "B", "better", 5.0)]
    # Leads even a much larger plain "worse" difference.
    assert [x.text[:10] for x in rank([*others, f])] == ["Ongunstig ", "A", "B"]


def test_demo_village_leads_with_the_flag(project: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html",
                                 "--area", "DORP_ESVELD"])
    assert result.exit_code == 0, result.output
    # Soft hyphens (U+00AD) in table cells are stripped: they are layout, not wording.
    html = (project / "reports" / "demo" / "DORP_ESVELD.html").read_text(encoding="utf-8")
    html = html.replace("\u00ad", "")
    # Esveld's bijstand: 60 / 1615 = 37,2 per 1.000 (2022) -> 105 / 1650 = 63,6 (2023).
    # Poisson: se = sqrt(60/1615² + 105/1650²) = 0,00785; change 0,02648 = 3,4 se -> significant.
    # Byar interval 2023: 52,0 - 77,0, wholly above Vreedebeek's 440 / 18070 = 24,3 -> worse.
    first = html.split('<ul class="findings"><li>')[1].split("</li>")[0]
    assert first == ("Ongunstig en verslechterd: ‘Bijstand’ is in Esveld hoger dan gemiddeld "
                     "in de gemeente Vreedebeek (63,6 tegen 24,3 per 1.000 inwoners) en gestegen "
                     "sinds 2022 (toen 37,2).")
    row = html.split('<th scope="row">Bijstandsuitkeringen')[1].split("</tr>")[0]
    assert row.startswith(' <span class="flag">ongunstig en verslechterd</span>')
