"""Plan every message first, then write them to the outbox (dry run) or send them.

Planning reads the recipients, finds each area's PDF in the region's report folder and renders
all messages before the first one leaves: a missing profile or a template error stops the run
with nothing sent, instead of half the participants getting mail. A planned message holds its
rendered text and shares each area's PDF; its MIME form (with the PDFs base64-encoded) is
built when it is written or sent and let go after, so 10,000 recipients fit in a few hundred MB.
"""

from __future__ import annotations

import json
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
from wijkdata.core.testhooks import pause_point
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
    recipients_file = region.project_file(settings.recipients, ("mail", "recipients"))
    people = recipients_mod.load(recipients_file)
    from wijkdata.report.inputs import db_path_for

    names = _area_names(db_path_for(region))
    composer = Composer(region.project / "templates", settings, region.config.name,
                        region.config.organisation.name, session, build_timestamp())
    limit = int(settings.max_attachment_mb * 1_000_000)
    out = []
    # Each area's profile is read once, however many recipients get it.
    files: dict[str, AreaFile] = {}
    for person in people:
        areas = []
        for code in person.areas:
            if code in files:
                areas.append(files[code])
                continue
            pdf = reports / f"{code}.pdf"
            if not pdf.is_file():
                raise DataError(f"{where(recipients_file, person.row, 'areas')}: no profile "
                                f"{pdf} for area {code}",
                                hint=f"run 'wijkdata build --regio {region.slug}' (with pdf in "
                                "the formats) first, or correct the area code")
            name, level = names.get(code, (code, "wijk"))
            kind = labels.profile_word(labels.kind_of(region.config, code, level))
            link = f"{settings.link_base.rstrip('/')}/{pdf.name}" if settings.link_base else None
            files[code] = AreaFile(code, name, f"{kind} {name}", pdf.name, pdf.read_bytes(), link)
            areas.append(files[code])
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
    # A previous dry run's messages are replaced, not mixed with the new ones; only files that
    # run recorded as its own are removed (the outbox may be a folder the user also uses).
    record = outbox / OUTBOX_RECORD
    for name in _own_files(record):
        if re.fullmatch(r"\d{3,}-[a-z0-9_]+\.eml", name):  # 1000 and on have four digits
            (outbox / name).unlink(missing_ok=True)
    for i, item in enumerate(messages, start=1):
        if log.already_sent(item.key):
            summary.skipped.append(item.recipient.email)
            continue
        path = outbox / _eml_name(i, item.recipient.email)
        atomic.write_bytes(path, item.message.as_bytes())  # built here, then let go
        summary.written.append(path)
    atomic.write_text(record, json.dumps(sorted(p.name for p in summary.written), indent=0))
    return summary


OUTBOX_RECORD = ".wijkdata-outbox.json"


def _own_files(record: Path) -> list[str]:
    try:
        names = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [str(n) for n in names] if isinstance(names, list) else []


def send_all(messages: list[Composed], log: SendLog, sender: Sender, session: date,
             progress: Progress) -> Summary:
    summary = Summary()
    try:
        for n, item in enumerate(messages):
            to = item.recipient.email
            if log.already_sent(item.key):
                summary.skipped.append(to)
                continue
            message = item.message  # built here, then let go
            message_id = str(message["Message-ID"])
            if log.in_flight(item.key):
                progress(f"resending: {to}: an earlier run was stopped while sending it; it "
                         f"may arrive twice, with the same Message-ID {message_id}")
            # Recorded before the SMTP conversation: after a kill the log tells "maybe sent"
            # (this line, no "sent" line) from "never tried" (no line at all).
            log.record(session=session.isoformat(), email=to, key=item.key,
                       attachments=item.attachments, status="sending", message_id=message_id)
            try:
                sender.send(message, to)
                pause_point("sent")
            except ConnectFailure as exc:
                summary.failed.append((to, str(exc)))
                # No connection, so certainly not delivered: close the "sending" record.
                log.record(session=session.isoformat(), email=to, key=item.key,
                           attachments=item.attachments, status="failed", error=str(exc))
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
                       attachments=item.attachments, status="sent", message_id=message_id)
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
    # One sender per region and session: a second run at the same time would read the same
    # send log and mail everyone again. The lock is held until the last record is written.
    with atomic.region_lock(send_log_path(region).parent, region.slug,
                            name=f"{region.slug}.mail-{session.isoformat()}.lock",
                            what=f"'mail --send' of region '{region.slug}' for session "
                            f"{session.isoformat()}"):
        log = SendLog(send_log_path(region))  # re-read under the lock
        pause_point("mail")
        sender = Sender(settings_of(region), region.project, progress)
        return send_all(messages, log, sender, session, progress)


def check_result(summary: Summary) -> None:
    if summary.failed:
        total = (len(summary.failed) + len(summary.sent) + len(summary.skipped)
                 + len(summary.not_attempted))
        raise DeliveryError(f"{len(summary.failed)} of {total} messages failed",
                            hint="fix the addresses above or wait for the server; a re-run "
                            "sends only what has not been sent yet")
