"""Every DuckDB table of a region database, declared once: name -> column -> polars type.

Ingest writes ``area``, ``observation``, ``geometry``, ``custom_area_member``, ``regio_member``
and ``provenance``; compute writes the ``ind_*`` and ``comparable_*`` tables; the manifest
keeps ``build_inputs`` and ``build_input_files``.
Per source the ingest also keeps ``raw_<id>`` (the file as read, all text) and the view
``stg_<id>`` (its rows of ``observation``); their columns follow the file, so they are not
declared here. ``tests/test_tables_declared.py`` builds the demo and compares the database with
this module, so a change of a table shows up here first.
"""

from __future__ import annotations

from typing import Any, NamedTuple, TypeVar

import polars as pl

Schema = dict[str, type[pl.DataType] | pl.DataType]

AREA: Schema = {"code": pl.String, "name": pl.String, "level": pl.String,
                "parent_code": pl.String, "gemeente_code": pl.String}
OBSERVATION: Schema = {"source_id": pl.String, "area_code": pl.String, "year": pl.Int32,
                       "variable": pl.String, "value": pl.Float64, "status": pl.String,
                       "lower": pl.Float64, "upper": pl.Float64}
GEOMETRY: Schema = {"code": pl.String, "level": pl.String, "geojson": pl.String}
CUSTOM_AREA_MEMBER: Schema = {"custom_code": pl.String, "buurt_code": pl.String}
# What compute sums or weighs for a custom area: its wijken when made of whole wijken, else
# its buurten.
CUSTOM_AREA_PART: Schema = {"custom_code": pl.String, "part_code": pl.String}
REGIO_MEMBER: Schema = {"regio_code": pl.String, "regio_name": pl.String,
                        "gemeente_code": pl.String}
PROVENANCE: Schema = {
    "source_id": pl.String, "kind": pl.String, "path": pl.String, "sha256": pl.String,
    "publisher": pl.String, "title": pl.String, "table_id": pl.String, "year": pl.Int32,
    "licence": pl.String, "age_group": pl.String, "rows": pl.Int64, "observations": pl.Int64,
    "loaded_at": pl.String,
}
IND_VALUE: Schema = {
    "indicator_id": pl.String, "area_code": pl.String, "year": pl.Int32,
    "numerator": pl.Float64, "denominator": pl.Float64, "value": pl.Float64,
    "lower": pl.Float64, "upper": pl.Float64, "status": pl.String,
    "coverage": pl.Float64, "coverage_of": pl.String, "recomputed": pl.Boolean,
    "secret": pl.Boolean, "suppression": pl.String,
    "rank": pl.Int32, "n_ranked": pl.Int32, "quintile": pl.Int32,
}
IND_COMPARISON: Schema = {
    "indicator_id": pl.String, "area_code": pl.String, "year": pl.Int32,
    "comparator": pl.String, "comparator_code": pl.String, "comparator_value": pl.Float64,
    "difference": pl.Float64, "comparison": pl.String, "judgement": pl.String,
}
IND_TREND: Schema = {
    "indicator_id": pl.String, "area_code": pl.String, "year": pl.Int32,
    "prev_year": pl.Int32, "value": pl.Float64, "prev_value": pl.Float64,
    "change": pl.Float64, "test": pl.String, "verdict": pl.String,
}
BUILD_INPUTS: Schema = {"stage": pl.String, "key": pl.String}
BUILD_INPUT_FILES: Schema = {"name": pl.String, "sha256": pl.String}  # data file hashes
# Comparable areas (indicators/comparable.py): the groups, the standardisation, group values.
COMPARABLE_AREA: Schema = {"area_code": pl.String, "rank": pl.Int32,
                           "neighbour_code": pl.String, "distance": pl.Float64}
COMPARABLE_CHARACTERISTIC: Schema = {"level": pl.String, "indicator_id": pl.String,
                                     "mean": pl.Float64, "sd": pl.Float64, "n": pl.Int32}
COMPARABLE_VALUE: Schema = {"area_code": pl.String, "indicator_id": pl.String,
                            "year": pl.Int32, "members": pl.Int32, "value": pl.Float64}

TABLES: dict[str, Schema] = {
    "area": AREA, "observation": OBSERVATION, "geometry": GEOMETRY,
    "custom_area_member": CUSTOM_AREA_MEMBER, "custom_area_part": CUSTOM_AREA_PART,
    "regio_member": REGIO_MEMBER,
    "provenance": PROVENANCE, "ind_value": IND_VALUE, "ind_comparison": IND_COMPARISON,
    "ind_trend": IND_TREND, "build_inputs": BUILD_INPUTS,
    "build_input_files": BUILD_INPUT_FILES,
    "comparable_area": COMPARABLE_AREA, "comparable_characteristic": COMPARABLE_CHARACTERISTIC,
    "comparable_value": COMPARABLE_VALUE,
}


# Typed rows: what report code reads from these tables, as named tuples (``row.value``, not
# ``row["value"]``), so a misspelt column is an AttributeError at once and a mypy error before.
# Build them with ``typed_rows``: it selects the row type's fields by name, so the field order
# here need not follow the table's; columns that may be NULL come last with a default of None,
# which lets a test spell out only the columns it is about.
class AreaRow(NamedTuple):
    code: str
    name: str  # ingest names an area without a name after its code
    level: str
    parent_code: str | None = None
    gemeente_code: str | None = None


class GeometryRow(NamedTuple):
    code: str
    level: str
    geojson: str


class ValueRow(NamedTuple):
    indicator_id: str
    area_code: str
    year: int
    status: str
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    lower: float | None = None
    upper: float | None = None
    suppression: str | None = None
    rank: int | None = None
    n_ranked: int | None = None
    quintile: int | None = None
    coverage: float | None = None  # grouped figures: share of the weight with a value
    coverage_of: str | None = None  # whose share: "65-plussers", "inwoners", ...
    recomputed: bool | None = None  # a CBS-published rate recomputed from rounded counts
    secret: bool | None = None  # the source kept the figure secret ('.')


class ComparisonRow(NamedTuple):
    """The ``ind_comparison`` columns a report reads (difference and comparison stay behind)."""

    indicator_id: str
    area_code: str
    year: int
    comparator: str
    judgement: str  # "not_tested" when no test was made, never NULL
    comparator_code: str | None = None
    comparator_value: float | None = None


class TrendRow(NamedTuple):
    indicator_id: str
    area_code: str
    year: int
    prev_year: int
    value: float | None = None
    prev_value: float | None = None
    change: float | None = None
    test: str | None = None
    verdict: str | None = None


class ProvenanceRow(NamedTuple):
    """The ``provenance`` columns a profile's source list reads."""

    source_id: str
    kind: str
    path: str
    sha256: str
    publisher: str
    title: str
    table_id: str
    licence: str
    year: int | None = None


class CustomAreaPartRow(NamedTuple):
    custom_code: str
    part_code: str


class CustomAreaMemberRow(NamedTuple):
    custom_code: str
    buurt_code: str


class CharacteristicRow(NamedTuple):
    """One ``comparable_characteristic`` row: how a characteristic was standardised."""

    level: str
    indicator_id: str
    mean: float
    sd: float
    n: int


Row = TypeVar("Row", bound=tuple[Any, ...])


def typed_rows(df: pl.DataFrame, row_type: type[Row]) -> list[Row]:
    """The frame's rows as ``row_type`` (a NamedTuple above), its fields selected by name."""
    fields: tuple[str, ...] = row_type._fields  # type: ignore[attr-defined]
    return [row_type(*r) for r in df.select(fields).iter_rows()]
