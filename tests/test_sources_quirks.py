"""Each publication quirk on a tiny named fixture file, with values written out by hand."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest

from wijkdata.core.errors import ConfigError, DataError
from wijkdata.core.source_kinds import SourceOptions, source_options
from wijkdata.ingest.sources import cbs_kwb, ggd_monitor, local_table
from wijkdata.ingest.sources.csv_file import decode

FIX = Path(__file__).parent / "fixtures" / "sources"


def values(obs: pl.DataFrame) -> dict[tuple[str, str], tuple[float | None, str]]:
    return {(r["area_code"], r["variable"]): (r["value"], r["status"])
            for r in obs.iter_rows(named=True)}


def kwb(path: str, year: int = 2023, **kw: object) -> SourceOptions:
    return source_options(id="t", kind="cbs_kwb", path=path, year=year, **kw)


def test_latin1_csv_is_detected_as_cp1252_and_names_survive() -> None:
    text, encoding = decode(FIX / "latin1.csv", None)
    assert encoding == "cp1252"
    assert "Súdwest-Fryslân" in text
    loaded = cbs_kwb.read(kwb("latin1.csv"), FIX / "latin1.csv")
    names = dict(loaded.areas.iter_rows())
    assert names == {"GM1900": "Súdwest-Fryslân", "WK190001": "Snits",
                     "BU19000101": "Âldstêd"}
    v = values(loaded.observations)
    assert v[("GM1900", "a_inw")] == (90110.0, "ok")
    assert v[("BU19000101", "g_afs_hp")] == (0.4, "ok")


def test_declared_encoding_that_does_not_fit_names_the_byte() -> None:
    with pytest.raises(DataError) as err:
        cbs_kwb.read(kwb("latin1.csv", encoding="utf-8"), FIX / "latin1.csv")
    assert str(err.value) == (
        f"{FIX / 'latin1.csv'}: not valid utf-8 text (line 2, byte 50)\n"
        "  hint: remove 'encoding:' from the source to detect it"
    )


def test_decimal_comma_with_bom_and_dot_for_secret() -> None:
    assert decode(FIX / "decimal-comma.csv", None)[1] == "utf-8-sig"
    loaded = cbs_kwb.read(kwb("decimal-comma.csv"), FIX / "decimal-comma.csv")
    v = values(loaded.observations)
    assert v[("GM0197", "g_afs_hp")] == (0.5, "ok")
    assert v[("WK019701", "g_afs_hp")] == (12.25, "ok")
    assert v[("GM0197", "g_pau_hh")] == (1.25, "ok")
    assert v[("WK019701", "g_pau_hh")] == (None, "suppressed_by_source")
    assert v[("BU01970101", "g_afs_hp")] == (None, "suppressed_by_source")
    assert v[("BU01970101", "a_inw")] == (1200.0, "ok")


def test_a_column_mixing_decimal_comma_and_point_is_refused() -> None:
    with pytest.raises(DataError) as err:
        cbs_kwb.read(kwb("mixed-decimals.csv"), FIX / "mixed-decimals.csv")
    assert err.value.message == (
        f"{FIX / 'mixed-decimals.csv'}, column 'g_afs_hp': mixes decimal commas "
        "(row 2: '0,5') and decimal points (row 3: '1.5')"
    )


def test_padded_codes_padded_values_and_other_region_types() -> None:
    src = source_options(id="g", kind="ggd_monitor", path="padded-codes.csv", age_group="18+")
    loaded = ggd_monitor.read(src, FIX / "padded-codes.csv")
    v = values(loaded.observations)
    assert set(loaded.observations["area_code"]) == {"GM0197", "WK019701", "BU01970101"}
    assert v[("GM0197", "ervaren_gezondheid_goed_zeer_goed")] == (78.4, "ok")
    assert v[("WK019701", "eenzaam")] == (None, "suppressed_by_source")
    assert v[("BU01970101", "ervaren_gezondheid_goed_zeer_goed")] == (
        None, "suppressed_by_source")
    # An empty cell in the RIVM table means "not asked / cannot occur", not "secret".
    assert v[("BU01970101", "eenzaam")] == (None, "not_applicable")
    assert loaded.observations["year"].unique().to_list() == [2020]
    assert loaded.notes[0] == "left out rows of other region types (not areas): 1 GG"
    assert dict(loaded.areas.iter_rows())["GM0197"] == "Aalten"


def test_published_confidence_intervals_become_lower_and_upper() -> None:
    src = source_options(id="g", kind="ggd_monitor", path="intervals.csv", age_group="18+")
    obs = ggd_monitor.read(src, FIX / "intervals.csv").observations.sort("area_code")
    assert obs.select("area_code", "year", "variable", "value", "lower", "upper").rows() == [
        ("GM0197", 2022, "roker", 15.2, 13.9, 16.6),
        ("WK019701", 2022, "roker", None, None, None),
    ]


def test_ggd_monitor_xlsx_with_its_own_sheet_name(tmp_path: Path) -> None:
    """The 2016 RIVM workbook names its sheet '50090NED_UntypedDataSet_...', not like 2020."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "50090NED_UntypedDataSet_1305202"
    ws.append(["ID", "Leeftijd", "Marges", "WijkenEnBuurten", "Perioden", "Gemeentenaam_1",
               "Roker_11", "Eenzaam_28"])
    ws.append([0, "80200", "MW00000", "GM0294    ", "2016JJ00", "Winterswijk      ",
               "    21.3", "    40.1"])
    ws.append([1, "80200", "MW00000", "WK029401  ", "2016JJ00", "Winterswijk      ",
               "       .", ""])
    path = tmp_path / "rivm_2016.xlsx"
    wb.save(path)
    src = source_options(id="g", kind="ggd_monitor", path="rivm_2016.xlsx",
                         variable_suffix="_65plus", age_group="65+")
    v = values(ggd_monitor.read(src, path).observations)
    assert v == {
        ("GM0294", "roker_65plus"): (21.3, "ok"),
        ("GM0294", "eenzaam_65plus"): (40.1, "ok"),
        ("WK029401", "roker_65plus"): (None, "suppressed_by_source"),
        ("WK029401", "eenzaam_65plus"): (None, "not_applicable"),
    }


def test_suppressed_dot_x_and_empty_in_a_declared_csv() -> None:
    src = source_options(id="eigen", kind="csv", path="suppressed-dot.csv", year=2024,
                         code_column="buurtcode",
                         columns={"wmo_n": "inwoners_met_wmo",
                                  "mantelzorg_pct": "aandeel_mantelzorg"})
    loaded = local_table.read(src, FIX / "suppressed-dot.csv")
    assert values(loaded.observations) == {
        ("BU01970101", "wmo_n"): (120.0, "ok"),
        ("BU01970102", "wmo_n"): (None, "suppressed_by_source"),
        ("BU01970103", "wmo_n"): (None, "missing"),
        ("GM0197", "wmo_n"): (1510.0, "ok"),
        ("BU01970101", "mantelzorg_pct"): (23.5, "ok"),
        ("BU01970102", "mantelzorg_pct"): (None, "suppressed_by_source"),
        ("BU01970103", "mantelzorg_pct"): (4.0, "ok"),
        ("GM0197", "mantelzorg_pct"): (21.0, "ok"),
    }
    assert loaded.observations["year"].unique().to_list() == [2024]


def test_csv_kind_names_a_missing_declared_column() -> None:
    src = source_options(id="eigen", kind="csv", path="suppressed-dot.csv", year=2024,
                         code_column="buurtcode", columns={"x": "niet_aanwezig"})
    with pytest.raises(DataError) as err:
        local_table.read(src, FIX / "suppressed-dot.csv")
    assert err.value.message == (
        f"{FIX / 'suppressed-dot.csv'}: required column 'niet_aanwezig' not found")


def test_csv_kind_without_mapping_is_a_config_error() -> None:
    src = source_options(id="eigen", kind="csv", path="suppressed-dot.csv", year=2024)
    with pytest.raises(ConfigError) as err:
        local_table.read(src, FIX / "suppressed-dot.csv")
    assert err.value.exit_code == 2
    assert "needs 'code_column:' and 'columns:'" in err.value.message


def test_renamed_and_renumbered_keys_2021_match_on_prefix() -> None:
    loaded = cbs_kwb.read(kwb("renamed-columns-2021.csv", year=2021),
                          FIX / "renamed-columns-2021.csv")
    v = values(loaded.observations)
    assert v[("GM0197", "a_inw")] == (27290.0, "ok")  # AantalInwoners_6, not _5
    assert v[("GM0197", "g_wozbag")] == (246.0, "ok")  # renamed key, renumbered _39
    assert v[("WK019701", "g_wozbag")] == (None, "missing")
    assert v[("WK019701", "a_nl_all")] == (3600.0, "ok")
    assert set(loaded.observations["variable"]) == {"a_inw", "g_wozbag", "a_nl_all"}


def test_missing_required_column_names_year_and_column() -> None:
    with pytest.raises(DataError) as err:
        cbs_kwb.read(kwb("missing-required-2023.csv"), FIX / "missing-required-2023.csv")
    assert err.value.message == (
        f"{FIX / 'missing-required-2023.csv'}: KWB 2023 column 'AantalInwoners' or 'a_inw' "
        "(project variable 'a_inw') not found"
    )


@pytest.mark.parametrize("year", [2019, 2020, 2021, 2022, 2023, 2024, 2025])
def test_every_kwb_year_has_a_column_map_that_cites_its_source(year: int) -> None:
    spec = cbs_kwb.column_map(year)
    assert spec.year == year
    assert spec.required == ["a_inw"]
    assert "a_inw" in spec.columns
    text = (cbs_kwb.MAPS / f"{year}.yml").read_text(encoding="utf-8")
    assert "Source" in text or "NO citable" in text


def test_amsterdam_letter_codes_are_area_codes(tmp_path: Path) -> None:
    path = tmp_path / "kwb.csv"
    path.write_text("gwb_code_10;gm_naam;a_inw\nGM0363;Amsterdam;918117\n"
                    "WK0363AA;Amsterdam;2300\nBU0363AA01;Amsterdam;1200\n", encoding="utf-8")
    obs = cbs_kwb.read(kwb("kwb.csv"), path).observations
    assert obs.select("area_code", "value").rows() == [
        ("GM0363", 918117.0), ("WK0363AA", 2300.0), ("BU0363AA01", 1200.0)]


def test_an_18_64_file_declared_as_18plus_is_refused(tmp_path: Path) -> None:
    """RIVM's own Leeftijd code decides: 53115 (18 tot 65 jaar) is not 18+ (20300)."""
    text = (FIX / "padded-codes.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[2] = lines[2].replace(";20300;", ";53115;", 1)
    path = tmp_path / "rivm_18_64.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    src = source_options(id="ggd_2020", kind="ggd_monitor", path=path.name, age_group="18+")
    with pytest.raises(DataError) as err:
        ggd_monitor.read(src, path)
    assert err.value.message == (
        f"{path}, row 3, column 'Leeftijd': age group 53115 (18-64), expected 20300 (18+) as "
        "declared by 'age_group: 18+' of source 'ggd_2020'")
    # Declared as what it is, the same file reads.
    ok = source_options(id="ggd_2020", kind="ggd_monitor", path=path.name, age_group="18-64")
    lines[1] = lines[1].replace(";20300;", ";53115;", 1)
    lines[3:] = [x.replace(";20300;", ";53115;", 1) for x in lines[3:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert ggd_monitor.read(ok, path).observations.height > 0


def test_a_ggd_monitor_source_must_declare_its_age_group() -> None:
    with pytest.raises(ValueError, match="a ggd_monitor source needs 'age_group:' "
                                         r"\(18\+, 65\+ or 18-64\)"):
        source_options(id="ggd", kind="ggd_monitor", path="x.csv")
