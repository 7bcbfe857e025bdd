"""The append-only send log: one JSON line per delivery attempt outcome.

A message counts as sent when a ``"sent"`` line with its key exists. The key covers the session
date, the recipient's address and the hash of every attachment, so a re-run skips what already
went out, an interrupted run resumes with the rest, and a *changed* profile (new build, new hash)
is sent again on purpose. Each line is flushed and fsynced before the next message is sent, so a
killed run loses at most the record of the one message in flight.
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
            if entry.get("status") == "sent":
                self.sent.add(str(entry.get("key")))

    def already_sent(self, key: str) -> bool:
        return key in self.sent

    def record(self, **entry: Any) -> None:
        entry = {"at": datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), **entry}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._drop_torn_tail()
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
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
