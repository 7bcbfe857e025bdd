"""Indicator definitions: every YAML file (never a fixed count, so adding one breaks no test),
their validation messages, the generated docs page, and (slow) that they compute on the real
Achterhoek data for the years they claim."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from wijkdata.cli import app
from wijkdata.cli.commands.docs import markdown
from wijkdata.core.errors import ConfigError
from wijkdata.indicators.definitions import load_all, load_indicator

ROOT = Path(__file__).resolve().parents[1]


def test_all_definitions_load_and_are_consistent() -> None:
    items = load_all(ROOT / "indicators")
    # Every file loads (no fixed count: adding an indicator must not break this test).
    assert sorted(i.id for i in items) == sorted(
        p.stem for p in (ROOT / "indicators").glob("*/*.yml"))
    for i in items:
        if i.statistic == "proportion":
            assert (i.unit, i.multiplier, i.interval) == ("%", 100, "wilson"), i.id
        if i.statistic == "rate":
            assert (i.multiplier, i.interval, i.unit) == (1000, "byar", "per 1.000 inwoners"), i.id
        if "ggd_monitor" in i.sources:  # RIVM model estimates: the caveat says why no test
            assert "zonder uitspraak over significantie" in i.caveats, i.id
            # ... and each names its age group: the weight for villages and the check that
            # it never reads another age group's table.
            assert i.age_group in ("18+", "65+"), i.id
        # Current CBS terms only (herkomst), no 'niet-westerse migratieachtergrond'.
        assert "migratieachtergrond" not in (i.title + i.description).lower(), i.id
        if i.finding:
            assert i.finding.higher != i.finding.lower, i.id
    assert sum(1 for i in items if i.finding) >= 15


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "gezondheid" / "x_rate.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


BASE = ("id: x_rate\ntitle: X\ndescription: d\ntheme: gezondheid\nnumerator: a\n"
        "denominator: b\npolarity: neutral\nsources: [cbs_kwb]\n")


def test_rate_multiplier_is_checked(tmp_path: Path) -> None:
    path = _write(tmp_path, BASE + "statistic: rate\nmultiplier: 100\n")
    with pytest.raises(ConfigError) as exc:
        load_indicator(path)
    assert str(exc.value) == (f"{path}: (top level): Value error, a rate's multiplier is 1000, "
                              "10000 or 100000 (per ... inwoners)")


def test_finding_phrases_need_both_directions(tmp_path: Path) -> None:
    path = _write(tmp_path, BASE + "statistic: rate\nmultiplier: 1000\n"
                  "finding: {higher: wonen meer mensen}\n")
    with pytest.raises(ConfigError) as exc:
        load_indicator(path)
    assert str(exc.value) == f"{path}, line 11: finding.lower: required key is missing"


def test_docs_page_is_generated_and_up_to_date(tmp_path: Path, runner: CliRunner) -> None:
    out = tmp_path / "indicators.md"
    result = runner.invoke(app, ["docs", "--out", str(out)])
    assert result.exit_code == 0, result.output
    n = len(list((ROOT / "indicators").glob("*/*.yml")))
    assert f"wrote {n} indicators to {out}" in result.output
    text = out.read_text(encoding="utf-8")
    assert ("| `bijstand` | Bijstandsuitkeringen | ratio: teller / noemer × vermenigvuldiger | "
            "`a_soz_wb` / `a_inw` × 1000 | per 1.000 inwoners | lager is gunstiger | "
            "Byar, benadering van exact Poisson (95%) |") in text
    assert ("* Niveaus: gemeente, wijk, buurt, custom; bronnen: cbs_kwb; jaren: 2020, 2023; "
            "klein aantal: regio-standaard.") in text
    # The committed page is what the command writes now.
    assert (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8") == text
    assert text == markdown(load_all(ROOT / "indicators"))


@pytest.mark.slow
def test_indicators_compute_on_real_achterhoek_data(project: Path, shared_data: Path,
                                                    runner: CliRunner) -> None:
    """KWB 2023 selection + KWB 2020 parquet + RIVM 2016 and 2020 (18+ and 65+)."""
    cfg = {
        "name": "Achterhoek", "regio_name": "Achterhoek",
        "gemeenten": ["GM0197", "GM1859", "GM1876", "GM0222", "GM1955", "GM1586", "GM1509",
                      "GM0294"],
        "areas": {"levels": ["wijk"], "custom": [
            {"code": "DORP_BREDEVOORT", "name": "Bredevoort",
             "buurten": ["BU01970204", "BU01970201"]}]},
        "sources": [
            {"id": "kwb_2020", "kind": "cbs_kwb", "year": 2020, "table_id": "84799NED",
             "path": "cbs/kwb_2020_84799NED/cbs.v3.84799NED_TypedDataSet.parquet"},
            {"id": "kwb_2023", "kind": "cbs_kwb", "year": 2023, "table_id": "85618NED",
             "path": "cbs/kwb_2023_selectie_doelgemeenten.csv"},
            *[{"id": f"ggd_{y}{s}", "kind": "ggd_monitor", "year": y, "table_id": "50090NED",
               "age_group": f"{a}+",
               "path": f"rivm/gezondheid_wijk_buurt_50090NED_{y}_{a}plus.xlsx",
               **({"variable_suffix": s} if s else {})}
              for y in (2016, 2020) for a, s in (("18", ""), ("65", "_65plus"))],
        ],
        "output": {"formats": ["csv"]},
    }
    (project / "configs" / "achterhoek_h2.yml").write_text(yaml.safe_dump(cfg),
                                                           encoding="utf-8")
    result = runner.invoke(app, ["build", "--regio", "achterhoek_h2", "--format", "csv",
                                     "--data-dir", str(shared_data)])
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(project / "data" / "processed" / "achterhoek_h2.duckdb"),
                         read_only=True)
    years = {r[0]: sorted(r[1] or []) for r in con.execute(
        "SELECT indicator_id, list(DISTINCT year) FILTER (WHERE status = 'ok') "
        "FROM ind_value GROUP BY 1").fetchall()}
    computed = [i for i, y in years.items() if y]
    assert len(computed) >= 40
    for ind in load_all(project / "indicators"):
        assert years.get(ind.id, []) == ind.available_years, ind.id
    # Bredevoort = two buurten, summed: KWB 2023 a_1p_hh / a_hh.
    row = con.execute("SELECT numerator, denominator FROM ind_value WHERE area_code = "
                      "'DORP_BREDEVOORT' AND indicator_id = 'eenpersoonshuishoudens' "
                      "AND year = 2023").fetchone()
    raw = con.execute("SELECT sum(value) FILTER (WHERE variable = 'a_1p_hh'), "
                      "sum(value) FILTER (WHERE variable = 'a_hh') FROM observation "
                      "WHERE area_code IN ('BU01970204', 'BU01970201') AND year = 2023"
                      ).fetchone()
    assert row == raw == (225.0, 725.0)
    verdicts = dict(con.execute("SELECT verdict, count(*) FROM ind_trend GROUP BY 1").fetchall())
    assert verdicts["significant"] > 0 and verdicts["not_significant"] > 0
