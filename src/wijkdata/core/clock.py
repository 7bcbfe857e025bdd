"""The build's notion of "now": ``SOURCE_DATE_EPOCH`` when set, so output is reproducible."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime


def build_timestamp() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC).replace(microsecond=0)


def build_date() -> date:
    return build_timestamp().date()


@contextlib.contextmanager
def pinned(epoch: str | None) -> Iterator[None]:
    """Use ``epoch`` as the build clock inside the block, unless SOURCE_DATE_EPOCH is set.

    Through the environment, so spawned render and print workers see it too: every part of a
    sharded build renders with the clock of the ``prepare`` that made its database, and so do
    the runners that start after midnight.
    """
    if os.environ.get("SOURCE_DATE_EPOCH") or not epoch or not epoch.isdigit():
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
