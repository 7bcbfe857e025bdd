"""Typed errors. Every user mistake becomes one of these and never a traceback.

The exit code travels with the error so the CLI needs no mapping table:
1 = the data (or a delivery) is wrong, 2 = the usage or configuration is wrong.
"""

from __future__ import annotations

from pathlib import Path


class WijkdataError(Exception):
    """Base class: a problem the user can fix, with a message that says how."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

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
