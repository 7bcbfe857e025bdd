"""CBS Kerncijfers wijken en buurten (KWB): Excel/CSV downloads and OData dumps, any year.

Which published column holds which project variable is data, not code: one file per year in
``kwb_columns/<year>.yml``. A mapped name matches a column exactly or on its prefix, because
OData keys carry a positional suffix (``AantalInwoners_5``) that CBS renumbers between years.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from wijkdata.core import codes
from wijkdata.core.errors import ConfigError, DataError
from wijkdata.core.source_kinds import SourceKind, TableOptions, register
from wijkdata.core.yamlio import load_model

from .common import MISSING, Loaded, check_codes, parse_numbers, read_table_rows, to_long
from .scope import region_rows

MAPS = Path(__file__).with_name("kwb_columns")
_SUFFIX = re.compile(r"_\d+$")

PUBLISHER = "CBS"
LICENCE = "CC BY 4.0"
TITLE = "Kerncijfers wijken en buurten"


class Options(TableOptions):
    """A KWB year: which columns hold what is data (``kwb_columns/<year>.yml``), not an option."""

    kind: Literal["cbs_kwb"]


class ColumnMap(BaseModel):
    """One ``kwb_columns/<year>.yml``: which published column holds which project variable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    year: int = Field(ge=1990, le=2100)
    table_id: str | None = None
    code_columns: list[str] = Field(min_length=1)
    name_columns: list[str] = Field(default_factory=list)
    gemeente_name_column: str | list[str] | None = None
    required: list[str] = Field(default_factory=list)
    columns: dict[str, str | list[str]] = Field(min_length=1)

    @model_validator(mode="after")
    def _required_are_mapped(self) -> ColumnMap:
        unmapped = [v for v in self.required if v not in self.columns]
        if unmapped:
            raise ValueError(f"required variable '{unmapped[0]}' has no entry under columns:")
        return self

    @field_validator("columns")
    @classmethod
    def _one_variable_per_column(cls, columns: dict[str, str | list[str]]
                                 ) -> dict[str, str | list[str]]:
        owner: dict[str, str] = {}
        for variable, names in columns.items():
            for name in [names] if isinstance(names, str) else names:
                if name in owner and owner[name] != variable:
                    raise ValueError(f"column '{name}' is mapped to both '{owner[name]}' and "
                                     f"'{variable}'; a published column holds one variable")
                owner[name] = variable
        return columns


@cache
def column_map(year: int) -> ColumnMap:
    """The validated column map of one KWB year (through the same YAML loader as configs, so
    a typo names the file, line and key instead of failing later)."""
    path = MAPS / f"{year}.yml"
    if not path.exists():
        have = ", ".join(sorted(p.stem for p in MAPS.glob("*.yml")))
        raise ConfigError(
            f"no KWB column map for year {year}",
            hint=f"maps exist for {have}; add src/wijkdata/ingest/sources/kwb_columns/{year}.yml",
        )
    spec, _lines = load_model(path, ColumnMap, "year:, code_columns:, columns:, ...")
    if spec.year != year:
        raise ConfigError(f"{path}: year: {spec.year} does not match the file name "
                          f"({year}.yml)")
    return spec


def match_columns(published: list[str], wanted: dict[str, str | list[str]]) -> dict[str, str]:
    """Project variable -> published column, on exact name or suffix-stripped prefix."""
    by_prefix: dict[str, str] = {}
    for col in published:
        by_prefix.setdefault(_SUFFIX.sub("", col), col)
    out = {}
    for variable, names in wanted.items():
        for name in [names] if isinstance(names, str) else names:
            hit = name if name in published else by_prefix.get(name)
            if hit:
                out[variable] = hit
                break
    return out


def _first(published: list[str], candidates: list[str]) -> str | None:
    hits = match_columns(published, {"x": candidates})
    return hits.get("x")


def read(source: Options, path: Path) -> Loaded:
    if source.year is None:
        raise ConfigError(f"source '{source.id}': cbs_kwb needs 'year:' to pick its column map")
    spec = column_map(source.year)
    df, rows_read = read_table_rows(path, source,
                                    code_column=lambda names: _first(names, spec.code_columns))
    code_col = _first(df.columns, spec.code_columns)
    if code_col is None:
        raise DataError(
            f"{path}: no area code column; expected one of {', '.join(spec.code_columns)} "
            f"(KWB {source.year})",
            hint=f"the first row holds {', '.join(df.columns[:3])}; if title rows stand above "
            f"the header, set skip_rows: <number of title rows> on source '{source.id}'",
        )
    mapping = match_columns(df.columns, spec.columns)
    for req in spec.required:
        if req not in mapping:
            wanted = spec.columns[req]
            names = "' or '".join([wanted] if isinstance(wanted, str) else wanted)
            raise DataError(
                f"{path}: KWB {source.year} column '{names}' (project variable '{req}') "
                "not found",
                hint=f"check kwb_columns/{source.year}.yml against the file's header",
            )
    notes = []
    absent = sorted(set(spec.columns) - set(mapping))
    if absent:
        notes.append(f"{len(absent)} mapped KWB columns absent in this file: {', '.join(absent)}")
    df = df.with_columns(codes.normalise_expr(code_col).alias(code_col))
    # title rows, then the header; a national table is cut to the region's rows here
    df, first_row = region_rows(df, code_col, source.skip_rows + 2)
    check_codes(df[code_col], path, code_col, first_row)
    parsed = parse_numbers(df, list(mapping.values()), path=path, empty_status=MISSING,
                           first_row=first_row)
    obs = to_long(df[code_col], parsed, mapping, source.year)
    negative = obs.filter(pl.col("value") < 0)
    if negative.height:
        row = negative.row(0, named=True)
        raise DataError(
            f"{path}, area {row['area_code']}, column '{mapping[row['variable']]}': "
            f"negative value {row['value']:g}; counts cannot be negative"
        )
    areas = _names(df, code_col, spec)
    labels = _dimension_labels(path)
    if labels is not None:
        areas = (areas.join(labels, on="code", how="left")
                 .select("code", pl.coalesce("label", "name").alias("name")))
    return Loaded(observations=obs, areas=areas, raw=df, notes=notes,
                  rows_read=rows_read)


def _dimension_labels(path: Path) -> pl.DataFrame | None:
    """Wijk and buurt names from the OData dump's ``WijkenEnBuurten`` entity set.

    A TypedDataSet carries codes only; tools that save the OData entity sets (statline-bq)
    write the region dimension next to it as ``..._WijkenEnBuurten.parquet`` (Key, Title).
    """
    if path.is_dir():  # `wijkdata fetch` saves the dimension next to the pages
        saved = path / "WijkenEnBuurten.json"
        if not saved.is_file():
            return None
        from .cbs_odata import load_page
        items = [r for r in load_page(saved)["value"] if r.get("Key") and r.get("Title")]
        return pl.DataFrame({"Key": [str(r["Key"]) for r in items],
                             "Title": [str(r["Title"]) for r in items]},
                            schema={"Key": pl.String, "Title": pl.String}).select(
            codes.normalise_expr("Key").alias("code"),
            pl.col("Title").str.strip_chars().alias("label"))
    if "TypedDataSet" not in path.name or path.suffix != ".parquet":
        return None
    sibling = path.with_name(path.name.replace("TypedDataSet", "WijkenEnBuurten"))
    if not sibling.is_file():
        return None
    dim = pl.read_parquet(sibling, columns=["Key", "Title"])
    return dim.select(codes.normalise_expr("Key").alias("code"),
                      pl.col("Title").str.strip_chars().alias("label"))


def _names(df: pl.DataFrame, code_col: str, spec: ColumnMap) -> pl.DataFrame:
    name_col = _first(df.columns, spec.name_columns)
    gm_names = spec.gemeente_name_column or []
    gm_col = _first(df.columns, [gm_names] if isinstance(gm_names, str) else gm_names)
    code = pl.col(code_col)
    name: pl.Expr = pl.lit(None, dtype=pl.String)
    if name_col:
        name = pl.col(name_col).str.strip_chars()
    if gm_col:
        # Without a name column the gemeente name still names the GM and NL rows.
        gm_name = pl.col(gm_col).str.strip_chars()
        name = (
            pl.when(code.str.starts_with("GM") | code.str.starts_with("NL"))
            .then(pl.coalesce(name, gm_name))
            .otherwise(name)
        )
    return df.select(code.alias("code"), name.alias("name"))


KIND = register(SourceKind(Options, read, PUBLISHER, LICENCE, TITLE))
