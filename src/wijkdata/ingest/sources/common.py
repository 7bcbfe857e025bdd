"""What every source kind shares: reading a table as text, and turning CBS text into numbers.

Statistics files are read with every cell as text, because the meaning of a cell is in its text:
``.`` is "secret or unreliable" (CBS/RIVM), an empty cell is "missing" or "cannot occur", ``1,5``
is one and a half. Parsing happens once, here, vectorised.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from wijkdata.core.errors import DataError, Problem, report, shown, where
from wijkdata.core.source_kinds import TableOptions

from .csv_file import CodeColumn, read_csv
from .scope import ROW

# Status values kept next to every number (DESIGN: stg_* tables).
OK = "ok"
MISSING = "missing"
SUPPRESSED = "suppressed_by_source"
NOT_APPLICABLE = "not_applicable"

OBS_SCHEMA = {
    "area_code": pl.String,
    "year": pl.Int32,
    "variable": pl.String,
    "value": pl.Float64,
    "status": pl.String,
}
AREA_SCHEMA = {"code": pl.String, "name": pl.String}


@dataclass
class Loaded:
    """A source after reading: long observations, area names, and what was noticed."""

    observations: pl.DataFrame
    areas: pl.DataFrame
    raw: pl.DataFrame
    notes: list[str] = field(default_factory=list)
    geometry: pl.DataFrame | None = None  # code, level, geojson (boundaries only)
    lookups: pl.DataFrame | None = None  # gemeente_code, regio_code, regio_name
    rows_read: int | None = None  # the file's rows, when ``raw`` holds the region's only
    # Every area is of a type that is no profile level (a provincie table), and a note says so.
    other_region_type: bool = False

    @property
    def rows(self) -> int:
        return self.raw.height if self.rows_read is None else self.rows_read


def empty_observations() -> pl.DataFrame:
    return pl.DataFrame(schema=OBS_SCHEMA)


def read_table(path: Path, source: TableOptions, *,
               expect: list[str] | None = None) -> pl.DataFrame:
    """Read csv/xlsx/parquet as a frame of text columns with stripped header names."""
    return read_table_rows(path, source, expect=expect)[0]


def read_table_rows(path: Path, source: TableOptions, *, expect: list[str] | None = None,
                    code_column: CodeColumn | None = None) -> tuple[pl.DataFrame, int]:
    """:func:`read_table`, and the number of data rows in the file.

    A CSV read inside :func:`.scope.reading_for` with ``code_column`` holds the region's rows
    only, each with its file row in the column ``scope.ROW`` (see ``csv_file.read_csv``).
    """
    if not path.exists():
        raise DataError(
            f"data file not found: {path} (source '{source.id}')",
            hint="run 'wijkdata fetch' or pass --data-dir pointing at the folder that holds it",
        )
    fmt = source.suffix_format
    rows: int | None = None
    if path.is_dir() or fmt == "odata":
        df = _read_odata_pages(path)
    elif fmt == "csv":
        df, rows = read_csv(path, source, code_column)
    elif fmt == "xlsx":
        df = _read_xlsx(path, source)
    elif fmt == "parquet":
        df = pl.read_parquet(path)
        df = df.with_columns(pl.all().cast(pl.String))
    else:
        raise DataError(f"{path}: format '{fmt}' is not a table format for source '{source.id}'")
    stripped = [c.strip() for c in df.columns]
    for i, name in enumerate(stripped):
        if name in stripped[:i]:
            raise DataError(
                f"{path}: column name '{name}' appears twice in the header "
                f"(columns {stripped.index(name) + 1} and {i + 1})",
                hint="give every column its own name",
            )
    df = df.rename(dict(zip(df.columns, stripped, strict=True)))
    check_text(df, path, first_row=source.skip_rows + 2)
    rows = df.height if rows is None else rows
    if rows == 0:
        raise DataError(f"{path}: no data rows (header only)")
    if expect:
        missing = [c for c in expect if c not in df.columns]
        if missing:
            raise DataError(
                f"{path}: required column '{missing[0]}' not found",
                hint=f"columns present: {', '.join(df.columns[:12])}"
                + (" ..." if len(df.columns) > 12 else ""),
            )
    return df, rows


# C0 controls but tab/newline/return, DEL, C1 NEL and the Unicode line/paragraph separators:
# invisible in a spreadsheet, and they break lines, PDFs and mail headers further on.
CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f\u2028\u2029]"


def check_text(df: pl.DataFrame, path: Path, first_row: int) -> None:
    """Refuse control characters in the header or any cell, naming row, column and character.

    ``first_row`` is the file row of the frame's first data row (header row + 1).
    """
    for name in df.columns:
        bad = re.search(CONTROL, name)
        if bad:
            raise DataError(f"{path}: the header holds control character "
                            f"U+{ord(bad.group()):04X} in column name '{shown(name)}'")
    for name in df.columns:
        col = df[name]
        if col.dtype != pl.String:
            continue
        hits = col.str.contains(CONTROL).fill_null(False)
        if hits.any():
            i = int(hits.arg_true()[0])
            value = str(col[i])
            char = re.search(CONTROL, value)
            assert char is not None
            row = int(df[ROW][i]) if ROW in df.columns else i + first_row
            raise DataError(
                f"{where(path, row=row, column=name)}: control character "
                f"U+{ord(char.group()):04X} in '{shown(value)}'; names must be plain text",
                hint="remove it (it is invisible in most editors) and save the file again")
def _read_odata_pages(path: Path) -> pl.DataFrame:
    """A folder of saved OData v3 pages (``wijkdata fetch``) as a frame of text columns.

    Values become text exactly as the table readers expect from a CSV: typed numbers print as
    Python prints them, JSON null becomes an empty cell (missing), untyped text stays as is.
    """
    from .cbs_odata import load_page, page_files  # cbs_odata imports this module

    rows: list[dict] = []
    for page in page_files(path):
        rows += load_page(page)["value"]
    if not rows:
        raise DataError(f"{path}: the saved API pages hold no rows")
    keys = [k for k in rows[0] if k != "ID" and not k.startswith("odata.")]
    for i, row in enumerate(rows, start=1):
        if [k for k in row if k != "ID" and not k.startswith("odata.")] != keys:
            raise DataError(f"{path}: row {i} has other keys than row 1")
    return pl.DataFrame({k: [None if r[k] is None else str(r[k]) for r in rows] for k in keys},
                        schema=dict.fromkeys(keys, pl.String))


XLSX_MAX_UNPACKED = 1_000_000_000  # bytes, all parts together
XLSX_MAX_RATIO = 200  # real sheets pack 5-20 times; zeros pack 1000 times


def check_xlsx_size(path: Path) -> None:
    """Refuse a workbook that would unpack far beyond what a statistics table needs.

    An .xlsx is a zip archive: a few kilobytes can unpack to gigabytes (a decompression
    bomb). The sizes are read from the archive's directory before anything is unpacked.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataError(f"{path}: not an .xlsx workbook ({exc})") from None
    total = sum(p.file_size for p in parts)
    if total > XLSX_MAX_UNPACKED:
        raise DataError(f"{path}: the workbook would unpack to {total:,} bytes, more than "
                        f"the limit of {XLSX_MAX_UNPACKED:,}", hint="save the table as CSV")
    for part in parts:
        if part.file_size > 10_000_000 and part.file_size > XLSX_MAX_RATIO * part.compress_size:
            raise DataError(f"{path}: {shown(part.filename)} would unpack to "
                            f"{part.file_size:,} bytes, more than {XLSX_MAX_RATIO} times its "
                            "packed size; refused as a likely decompression bomb",
                            hint="save the table again from Excel, or as CSV")


def _read_xlsx(path: Path, source: TableOptions) -> pl.DataFrame:
    check_xlsx_size(path)
    try:
        return pl.read_excel(
            path,
            sheet_name=source.sheet,
            engine="calamine",
            infer_schema_length=0,
            read_options={"header_row": source.skip_rows},
        ).with_columns(pl.all().cast(pl.String))
    except Exception as exc:  # fastexcel raises its own types per failure
        raise DataError(f"{path}: cannot read the workbook ({type(exc).__name__}: {exc})") from None


def parse_numbers(
    df: pl.DataFrame, columns: list[str], *, path: Path, empty_status: str = MISSING,
    first_row: int | pl.Series = 2,
) -> pl.DataFrame:
    """Return ``{col}`` as Float64 and ``{col}__status`` for each column.

    ``.`` and ``x`` mean suppressed by the source, an empty cell ``empty_status``; a decimal comma
    is accepted, but a column that mixes ``,`` and ``.`` decimals is refused because one of them
    would be read wrongly. ``NaN``/``inf`` and any other text is an error naming row and column.
    ``first_row`` is the file row of ``df``'s first row (``skip_rows + 2``: title rows, header),
    or, for a frame whose rows were filtered, the file row of each row.
    Every bad cell is reported (:func:`~wijkdata.core.errors.report`); a build stops at the first.
    """
    exprs = []
    for col in columns:
        s = pl.col(col).cast(pl.String).str.strip_chars()
        exprs += [
            s.alias(f"{col}__text"),
        ]
    texts = df.select(exprs)
    out: dict[str, pl.Series] = {}
    for col in columns:
        t = texts[f"{col}__text"]
        has_comma = t.str.contains(r"^-?\d+,\d+$").fill_null(False)
        has_dot = t.str.contains(r"^-?\d+\.\d+$").fill_null(False)
        if has_comma.any() and has_dot.any():
            i_c, i_d = int(has_comma.arg_true()[0]), int(has_dot.arg_true()[0])
            report(Problem(
                "mixed-decimal-separators", str(path),
                f"mixes decimal commas (row {file_row(first_row, i_c)}: '{shown(t[i_c])}') and "
                f"decimal points (row {file_row(first_row, i_d)}: '{shown(t[i_d])}')",
                column=col, hint="use one decimal separator per column"))
        cleaned = t.str.replace(",", ".", literal=True)
        is_empty = t.is_null() | (t == "")
        is_supp = t.is_in([".", "x", "X", "-99997", "-99995"])
        value = cleaned.cast(pl.Float64, strict=False)
        bad = (~is_empty & ~is_supp & value.is_null()) | value.is_nan() | value.is_infinite()
        bad = bad.fill_null(False)
        for i in bad.arg_true().to_list():
            report(Problem("type-error", str(path),
                           f"expected a number, '.', or an empty cell, found '{shown(t[i])}'",
                           row=file_row(first_row, i), column=col, value=t[i]))
        status = (
            pl.Series(col, [OK] * len(t))
            .set(is_empty, empty_status)
            .set(is_supp, SUPPRESSED)
        )
        out[col] = value.set(is_supp | is_empty, None)
        out[f"{col}__status"] = status
    return pl.DataFrame(out)


def file_row(first_row: int | pl.Series, i: int) -> int:
    """The row a person sees in the file for the frame's ``i``-th row."""
    return int(first_row[i]) if isinstance(first_row, pl.Series) else first_row + i


def to_long(
    codes: pl.Series, parsed: pl.DataFrame, mapping: dict[str, str], year: int
) -> pl.DataFrame:
    """Wide parsed frame -> long observations, one row per area and variable."""
    frames = []
    for variable, col in mapping.items():
        frames.append(
            pl.DataFrame(
                {
                    "area_code": codes,
                    "year": pl.Series([year] * len(codes), dtype=pl.Int32),
                    "variable": pl.Series([variable] * len(codes), dtype=pl.String),
                    "value": parsed[col],
                    "status": parsed[f"{col}__status"],
                }
            )
        )
    return pl.concat(frames) if frames else empty_observations()


def check_codes(codes: pl.Series, path: Path, column: str,
                first_row: int | pl.Series = 2) -> None:
    """Every code must be a CBS code; a code may appear once (rows as in parse_numbers)."""
    from wijkdata.core.codes import CODE_RE

    ok = codes.str.contains(CODE_RE.pattern).fill_null(False)
    for i in (~ok).arg_true().to_list():
        report(Problem("invalid-area-code", str(path),
                       f"'{shown(codes[i])}' is not a CBS area code "
                       "(expected NL00, GM0000, WK000000 or BU00000000)",
                       row=file_row(first_row, i), column=column, value=codes[i]))
    seen: dict[str, list[int]] = {}
    for i in codes.is_duplicated().arg_true().to_list():
        seen.setdefault(codes[i], []).append(file_row(first_row, i))
    for code, rows in seen.items():
        report(Problem("duplicate-area-code", str(path),
                       f"area code {code} appears twice (rows {rows[0]} and {rows[1]})",
                       column=column, value=code))


def csv_quote(text: str) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerow([text])
    return buf.getvalue().strip()


# StatLine region types that are not wijk/buurt/gemeente areas: GGD-regio, provincie,
# COROP, landsdeel, "CG" groups. Tables like the Gezondheidsmonitor per gemeente mix them in.
OTHER_REGION_RE = r"^(GG|PV|CR|LD|CG|RE|AM|ZW|JZ)\d{2,4}$"


def drop_other_regions(df: pl.DataFrame, code_col: str) -> tuple[pl.DataFrame, list[str]]:
    """Drop rows of other StatLine region types, saying how many of each were left out."""
    other = df[code_col].str.contains(OTHER_REGION_RE).fill_null(False)
    if not other.any():
        return df, []
    kinds = df.filter(other)[code_col].str.slice(0, 2).value_counts(sort=True)
    counts = ", ".join(f"{n} {k}" for k, n in kinds.sort(code_col).iter_rows())
    return df.filter(~other), [f"left out rows of other region types (not areas): {counts}"]


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def read_json(path: Path, what: str) -> object:
    """Parse a JSON file; a broken or truncated one is a DataError saying what was expected.

    NaN and Infinity (which Python's json accepts) are refused: they are not JSON and would
    end up as coordinates or values nobody can draw or compare. Nesting deeper than Python's
    recursion limit is a DataError too, not a crash.
    """
    try:
        return json.loads(path.read_bytes(), parse_constant=_no_constant)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not {what} ({exc})") from None
    except ValueError as exc:
        raise DataError(f"{path}: not {what} ({exc})") from None
    except RecursionError:
        raise DataError(f"{path}: not {what} (nested too deeply)") from None
