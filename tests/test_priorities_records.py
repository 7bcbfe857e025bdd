"""Session records (speerpunten): validation with file and line, and the trend since the session."""

from __future__ import annotations

from pathlib import Path

import pytest

from wijkdata.core.errors import ConfigError
from wijkdata.core.tables import ValueRow
from wijkdata.dialogue.extras import trend_since
from wijkdata.dialogue.records import load_record, session_files
from wijkdata.indicators.definitions import load_all

ROOT = Path(__file__).resolve().parents[1]
INDICATORS = {i.id: i for i in load_all(ROOT / "indicators")}

RECORD = """\
area: DORP_ESVELD
date: 2026-11-23
remarks:
  - {theme: gezondheid, recognised: false, text: "Wij zien minder eenzaamheid."}
priorities:
  - title: Niemand alleen
    indicators:
      - eenzaamheid
      - eenzaamheid_ouderen
"""


def test_unknown_indicator_names_it_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "DORP_ESVELD-2026-11-23.yml"
    path.write_text(RECORD, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_record(path, set(INDICATORS))
    assert exc.value.exit_code == 2
    assert exc.value.message == (
        f"{path}, line 9: priorities.0.indicators: unknown indicator 'eenzaamheid_ouderen' "
        "(similar: eenzaamheid, eenzaamheid_65plus); 'wijkdata indicators' lists them")


def test_valid_record_loads(tmp_path: Path) -> None:
    path = tmp_path / "DORP_ESVELD-2026-11-23.yml"
    path.write_text(RECORD.replace("      - eenzaamheid_ouderen\n", ""), encoding="utf-8")
    rec = load_record(path, set(INDICATORS))
    assert (rec.area, rec.date.isoformat(), rec.priorities[0].indicators) == (
        "DORP_ESVELD", "2026-11-23", ["eenzaamheid"])
    assert rec.remarks[0].recognised is False


def test_unknown_key_and_name_mismatch(tmp_path: Path) -> None:
    path = tmp_path / "DORP_ESVELD-2026-11-23.yml"
    path.write_text(RECORD.replace("remarks:", "opmerkingen: x\nremarks:"), encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_record(path, set(INDICATORS))
    assert exc.value.message == f"{path}, line 3: opmerkingen: unknown key"
    other = tmp_path / "DORP_HOLTERHOEK-2026-11-23.yml"
    other.write_text(RECORD, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_record(other, set(INDICATORS))
    assert exc.value.message == (
        f"{other}, line 1: the file says area DORP_ESVELD on 2026-11-23 but its name says "
        "DORP_HOLTERHOEK on 2026-11-23; make them agree")


def test_session_files_are_found_per_area_oldest_first(tmp_path: Path) -> None:
    for name in ("DORP_ESVELD-2026-11-23.yml", "DORP_ESVELD-2017-05-16.yml",
                 "DORP_HOLTERHOEK-2020-01-01.yml", "notities.txt"):
        (tmp_path / name).write_text("", encoding="utf-8")
    assert [p.name for p in session_files(tmp_path, "DORP_ESVELD")] == [
        "DORP_ESVELD-2017-05-16.yml", "DORP_ESVELD-2026-11-23.yml"]
    assert session_files(tmp_path / "missing", "DORP_ESVELD") == []


def _v(year: int, value: float | None, status: str = "ok") -> ValueRow:
    return ValueRow("overgewicht", "DORP_ESVELD", year, status, value)


def test_trend_since_the_session_year() -> None:
    ind = INDICATORS["overgewicht"]  # lower is better
    series = [_v(2012, 40.0), _v(2016, 45.0), _v(2020, 43.5)]
    # Session in 2017: baseline is the last figure up to 2017 (2016), against 2020.
    assert trend_since(ind, series, 2017) == {
        "title": "Overgewicht", "baseline": "2016: 45,0%", "latest": "2020: 43,5%",
        "change": "↓ \u22121,5 procentpunt sinds 2016", "verdict": "de goede kant op"}
    # Session in 2021: nothing newer than 2020 yet.
    assert trend_since(ind, series, 2021)["change"] == "nog geen nieuwere cijfers dan 2020"
    # Session before the first figure: the first figure is the baseline.
    assert trend_since(ind, series, 2010)["baseline"] == "2012: 40,0%"
    assert trend_since(ind, [_v(2020, None)], 2017)["change"] == (
        "geen cijfers voor dit gebied")
    # A small base keeps its mark in the session kit, and its change gets no verdict.
    small = [_v(2016, 45.0, "ok"), _v(2020, 40.0, "small")]
    assert trend_since(ind, small, 2017) == {
        "title": "Overgewicht", "baseline": "2016: 45,0%",
        "latest": "2020: 40,0% (klein aantal: onzeker)",
        "change": "↓ \u22125,0 procentpunt sinds 2016", "verdict": ""}
