"""``wijkdata mail`` against a real SMTP server (aiosmtpd on 127.0.0.1) without TLS.

The demo region is built once per module (PDFs of the four areas named in
configs/demo/ontvangers.csv) and copied for each test: every test has its own send log and outbox.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import hashlib
import json
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from typer.testing import CliRunner

from wijkdata.cli import app

ROOT = Path(__file__).resolve().parents[1]
EPOCH = "1795392000"  # 23 November 2026, 00:00 UTC
AREAS = ["DORP_ESVELD", "WK990101", "WK990102", "DORP_HOLTERHOEK"]
SESSION = ["--regio", "demo", "--session", "2026-12-03"]
OUTBOX = Path("outbox") / "demo" / "2026-12-03"
ANNA, BRAM, CHANTAL = ("huisarts.esveld@example.org", "wijkverpleging@example.org",
                       "sociaalwijkteam@example.org")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per test run: test_mail_tls.py reuses the folder this makes."""
    proj = tmp_path_factory.getbasetemp() / "mail-demo-build" / "project"
    if (proj / "reports" / "demo" / "DORP_HOLTERHOEK.pdf").is_file():
        return proj
    shutil.rmtree(proj.parent, ignore_errors=True)
    proj.mkdir(parents=True)
    for name in ("configs", "indicators", "templates", "assets"):
        shutil.copytree(ROOT / name, proj / name)
    shutil.copytree(ROOT / "data" / "demo", proj / "data" / "demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WIJKDATA_HOME", str(proj))
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        mp.chdir(proj)
        args = ["build", "--regio", "demo", "--format", "pdf"]
        for code in AREAS:
            args += ["--area", code]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
    return proj


@pytest.fixture
def proj(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    dest = tmp_path / "project"
    shutil.copytree(built, dest)
    monkeypatch.setenv("WIJKDATA_HOME", str(dest))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.delenv("WIJKDATA_SMTP_PASSWORD", raising=False)
    monkeypatch.chdir(dest)
    return dest


class Recorder:
    """aiosmtpd handler: keeps every accepted message; can refuse or drop on request."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.reject: set[str] = set()        # 550 at RCPT: permanent
        self.busy: set[str] = set()          # 451 at RCPT: temporary, every time
        self.drop_once: set[str] = set()     # close the connection at DATA, once

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.reject:
            return "550 5.1.1 Mailbox unavailable"
        if address in self.busy:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        to = envelope.rcpt_tos[0]
        if to in self.drop_once:
            self.drop_once.discard(to)
            server.transport.close()  # the client sees the connection vanish mid-message
            return "421 4.4.2 Connection dropped"
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 Message accepted"

    def messages(self) -> dict[str, EmailMessage]:
        return {rcpt[0]: email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[misc]
                for _frm, rcpt, data in self.received}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Recorder, int]]:
    handler = Recorder()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def set_mail(proj: Path, smtp: str, retries: int = 2, extra: str = "") -> None:
    """Point the demo config's mail: section at the test server, with short retry delays."""
    cfg = proj / "configs" / "demo.yml"
    text = cfg.read_text(encoding="utf-8")
    text = text[: text.index("\nmail:")] + (
        "\nmail:\n  sender: gezondindewijk@example.org\n"
        "  sender_name: Stichting Gezond in de Wijk (demo)\n"
        "  recipients: configs/demo/ontvangers.csv\n"
        f"  retries: {retries}\n  retry_delay_seconds: 0.01\n  smtp: {smtp}\n{extra}")
    cfg.write_text(text, encoding="utf-8")


def send_log(proj: Path) -> list[dict[str, Any]]:
    path = proj / "data" / "processed" / "demo.sendlog.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def attachments(msg: EmailMessage) -> list[tuple[str, int]]:
    return [(str(p.get_filename()), len(p.get_content())) for p in msg.iter_attachments()]


def test_dry_run_is_the_default_and_writes_one_eml_per_recipient(
        proj: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["mail", *SESSION])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "3 messages planned from ontvangers.csv",
        f"dry run: wrote 3 messages to {OUTBOX} (0 already sent); nothing was sent, "
        "add --send to send"]
    names = sorted(p.name for p in (proj / OUTBOX).glob("*.eml"))
    assert names == ["001-huisarts_esveld_example_org.eml", "002-wijkverpleging_example_org.eml",
                     "003-sociaalwijkteam_example_org.eml"]
    raw = (proj / OUTBOX / names[2]).read_bytes()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    assert msg["To"] == "Chantal Bakker <sociaalwijkteam@example.org>"
    assert msg["Subject"] == "Dorpsprofiel Holterhoek voor de bijeenkomst van 3 december 2026"
    pdf = proj / "reports" / "demo" / "DORP_HOLTERHOEK.pdf"
    assert [(p.get_filename(), p.get_content()) for p in msg.iter_attachments()] == [
        ("DORP_HOLTERHOEK.pdf", pdf.read_bytes())]
    # A dry run never touches the send log: a later --send still sends everything.
    assert not (proj / "data" / "processed" / "demo.sendlog.jsonl").exists()
    # Run again: the same files, byte for byte (SOURCE_DATE_EPOCH fixes the Date header).
    again = runner.invoke(app, ["mail", *SESSION])
    assert again.exit_code == 0
    assert (proj / OUTBOX / names[2]).read_bytes() == raw


def test_links_instead_of_attachments_and_the_size_limit(proj: Path, runner: CliRunner) -> None:
    smtp = "{host: 127.0.0.1, port: 25, security: none}"
    set_mail(proj, smtp, extra="  attach: link\n  link_base: https://example.org/profielen/\n")
    result = runner.invoke(app, ["mail", *SESSION])
    assert result.exit_code == 0, result.output
    msg = email.message_from_bytes(
        (proj / OUTBOX / "001-huisarts_esveld_example_org.eml").read_bytes(),
        policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    assert list(msg.iter_attachments()) == []
    body = msg.get_body(("plain",))
    assert body is not None
    assert ("- Dorpsprofiel Esveld (DORP_ESVELD): "
            "https://example.org/profielen/DORP_ESVELD.pdf\n") in body.get_content()
    html = msg.get_body(("html",))
    assert html is not None
    assert ('<li><a href="https://example.org/profielen/DORP_ESVELD.pdf">Dorpsprofiel Esveld</a>'
            " (DORP_ESVELD)</li>") in html.get_content()
    set_mail(proj, smtp, extra="  max_attachment_mb: 0.1\n")
    too_big = runner.invoke(app, ["mail", *SESSION])
    assert too_big.exit_code == 1
    size = (proj / "reports" / "demo" / "DORP_ESVELD.pdf").stat().st_size
    assert size > 100_000  # so Anna's one profile is already over the limit
    recipients = proj / "configs" / "demo" / "ontvangers.csv"
    assert too_big.output.splitlines() == [
        f"error: {recipients}, row 2, column 'areas': the profiles for "
        f"huisarts.esveld@example.org total {size / 1_000_000:.1f} MB, over "
        "mail.max_attachment_mb 0.1",
        "  hint: split the areas over sessions, or set mail.attach: link with mail.link_base"]


def test_send_delivers_one_message_per_recipient(proj: Path, runner: CliRunner,
                                                 smtp_server: tuple[Recorder, int]) -> None:
    handler, port = smtp_server
    set_mail(proj, f"{{host: 127.0.0.1, port: {port}, security: none}}")
    result = runner.invoke(app, ["mail", *SESSION, "--send"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "sent 3, skipped 0 (already sent), failed 0"
    assert [(frm, to) for frm, to, _ in handler.received] == [
        ("gezondindewijk@example.org", [ANNA]), ("gezondindewijk@example.org", [BRAM]),
        ("gezondindewijk@example.org", [CHANTAL])]
    msgs = handler.messages()
    bram = msgs[BRAM]
    assert bram["From"] == '"Stichting Gezond in de Wijk (demo)" <gezondindewijk@example.org>'
    assert bram["To"] == "Bram Jansen <wijkverpleging@example.org>"
    assert bram["Cc"] is None and bram["Bcc"] is None
    assert bram["Subject"] == "2 profielen voor de bijeenkomst van 3 december 2026"
    assert bram["Date"] == "Mon, 23 Nov 2026 00:00:00 +0000"
    reports = proj / "reports" / "demo"
    assert attachments(bram) == [
        ("WK990101.pdf", (reports / "WK990101.pdf").stat().st_size),
        ("WK990102.pdf", (reports / "WK990102.pdf").stat().st_size)]
    pdf = next(bram.iter_attachments())
    assert pdf.get_content() == (reports / "WK990101.pdf").read_bytes()
    assert pdf.get_content_type() == "application/pdf"
    assert msgs[ANNA]["Subject"] == "Dorpsprofiel Esveld voor de bijeenkomst van 3 december 2026"
    assert attachments(msgs[ANNA]) == [
        ("DORP_ESVELD.pdf", (reports / "DORP_ESVELD.pdf").stat().st_size)]
    body = msgs[ANNA].get_body(("plain",))
    assert body is not None
    text = body.get_content().replace("\r\n", "\n")
    assert text.startswith("Beste Anna de Vries,\n\nOp 3 december 2026 bespreken we")
    kb = ((reports / "DORP_ESVELD.pdf").stat().st_size + 1023) // 1024
    assert f"- Dorpsprofiel Esveld (DORP_ESVELD): DORP_ESVELD.pdf, {kb} kB\n" in text
    html = msgs[ANNA].get_body(("html",))
    assert html is not None and "<strong>3 december 2026</strong>" in html.get_content()
    log = send_log(proj)
    # Each message is recorded as "sending" before the SMTP conversation, "sent" after it.
    assert [(e["email"], e["status"], e["session"]) for e in log] == [
        (who, status, "2026-12-03") for who in (ANNA, BRAM, CHANTAL)
        for status in ("sending", "sent")]
    assert [e["message_id"] for e in log][::2] == [e["message_id"] for e in log][1::2]
    assert log[3]["attachments"] == {
        "WK990101.pdf": hashlib.sha256(
            (reports / "WK990101.pdf").read_bytes()).hexdigest(),
        "WK990102.pdf": hashlib.sha256(
            (reports / "WK990102.pdf").read_bytes()).hexdigest()}


def test_second_run_sends_nothing_twice_and_a_new_pdf_goes_out(
        proj: Path, runner: CliRunner, smtp_server: tuple[Recorder, int]) -> None:
    handler, port = smtp_server
    set_mail(proj, f"{{host: 127.0.0.1, port: {port}, security: none}}")
    assert runner.invoke(app, ["mail", *SESSION, "--send"]).exit_code == 0
    again = runner.invoke(app, ["mail", *SESSION, "--send"])
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[-1] == "sent 0, skipped 3 (already sent), failed 0"
    assert len(handler.received) == 3
    # A rebuilt profile has a new hash: that one recipient gets the new version, nobody else.
    pdf = proj / "reports" / "demo" / "DORP_HOLTERHOEK.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n% rebuilt\n")
    third = runner.invoke(app, ["mail", *SESSION, "--send"])
    assert third.output.splitlines()[-1] == "sent 1, skipped 2 (already sent), failed 0"
    assert [to for _f, to, _d in handler.received] == [[ANNA], [BRAM], [CHANTAL], [CHANTAL]]


def test_rejected_recipient_is_reported_and_the_rest_is_sent(
        proj: Path, runner: CliRunner, smtp_server: tuple[Recorder, int]) -> None:
    handler, port = smtp_server
    handler.reject.add(BRAM)
    set_mail(proj, f"{{host: 127.0.0.1, port: {port}, security: none}}")
    result = runner.invoke(app, ["mail", *SESSION, "--send"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "failed: wijkverpleging@example.org: 550 5.1.1 Mailbox unavailable" in lines
    assert "sent 2, skipped 0 (already sent), failed 1" in lines
    assert "error: 1 of 3 messages failed" in lines
    assert [to for _f, to, _d in handler.received] == [[ANNA], [CHANTAL]]
    assert [(e["email"], e["status"]) for e in send_log(proj)] == [
        (ANNA, "sending"), (ANNA, "sent"), (BRAM, "sending"), (BRAM, "failed"),
        (CHANTAL, "sending"), (CHANTAL, "sent")]


def test_temporary_failures_are_retried_then_a_rerun_resumes(
        proj: Path, runner: CliRunner, smtp_server: tuple[Recorder, int]) -> None:
    handler, port = smtp_server
    handler.busy.add(CHANTAL)
    set_mail(proj, f"{{host: 127.0.0.1, port: {port}, security: none}}")
    first = runner.invoke(app, ["mail", *SESSION, "--send"])
    assert first.exit_code == 1
    assert ("  sociaalwijkteam@example.org: 451 4.3.0 Try again later; retry 1/2 in 0.01 s"
            in first.output.splitlines())
    assert ("failed: sociaalwijkteam@example.org: 451 4.3.0 Try again later "
            "(temporary; re-run to retry)") in first.output.splitlines()
    assert len(handler.received) == 2
    handler.busy.clear()  # the server recovers: the re-run sends only what is missing
    second = runner.invoke(app, ["mail", *SESSION, "--send"])
    assert second.exit_code == 0, second.output
    assert second.output.splitlines()[-1] == "sent 1, skipped 2 (already sent), failed 0"
    assert [to for _f, to, _d in handler.received] == [[ANNA], [BRAM], [CHANTAL]]


def test_dropped_connection_mid_run_reconnects_and_delivers_once(
        proj: Path, runner: CliRunner, smtp_server: tuple[Recorder, int]) -> None:
    handler, port = smtp_server
    handler.drop_once.add(BRAM)
    set_mail(proj, f"{{host: 127.0.0.1, port: {port}, security: none}}")
    result = runner.invoke(app, ["mail", *SESSION, "--send"])
    assert result.exit_code == 0, result.output
    assert any(line.startswith("  wijkverpleging@example.org: connection lost")
               and line.endswith("retry 1/2 in 0.01 s") for line in result.output.splitlines())
    assert [to for _f, to, _d in handler.received] == [[ANNA], [BRAM], [CHANTAL]]
    assert result.output.splitlines()[-1] == "sent 3, skipped 0 (already sent), failed 0"


def test_unreachable_server_stops_the_run_and_sends_nothing(
        proj: Path, runner: CliRunner) -> None:
    port = free_port()  # nothing listens here
    set_mail(proj, f"{{host: 127.0.0.1, port: {port}, security: none}}", retries=0)
    result = runner.invoke(app, ["mail", *SESSION, "--send"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (f"failed: huisarts.esveld@example.org: cannot connect to 127.0.0.1:{port}: "
            "Connection refused; stopping (re-run to resume)") in lines
    assert "sent 0, skipped 0 (already sent), failed 1, not attempted 2" in lines
    assert [(e["email"], e["status"]) for e in send_log(proj)] == [
        (ANNA, "sending"), (ANNA, "failed")]  # recorded, and certainly not delivered


class Stalling(Recorder):
    """Holds the DATA of one recipient until released, and then refuses it temporarily."""

    def __init__(self, stall: str) -> None:
        super().__init__()
        self.stall = stall
        self.waiting = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if envelope.rcpt_tos[0] == self.stall and not self.release.is_set():
            self.waiting.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            return "451 4.3.0 Interrupted"
        return await super().handle_DATA(server, session, envelope)


def test_a_killed_run_resumes_where_it_stopped(proj: Path, runner: CliRunner) -> None:
    """SIGKILL in the middle of the second message; the re-run sends the second and third."""
    handler, port = Stalling(BRAM), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        set_mail(proj, f"{{host: 127.0.0.1, port: {port}, security: none}}")
        exe = Path(sys.executable).with_name("wijkdata")
        proc = subprocess.Popen([str(exe), "mail", *SESSION, "--send"], cwd=proj,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert handler.waiting.wait(60), "the run never reached the second message"
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        handler.release.set()
        assert [to for _f, to, _d in handler.received] == [[ANNA]]
        # Killed in the middle of BRAM's message: recorded as being sent, not as sent.
        assert [(e["email"], e["status"]) for e in send_log(proj)] == [
            (ANNA, "sending"), (ANNA, "sent"), (BRAM, "sending")]
        resumed = runner.invoke(app, ["mail", *SESSION, "--send"])
    finally:
        controller.stop()
    assert resumed.exit_code == 0, resumed.output
    assert resumed.output.splitlines()[-1] == "sent 2, skipped 1 (already sent), failed 0"
    assert [to for _f, to, _d in handler.received] == [[ANNA], [BRAM], [CHANTAL]]
