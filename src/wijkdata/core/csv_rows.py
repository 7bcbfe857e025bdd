"""Small CSV files typed by hand (the mail recipients, a session's vote tally): one reader.

Such a file is made in Excel or a text editor, so it may carry a BOM, use ``;`` or ``,``,
write its header in any case and end in blank lines. :func:`read_rows` reads it against a
declared header and returns its rows by declared key, each with the row a person sees in the
file (the header is row 1). Every problem names the file, the row and the column; a row with
the wrong number of cells is reported as a record (:func:`wijkdata.core.errors.report`), so a
run stops at the first and ``collecting()`` gathers them all. What a cell must hold is the
caller's to check.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import DataError, Problem, report, where


@dataclass(frozen=True)
class Layout:
    """The header a file must have."""

    columns: Mapping[str, str]  # header name (lower case) -> key, aliases included
    required: tuple[tuple[str, str], ...]  # (key, how a message names its column)
    example: str  # the header as the file should start, e.g. "onderwerp;stippen"
    hint: str  # what to do when a required column is missing


@dataclass(frozen=True)
class Row:
    row: int  # where it stands in the file, for messages
    values: dict[str, str]  # key -> the cell as written (not stripped)


def check_size(path: Path, max_bytes: int) -> None:
    """A hand-made file far beyond its usual size is most likely the wrong file."""
    if path.stat().st_size > max_bytes:
        size = (f"{max_bytes // 1_000_000} MB" if max_bytes >= 1_000_000
                else f"{max_bytes // 1000} kB")
        raise DataError(f"{path}: larger than {size}; is this the right file?")


def read_rows(path: Path, layout: Layout) -> list[Row]:
    """The file's non-blank rows by key; columns the layout does not declare are left out."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text (byte {exc.start})",
                        hint="save the file as 'CSV UTF-8' in Excel") from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in next(reader, [])]
    if not header:
        raise DataError(f"{path}: the file is empty; expected a header {layout.example}")
    keys = [layout.columns.get(h.lower(), "") for h in header]
    for key, shown in layout.required:
        if key not in keys:
            raise DataError(f"{where(path, 1)}: column '{shown}' is missing; found "
                            f"{', '.join(header)}", hint=layout.hint)
    rows = []
    for row, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            report(Problem("row-length", str(path),
                           f"{len(cells)} cells, expected {len(header)} like the header",
                           row=row))
            continue
        rows.append(Row(row, {k: c for k, c in zip(keys, cells, strict=True) if k}))
    return rows
