"""Two ``mail --send`` runs at once, and a run killed in the SMTP window (issue 14, item 3).

Real subprocesses against aiosmtpd on 127.0.0.1; a run is stopped at a known point with
``WIJKDATA_TEST_PAUSE`` (``mail``: holding the lock, before the first message; ``sent``: the
server has accepted the first message, its "sent" line is not yet written).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from typer.testing import CliRunner

from tests import test_mail_send as base
from tests.buildproc import WIJKDATA, env_for, kill, wait_paused
from tests.test_mail_send import ANNA, BRAM, CHANTAL, SESSION, Recorder, send_log, set_mail
from wijkdata.cli import app

built = base.built  # the demo build of test_mail_send.py (made once per test run)
proj = base.proj
smtp_server = base.smtp_server


def _start(proj: Path, pause: str) -> subprocess.Popen[str]:
    env = env_for(proj, pause)
    return subprocess.Popen([str(WIJKDATA), "mail", *SESSION, "--send"], cwd=proj, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def test_second_send_at_the_same_time_exits_1_naming_the_holder(
        proj: Path, runner: CliRunner, smtp_server: tuple[Recorder, int]) -> None:
    handler, port = smtp_server
    set_mail(proj, f"{{host: 127.0.0.1, port: {port}, security: none}}")
    first = _start(proj, "mail")
    try:
        wait_paused(first, "mail")
        second = runner.invoke(app, ["mail", *SESSION, "--send"])
    finally:
        kill(first)
    lock = proj / "data" / "processed" / "demo.mail-2026-12-03.lock"
    assert second.exit_code == 1
    assert (f"error: another 'mail --send' of region 'demo' for session 2026-12-03 is running "
            f"(pid {first.pid}, lock {lock})") in second.output.splitlines()
    assert handler.received == []
    # Another session is another lock; and once the holder is gone the lock is taken over.
    again = runner.invoke(app, ["mail", *SESSION, "--send"])
    assert again.exit_code == 0, again.output
    assert [to for _f, to, _d in handler.received] == [[ANNA], [BRAM], [CHANTAL]]


def test_kill_in_the_smtp_window_resends_only_the_unconfirmed_message(
        proj: Path, runner: CliRunner, smtp_server: tuple[Recorder, int]) -> None:
    handler, port = smtp_server
    set_mail(proj, f"{{host: 127.0.0.1, port: {port}, security: none}}")
    run = _start(proj, "sent")
    wait_paused(run, "sent")  # the server said 250 for ANNA; the log does not know yet
    kill(run)
    assert [(e["email"], e["status"]) for e in send_log(proj)] == [(ANNA, "sending")]
    resumed = runner.invoke(app, ["mail", *SESSION, "--send"])
    assert resumed.exit_code == 0, resumed.output
    message_id = send_log(proj)[0]["message_id"]
    assert (f"resending: {ANNA}: an earlier run was stopped while sending it; it may arrive "
            f"twice, with the same Message-ID {message_id}") in resumed.output.splitlines()
    # ANNA twice (the documented duplicate, same Message-ID), the others once.
    assert [to for _f, to, _d in handler.received] == [[ANNA], [ANNA], [BRAM], [CHANTAL]]
    ids = [m["Message-ID"] for m in (handler.messages(),)[0].values()]
    assert message_id in ids
    # A third run sends nothing: every message now has its "sent" line.
    third = runner.invoke(app, ["mail", *SESSION, "--send"])
    assert third.output.splitlines()[-1] == "sent 0, skipped 3 (already sent), failed 0"
    assert len(handler.received) == 4


def test_dry_run_removes_only_its_own_earlier_messages(proj: Path, runner: CliRunner) -> None:
    outbox = proj / "outbox" / "demo" / "2026-12-03"
    outbox.mkdir(parents=True)
    (outbox / "notities.eml").write_text("mijn eigen concept\n", encoding="utf-8")
    (outbox / "999-iemand_example_org.eml").write_text("niet van wijkdata\n", encoding="utf-8")
    for _ in range(2):  # the second run replaces the first run's files
        result = runner.invoke(app, ["mail", *SESSION])
        assert result.exit_code == 0, result.output
    assert sorted(p.name for p in outbox.iterdir()) == [
        ".wijkdata-outbox.json", "001-huisarts_esveld_example_org.eml",
        "002-wijkverpleging_example_org.eml", "003-sociaalwijkteam_example_org.eml",
        "999-iemand_example_org.eml", "notities.eml"]
    assert (outbox / "notities.eml").read_text(encoding="utf-8") == "mijn eigen concept\n"
