"""Priority voting: the tally file, the ranking, the session record and the next profile."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from wijkdata.cli import app
from wijkdata.core.errors import DataError
from wijkdata.dialogue import votes
from wijkdata.dialogue.votes import BallotItem

ITEMS = [BallotItem("demografie", "Bevolking en huishoudens", "thema", "", ("inwoners",)),
         BallotItem("gezondheid", "Gezondheid en leefstijl", "thema", "", ("roken",)),
         BallotItem("zorg", "Zorg en ondersteuning", "thema", "", ("mantelzorg",)),
         BallotItem("bijstand", "Bijstandsuitkeringen", "indicator", "", ("bijstand",))]


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "stemmen.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_tally_ranks_by_dots_then_sheet_order_and_keeps_ties(tmp_path: Path) -> None:
    path = _csv(tmp_path, "onderwerp;stippen\nbijstand;4\nzorg;4\ngezondheid;7\n"
                          "demografie;0\n")
    dots = votes.read_votes(path, ITEMS)
    assert dots == {"bijstand": 4, "zorg": 4, "gezondheid": 7, "demografie": 0}
    tally = [(i.code, n) for i, n in votes.ranked(ITEMS, dots)]
    # 7 first; zorg and bijstand tie at 4 -> sheet order (zorg is line 3, bijstand line 4);
    # a line without dots is no candidate.
    assert tally == [("gezondheid", 7), ("zorg", 4), ("bijstand", 4)]
    assert [i.code for i, _ in votes.chosen(votes.ranked(ITEMS, dots), 2)] == [
        "gezondheid", "zorg", "bijstand"]  # the tie at place 2 is kept
    assert [i.code for i, _ in votes.chosen(votes.ranked(ITEMS, dots), 1)] == ["gezondheid"]
    # 15 dots are fine for 5 participants (at most 15), not for 4 (at most 12).
    votes.check_total(path, dots, 5)
    with pytest.raises(DataError) as err:
        votes.check_total(path, dots, 4)
    assert err.value.message == (f"{path}, column 'stippen': 15 dots in all, but 4 "
                                 "participants place at most 12")


@pytest.mark.parametrize(("text", "message"), [
    ("onderwerp;stippen\nroken;2\n",
     "{p}, row 2, column 'onderwerp': 'roken' is not a line of the voting sheet"),
    ("onderwerp;stippen\nzorg;2\nbijstand;drie\n",
     "{p}, row 3, column 'stippen': expected a whole number of dots (0 or more), got 'drie'"),
    ("onderwerp;stippen\nzorg;-1\n",
     "{p}, row 2, column 'stippen': expected a whole number of dots (0 or more), got '-1'"),
    ("onderwerp;stippen\nzorg;2\n\nzorg;1\n",
     "{p}, row 4, column 'onderwerp': 'zorg' is counted twice (also on row 2)"),
    ("onderwerp;aantal\nzorg;2\n",
     "{p}, row 1: column 'stippen' is missing; found onderwerp, aantal"),
    ("onderwerp;stippen\nzorg;2;extra\n", "{p}, row 2: 3 cells, expected 2 like the header"),
    ("", "{p}: the file is empty; expected a header onderwerp;stippen"),
])
def test_bad_tally_rows_name_file_row_and_column(tmp_path: Path, text: str,
                                                 message: str) -> None:
    path = _csv(tmp_path, text)
    with pytest.raises(DataError) as err:
        votes.read_votes(path, ITEMS)
    assert err.value.message == message.format(p=path)


def test_record_from_votes_and_the_next_profile(project: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html",
                                 "--area", "DORP_HOLTERHOEK"])
    assert result.exit_code == 0, result.output
    tally = project / "stemmen.csv"
    # Holterhoek's sheet: its five themes (no indicator of Holterhoek is flagged worse).
    tally.write_text("onderwerp;stippen;titel\ndemografie;2;x\nsociaal_economisch;0;x\n"
                     "zorg;6;x\ngezondheid;6;x\nleefomgeving;4;x\n", encoding="utf-8")
    args = ["session", "record", "--regio", "demo", "--area", "DORP_HOLTERHOEK",
            "--date", "2026-11-20", "--votes", str(tally)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    path = project / "configs" / "demo" / "sessies" / "DORP_HOLTERHOEK-2026-11-20.yml"
    rec = yaml.safe_load(path.read_text(encoding="utf-8"))
    # zorg and gezondheid tie at 6 (sheet order: zorg first), then leefomgeving 4 = top 3.
    assert [(p["title"], p["votes"]) for p in rec["priorities"]] == [
        ("Zorg en ondersteuning", 6), ("Gezondheid en leefstijl", 6),
        ("Wonen en leefomgeving", 4)]
    assert [(v["subject"], v["dots"]) for v in rec["votes"]] == [
        ("demografie", 2), ("sociaal_economisch", 0), ("zorg", 6), ("gezondheid", 6),
        ("leefomgeving", 4)]
    assert ("18 dots on 4 lines; speerpunten: Zorg en ondersteuning (6), Gezondheid en "
            "leefstijl (6), Wonen en leefomgeving (4)") in result.output
    result = runner.invoke(app, ["build", "--regio", "demo", "--format", "html",
                                 "--area", "DORP_HOLTERHOEK"])
    assert result.exit_code == 0, result.output
    html = (project / "reports" / "demo" / "DORP_HOLTERHOEK.html").read_text(encoding="utf-8")
    assert ("<h3>Zorg en ondersteuning <span class=\"desc\">gekozen op 20 november 2026 · "
            "6 stippen</span></h3>") in html
    assert ("plakte drie stippen bij de onderwerpen die hij of zij het belangrijkst vond: Zorg en "
            "ondersteuning 6, Gezondheid en leefstijl 6, Wonen en leefomgeving 4, Bevolking en "
            "huishoudens 2.</p>") in html
    # A bad row: exit 1, the message names file, row and column, nothing is written.
    before = path.read_text(encoding="utf-8")
    tally.write_text("onderwerp;stippen\nzorg;veel\n", encoding="utf-8")
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert result.output == (f"error: {tally}, row 2, column 'stippen': expected a whole "
                             "number of dots (0 or more), got 'veel'\n")
    assert path.read_text(encoding="utf-8") == before


def test_session_without_options_is_a_usage_error(project: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["session", "--regio", "demo"])
    assert result.exit_code == 2
    assert result.output == ("error: missing option --area, --date\n"
                             "  hint: wijkdata session --regio demo --area DORP_ESVELD "
                             "--date 2026-11-23\n")
