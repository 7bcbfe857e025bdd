"""Build one :class:`email.message.EmailMessage` per recipient from the Dutch mail templates.

``templates/mail/<name>.subject.j2``, ``<name>.txt.j2`` and ``<name>.html.j2``: the HTML part is
autoescaped, all three use StrictUndefined so a typo fails before anything is sent.

Header safety comes from three layers: recipient names with control characters are refused when
the file is read (recipients.py), the rendered subject is collapsed to one line here, and
addresses go through :class:`email.headerregistry.Address`, which quotes display names and
refuses line breaks. Each message has exactly one address in To: and no Cc or Bcc.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from functools import cached_property
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

from wijkdata.core.errors import ConfigError
from wijkdata.core.mail_settings import MailSettings
from wijkdata.report.formatting import long_date

from .recipients import Recipient

CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class AreaFile:
    """One area's profile as it goes into a message: attached, or linked."""

    code: str
    name: str
    title: str
    filename: str
    data: bytes
    link: str | None

    @cached_property  # one AreaFile per area serves every recipient of it (run.plan)
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size_kb(self) -> int:
        return (len(self.data) + 1023) // 1024


@dataclass(frozen=True)
class Composed:
    """One recipient's message, rendered (so a template error shows before anything leaves)
    but built into MIME with its attachments only when :attr:`message` is asked for.

    A run plans every message first; holding them built, each with its PDFs base64-encoded,
    took gigabytes for 10,000 recipients. Built again on each use, byte for byte the same.
    """

    recipient: Recipient
    key: str  # session + address + attachment hashes: what the send log remembers
    attachments: dict[str, str]  # file name -> sha256
    subject: str
    text: str
    html: str
    areas: tuple[AreaFile, ...]
    composer: Composer

    @property
    def message(self) -> EmailMessage:
        return self.composer.build(self)


class Composer:
    def __init__(self, templates: Path, settings: MailSettings, region_name: str,
                 organisation: str, session: date, stamp: datetime) -> None:
        folder = templates / "mail"
        self.names = {part: f"{settings.template}.{part}.j2" for part in ("subject", "txt", "html")}
        missing = [n for n in self.names.values() if not (folder / n).is_file()]
        if missing:
            raise ConfigError(f"mail template not found: {folder / missing[0]}",
                              hint="mail.template names the files <name>.subject.j2, "
                              "<name>.txt.j2 and <name>.html.j2 in templates/mail/")
        loader = FileSystemLoader(str(folder))
        # Plain text and the subject are not HTML: escaping would put &amp; into a mail.
        self.text_env = Environment(loader=loader, undefined=StrictUndefined,
                                    autoescape=False,  # noqa: S701
                                    keep_trailing_newline=True)
        self.html_env = Environment(loader=loader, undefined=StrictUndefined, autoescape=True,
                                    keep_trailing_newline=True)
        self.settings = settings
        self.region_name = region_name
        self.organisation = organisation
        self.session = session
        self.stamp = stamp

    def _render(self, env: Environment, part: str, params: dict[str, object]) -> str:
        try:
            return env.get_template(self.names[part]).render(**params)
        except TemplateError as exc:
            raise ConfigError(f"template error in mail/{self.names[part]}: {exc}") from None

    def compose(self, recipient: Recipient, areas: list[AreaFile]) -> Composed:
        s = self.settings
        attach = s.attach == "pdf"
        params: dict[str, object] = {
            "recipient": recipient, "areas": areas, "attach": attach,
            "session_date": long_date(self.session), "session_iso": self.session.isoformat(),
            "region_name": self.region_name, "organisation": self.organisation,
            "sender_name": s.sender_name,
        }
        subject = CONTROL.sub(" ", self._render(self.text_env, "subject", params)).strip()
        text = self._render(self.text_env, "txt", params)
        html = self._render(self.html_env, "html", params)
        hashes = {a.filename: a.sha256 for a in areas}
        key = hashlib.sha256("\n".join(
            [self.session.isoformat(), recipient.email.lower()]
            + [f"{n}={h}" for n, h in sorted(hashes.items())]).encode()).hexdigest()
        return Composed(recipient, key, hashes, subject, text, html, tuple(areas), self)

    def build(self, item: Composed) -> EmailMessage:
        """The MIME message of ``item``, with its attachments."""
        s, recipient, key = self.settings, item.recipient, item.key
        msg = EmailMessage()
        domain = s.sender.rsplit("@", 1)[1]
        msg["From"] = Address(display_name=s.sender_name, addr_spec=s.sender)
        msg["To"] = Address(display_name=recipient.name, addr_spec=recipient.email)
        if s.reply_to:
            msg["Reply-To"] = Address(addr_spec=s.reply_to)
        msg["Subject"] = item.subject
        msg["Date"] = format_datetime(self.stamp)
        # Derived from the log key: a resent copy of the same message has the same id, which
        # lets mail clients and servers recognise a duplicate.
        msg["Message-ID"] = f"<{key[:32]}@{domain}>"
        msg["Content-Language"] = "nl"
        msg.set_content(item.text)
        msg.add_alternative(item.html, subtype="html")
        if s.attach == "pdf":
            for a in item.areas:
                msg.add_attachment(a.data, maintype="application", subtype="pdf",
                                   filename=a.filename)
        # Fixed MIME boundaries (the library picks random ones): a dry run of the same inputs
        # writes the same bytes, so two outboxes can be compared with diff.
        for i, part in enumerate(msg.walk()):
            if part.is_multipart():
                part.set_boundary(f"=_wijkdata_{key[:24]}_{i}")
        return msg
