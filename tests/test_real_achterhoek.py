"""The Achterhoek build on the real CBS and RIVM files: figures in the output are the source's."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import SHARED_DATA, make_project
from wijkdata.cli import app

pytestmark = pytest.mark.slow

KWB = "cbs/kwb_2023_selectie.csv"
RIVM = "rivm/gezondheid_wijk_buurt_50090NED_2020_18plus.csv"


def _rows(path: Path, key: str) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {r[key].strip(): r for r in csv.DictReader(fh, delimiter=";")}


def _pct(num: float, den: float) -> str:
    """Dutch one-decimal percentage, rounded half away from zero like CBS, written out by hand
    (not through the product's code)."""
    exact = Decimal(str(num)) / Decimal(str(den)) * 100
    return f"{exact.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}".replace(".", ",") + "%"


def _figure(folder: Path, code: str, indicator: str) -> dict[str, str]:
    """The row of one indicator in an area's CSV (UTF-8 with BOM, ';', decimal comma)."""
    with (folder / f"{code}.csv").open(encoding="utf-8-sig", newline="") as fh:
        return next(r for r in csv.DictReader(fh, delimiter=";") if r["indicator"] == indicator)


@pytest.fixture(scope="module")
def achterhoek(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One real Achterhoek build (HTML + CSV) shared by the tests of this module."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent")
    with pytest.MonkeyPatch.context() as mp:
        proj = make_project(tmp_path_factory.mktemp("achterhoek"), mp)
        result = CliRunner().invoke(app, ["build", "--regio", "achterhoek", "--data-dir",
                                          str(SHARED_DATA), "--format", "html,csv"])
        assert result.exit_code == 0, result.output
        yield proj / "reports" / "achterhoek"


@pytest.mark.parametrize("code", ["WK019701", "WK022201", "WK185901", "WK029400"])
def test_household_share_matches_kwb_2023(achterhoek: Path, shared_data: Path, code: str) -> None:
    row = _rows(shared_data / KWB, "gwb_code_10")[code]
    expected = _pct(float(row["a_1p_hh"]), float(row["a_hh"]))
    row = _figure(achterhoek, code, "eenpersoonshuishoudens")
    assert (row["jaar"], row["waarde"] + "%") == ("2023", expected)
    page = (achterhoek / f"{code}.html").read_text(encoding="utf-8")
    assert expected in page.replace("\u00ad", "")


@pytest.mark.parametrize("code", ["WK019701", "WK158606", "WK150900"])
def test_health_estimate_matches_rivm_2020(achterhoek: Path, shared_data: Path, code: str) -> None:
    raw = _rows(shared_data / RIVM, "WijkenEnBuurten")[code]["ErvarenGezondheidGoedZeerGoed_4"]
    expected = raw.strip().replace(".", ",") + "%"
    row = _figure(achterhoek, code, "ervaren_gezondheid")
    assert (row["jaar"], row["waarde"] + "%") == ("2020", expected)


def test_village_sums_its_buurten(achterhoek: Path, shared_data: Path) -> None:
    kwb = _rows(shared_data / KWB, "gwb_code_10")
    parts = ["BU01970204", "BU01970201"]  # Bredevoort + Verspreide huizen Bredevoort
    num = sum(float(kwb[b]["a_1p_hh"]) for b in parts)
    den = sum(float(kwb[b]["a_hh"]) for b in parts)
    row = _figure(achterhoek, "DORP_BREDEVOORT", "eenpersoonshuishoudens")
    assert row["waarde"] + "%" == _pct(num, den)
    assert (row["teller"], row["noemer"]) == (f"{num:.0f}", f"{den:.0f}")
    index = (achterhoek / "index.html").read_text(encoding="utf-8").replace("\u00ad", "")
    assert 'href="DORP_BREDEVOORT.html"' in index
    assert len(list(achterhoek.glob("WK*.html"))) == 41


def test_comparable_wijken_and_the_flag_on_real_data(achterhoek: Path) -> None:
    """Ten comparable wijken of the region; a village never meets the wijk it lies in."""
    def group(code: str) -> list[str]:
        page = (achterhoek / f"{code}.html").read_text(encoding="utf-8").replace("\u00ad", "")
        text = page.split('<p class="comparable">')[1].split("</p>")[0]
        return text.split("het meest op lijken: ")[1].rstrip(".").split("), ")

    wijk = group("WK019702")
    assert len(wijk) == 10 and not any(n.startswith("Wijk 02 Bredevoort") for n in wijk)
    village = group("DORP_BREDEVOORT")
    assert len(village) == 10 and not any(n.startswith("Wijk 02 Bredevoort") for n in village)
    # Dinxperlo: bijstand 2020 -> 2023 up significantly and above the gemeente Aalten.
    page = (achterhoek / "DORP_DINXPERLO.html").read_text(encoding="utf-8").replace("\u00ad", "")
    first = page.split('<ul class="findings"><li>')[1].split("</li>")[0]
    assert first.startswith("Ongunstig en verslechterd: ‘Bijstand’ is in Dinxperlo hoger dan "
                            "gemiddeld in de gemeente Aalten")
KWB_2020 = "cbs/kwb_2020_84799NED/cbs.v3.84799NED_TypedDataSet.parquet"
RIVM_65 = "rivm/gezondheid_wijk_buurt_50090NED_2020_65plus.csv"
VILLAGES = {"DORP_BREDEVOORT": ["BU01970204", "BU01970201"],
            "DORP_DINXPERLO": ["BU01970400", "BU01970401", "BU01970402", "BU01970408"]}


def _bands_2020(shared_data: Path, codes: list[str]) -> dict[str, dict[str, float]]:
    import pyarrow.parquet as pq

    cols = ["WijkenEnBuurten", "AantalInwoners_5", "k_0Tot15Jaar_8", "k_15Tot25Jaar_9",
            "k_65JaarOfOuder_12"]
    rows = pq.read_table(shared_data / KWB_2020, columns=cols).to_pylist()
    return {r["WijkenEnBuurten"].strip(): r for r in rows
            if r["WijkenEnBuurten"].strip() in codes}


def _weighted(values: dict[str, str], weights: dict[str, float]) -> str:
    """Weighted mean over the buurten with a value ('.' left out), written the Dutch way."""
    have = [b for b in weights if values[b].strip() not in (".", "") and weights[b] > 0]
    v = sum(float(values[b]) * weights[b] for b in have) / sum(weights[b] for b in have)
    return f"{v:.1f}".replace(".", ",") + "%"


@pytest.mark.parametrize("village", sorted(VILLAGES))
def test_village_health_weighted_by_its_own_age_group(achterhoek: Path, shared_data: Path,
                                                      village: str) -> None:
    """The 65+ estimate weighted by 65-plussers, the 18+ estimate by adults (a_inw - a_00_14
    - 0.3 x a_15_24), both from KWB 2020 (the estimate's year), recomputed here from the raw
    files without the product's code."""
    parts = VILLAGES[village]
    bands = _bands_2020(shared_data, parts)
    rivm65 = _rows(shared_data / RIVM_65, "WijkenEnBuurten")
    rivm18 = _rows(shared_data / RIVM, "WijkenEnBuurten")
    old = {b: float(bands[b]["k_65JaarOfOuder_12"]) for b in parts}
    adults = {b: float(bands[b]["AantalInwoners_5"]) - float(bands[b]["k_0Tot15Jaar_8"])
              - 0.3 * float(bands[b]["k_15Tot25Jaar_9"]) for b in parts}
    want65 = _weighted({b: rivm65[b]["ErvarenGezondheidGoedZeerGoed_4"] for b in parts}, old)
    want18 = _weighted({b: rivm18[b]["ErvarenGezondheidGoedZeerGoed_4"] for b in parts}, adults)
    for ind, want in (("ervaren_gezondheid_65plus", want65), ("ervaren_gezondheid", want18)):
        row = _figure(achterhoek, village, ind)
        assert [row["jaar"], row["waarde"] + "%"] == ["2020", want]
    if village == "DORP_DINXPERLO":
        # Weighted by all inhabitants the 65+ figure would read 67,4% instead of 66,8%:
        # Dinxperlo's centre (BU01970400) holds 38% of the inhabitants but 46% of the
        # 65-plussers, and has the lowest estimate (62,9%).
        inw = {b: float(bands[b]["AantalInwoners_5"]) for b in parts}
        assert (want65, _weighted({b: rivm65[b]["ErvarenGezondheidGoedZeerGoed_4"]
                                   for b in parts}, inw)) == ("66,8%", "67,4%")


def test_every_custom_area_has_a_map_and_the_village_is_named_a_village(
        achterhoek: Path) -> None:
    for village in ("DORP_BREDEVOORT", "DORP_EIBERGEN"):
        html = (achterhoek / f"{village}.html").read_text(encoding="utf-8").replace("\u00ad", "")
        assert "<title>Dorpsprofiel " in html and "Geen kaart" not in html
        assert "Buurtgrenzen ontbreken in de bron: de kaart omlijnt de wijk" in html
