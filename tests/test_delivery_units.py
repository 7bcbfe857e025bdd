"""delivery.smtp.Sender and the small parts of delivery.run, against aiosmtpd on 127.0.0.1."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.test_mail_send import Recorder, free_port
from wijkdata.core.config import Region, RegionConfig
from wijkdata.core.errors import ConfigError
from wijkdata.core.mail_settings import MailSettings
from wijkdata.delivery.run import Summary, parse_session, send_log_path, settings_of
from wijkdata.delivery.smtp import ConnectFailure, PermanentFailure, Sender, TemporaryFailure


def _settings(port: int, retries: int = 1) -> MailSettings:
    return MailSettings(sender="wijkdata@ggd.nl", recipients="r.csv", retries=retries,
                        retry_delay_seconds=0,
                        smtp={"host": "127.0.0.1", "port": port, "security": "none"})


def _message(to: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "wijkdata@ggd.nl", to, "Profiel"
    msg.set_content("Beste lezer,")
    return msg


def test_sender_delivers_retries_and_classifies_failures(tmp_path: Path) -> None:
    from aiosmtpd.controller import Controller

    handler = Recorder()
    handler.reject.add("weg@ggd.nl")
    handler.busy.add("druk@ggd.nl")
    handler.drop_once.add("wankel@ggd.nl")
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    said: list[str] = []
    sender = Sender(_settings(port), tmp_path, said.append)
    try:
        sender.send(_message("piet@ggd.nl"), "piet@ggd.nl")
        with pytest.raises(PermanentFailure) as perm:
            sender.send(_message("weg@ggd.nl"), "weg@ggd.nl")
        assert str(perm.value) == "550 5.1.1 Mailbox unavailable"
        with pytest.raises(TemporaryFailure) as temp:
            sender.send(_message("druk@ggd.nl"), "druk@ggd.nl")
        assert str(temp.value) == "451 4.3.0 Try again later"
        sender.send(_message("wankel@ggd.nl"), "wankel@ggd.nl")  # reconnects, then delivers
    finally:
        sender.close()
        controller.stop()
    assert [rcpt for _frm, rcpt, _data in handler.received] == [["piet@ggd.nl"],
                                                                ["wankel@ggd.nl"]]
    assert said[0] == "  druk@ggd.nl: 451 4.3.0 Try again later; retry 1/1 in 0 s"
    assert said[1].startswith("  wankel@ggd.nl: connection lost")
    assert said[1].endswith("; retry 1/1 in 0 s")


def test_unreachable_server_is_a_connect_failure(tmp_path: Path) -> None:
    port = free_port()  # nothing listens here
    sender = Sender(_settings(port, retries=0), tmp_path, lambda _m: None)
    with pytest.raises(ConnectFailure) as err:
        sender.send(_message("piet@ggd.nl"), "piet@ggd.nl")
    assert str(err.value) == f"cannot connect to 127.0.0.1:{port}: Connection refused"


def test_run_helpers(tmp_path: Path) -> None:
    cfg = RegionConfig.model_validate({
        "name": "T", "gemeenten": ["GM0197"],
        "sources": [{"id": "kwb", "kind": "cbs_kwb", "path": "kwb.csv", "year": 2023}]})
    region = Region(slug="t", path=tmp_path / "t.yml", config=cfg, project=tmp_path)
    with pytest.raises(ConfigError) as err:
        settings_of(region)
    assert err.value.message == f"{tmp_path / 't.yml'}: no mail: section"
    assert send_log_path(region) == tmp_path / "data" / "processed" / "t.sendlog.jsonl"
    assert parse_session("2026-12-03").isoformat() == "2026-12-03"
    with pytest.raises(ConfigError) as bad:
        parse_session("3 december")
    assert bad.value.message == ("--session: '3 december' is not a date; use YYYY-MM-DD, "
                                 "e.g. --session 2026-12-03")
    summary = Summary(sent=["a"], skipped=["b", "c"], failed=[("d", "550")],
                      not_attempted=["e"])
    assert summary.line() == ("sent 1, skipped 2 (already sent), failed 1, "
                              "not attempted 1")
