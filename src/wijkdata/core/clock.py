"""The build's notion of "now": ``SOURCE_DATE_EPOCH`` when set, so output is reproducible."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime


def build_timestamp() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC).replace(microsecond=0)


def build_date() -> date:
    return build_timestamp().date()
