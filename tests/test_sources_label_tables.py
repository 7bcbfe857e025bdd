"""StatLine label CSVs and repeated-code files through the csv kind (issue 4 leftover).

Tiny fixtures in tests/fixtures/sources/ with values written out by hand; the slow tests load
the three real files from the shared data folder and spot-check values against the raw text.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import polars as pl
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from wijkdata.cli import app
from wijkdata.core.config import load_region
from wijkdata.core.errors import DataError
from wijkdata.core.source_kinds import SourceOptions, source_options
from wijkdata.ingest.run import ingest
from wijkdata.ingest.sources import local_table
from wijkdata.ingest.sources.statline_labels import PROVINCIE_CODES, LabelLookup

FIX = Path(__file__).parent / "fixtures" / "sources"
WMO_COL = "Wmo-cliënten; gebruik Wlz aantal (aantal)"
LOOKUP = LabelLookup(path="label-lookup-gemeenten.csv", code_column="Code (code)",
                     name_column="Naam (naam)")
AGES = {"Leeftijd: 45 tot 60 jaar": "45_60", "Leeftijd: 85 jaar of ouder": "85plus"}


def values(obs: pl.DataFrame) -> dict[tuple[str, str], tuple[float | None, str]]:
    return {(r["area_code"], r["variable"]): (r["value"], r["status"])
            for r in obs.iter_rows(named=True)}


def wmo_source(**kw: object) -> SourceOptions:
    base: dict[str, object] = dict(
        id="t", kind="csv", path="label-dimension-gemeente.csv", year=2020,
        label_column="Regio's", label_lookup=LOOKUP, columns={"wmo_wlz": WMO_COL},
        dimension_column="Persoonskenmerken", dimension_values=AGES,
        filters={"Geslacht": ["Totaal mannen en vrouwen"]})
    base.update(kw)
    return source_options(**base)


def test_label_csv_resolves_names_spreads_dimension_and_notes_unknown_labels() -> None:
    loaded = local_table.read(wmo_source(), FIX / "label-dimension-gemeente.csv")
    assert loaded.rows == 8
    assert values(loaded.observations) == {
        ("GM0197", "wmo_wlz_45_60"): (20.0, "ok"),
        ("GM0888", "wmo_wlz_45_60"): (None, "missing"),
        ("GM0197", "wmo_wlz_85plus"): (135.0, "ok"),
        ("GM0888", "wmo_wlz_85plus"): (40.0, "ok"),
    }
    assert loaded.areas["code"].to_list() == ["GM0197", "GM0888"]
    lookup = FIX / "label-lookup-gemeenten.csv"
    assert loaded.notes == [
        f"1 region labels matched {lookup} only without their qualifier in brackets: "
        "'Beek (L.)' -> GM0888",
        f"1 region labels in column 'Regio's' not found in {lookup}, 2 rows left out "
        "(e.g. gemeenten merged since): 'Appingedam'",
        "filters {'Geslacht': ['Totaal mannen en vrouwen']} left out 1 rows",
        "left out 1 rows with other 'Persoonskenmerken' values: 'Leeftijd: 18 tot 45 jaar'",
    ]


def test_configured_dimension_value_absent_from_the_file_is_an_error() -> None:
    source = wmo_source(dimension_values={"Leeftijd: 65 jaar of ouder": "65plus"})
    with pytest.raises(DataError) as err:
        local_table.read(source, FIX / "label-dimension-gemeente.csv")
    assert err.value.message == (
        f"{FIX / 'label-dimension-gemeente.csv'}, column 'Persoonskenmerken': no rows with value "
        "'Leeftijd: 65 jaar of ouder' (listed under dimension_values: of source 't')")
    assert err.value.hint == ("values present: 'Leeftijd: 45 tot 60 jaar', "
                              "'Leeftijd: 85 jaar of ouder', 'Leeftijd: 18 tot 45 jaar'")


def test_provincie_labels_are_read_parsed_and_reported_not_loaded() -> None:
    source = source_options(id="azw", kind="csv", path="label-provincie.csv", year=2020,
                            label_column="Regio's", label_lookup="provincie",
                            columns={"arbeidsvolume": "Arbeidsvolume  (x 1 000)"},
                            dimension_column="Perioden",
                            dimension_values={"2020 1e kwartaal": "2020k1"})
    loaded = local_table.read(source, FIX / "label-provincie.csv")
    assert loaded.rows == 4
    assert loaded.observations.height == 0
    assert loaded.notes == [
        "4 rows have a 'Perioden' value marked '*' (voorlopig: provisional figures)",
        "1 region labels in column 'Regio's' not found in the CBS provincie code table "
        "(PV20..PV31), 1 rows left out: 'Niet in te delen (PV)'",
        "left out 1 rows with other 'Perioden' values: '2020 2e kwartaal'",
        "left out rows of other region types (not areas): 2 PV",
        "all areas are PV (provincies), outside the profile levels gemeente, wijk, buurt: "
        "read and parsed, not loaded as observations",
    ]
    assert sorted(PROVINCIE_CODES.values()) == [f"PV{n}" for n in range(20, 32)]
    assert PROVINCIE_CODES["Fryslân"] == "PV21"
    assert PROVINCIE_CODES["Limburg"] == "PV31"


def afstand(path: str, **kw: object) -> SourceOptions:
    return source_options(id="t", kind="csv", path=path, year=2023, code_column="Buurtcode",
                          columns={"g_afs_hp_pc4": "g_afs_hp"}, **kw)


def test_repeated_codes_identical_loads_one_value_per_area() -> None:
    loaded = local_table.read(afstand("repeated-codes.csv", repeated_codes="identical"),
                              FIX / "repeated-codes.csv")
    assert loaded.rows == 7
    assert values(loaded.observations) == {
        ("BU01970101", "g_afs_hp_pc4"): (3.9, "ok"),
        ("BU01970102", "g_afs_hp_pc4"): (3.5, "ok"),
        ("BU01970103", "g_afs_hp_pc4"): (None, "suppressed_by_source"),
        ("GM0197", "g_afs_hp_pc4"): (2.8, "ok"),
    }
    assert loaded.notes == ["3 repeated rows for 2 areas carry identical values "
                            "(repeated_codes: identical); one row per area loaded"]


def test_repeated_codes_without_the_setting_name_the_rows() -> None:
    with pytest.raises(DataError) as err:
        local_table.read(afstand("repeated-codes.csv"), FIX / "repeated-codes.csv")
    assert err.value.message == (f"{FIX / 'repeated-codes.csv'}, column 'Buurtcode': area code "
                              "BU01970102 appears twice (rows 3 and 4)")
    assert err.value.hint == ("if the file repeats areas on purpose (e.g. one row per postcode), "
                              "set 'repeated_codes: identical' on the source")


def test_repeated_codes_with_different_values_are_an_error_naming_rows() -> None:
    with pytest.raises(DataError) as err:
        local_table.read(afstand("repeated-codes-differ.csv", repeated_codes="identical"),
                         FIX / "repeated-codes-differ.csv")
    assert err.value.message == (
        f"{FIX / 'repeated-codes-differ.csv'}, column 'g_afs_hp': area code BU01970102 is "
        "repeated with different values (row 3: '3,5', row 4: '3,6'); 'repeated_codes: "
        "identical' needs the same value in every repeated row")


@pytest.mark.parametrize(("extra", "message"), [
    ({"label_column": "Regio's"}, "'label_column:' and 'label_lookup:' go together"),
    ({"code_column": "c", "label_column": "Regio's", "label_lookup": "provincie"},
     "give 'code_column:' or 'label_column:', not both"),
    ({"code_column": "c", "dimension_column": "Perioden"}, "'dimension_column:' needs "
     "'dimension_values:'"),
    ({"code_column": "c", "repeated_codes": "first"}, "'error' or 'identical'"),
    ({"code_column": "c", "dimension_column": "P", "dimension_values": {"a": "Bad Name"}},
     "String should match pattern"),
])
def test_label_settings_are_validated(extra: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as err:
        source_options(id="t", kind="csv", path="x.csv", year=2020, columns={"v": "v"},
                       **extra)
    assert message in str(err.value)


CONFIG = """name: Labels
gemeenten: [GM0197, GM0888]
data_dir: data/raw
sources:
  - {id: wmo, kind: csv, path: label-dimension-gemeente.csv, year: 2020,
     label_column: "Regio's",
     label_lookup: {path: label-lookup-gemeenten.csv, code_column: Code (code),
                    name_column: Naam (naam)},
     filters: {Geslacht: [Totaal mannen en vrouwen]},
     columns: {wmo_wlz: "Wmo-cliënten; gebruik Wlz aantal (aantal)"},
     dimension_column: Persoonskenmerken,
     dimension_values: {"Leeftijd: 45 tot 60 jaar": "45_60",
                        "Leeftijd: 85 jaar of ouder": "85plus"}}
  - {id: afstand, kind: csv, path: repeated-codes.csv, year: 2023, code_column: Buurtcode,
     columns: {g_afs_hp_pc4: g_afs_hp}, repeated_codes: identical}
  - {id: azw, kind: csv, path: label-provincie.csv, year: 2020, label_column: "Regio's",
     label_lookup: provincie, columns: {arbeidsvolume: Arbeidsvolume  (x 1 000)},
     dimension_column: Perioden, dimension_values: {2020 1e kwartaal: 2020k1}}
"""


@pytest.fixture
def label_region(project: Path) -> Path:
    raw = project / "data" / "raw"
    raw.mkdir(parents=True)
    for name in ("label-dimension-gemeente.csv", "label-lookup-gemeenten.csv",
                 "repeated-codes.csv", "label-provincie.csv"):
        (raw / name).write_bytes((FIX / name).read_bytes())
    (project / "configs" / "labels.yml").write_text(CONFIG, encoding="utf-8")
    return raw


def test_check_and_ingest_load_the_three_stages(label_region: Path, runner: CliRunner,
                                                project: Path) -> None:
    result = runner.invoke(app, ["check", "--regio", "labels"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "wmo (csv 2020)" in out and "rows read: 8; areas in region: 2 gemeenten" in out
    assert "afstand (csv 2023)" in out and "rows read: 7; areas in region: 1 gemeenten, " \
        "3 buurten" in out
    assert "azw (csv 2020)" in out and "rows read: 4; areas in region: none" in out
    assert "note: all areas are PV (provincies), outside the profile levels" in out
    assert "csv 2020 (wmo) vs 2023 (afstand)" not in out  # unrelated tables are not compared
    db = project / "labels.duckdb"
    ingest(load_region("labels"), db, label_region, lambda _m: None)
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT area_code, variable, value FROM observation "
                           "WHERE variable LIKE 'wmo_wlz%' OR variable = 'g_afs_hp_pc4' "
                           "ORDER BY 1, 2").fetchall()
    finally:
        con.close()
    assert rows == [("BU01970101", "g_afs_hp_pc4", 3.9), ("BU01970102", "g_afs_hp_pc4", 3.5),
                    ("BU01970103", "g_afs_hp_pc4", None), ("GM0197", "g_afs_hp_pc4", 2.8),
                    ("GM0197", "wmo_wlz_45_60", 20.0), ("GM0197", "wmo_wlz_85plus", 135.0),
                    ("GM0888", "wmo_wlz_45_60", None), ("GM0888", "wmo_wlz_85plus", 40.0)]


def raw_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh, delimiter=";"))[1:]


@pytest.mark.slow
def test_real_label_files_load_through_the_configured_stages(shared_data: Path) -> None:
    ach = {s.id: s for s in load_region("achterhoek", Path(__file__).parents[1]).config.sources}

    wmo = ach["wmo_wlz_2020"]
    loaded = local_table.read(wmo, shared_data / wmo.path)
    assert loaded.rows == 1420
    v = values(loaded.observations)
    raw = {(r[1], r[2]): r[3] for r in raw_rows(shared_data / wmo.path)}
    assert raw[("Leeftijd: 85 jaar of ouder", "Aalten")] == "135"
    assert v[("GM0197", "wmo_wlz_85plus")] == (135.0, "ok")
    assert raw[("Leeftijd: 45 tot 60 jaar", "Aalsmeer")] == ""
    assert v[("GM0358", "wmo_wlz_45_60")] == (None, "missing")
    assert v[("GM0888", "wmo_wlz_75_85")] == (float(raw[("Leeftijd: 75 tot 85 jaar",
                                                         "Beek (L.)")]), "ok")
    assert loaded.observations.height == (355 - 18) * 4
    assert any(n.startswith("18 region labels in column 'Regio's' not found") and
               "'Appingedam'" in n for n in loaded.notes)

    afs = ach["afstand_hp_pc4"]
    loaded = local_table.read(afs, shared_data / afs.path)
    assert loaded.rows == 18376
    assert loaded.observations.height == 14324
    v = values(loaded.observations)
    assert v[("BU00140000", "g_afs_hp_pc4")] == (0.4, "ok")
    assert v[("BU01970101", "g_afs_hp_pc4")] == (3.9, "ok")
    assert int((loaded.observations["status"] == "suppressed_by_source").sum()) > 0

    azw = ach["azw_huisartsen_2020"]
    loaded = local_table.read(azw, shared_data / azw.path)
    assert loaded.rows == 13
    assert loaded.observations.height == 0
    assert "left out rows of other region types (not areas): 12 PV" in loaded.notes
