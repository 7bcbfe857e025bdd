"""``wijkdata mail`` over TLS: STARTTLS with a login, and TLS from the first byte.

The certificates come from trustme (a throw-away CA made in the test); the client must trust it
only through ``mail.smtp.ca_file``, and refuse the server without it.
"""

from __future__ import annotations

import shutil
import ssl
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from typer.testing import CliRunner

from wijkdata.cli import app

from . import test_mail_send as base
from .test_mail_send import ANNA, BRAM, CHANTAL, SESSION, Recorder, free_port, set_mail

built = base.built  # the same demo build as test_mail_send.py (made once per test run)
proj = base.proj


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ssl.SSLContext]:
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    folder = tmp_path_factory.mktemp("tls")
    ca_pem = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_pem))
    return ca_pem, server_ctx


def _check_login(server: Any, session: Any, envelope: Any, mechanism: str,
                 auth_data: Any) -> AuthResult:
    def text(value: str | bytes) -> str:
        return value.decode() if isinstance(value, bytes) else value

    ok = (isinstance(auth_data, LoginPassword) and text(auth_data.login) == "wijkdata"
          and text(auth_data.password) == "s3cret-Pa55")
    return AuthResult(success=ok, handled=False)


def test_starttls_with_login_and_password_from_the_environment(
        proj: Path, runner: CliRunner, tls_files: tuple[Path, ssl.SSLContext],
        monkeypatch: pytest.MonkeyPatch) -> None:
    ca_pem, server_ctx = tls_files
    shutil.copy(ca_pem, proj / "ca.pem")
    handler, port = Recorder(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=server_ctx,
                            require_starttls=True, auth_required=True,
                            authenticator=_check_login)
    controller.start()
    try:
        set_mail(proj, f"{{host: 127.0.0.1, port: {port}, security: starttls, "
                       "user: wijkdata, ca_file: ca.pem}")
        missing = runner.invoke(app, ["mail", *SESSION, "--send"])
        assert missing.exit_code == 2
        assert ("error: mail.smtp.user is set but the environment variable "
                "WIJKDATA_SMTP_PASSWORD is empty") in missing.output
        monkeypatch.setenv("WIJKDATA_SMTP_PASSWORD", "wrong")
        wrong = runner.invoke(app, ["mail", *SESSION, "--send"])
        assert wrong.exit_code == 1
        assert ("error: the SMTP server 127.0.0.1:" + str(port) + " refused the login of user "
                "'wijkdata' (535 5.7.8 Authentication credentials invalid)") in wrong.output
        monkeypatch.setenv("WIJKDATA_SMTP_PASSWORD", "s3cret-Pa55")
        result = runner.invoke(app, ["mail", *SESSION, "--send"])
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert [to for _f, to, _d in handler.received] == [[ANNA], [BRAM], [CHANTAL]]
    log_text = (proj / "data" / "processed" / "demo.sendlog.jsonl").read_text(encoding="utf-8")
    for text in (result.output, wrong.output, log_text):
        assert "s3cret-Pa55" not in text and "wrong" not in text


def test_implicit_tls(proj: Path, runner: CliRunner,
                      tls_files: tuple[Path, ssl.SSLContext]) -> None:
    ca_pem, server_ctx = tls_files
    shutil.copy(ca_pem, proj / "ca.pem")
    handler, port = Recorder(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=server_ctx)
    controller.start()
    try:
        set_mail(proj, f"{{host: 127.0.0.1, port: {port}, security: tls, ca_file: ca.pem}}")
        result = runner.invoke(app, ["mail", *SESSION, "--send"])
        # Without the organisation's CA the certificate must be refused, never accepted.
        set_mail(proj, f"{{host: 127.0.0.1, port: {port}, security: tls}}")
        untrusted = runner.invoke(app, ["mail", "--regio", "demo", "--session", "2026-12-04",
                                        "--send"])
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert [to for _f, to, _d in handler.received] == [[ANNA], [BRAM], [CHANTAL]]
    assert untrusted.exit_code == 1
    assert f"error: TLS with 127.0.0.1:{port} failed: CERTIFICATE_VERIFY_FAILED" \
        in untrusted.output
