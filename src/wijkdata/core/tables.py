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

from typing import TypedDict

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


# Typed rows: what report code gets from ``frame(...).iter_rows(named=True)`` / ``to_dicts()``
# of these tables, so mypy checks the column names it reads.
class AreaRow(TypedDict):
    code: str
    name: str | None
    level: str
    parent_code: str | None
    gemeente_code: str | None


class GeometryRow(TypedDict):
    code: str
    level: str
    geojson: str


class ValueRow(TypedDict):
    indicator_id: str
    area_code: str
    year: int
    numerator: float | None
    denominator: float | None
    value: float | None
    lower: float | None
    upper: float | None
    status: str
    suppression: str | None
    rank: int | None
    n_ranked: int | None
    quintile: int | None
    coverage: float | None  # grouped figures: share of the weight with a value
    coverage_of: str | None  # whose share: "65-plussers", "inwoners", ...
    recomputed: bool | None  # a CBS-published rate recomputed from rounded counts
    secret: bool | None  # the source kept the figure secret ('.')


class TrendRow(TypedDict):
    indicator_id: str
    area_code: str
    year: int
    prev_year: int
    value: float | None
    prev_value: float | None
    change: float | None
    test: str | None
    verdict: str | None
