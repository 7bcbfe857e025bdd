"""Gemeente -> GGD-regio (or another grouping of gemeenten) from a CBS "Gebieden in Nederland" CSV.

A national config compares each wijk with its own GGD-regio rather than with "all gemeenten in
the config", so the regional comparator needs to know which gemeenten form which regio. StatLine's
label download is the usual way to get that: UTF-8 with BOM, ``;``, every field quoted, headers
are labels with a ``/`` hierarchy and codes padded with spaces. The columns are found by their
*values* (``GMnnnn`` and ``GGnnnn`` codes), not by the label text, because CBS re-words labels
between releases; ``columns: {gemeente, regio_code, regio_name}`` on the source overrides that.
The lookup carries no observations; ingest turns it into the ``regio_member`` table.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import polars as pl
from pydantic import Field

from wijkdata.core import codes
from wijkdata.core.errors import DataError, where
from wijkdata.core.source_kinds import SourceKind, TableOptions, register

from .common import AREA_SCHEMA, Loaded, empty_observations, read_table

PUBLISHER = "CBS, Gebieden in Nederland"
LICENCE = "CC BY 4.0"
TITLE = "Gemeenten en hun GGD-regio"

GM = codes.GEMEENTE_RE
REGIO = codes.REGIO_CODE_RE


class Options(TableOptions):
    kind: Literal["region_lookup"]
    # gemeente, regio_code, regio_name -> the file's column (found by their values if absent).
    columns: dict[str, str] = Field(default_factory=dict)


def _code_column(df: pl.DataFrame, pattern: re.Pattern[str], skip: set[str]) -> str | None:
    """The first column whose non-empty stripped values all match ``pattern``."""
    for col in df.columns:
        if col in skip:
            continue
        values = [v.strip() for v in df[col].to_list() if v is not None and v.strip()]
        if values and all(pattern.match(v) for v in values):
            return col
    return None


def _columns(df: pl.DataFrame, source: Options, path: Path) -> tuple[str, str, str]:
    given = source.columns
    if given:
        wanted = ("gemeente", "regio_code", "regio_name")
        missing_key = [k for k in wanted if k not in given]
        if missing_key:
            raise DataError(f"source '{source.id}': columns needs the key '{missing_key[0]}' "
                            "(gemeente, regio_code, regio_name)")
        for key in wanted:
            if given[key] not in df.columns:
                raise DataError(f"{path}: column '{given[key]}' (columns.{key} of source "
                                f"'{source.id}') not found",
                                hint="columns present: " + ", ".join(df.columns))
        return given["gemeente"], given["regio_code"], given["regio_name"]
    gm = _code_column(df, GM, set())
    if gm is None:
        raise DataError(f"{path}: no column of gemeente codes (GM0197 ...) found",
                        hint="name it with columns: {gemeente: ..., regio_code: ..., "
                        "regio_name: ...} on the source")
    code = _code_column(df, REGIO, {gm})
    if code is None:
        raise DataError(f"{path}: no column of regio codes (GG1413 ...) found next to '{gm}'",
                        hint="name it with columns: {regio_code: ...} on the source")
    # StatLine puts "<group>/Naam (naam)" right after "<group>/Code (code)".
    twin = code.replace("Code (code)", "Naam (naam)")
    if twin != code and twin in df.columns:
        return gm, code, twin
    i = df.columns.index(code)
    if i + 1 >= len(df.columns):
        raise DataError(f"{path}: no regio name column after '{code}'")
    return gm, code, df.columns[i + 1]


def read(source: Options, path: Path) -> Loaded:
    df = read_table(path, source)
    gm_col, code_col, name_col = _columns(df, source, path)
    table = df.select(
        pl.col(gm_col).str.strip_chars().alias("gemeente_code"),
        pl.col(code_col).str.strip_chars().alias("regio_code"),
        pl.col(name_col).str.strip_chars().alias("regio_name"),
    )
    for i, (gm, code, name) in enumerate(table.iter_rows()):
        row = i + 2  # header is row 1
        if not gm or not GM.match(gm):
            raise DataError(f"{where(path, row=row, column=gm_col)}: '{gm or ''}' is not a "
                            "gemeente code (expected GM followed by 4 digits)")
        if not code or not REGIO.match(code):
            raise DataError(f"{where(path, row=row, column=code_col)}: gemeente {gm} has no "
                            f"regio code (got '{code or ''}', expected e.g. GG1413)")
        if not name:
            raise DataError(f"{where(path, row=row, column=name_col)}: regio {code} has no name")
    dup = table["gemeente_code"].is_duplicated()
    if dup.any():
        rows = [int(i) + 2 for i in dup.arg_true()]
        gm = table["gemeente_code"][rows[0] - 2]
        same = [r for r in rows if table["gemeente_code"][r - 2] == gm]
        raise DataError(f"{where(path, column=gm_col)}: gemeente {gm} appears twice "
                        f"(rows {same[0]} and {same[1]}); a gemeente lies in one regio")
    names = table.group_by("regio_code").agg(pl.col("regio_name").n_unique().alias("n"),
                                              pl.col("regio_name").first())
    clash = names.filter(pl.col("n") > 1).sort("regio_code")
    if clash.height:
        code = clash["regio_code"][0]
        both = sorted(set(table.filter(pl.col("regio_code") == code)["regio_name"]))
        raise DataError(f"{where(path, column=name_col)}: regio {code} has two names "
                        f"('{both[0]}' and '{both[1]}')")
    return Loaded(observations=empty_observations(), areas=pl.DataFrame(schema=AREA_SCHEMA),
                  raw=df, lookups=table.sort("gemeente_code"))


KIND = register(SourceKind(Options, read, PUBLISHER, LICENCE, TITLE, role="lookup"))
