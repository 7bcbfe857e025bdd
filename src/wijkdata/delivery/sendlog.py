"""The append-only send log: one JSON line per delivery attempt outcome.

A message counts as sent when a ``"sent"`` line with its key exists. The key covers the session
date, the recipient's address and the hash of every attachment, so a re-run skips what already
went out, an interrupted run resumes with the rest, and a *changed* profile (new build, new hash)
is sent again on purpose. Every message gets a ``"sending"`` line (with its Message-ID) before the
SMTP conversation and a ``"sent"`` or ``"failed"`` line after it, each flushed and fsynced. A run
killed in between leaves a ``"sending"`` line alone: the re-run sends that message again (it may
then arrive twice, with the same Message-ID) and never one that has a ``"sent"`` line.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wijkdata.core.errors import DataError


class SendLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.sent: set[str] = set()
        self.last: dict[str, str] = {}  # key -> status of its latest line
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        for line_no, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                # A run killed mid-write can leave half a last line; anything else is damage.
                if line_no == len(lines):
                    continue
                raise DataError(f"{path}, line {line_no}: not a JSON record",
                                hint="the send log is written by wijkdata only; restore it "
                                "from a backup rather than editing it") from None
            status, key = str(entry.get("status")), str(entry.get("key"))
            self.last[key] = status
            if status == "sent":
                self.sent.add(key)

    def already_sent(self, key: str) -> bool:
        return key in self.sent

    def in_flight(self, key: str) -> bool:
        """An earlier run recorded this message as being sent and never saw it through."""
        return self.last.get(key) == "sending" and key not in self.sent

    def record(self, **entry: Any) -> None:
        entry = {"at": datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), **entry}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._drop_torn_tail()
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        self.last[str(entry["key"])] = str(entry.get("status"))
        if entry.get("status") == "sent":
            self.sent.add(str(entry["key"]))

    def _drop_torn_tail(self) -> None:
        """Cut a half-written last line (left by a killed run) before appending.

        The fragment never was a record, so nothing is lost; left in place it would end up in
        the middle of the file, where it is indistinguishable from damage.
        """
        if not self.path.exists():
            return
        with self.path.open("rb+") as fh:
            data = fh.read()
            if data and not data.endswith(b"\n"):
                fh.truncate(data.rfind(b"\n") + 1)
