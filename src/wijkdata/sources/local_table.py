"""Any local CSV/xlsx with a declared column mapping: a GGD's or gemeente's own numbers.

The config says which column holds the area code (``code_column:``) and which column holds each
project variable (``columns: {variable: column}``); everything else is shared normalisation
(padded codes, ``.``/``x`` suppressed, decimal commas, encodings) from :mod:`.common`.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from .. import codes
from ..config import Source
from ..errors import ConfigError, DataError
from .common import (
    MISSING,
    Loaded,
    check_codes,
    drop_other_regions,
    parse_numbers,
    read_table,
    to_long,
)

PUBLISHER = "eigen bron (lokaal bestand)"
LICENCE = "zie bron"
TITLE = "Lokale cijfers"


def read(source: Source, path: Path) -> Loaded:
    if not source.code_column or not source.columns:
        raise ConfigError(
            f"source '{source.id}': kind csv needs 'code_column:' and 'columns:' "
            "(project variable: column in the file)"
        )
    if source.year is None:
        raise ConfigError(f"source '{source.id}': kind csv needs 'year:'")
    df = read_table(path, source, expect=[source.code_column, *source.columns.values()])
    code_col = source.code_column
    df = df.with_columns(codes.normalise_expr(code_col).alias(code_col))
    df, notes = drop_other_regions(df, code_col)
    if df.height == 0:
        raise DataError(f"{path}: no rows with a CBS area code in column '{code_col}'")
    check_codes(df[code_col], path, code_col)
    parsed = parse_numbers(df, list(source.columns.values()), path=path, empty_status=MISSING)
    obs = to_long(df[code_col], parsed, dict(source.columns), source.year)
    areas = df.select(pl.col(code_col).alias("code"), pl.lit(None, pl.String).alias("name"))
    return Loaded(observations=obs, areas=areas, raw=df, notes=notes)
