"""Any local CSV/xlsx with a declared column mapping: a GGD's or gemeente's own numbers.

The config says which column holds the area code (``code_column:``) and which column holds each
project variable (``columns: {variable: column}``); everything else is shared normalisation
(padded codes, ``.``/``x`` suppressed, decimal commas, encodings) from :mod:`.common`.

StatLine label CSVs work too (helpers in :mod:`.statline_labels`): regions by name
(``label_column:`` + ``label_lookup:``), a long dimension such as age band or quarter whose
values become variable suffixes (``dimension_column:`` + ``dimension_values:``), ``filters:``
to keep one value of other dimensions, and ``repeated_codes: identical`` for files that repeat
an area on several rows with the same value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import polars as pl
from pydantic import Field, model_validator

from wijkdata.core import codes
from wijkdata.core.errors import ConfigError, DataError
from wijkdata.core.source_kinds import SourceKind, TableOptions, register
from wijkdata.core.yamlio import KeyPath

from .common import (
    MISSING,
    Loaded,
    drop_other_regions,
    empty_observations,
    parse_numbers,
    read_table,
)
from .statline_labels import (
    CODE,
    DIM,
    ROW,
    LabelLookup,
    check_code_values,
    collapse_repeats,
    dimension_filter,
    provisional_note,
    resolve_labels,
)

PUBLISHER = "eigen bron (lokaal bestand)"
LICENCE = "zie bron"
TITLE = "Lokale cijfers"
OTHER_NAMES = {"PV": "provincies", "GG": "GGD-regio's", "CR": "COROP-gebieden",
               "LD": "landsdelen"}


class Options(TableOptions):
    kind: Literal["csv"]
    # Project variable -> column in the file; code_column names the area code column.
    columns: dict[str, str] = Field(default_factory=dict)
    code_column: str | None = None
    # StatLine label CSVs (statline_labels.py): regions given by NAME in label_column, resolved
    # through label_lookup (a code/name table, or "provincie"); a long dimension column whose
    # values become variable suffixes (value -> suffix); filters keep one value of other
    # dimensions; repeated_codes: identical accepts repeated rows per area with equal values.
    label_column: str | None = None
    label_lookup: LabelLookup | Literal["provincie"] | None = None
    dimension_column: str | None = None
    dimension_values: dict[str, Annotated[str, Field(pattern=r"^[a-z0-9_]{1,30}$")]] = Field(
        default_factory=dict)
    repeated_codes: Literal["error", "identical"] = "error"
    filters: dict[str, list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _labels(self) -> Options:
        if self.code_column and self.label_column:
            raise ValueError(f"source '{self.id}': give 'code_column:' or 'label_column:', "
                             "not both")
        if (self.label_column is None) != (self.label_lookup is None):
            raise ValueError(f"source '{self.id}': 'label_column:' and 'label_lookup:' go "
                             "together (region names and the table that turns them into codes)")
        if (self.dimension_column is None) != (not self.dimension_values):
            raise ValueError(f"source '{self.id}': 'dimension_column:' needs "
                             "'dimension_values:' (value in the file: variable suffix), and "
                             "the other way round")
        return self

    def data_paths(self) -> list[tuple[KeyPath, str]]:
        paths = super().data_paths()
        if isinstance(self.label_lookup, LabelLookup):  # a code/name table beside the file
            paths.append((("label_lookup", "path"), self.label_lookup.path))
        return paths

    def series(self) -> str:
        # Two csv sources hold the same figures only when they load the same variables.
        return ",".join(sorted(self.columns))


def read(source: Options, path: Path) -> Loaded:
    key_col = source.code_column or source.label_column
    if not key_col or not source.columns:
        raise ConfigError(
            f"source '{source.id}': kind csv needs 'code_column:' and 'columns:' "
            "(project variable: column in the file)",
            hint="a file with region names instead of codes takes 'label_column:' and "
            "'label_lookup:' instead of 'code_column:'",
        )
    if source.year is None:
        raise ConfigError(f"source '{source.id}': kind csv needs 'year:'")
    dim_cols = [source.dimension_column] if source.dimension_column else []
    value_cols = list(dict.fromkeys(source.columns.values()))
    raw = read_table(path, source, expect=[key_col, *value_cols, *dim_cols, *source.filters])
    # Parse before any row is left out, so a parse error names the row in the file.
    first_row = source.skip_rows + 2  # title rows, then the header
    parsed = parse_numbers(raw, value_cols, path=path, empty_status=MISSING,
                           first_row=first_row)
    work = parsed.with_columns(
        [raw[c].cast(pl.String).str.strip_chars().alias(f"{c}__text") for c in value_cols]
        + [pl.int_range(first_row, raw.height + first_row, dtype=pl.Int64).alias(ROW)])
    notes: list[str] = []
    if source.dimension_column:
        dim = raw[source.dimension_column].cast(pl.String).str.strip_chars()
        work = work.with_columns(dim.str.strip_chars_end("*").str.strip_chars().alias(DIM))
        notes += provisional_note(dim, source.dimension_column)
    keep = pl.Series([True] * raw.height)
    for col, wanted in source.filters.items():
        keep = keep & raw[col].cast(pl.String).str.strip_chars().is_in(wanted).fill_null(False)
    if source.label_column:
        work, more = resolve_labels(work.filter(keep), raw.filter(keep)[key_col], source, path)
        notes += more
    else:
        work = work.with_columns(raw.select(codes.normalise_expr(key_col)).to_series().alias(CODE))
        work = work.filter(keep)
    if source.filters and not keep.all():
        notes.append(f"filters {dict(source.filters)} left out {int((~keep).sum())} rows")
    if source.dimension_column:
        work, more = dimension_filter(work, source, path)
        notes += more
    kinds = sorted(set(work[CODE].str.slice(0, 2).to_list()))
    work, other = drop_other_regions(work, CODE)
    notes += other
    if work.height == 0:
        if other:  # e.g. a provincie table: read and checked, but no profile level to load
            notes.append(f"all areas are {'/'.join(kinds)} ({OTHER_NAMES.get(kinds[0], 'other')}"
                         "), outside the profile levels gemeente, wijk, buurt: read and parsed, "
                         "not loaded as observations")
            return Loaded(observations=empty_observations(),
                          areas=pl.DataFrame(schema={"code": pl.String, "name": pl.String}),
                          raw=raw, notes=notes, other_region_type=True)
        raise DataError(f"{path}: no rows with a CBS area code in column '{key_col}'")
    check_code_values(work, path, key_col)
    key = [CODE, DIM] if source.dimension_column else [CODE]
    work, more = collapse_repeats(work, source, path, value_cols, key)
    notes += more
    obs = _long(work, source)
    areas = work.select(pl.col(CODE).alias("code"), pl.lit(None, pl.String).alias("name"))
    return Loaded(observations=obs, areas=areas.unique("code", maintain_order=True),
                  raw=raw, notes=notes)


def _long(work: pl.DataFrame, source: Options) -> pl.DataFrame:
    """One observation per area, variable (and dimension value, appended to the variable)."""
    frames = []
    for variable, col in source.columns.items():
        name = pl.lit(variable)
        if source.dimension_column:
            name = pl.lit(variable + "_") + pl.col(DIM)
        frames.append(work.select(
            pl.col(CODE).alias("area_code"),
            pl.lit(source.year, pl.Int32).alias("year"),
            name.cast(pl.String).alias("variable"),
            pl.col(col).cast(pl.Float64).alias("value"),
            pl.col(f"{col}__status").cast(pl.String).alias("status"),
        ))
    return pl.concat(frames)


KIND = register(SourceKind(Options, read, PUBLISHER, LICENCE, TITLE))
