"""User mistakes around the dialogue cycle: clear messages, the right exit codes, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from wijkdata.cli import app
from wijkdata.core.errors import ConfigError
from wijkdata.dialogue.practices import SHARED_FILE, load_practices
from wijkdata.indicators.definitions import load_all

ROOT = Path(__file__).resolve().parents[1]


def test_session_before_any_build(project: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["session", "--regio", "demo", "--area", "DORP_ESVELD",
                                 "--date", "2026-11-23"])
    assert result.exit_code == 1
    db = project / "data" / "processed" / "demo.duckdb"
    assert result.output == (f"error: no processed data for region 'demo' ({db} is missing)\n"
                             "  hint: run 'wijkdata build --regio demo' first\n")
    assert not (project / "reports").exists()


def test_session_date_must_be_iso(project: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["session", "--regio", "demo", "--area", "DORP_ESVELD",
                                 "--date", "23-11-2026"])
    assert result.exit_code == 2
    assert result.output == "error: --date: expected a date like 2026-11-23, got '23-11-2026'\n"


def test_dialogue_theme_typo_in_region_config(project: Path, runner: CliRunner) -> None:
    cfg = project / "configs" / "demo.yml"
    text = cfg.read_text(encoding="utf-8").rstrip("\n") + "\n"
    cfg.write_text(text + "dialogue:\n  per_theme:\n    gezond: [\"Wat valt op?\"]\n",
                   encoding="utf-8")
    line = text.count("\n") + 3  # the line of "gezond:", where the mapping starts
    result = runner.invoke(app, ["session", "--regio", "demo", "--area", "DORP_ESVELD",
                                 "--date", "2026-11-23"])
    assert result.exit_code == 2
    assert result.output == (
        f"error: {cfg}, line {line}: dialogue.per_theme: Value error, unknown theme 'gezond'; "
        "themes: demografie, sociaal_economisch, zorg, gezondheid, leefomgeving\n")


def test_bad_partner_row_warns_and_unknown_speerpunt_indicator_stops(
        project: Path, runner: CliRunner) -> None:
    net = project / "configs" / "demo" / "netwerk" / "DORP_HOLTERHOEK.yml"
    net.write_text(net.read_text(encoding="utf-8").replace(
        "phone: 0543-333100", "phone: 0543-33310"), encoding="utf-8")
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html",
                                 "--area", "DORP_HOLTERHOEK"])
    assert result.exit_code == 0, result.output
    assert (f"warning: {net}, line 3 (partner 1), field 'phone': expected a Dutch phone number "
            "like 0543-123456, 06-12345678 or +31 543 123456, got '0543-33310'; "
            "this row is skipped\n") in result.output
    html = (project / "reports" / "demo" / "DORP_HOLTERHOEK.html").read_text(encoding="utf-8")
    # The other two partners still load.
    assert "Dorpsraad Holterhoek" in html and "Gezondheidscentrum Holterhoek" not in html

    result = runner.invoke(app, ["session", "--regio", "demo", "--area", "DORP_NERGENS",
                                 "--date", "2026-11-23"])
    assert result.exit_code == 1
    assert result.output.startswith(
        "error: area code DORP_NERGENS is not in the data of region 'demo'\n")

    rec = project / "configs" / "demo" / "sessies" / "DORP_HOLTERHOEK-2026-11-23.yml"
    rec.write_text("area: DORP_HOLTERHOEK\ndate: 2026-11-23\npriorities:\n"
                   "  - title: Gezond gewicht\n    indicators: [overgewicht, obesitas]\n",
                   encoding="utf-8")
    before = html
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html",
                                 "--area", "DORP_HOLTERHOEK"])
    assert result.exit_code == 2
    assert result.output.endswith(
        f"error: {rec}, line 5: priorities.0.indicators: unknown indicator 'obesitas'; "
        "'wijkdata indicators' lists them\n")
    # The failed build left the previous profile as it was.
    assert (project / "reports" / "demo" / "DORP_HOLTERHOEK.html").read_text(
        encoding="utf-8") == before


def test_good_practices_list_is_valid_and_typos_are_caught(tmp_path: Path) -> None:
    ids = {i.id for i in load_all(ROOT / "indicators")}
    items = load_practices(ROOT / SHARED_FILE, ids)
    assert len(items) >= 5 and all(p.url.startswith("https://") for p in items)
    bad = tmp_path / "goede_praktijken.yml"
    bad.write_text("practices:\n  - title: X\n    theme: gezondheid\n    indicators: [obesitas]\n"
                   "    summary: Y\n    source: Z\n    url: https://example.org/\n",
                   encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_practices(bad, ids)
    assert exc.value.message == (f"{bad}, line 4: practices.0.indicators: unknown indicator "
                                 "'obesitas'")


def test_session_for_an_area_of_a_level_the_build_did_not_compare(
        project: Path, runner: CliRunner) -> None:
    """Only the profiled levels are compared: a kit for a gemeente of a region that profiles
    wijken and buurten would show no comparisons, so it is refused, saying how to get them."""
    built = runner.invoke(app, ["build", "--regio", "demo", "--format", "html", "--area",
                                "DORP_ESVELD"])
    assert built.exit_code == 0, built.output
    session = ["session", "--regio", "demo", "--area", "GM9901", "--date", "2026-11-23"]
    result = runner.invoke(app, session)
    assert result.exit_code == 1
    assert result.output == (
        "error: GM9901 is a gemeente, and the last build of region 'demo' compared no gemeente "
        "areas (areas.levels: wijk, buurt)\n"
        "  hint: add gemeente to areas.levels in demo.yml and build again, or build this "
        "area: wijkdata build --regio demo --area GM9901\n")
    assert not (project / "reports" / "demo" / "sessies").exists()
    # The hint's build compares the gemeente too; then the kit is made.
    again = runner.invoke(app, ["build", "--regio", "demo", "--format", "html", "--area",
                                "GM9901"])
    assert again.exit_code == 0, again.output
    assert runner.invoke(app, session).exit_code == 0
    assert (project / "reports" / "demo" / "sessies" / "2026-11-23-GM9901"
            / "handout.pdf").is_file()
