"""A CSV data file as a frame of text columns: its encoding, title rows and separator.

The bytes go to polars as read whenever the file is UTF-8, the usual case and the only large
one (a national KWB table of hundreds of megabytes): decoding it into a Python string, splitting
that into lines and joining them again held four copies of the file in memory at once.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from wijkdata.core.errors import DataError, shown
from wijkdata.core.source_kinds import TableOptions

from . import scope

# Which of a file's (stripped) column names holds the area code, or None.
CodeColumn = Callable[[list[str]], str | None]

NEWLINE = b"\n"
_CHECK_SLICE = 1 << 24  # bytes decoded at a time to check UTF-8; the text is not kept


def _is_utf8(raw: bytes) -> bool:
    """Whether ``raw`` is UTF-8, checked in slices so no decoded copy of the file is kept."""
    check = codecs.getincrementaldecoder("utf-8")()
    try:
        for at in range(0, len(raw), _CHECK_SLICE):
            check.decode(raw[at:at + _CHECK_SLICE], final=at + _CHECK_SLICE >= len(raw))
    except UnicodeDecodeError:
        return False
    return True


def utf8_bytes(path: Path, declared: str | None) -> tuple[bytes, str]:
    """Return (the file as UTF-8 bytes without BOM, the encoding found).

    UTF-8 (with or without BOM) unless it fails, then cp1252; UTF-16 when it starts with a
    byte order mark; ``declared`` (the source's ``encoding:``) when given.
    """
    raw = path.read_bytes()
    if declared:
        try:
            return raw.decode(declared).encode("utf-8"), declared
        except UnicodeDecodeError as exc:
            raise DataError(
                f"{path}: not valid {declared} text (line "
                f"{raw.count(NEWLINE, 0, exc.start) + 1}, byte {exc.start})",
                hint="remove 'encoding:' from the source to detect it",
            ) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" is UTF-16
        try:
            return raw.decode("utf-16").encode("utf-8"), "utf-16"
        except UnicodeDecodeError as exc:
            raise DataError(f"{path}: starts like UTF-16 text but is not valid UTF-16 "
                            f"(byte {exc.start})", hint="save it again as CSV UTF-8") from None
    if raw[:4096].count(b"\x00") * 3 > len(raw[:4096]):
        # Every other byte zero: UTF-16 without its byte order mark, which cannot be told
        # apart reliably from binary data; name it rather than guess.
        raise DataError(f"{path}: looks like UTF-16 text without a byte order mark",
                        hint="save it as CSV UTF-8 (or UTF-16 with BOM)")
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
        if not _is_utf8(raw):
            raise DataError(f"{path}: starts like UTF-8 text (byte order mark) but is not "
                            "valid UTF-8", hint="save it again as CSV UTF-8")
        return raw, "utf-8-sig"
    if _is_utf8(raw):
        return raw, "utf-8"
    # Excel on Windows saves "CSV" as cp1252; latin-1 is its subset for letters.
    return raw.decode("cp1252", errors="replace").encode("utf-8"), "cp1252"


def decode(path: Path, declared: str | None) -> tuple[str, str]:
    """Return (text, encoding found), as :func:`utf8_bytes` reads the file."""
    data, encoding = utf8_bytes(path, declared)
    return data.decode("utf-8"), encoding


def sniff_separator(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (";", ",", "\t", "|")}
    return max(counts, key=lambda s: counts[s]) if any(counts.values()) else ";"


def _end_without_blank_lines(data: bytes) -> int:
    """Where the file ends once blank lines at its end are left off (they are no rows)."""
    end = len(data)
    while end > 0:
        newline = data.rfind(NEWLINE, 0, end)
        if data[newline + 1:end].strip():
            break
        end = max(newline, 0)
    return end


def _after_lines(data: bytes, count: int, end: int) -> int:
    """Where the line after the first ``count`` lines starts (title rows above the header).

    Lines end at "\\n" only: U+2028, U+0085 and form feeds do not end a row here (they are
    refused by name later), as they would if the text were split with str.splitlines().
    """
    start = 0
    for _ in range(count):
        newline = data.find(NEWLINE, start, end)
        if newline < 0:
            return end
        start = newline + 1
    return start


def read_csv(path: Path, source: TableOptions, code_column: CodeColumn | None = None
             ) -> tuple[pl.DataFrame, int]:
    """The file's rows as text columns, under a header found after ``skip_rows`` title rows,
    and the number of data rows in the file.

    With ``code_column`` (which column of these stripped header names holds the area code)
    and inside :func:`.scope.reading_for`, only the region's rows are kept, as the file is
    read, with their file row in the column ``scope.ROW``: a national table never stands in
    memory whole.
    """
    data, _encoding = utf8_bytes(path, source.encoding)
    end = _end_without_blank_lines(data)
    first_newline = data.find(NEWLINE, 0, end)
    first_line = data[:first_newline if first_newline >= 0 else end]
    if end == 0 or not first_line.strip():
        raise DataError(f"{path}: the file is empty")
    start = _after_lines(data, source.skip_rows, end)
    header_end = data.find(NEWLINE, start, end)
    header = data[start:header_end if header_end >= 0 else end].decode("utf-8")
    sep = source.separator or sniff_separator(header)
    try:
        names = [n.strip() for n in next(csv.reader([header.rstrip("\r")], delimiter=sep))]
    except csv.Error:  # a stray carriage return or NUL: polars and check_text name it
        names = []
    for i, name in enumerate(names):
        if name in names[:i]:  # before polars, which would rename the second one silently
            raise DataError(
                f"{path}: column name '{shown(name)}' appears twice in the header "
                f"(columns {names.index(name) + 1} and {i + 1})",
                hint="give every column its own name")
    if source.separator and source.separator not in header:
        found = sniff_separator(header)
        raise DataError(
            f"{path}: the header has no '{sep}' although the source says separator: '{sep}'; "
            f"it looks '{found}'-separated",
            hint=f"set separator: '{found}' on source '{source.id}', or remove 'separator:' "
            "to detect it",
        )
    # polars reads one final newline as the end of the last row; only a file with title rows
    # or blank lines at its end is cut (one copy).
    body = data if start == 0 and data[end:] in (b"", NEWLINE) else data[start:end]
    del data
    options: dict[str, Any] = {
        "separator": sep, "infer_schema": False, "has_header": True, "quote_char": '"',
        "empty_string_is_null": False, "truncate_ragged_lines": False}
    try:
        filtered = _region_rows(body, options, source.skip_rows + 2, code_column)
        df, rows = filtered or (pl.read_csv(body, **options), None)
    except (pl.exceptions.PolarsError, OSError) as exc:  # OSError: polars sniffs compression
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise DataError(f"{path}: cannot read as '{sep}'-separated CSV ({first})") from None
    if df.width == 1 and source.separator is None:
        raise DataError(
            f"{path}: found a single column; expected ';'-separated CSV",
            hint="set 'separator:' on the source if the file uses another separator",
        )
    return df, df.height if rows is None else rows


def _region_rows(body: bytes, options: dict[str, Any], first_row: int,
                 code_column: CodeColumn | None) -> tuple[pl.DataFrame, int] | None:
    """The region's rows of a CSV, filtered by polars' streaming engine as it reads, and the
    number of rows in the file; None when no region is set or no code column is found."""
    if code_column is None or not scope.active():
        return None
    lazy = pl.scan_csv(body, **options)
    names = lazy.collect_schema().names()
    stripped = [n.strip() for n in names]
    found = code_column(stripped) if len(set(stripped)) == len(stripped) else None
    if found is None:
        return None
    rows = int(lazy.select(pl.len()).collect().item())
    kept = (lazy.with_row_index(scope.ROW, offset=first_row)
            .filter(scope.keep_expr(names[stripped.index(found)]))
            .collect(engine="streaming"))
    return kept, rows
