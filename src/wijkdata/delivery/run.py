"""Plan every message first, then write them to the outbox (dry run) or send them.

Planning reads the recipients, finds each area's PDF in the region's report folder and renders
all messages before the first one leaves: a missing profile or a template error stops the run
with nothing sent, instead of half the participants getting mail.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from wijkdata.core import atomic
from wijkdata.core.clock import build_timestamp
from wijkdata.core.config import Region
from wijkdata.core.errors import ConfigError, DataError, DeliveryError, where
from wijkdata.core.mail_settings import MailSettings
from wijkdata.report import labels

from . import recipients as recipients_mod
from .compose import AreaFile, Composed, Composer
from .sendlog import SendLog
from .smtp import ConnectFailure, PermanentFailure, Sender, TemporaryFailure

Progress = Callable[[str], None]


@dataclass
class Summary:
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    not_attempted: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    def line(self) -> str:
        text = f"sent {len(self.sent)}, skipped {len(self.skipped)} (already sent), " \
               f"failed {len(self.failed)}"
        if self.not_attempted:
            text += f", not attempted {len(self.not_attempted)}"
        return text


def settings_of(region: Region) -> MailSettings:
    if region.config.mail is None:
        raise ConfigError(f"{region.path}: no mail: section",
                          hint="add mail: {sender: ..., recipients: configs/<regio>/"
                          "ontvangers.csv, smtp: {host: ..., port: ...}}; see docs/delivery.md")
    return region.config.mail


def parse_session(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--session: '{text}' is not a date; use YYYY-MM-DD, "
                          "e.g. --session 2026-12-03") from None


def send_log_path(region: Region) -> Path:
    return region.project / "data" / "processed" / f"{region.slug}.sendlog.jsonl"


def _area_names(db_path: Path) -> dict[str, tuple[str, str]]:
    if not db_path.exists():
        return {}
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.execute("SELECT code, name, level FROM area").fetchall()
    finally:
        con.close()
    return {str(c): (str(n), str(lv)) for c, n, lv in rows}


def plan(region: Region, session: date, reports: Path, progress: Progress) -> list[Composed]:
    settings = settings_of(region)
    recipients_file = region.project / settings.recipients
    people = recipients_mod.load(recipients_file)
    from wijkdata.report.inputs import db_path_for

    names = _area_names(db_path_for(region))
    composer = Composer(region.project / "templates", settings, region.config.name,
                        region.config.organisation.name, session, build_timestamp())
    limit = int(settings.max_attachment_mb * 1_000_000)
    out = []
    for person in people:
        areas = []
        for code in person.areas:
            pdf = reports / f"{code}.pdf"
            if not pdf.is_file():
                raise DataError(f"{where(recipients_file, person.row, 'areas')}: no profile "
                                f"{pdf} for area {code}",
                                hint=f"run 'wijkdata build --regio {region.slug}' (with pdf in "
                                "the formats) first, or correct the area code")
            name, level = names.get(code, (code, "wijk"))
            kind = labels.profile_word(labels.kind_of(region.config, code, level))
            link = f"{settings.link_base.rstrip('/')}/{pdf.name}" if settings.link_base else None
            areas.append(AreaFile(code, name, f"{kind} {name}", pdf.name, pdf.read_bytes(), link))
        if settings.attach == "link" and settings.link_base is None:
            raise ConfigError(f"{region.path}: mail.attach is 'link' but mail.link_base is "
                              "not set", hint="set mail.link_base: https://... (where the "
                              "reports are published)")
        total = sum(len(a.data) for a in areas)
        if settings.attach == "pdf" and total > limit:
            raise DataError(f"{where(recipients_file, person.row, 'areas')}: the profiles for "
                            f"{person.email} total {total / 1_000_000:.1f} MB, over "
                            f"mail.max_attachment_mb {settings.max_attachment_mb:g}",
                            hint="split the areas over sessions, or set mail.attach: link "
                            "with mail.link_base")
        out.append(composer.compose(person, areas))
    progress(f"{len(out)} messages planned from {recipients_file.name}")
    return out


def _eml_name(index: int, email: str) -> str:
    return f"{index:03d}-{re.sub(r'[^a-z0-9]+', '_', email.lower()).strip('_')}.eml"


def dry_run(messages: list[Composed], log: SendLog, outbox: Path) -> Summary:
    """Write each message that would be sent as an .eml file for review; send nothing."""
    summary = Summary()
    outbox.mkdir(parents=True, exist_ok=True)
    for old in outbox.glob("*.eml"):  # a previous dry run of this session: replace, not mix
        old.unlink()
    for i, item in enumerate(messages, start=1):
        if log.already_sent(item.key):
            summary.skipped.append(item.recipient.email)
            continue
        path = outbox / _eml_name(i, item.recipient.email)
        atomic.write_bytes(path, item.message.as_bytes())
        summary.written.append(path)
    return summary


def send_all(messages: list[Composed], log: SendLog, sender: Sender, session: date,
             progress: Progress) -> Summary:
    summary = Summary()
    try:
        for n, item in enumerate(messages):
            to = item.recipient.email
            if log.already_sent(item.key):
                summary.skipped.append(to)
                continue
            try:
                sender.send(item.message, to)
            except ConnectFailure as exc:
                summary.failed.append((to, str(exc)))
                summary.not_attempted = [m.recipient.email for m in messages[n + 1:]
                                         if not log.already_sent(m.key)]
                progress(f"failed: {to}: {exc}; stopping (re-run to resume)")
                break
            except (PermanentFailure, TemporaryFailure) as exc:
                # Either way this recipient failed and the run goes on; only the advice differs.
                summary.failed.append((to, str(exc)))
                log.record(session=session.isoformat(), email=to, key=item.key,
                           attachments=item.attachments, status="failed", error=str(exc))
                advice = "" if isinstance(exc, PermanentFailure) else \
                    " (temporary; re-run to retry)"
                progress(f"failed: {to}: {exc}{advice}")
                continue
            log.record(session=session.isoformat(), email=to, key=item.key,
                       attachments=item.attachments, status="sent",
                       message_id=str(item.message["Message-ID"]))
            summary.sent.append(to)
            progress(f"sent: {to}")
    finally:
        sender.close()
    return summary


def mail(region: Region, session: date, *, send: bool, reports: Path, outbox: Path,
         progress: Progress) -> Summary:
    messages = plan(region, session, reports, progress)
    log = SendLog(send_log_path(region))
    if not send:
        return dry_run(messages, log, outbox)
    sender = Sender(settings_of(region), region.project, progress)
    summary = send_all(messages, log, sender, session, progress)
    return summary


def check_result(summary: Summary) -> None:
    if summary.failed:
        total = (len(summary.failed) + len(summary.sent) + len(summary.skipped)
                 + len(summary.not_attempted))
        raise DeliveryError(f"{len(summary.failed)} of {total} messages failed",
                            hint="fix the addresses above or wait for the server; a re-run "
                            "sends only what has not been sent yet")
