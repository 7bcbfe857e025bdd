"""The demo's custom areas end to end (issue 13): the real CLI build, the written HTML and CSV.

Expected figures are worked out by hand from the committed demo files (data/demo/), quoted in
the comments.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import demo_build


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with demo_build(tmp_path_factory, "demo13") as proj:
        yield proj / "reports" / "demo"


def _csv(out: Path, code: str) -> dict[str, dict[str, str]]:
    """indicator id -> the row's cells by column name."""
    lines = (out / f"{code}.csv").read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(";")
    rows = [dict(zip(header, x.split(";"), strict=True)) for x in lines[1:]]
    return {r["indicator"]: r for r in rows}


def test_a_65plus_figure_of_a_village_is_weighted_by_its_65_plussers(demo: Path) -> None:
    # Holterhoek = BU99010202 (84.8%, 130 65-plussers in KWB 2022, the year nearest to 2020),
    # BU99010203 (63.1%, 40), BU99010300 (69.8%, 70): (84.8 x 130 + 63.1 x 40 + 69.8 x 70) /
    # 240 = 76.81 -> 76,8%. By inhabitants (890, 235, 510) it would be 77.00 -> 77,0%.
    row = _csv(demo, "DORP_HOLTERHOEK")["ervaren_gezondheid_65plus"]
    assert (row["jaar"], row["waarde"]) == ("2020", "76,8")


def test_a_buurt_without_inhabitants_never_blanks_a_village(demo: Path) -> None:
    # Broekland = Broekland (80.5%) + the estate BU99010304 (0 inhabitants, '.'): 80,5%.
    rows = _csv(demo, "DORP_BROEKLAND")
    assert (rows["ervaren_gezondheid"]["jaar"], rows["ervaren_gezondheid"]["waarde"]) == (
        "2020", "80,5")
    assert rows["ervaren_gezondheid"]["toelichting"] == ""  # nothing left out that holds adults
    # The estate's own profile says why it has no figures.
    estate = _csv(demo, "BU99010304")["ervaren_gezondheid"]
    assert (estate["waarde"], estate["status"]) == ("", "geheim (bron)")


def test_a_focus_area_of_a_split_wijk_keeps_its_figures_and_its_name(demo: Path) -> None:
    # Lindenoord-Land is wijk WK990201, whose buurt Oosterveld was split in 2023: it uses the
    # wijk's own RIVM figure (66.4%), labelled a Gebiedsprofiel everywhere.
    rows = _csv(demo, "FOCUS_LINDENOORD_LAND")
    assert rows["ervaren_gezondheid"]["profiel"] == "Gebiedsprofiel"
    assert (rows["ervaren_gezondheid"]["jaar"], rows["ervaren_gezondheid"]["waarde"]) == (
        "2020", "66,4")
    html = (demo / "FOCUS_LINDENOORD_LAND.html").read_text(encoding="utf-8")
    assert "<title>Gebiedsprofiel Lindenoord-Land</title>" in html
    assert "Focusgebied in de gemeente Lindenoord" in html and "Buurten in dit focusgebied" in html
    assert "dorp" not in html.split('<section class="method"')[0].lower().replace(
        "dorpen", "")
    assert "Geen kaart" not in html and 'class="map"' in html
    index = (demo / "index.html").read_text(encoding="utf-8").replace("\u00ad", "")  # hyphens
    assert ">Lindenoord-Land</a> <span class=\"desc\">focusgebied · FOCUS_LINDENOORD_LAND" in index
    # The wijk itself changed between 2022 and 2023: no trend, no significance claim.
    wijk = (demo / "WK990201.html").read_text(encoding="utf-8").replace("\u00ad", "")
    row = wijk.split('<th scope="row">Eenpersoonshuishoudens')[1].split("</tr>")[0]
    assert "indeling gewijzigd sinds 2022" in row and "significant" not in row


def test_single_areas_show_the_wmo_rate_as_cbs_published_it(demo: Path) -> None:
    # BU99010200 Esveld-Dorp: CBS's p_wmo_t from unrounded counts (the demo file's column);
    # the village Esveld recomputes from rounded counts and says so.
    kwb = {x.split(";")[0]: x.split(";") for x in
           (demo.parents[1] / "data" / "demo" / "kwb_2023_demo.csv").read_text(
               encoding="utf-8").splitlines()}
    header = kwb["gwb_code_10"]
    published = kwb["BU99010200"][header.index("p_wmo_t")].replace(".", ",")
    assert _csv(demo, "BU99010200")["wmo_clienten"]["waarde"] == published
    assert _csv(demo, "DORP_ESVELD")["wmo_clienten"]["toelichting"] == \
        "berekend uit afgeronde aantallen"
