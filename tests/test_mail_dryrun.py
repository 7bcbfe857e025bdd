"""``wijkdata mail``: the checks on recipients, session, config and headers (no build needed)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wijkdata.cli import app
from wijkdata.core.errors import ConfigError, DataError
from wijkdata.core.mail_settings import MailSettings
from wijkdata.delivery.compose import AreaFile, Composer
from wijkdata.delivery.recipients import Recipient
from wijkdata.delivery.sendlog import SendLog

SESSION = ["--regio", "demo", "--session", "2026-12-03"]


def recipients_file(project: Path, text: str) -> Path:
    path = project / "configs" / "demo" / "ontvangers.csv"
    path.write_bytes(text.encode("utf-8"))
    return path


def test_line_break_in_a_recipient_name_is_refused(project: Path, runner: CliRunner) -> None:
    path = recipients_file(project, 'naam;email;gebieden\n"Eve\r\nBcc: all@example.com";'
                                 "eve@example.org;DORP_ESVELD\n")
    result = runner.invoke(app, ["mail", *SESSION])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"error: {path}, row 2, column 'name': contains a line break or control character",
        "  hint: keep each value on one line"]
    assert not (project / "outbox").exists()


@pytest.mark.parametrize(("row", "message"), [
    ("Eve;eve@example;DORP_ESVELD", "row 2, column 'email': 'eve@example' is not an e-mail "
     "address"),
    ("Eve;eve@example.org, bob@example.org;DORP_ESVELD", "row 2, column 'email': "
     "'eve@example.org, bob@example.org' is not an e-mail address"),
    ("Eve;eve@example.org;", "row 2, column 'areas': no area codes"),
    ("Eve;eve@example.org;DORP_ESVELD WK99-01", "row 2, column 'areas': 'WK99-01' is not an "
     "area code"),
    ("Eve;eve@example.org;WK990199", "row 2, column 'areas': no profile "
     "{reports}/WK990199.pdf for area WK990199"),
])
def test_bad_recipient_rows_name_row_and_column(project: Path, runner: CliRunner, row: str,
                                                message: str) -> None:
    path = recipients_file(project, "naam;email;gebieden\n" + row + "\n")
    result = runner.invoke(app, ["mail", *SESSION])
    assert result.exit_code == 1
    expected = message.format(reports=project / "reports" / "demo")
    assert result.output.splitlines()[0] == f"error: {path}, {expected}"


def test_same_address_twice_is_refused(project: Path, runner: CliRunner) -> None:
    path = recipients_file(project, "naam;email;gebieden\nA;a@example.org;DORP_ESVELD\n"
                                 "B;b@example.org;WK990101\nA2;A@example.org;WK990102\n")
    result = runner.invoke(app, ["mail", *SESSION])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"error: {path}, row 4, column 'email': A@example.org is listed twice (also on row 2)")


def test_missing_column_and_bad_session(project: Path, runner: CliRunner) -> None:
    path = recipients_file(project, "naam,email\nA,a@example.org\n")
    result = runner.invoke(app, ["mail", *SESSION])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"error: {path}, row 1: column 'areas' is missing; found naam, email")
    bad = runner.invoke(app, ["mail", "--regio", "demo", "--session", "3-12-2026"])
    assert bad.exit_code == 2
    assert bad.output.splitlines()[0] == (
        "error: --session: '3-12-2026' is not a date; use YYYY-MM-DD, e.g. --session 2026-12-03")


def test_region_without_mail_section(project: Path, runner: CliRunner) -> None:
    cfg = project / "configs" / "demo.yml"
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text[: text.index("\nmail:")] + "\n", encoding="utf-8")
    result = runner.invoke(app, ["mail", *SESSION])
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == f"error: {cfg}: no mail: section"


def test_subject_cannot_carry_a_header(tmp_path: Path) -> None:
    """An area name with CR/LF (say from a data file) ends up on the subject's one line."""
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "t.subject.j2").write_text("Profiel {{ areas[0].name }}\n", encoding="utf-8")
    (folder / "t.txt.j2").write_text("Beste {{ recipient.name }}\n", encoding="utf-8")
    (folder / "t.html.j2").write_text("<p>Beste {{ recipient.name }}</p>\n", encoding="utf-8")
    settings = MailSettings(sender="a@example.org", recipients="x.csv", template="t")
    composer = Composer(tmp_path, settings, "Regio", "Org", date(2026, 12, 3),
                        datetime(2026, 11, 23, tzinfo=UTC))
    person = Recipient("Jan & <Piet>", "jan@example.org", ("WK990101",), "", 2)
    area = AreaFile("WK990101", "Noord\r\nBcc: all@example.com", "t", "WK990101.pdf", b"%PDF",
                    None)
    msg = composer.compose(person, [area]).message
    raw = msg.as_bytes()
    assert msg["Subject"] == "Profiel Noord Bcc: all@example.com"
    assert b"\nBcc:" not in raw and msg["Bcc"] is None
    assert msg["To"] == '"Jan & <Piet>" <jan@example.org>'
    html = msg.get_body(("html",))
    assert html is not None and html.get_content() == "<p>Beste Jan &amp; &lt;Piet&gt;</p>\n"
    with pytest.raises(ConfigError, match="mail template not found"):
        Composer(tmp_path, settings.model_copy(update={"template": "nope"}), "R", "O",
                 date(2026, 12, 3), datetime(2026, 11, 23, tzinfo=UTC))


def test_send_log_survives_a_torn_last_line_but_not_damage(tmp_path: Path) -> None:
    path = tmp_path / "demo.sendlog.jsonl"
    path.write_text('{"key": "k1", "status": "sent"}\n{"key": "k2", "status": "se',
                    encoding="utf-8")
    log = SendLog(path)
    assert log.already_sent("k1") and not log.already_sent("k2")
    log.record(key="k2", status="sent", email="b@example.org")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == '{"key": "k1", "status": "sent"}'
    assert len(lines) == 2 and '"key": "k2"' in lines[1] and '"status": "sent"' in lines[1]
    assert SendLog(path).sent == {"k1", "k2"}
    path.write_text('{"key": "k1", "status": "sent"}\nnot json\n{"key": "k3", "status": '
                    '"sent"}\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"demo.sendlog.jsonl, line 2: not a JSON record"):
        SendLog(path)
