"""The Achterhoek build on the real CBS and RIVM files: figures in the output are the source's."""

from __future__ import annotations

import csv
from collections.abc import Iterator
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
    """Dutch one-decimal percentage, written out by hand (not through the product's code)."""
    return f"{num / den * 100:.1f}".replace(".", ",") + "%"


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
    lines = (achterhoek / f"{code}.csv").read_text(encoding="utf-8").splitlines()
    line = next(x for x in lines if ";eenpersoonshuishoudens;" in x)
    assert line.split(";")[4:6] == ["2023", expected]
    assert expected in (achterhoek / f"{code}.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("code", ["WK019701", "WK158606", "WK150900"])
def test_health_estimate_matches_rivm_2020(achterhoek: Path, shared_data: Path, code: str) -> None:
    raw = _rows(shared_data / RIVM, "WijkenEnBuurten")[code]["ErvarenGezondheidGoedZeerGoed_4"]
    expected = raw.strip().replace(".", ",") + "%"
    lines = (achterhoek / f"{code}.csv").read_text(encoding="utf-8").splitlines()
    line = next(x for x in lines if ";ervaren_gezondheid;" in x)
    assert line.split(";")[4:6] == ["2020", expected]


def test_village_sums_its_buurten(achterhoek: Path, shared_data: Path) -> None:
    kwb = _rows(shared_data / KWB, "gwb_code_10")
    parts = ["BU01970204", "BU01970201"]  # Bredevoort + Verspreide huizen Bredevoort
    num = sum(float(kwb[b]["a_1p_hh"]) for b in parts)
    den = sum(float(kwb[b]["a_hh"]) for b in parts)
    lines = (achterhoek / "DORP_BREDEVOORT.csv").read_text(encoding="utf-8").splitlines()
    line = next(x for x in lines if ";eenpersoonshuishoudens;" in x)
    assert line.split(";")[5] == _pct(num, den)
    index = (achterhoek / "index.html").read_text(encoding="utf-8")
    assert 'href="DORP_BREDEVOORT.html"' in index
    assert len(list(achterhoek.glob("WK*.html"))) == 41


def test_comparable_wijken_and_the_flag_on_real_data(achterhoek: Path) -> None:
    """Ten comparable wijken of the region; a village never meets the wijk it lies in."""
    def group(code: str) -> list[str]:
        page = (achterhoek / f"{code}.html").read_text(encoding="utf-8")
        text = page.split('<p class="comparable">')[1].split("</p>")[0]
        return text.split("het meest op lijken: ")[1].rstrip(".").split("), ")

    wijk = group("WK019702")
    assert len(wijk) == 10 and not any(n.startswith("Wijk 02 Bredevoort") for n in wijk)
    village = group("DORP_BREDEVOORT")
    assert len(village) == 10 and not any(n.startswith("Wijk 02 Bredevoort") for n in village)
    # Dinxperlo: bijstand 2020 -> 2023 up significantly and above the gemeente Aalten.
    page = (achterhoek / "DORP_DINXPERLO.html").read_text(encoding="utf-8")
    first = page.split('<ul class="findings"><li>')[1].split("</li>")[0]
    assert first.startswith("Ongunstig en verslechterd: ‘Bijstand’ is in Dinxperlo hoger dan "
                            "gemiddeld in de gemeente Aalten")
