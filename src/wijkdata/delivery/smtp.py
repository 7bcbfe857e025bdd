"""Deliver composed messages over SMTP, one envelope recipient per message.

Failures are sorted the way SMTP means them: a 4xx reply or a dropped connection is temporary
and retried with exponential back-off (reconnecting first); a 5xx reply is permanent and
reported for that recipient while the run goes on. A refused login stops the run: every further
attempt would fail the same way. The password is read from the environment at connect time and
never formatted into a message or a log line.
"""

from __future__ import annotations

import contextlib
import os
import smtplib
import ssl
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from wijkdata.core.errors import ConfigError, DeliveryError
from wijkdata.core.mail_settings import MailSettings, SmtpSettings

Progress = Callable[[str], None]


class TemporaryFailure(Exception):
    """4xx or connection trouble: worth another try."""


class ConnectFailure(TemporaryFailure):
    """The server could not be reached at all: the run stops instead of trying everyone."""


class PermanentFailure(Exception):
    """5xx: the server will not take this message; report it and go on."""


def password(settings: SmtpSettings) -> str | None:
    if settings.user is None:
        return None
    value = os.environ.get(settings.password_env)
    if not value:
        raise ConfigError(f"mail.smtp.user is set but the environment variable "
                          f"{settings.password_env} is empty",
                          hint=f"export {settings.password_env}=... before 'wijkdata mail --send' "
                          "(the password is never read from a file)")
    return value


def _context(settings: SmtpSettings, project: Path) -> ssl.SSLContext:
    cafile = str(project / settings.ca_file) if settings.ca_file else None
    if cafile and not Path(cafile).is_file():
        raise ConfigError(f"mail.smtp.ca_file: {cafile} not found")
    return ssl.create_default_context(cafile=cafile)


def _reply(code: int, text: bytes | str) -> str:
    msg = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(msg.split())}"


class Sender:
    """One SMTP connection, reopened when the server drops it."""

    def __init__(self, settings: MailSettings, project: Path, progress: Progress) -> None:
        self.settings = settings
        self.smtp_settings = settings.smtp
        self.password = password(settings.smtp)
        self.context = (_context(settings.smtp, project)
                        if settings.smtp.security != "none" else None)
        self.progress = progress
        self.conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.smtp_settings
        where = f"{s.host}:{s.port}"
        try:
            conn: smtplib.SMTP
            if s.security == "tls":
                conn = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_seconds,
                                        context=self.context)
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
                if s.security == "starttls":
                    conn.starttls(context=self.context)
            if s.user is not None and self.password is not None:
                conn.login(s.user, self.password)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"the SMTP server {where} refused the login of user '{s.user}' "
                                f"({_reply(exc.smtp_code, exc.smtp_error)})",
                                hint=f"check mail.smtp.user and ${s.password_env}") from None
        except ssl.SSLError as exc:
            raise DeliveryError(f"TLS with {where} failed: {exc.reason or exc}",
                                hint="check mail.smtp.security (starttls on 587, tls on 465) "
                                "and mail.smtp.ca_file") from None
        except smtplib.SMTPNotSupportedError:
            raise DeliveryError(f"the SMTP server {where} does not offer STARTTLS",
                                hint="set mail.smtp.security to tls (port 465) or ask the "
                                "mail administrator") from None
        except smtplib.SMTPResponseException as exc:
            if 400 <= exc.smtp_code < 500:
                raise TemporaryFailure(_reply(exc.smtp_code, exc.smtp_error)) from None
            raise DeliveryError(f"the SMTP server {where} refused the session "
                                f"({_reply(exc.smtp_code, exc.smtp_error)})") from None
        except (OSError, smtplib.SMTPException) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise ConnectFailure(f"cannot connect to {where}: {reason}") from None
        return conn

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (OSError, smtplib.SMTPException):
                self.conn.close()
            self.conn = None

    def _drop(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(OSError):
                self.conn.close()
            self.conn = None

    def _once(self, message: EmailMessage, to: str) -> None:
        if self.conn is None:
            self.conn = self._connect()
        try:
            refused = self.conn.send_message(message, from_addr=self.settings.sender,
                                             to_addrs=[to])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = exc.recipients.get(to, (550, b"recipient refused"))
            self._reset()
            if 400 <= code < 500:
                raise TemporaryFailure(_reply(code, text)) from None
            raise PermanentFailure(_reply(code, text)) from None
        except smtplib.SMTPResponseException as exc:
            self._reset()
            if 400 <= exc.smtp_code < 500:
                raise TemporaryFailure(_reply(exc.smtp_code, exc.smtp_error)) from None
            raise PermanentFailure(_reply(exc.smtp_code, exc.smtp_error)) from None
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._drop()
            raise TemporaryFailure(f"connection lost: {exc or type(exc).__name__}") from None
        if refused:  # only possible with several recipients; kept for completeness
            code, text = refused[to]
            raise PermanentFailure(_reply(code, text))

    def _reset(self) -> None:
        """After a refused command, RSET so the next message starts a clean transaction."""
        if self.conn is None:
            return
        try:
            self.conn.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()

    def send(self, message: EmailMessage, to: str) -> None:
        """Send, retrying temporary failures; raises PermanentFailure or TemporaryFailure."""
        delay = self.settings.retry_delay_seconds
        attempts = self.settings.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                self._once(message, to)
                return
            except TemporaryFailure as exc:
                if attempt == attempts:
                    raise
                self.progress(f"  {to}: {exc}; retry {attempt}/{attempts - 1} in {delay:g} s")
                time.sleep(delay)
                delay *= 2
