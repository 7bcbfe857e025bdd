"""Typed errors. Every user mistake becomes one of these and never a traceback.

The exit code travels with the error so the CLI needs no mapping table:
1 = the data (or a delivery) is wrong, 2 = the usage or configuration is wrong.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

VALUE_LIMIT = 200  # characters of an offending value kept in a problem record
SOURCE_ERROR = "source-error"  # the file as a whole could not be read (not one cell)
MISSING_FILE = "missing-file"
# Records whose message is whole prose that names its location already.
_PROSE = {SOURCE_ERROR, MISSING_FILE}


class WijkdataError(Exception):
    """Base class: a problem the user can fix, with a message that says how."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None,
                 problem: Problem | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.problem = problem  # the record behind the message, when a reader made one

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class DataError(WijkdataError):
    """A data file is missing, malformed or inconsistent (exit 1)."""

    exit_code = 1


class DeliveryError(WijkdataError):
    """Sending mail or downloading failed (exit 1)."""

    exit_code = 1


class ConfigError(WijkdataError):
    """A configuration, indicator definition or command-line usage problem (exit 2)."""

    exit_code = 2


class LockedError(WijkdataError):
    """Another run holds the lock for this region (exit 1: try again later)."""

    exit_code = 1


def where(path: Path | str, row: int | None = None, column: str | None = None) -> str:
    """Format a location the way every message names it: ``file, row 12, column 'a_inw'``."""
    parts = [str(path)]
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column '{column}'")
    return ", ".join(parts)


@dataclass(frozen=True)
class Problem:
    """One problem in one source file, as a record (the way frictionless reports them).

    ``code`` is a stable machine name (``type-error``, ``invalid-area-code`` ...); ``row`` is
    the line (CSV) or row (spreadsheet) in the file as a person counts it, title rows included.
    """

    code: str
    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    hint: str | None = None

    def __post_init__(self) -> None:
        if self.value is not None and len(self.value) > VALUE_LIMIT:
            object.__setattr__(self, "value", self.value[:VALUE_LIMIT])

    def text(self) -> str:
        """The message as a build prints it (hint not included)."""
        if self.code in _PROSE:
            return self.message
        return f"{where(self.file, self.row, self.column)}: {self.message}"

    def full_text(self) -> str:
        return self.text() if not self.hint else f"{self.text()}\n  hint: {self.hint}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(cls, exc: WijkdataError, file: Path | str) -> Problem:
        """The record of an error raised without one (a problem with the file as a whole)."""
        if exc.problem is not None:
            return exc.problem
        return cls(SOURCE_ERROR, str(file), exc.message, hint=exc.hint)


# Where report() puts problems; None (the default) means "raise the first one".
_SINK: ContextVar[list[Problem] | None] = ContextVar("wijkdata_problems", default=None)


def report(problem: Problem) -> None:
    """A reader found a problem: a build stops at it, ``wijkdata check`` collects them all."""
    sink = _SINK.get()
    if sink is None:
        raise DataError(problem.text(), hint=problem.hint, problem=problem)
    sink.append(problem)


@contextmanager
def collecting() -> Iterator[list[Problem]]:
    """Within this block report() collects problems instead of raising the first."""
    found: list[Problem] = []
    token = _SINK.set(found)
    try:
        yield found
    finally:
        _SINK.reset(token)
