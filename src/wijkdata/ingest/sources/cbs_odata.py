"""CBS open-data API tables (OData v3 ``TypedDataSet``/``UntypedDataSet`` and v4 ``Observations``).

``wijkdata fetch`` saves the API's JSON pages unchanged into a folder (``page-0001.json``, ...,
plus ``DataProperties.json`` for v3 or ``MeasureCodes.json`` for v4); this module reads that
folder (or one saved JSON page) into observations. Keeping the pages as published means a
reader bug can be fixed without downloading again, and provenance hashes the real response.

v3 rows are wide (one column per topic, keys with a positional suffix ``AantalInwoners_5``;
dimension keys have no suffix); v4 rows are long (``Measure``, ``Value``, ``ValueAttribute``).
Every dimension other than region and period must be narrowed to one value by ``filters:``,
because the long table has no place for it; the exception is ``Marges`` (point estimate and
95% bounds), which becomes ``lower``/``upper`` like in the Gezondheidsmonitor.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

import polars as pl
from pydantic import Field

from wijkdata.core import codes
from wijkdata.core.errors import DataError
from wijkdata.core.source_kinds import FetchSpec, SourceKind, SourceOptions, register

from .cbs_kwb import match_columns
from .common import (
    MISSING,
    NOT_APPLICABLE,
    OK,
    SUPPRESSED,
    Loaded,
    check_codes,
    drop_other_regions,
    parse_numbers,
    read_json,
    to_long,
)
from .ggd_monitor import MARGIN_LOWER, MARGIN_UPPER, MARGIN_VALUE, snake

PUBLISHER = "CBS (StatLine open-data API)"
LICENCE = "CC BY 4.0"
TITLE = "CBS StatLine-tabel"

REGION_DIMENSIONS = ("WijkenEnBuurten", "RegioS", "Gemeenten", "Regio", "Gemeente")
PERIOD_DIMENSION = "Perioden"
_TOPIC_KEY = re.compile(r"_\d+$")
_YEAR = re.compile(r"^(\d{4})JJ00$")
# Suffixed v3 keys that hold codes or labels, not figures (KWB).
NOT_MEASURES = ("Indelingswijziging", "MeestVoorkomendePostcode", "Dekkingspercentage",
                "Gemeentenaam", "SoortRegio", "Codering")
V4_FIELDS = {"Id", "Measure", "Value", "ValueAttribute"}
# v4 ValueAttribute: why a Value is absent. "None" means the value is an ordinary number.
V4_STATUS = {"Impossible": NOT_APPLICABLE, "Confidential": SUPPRESSED, "Unreliable": SUPPRESSED}


class Options(SourceOptions):
    kind: Literal["cbs_odata"]
    # Dimension -> values to keep (every dimension but region and period must end up single).
    filters: dict[str, list[str]] = Field(default_factory=dict)
    code_column: str | None = None  # the region dimension, when not a usual name
    columns: dict[str, str] = Field(default_factory=dict)  # project variable -> topic key
    variable_suffix: Annotated[str, Field(pattern=r"^[a-z0-9_]{0,20}$")] = ""
    # API version (3: TypedDataSet pages, 4: Observations pages).
    odata_version: Literal[3, 4] = 3

    def fetch_spec(self) -> FetchSpec | None:
        """A source without ``fetch:`` but with a table_id is fetched as before ``fetch:``
        blocks existed: the typed set this reader was written for, into its own ``path``."""
        if self.fetch is not None:
            return self.fetch
        if self.table_id:
            return FetchSpec(publisher="cbs", table=self.table_id, odata=self.odata_version,
                             entity="TypedDataSet", filters=self.filters)
        return None


def page_files(path: Path) -> list[Path]:
    """The saved data pages in order: a folder of ``page-NNNN.json`` or one JSON file."""
    if path.is_file():
        return [path]
    pages = sorted(path.glob("page-*.json"))
    if not pages:
        raise DataError(
            f"{path}: no saved API pages (page-0001.json, ...)",
            hint="run 'wijkdata fetch' for this region first",
        )
    return pages


def load_page(path: Path) -> dict[str, Any]:
    data = read_json(path, "a complete JSON response")
    if not isinstance(data, dict) or not isinstance(data.get("value"), list):
        raise DataError(f"{path}: expected an OData response with a 'value' list")
    for i, row in enumerate(data["value"], start=1):
        if not isinstance(row, dict) or not all(
                v is None or isinstance(v, str | int | float) for v in row.values()):
            raise DataError(f"{path}, row {i} of 'value': expected an object of plain values")
    return data


def _same_keys(rows: list[dict[str, Any]], path: Path) -> None:
    keys = set(rows[0])
    for i, row in enumerate(rows, start=1):
        if set(row) != keys:
            other = sorted(set(row) ^ keys)
            raise DataError(f"{path}: row {i} has other keys than row 1 ({', '.join(other[:3])})")


def keep_by_filters(rows: list[dict[str, Any]], filters: dict[str, list[str]],
                    path: Path) -> list[dict[str, Any]]:
    """Rows whose dimension values (stripped) start with one of the configured values."""
    if not rows:
        return rows
    for dim, wanted in filters.items():
        if dim not in rows[0]:
            raise DataError(f"{path}: filter dimension '{dim}' is not a key of the rows",
                            hint=f"keys: {', '.join(list(rows[0])[:12])}")
        rows = [r for r in rows if str(r.get(dim) or "").strip().startswith(tuple(wanted))]
    return rows


def read(source: Options, path: Path) -> Loaded:
    rows: list[dict[str, Any]] = []
    for page in page_files(path):
        rows += load_page(page)["value"]
    if not rows:
        raise DataError(f"{path}: the API returned no rows")
    _same_keys(rows, path)
    rows = keep_by_filters(rows, source.filters, path)
    if not rows:
        raise DataError(f"{path}: no rows left after filters {source.filters}")
    folder = path if path.is_dir() else path.parent
    if "Measure" in rows[0] and "Value" in rows[0]:
        return _read_v4(source, path, rows)
    return _read_v3(source, path, rows, folder)


def _region_dimension(keys: list[str], source: Options, path: Path) -> str:
    if source.code_column:
        if source.code_column not in keys:
            raise DataError(f"{path}: code_column '{source.code_column}' is not a key of the rows")
        return source.code_column
    hit = next((k for k in REGION_DIMENSIONS if k in keys), None)
    if hit is None:
        raise DataError(
            f"{path}: no region dimension; expected one of {', '.join(REGION_DIMENSIONS)}",
            hint="set 'code_column:' on the source to the dimension holding area codes",
        )
    return hit


def _years(df: pl.DataFrame, source: Options, path: Path) -> tuple[pl.DataFrame, list[str]]:
    """Add ``__year`` from ``Perioden`` (yearly periods only) or the configured year."""
    if PERIOD_DIMENSION not in df.columns:
        if source.year is None:
            raise DataError(f"{path}: no 'Perioden' in the rows; set 'year:' on '{source.id}'")
        return df.with_columns(pl.lit(source.year, pl.Int32).alias("__year")), []
    period = pl.col(PERIOD_DIMENSION).str.strip_chars()
    df = df.with_columns(period.str.extract(_YEAR.pattern, 1).cast(pl.Int32).alias("__year"))
    notes = []
    other = df["__year"].is_null().sum()
    if other:
        notes.append(f"left out {other} rows with non-yearly periods (quarters, months)")
        df = df.filter(pl.col("__year").is_not_null())
    if df.height == 0:
        raise DataError(f"{path}: no yearly periods (YYYYJJ00) in 'Perioden'")
    if source.year is not None:
        df = df.filter(pl.col("__year") == source.year)
        if df.height == 0:
            raise DataError(f"{path}: no rows for year {source.year} in 'Perioden'")
    return df, notes


def _single_valued(df: pl.DataFrame, dims: list[str], path: Path) -> None:
    for dim in dims:
        values = df[dim].str.strip_chars().unique().sort().to_list()
        if len(values) > 1:
            raise DataError(
                f"{path}: dimension '{dim}' has {len(values)} values "
                f"({', '.join(map(str, values[:5]))}{', ...' if len(values) > 5 else ''})",
                hint=f"add 'filters: {{{dim}: [<one value>]}}' to the source",
            )


def _topics(folder: Path, keys: list[str], df: pl.DataFrame) -> list[str]:
    """v3 measure keys: from a saved DataProperties.json, else suffixed numeric-looking keys."""
    props = folder / "DataProperties.json"
    if props.is_file():
        # Text topics (Gemeentenaam_1, SoortRegio_2, ...) are labels, not figures.
        topics = {r.get("Key") for r in load_page(props)["value"]
                  if r.get("Type") == "Topic" and r.get("Datatype") != "String"}
        return [k for k in keys if k in topics]
    out = []
    for k in keys:
        if not _TOPIC_KEY.search(k) or k.startswith(NOT_MEASURES):
            continue
        text = df[k].str.strip_chars()
        numeric = text.str.contains(r"^(-?\d+(\.\d+)?([eE][-+]?\d+)?|\.|)$").fill_null(True)
        if numeric.all():
            out.append(k)
    return out


def variable_names(keys: list[str], suffix: str) -> dict[str, str]:
    """snake_case names for topic keys; a name two keys share keeps the key's number.

    KWB has ``Appartement_48`` (electricity) and ``Appartement_56`` (gas): without the number
    one would silently overwrite the other.
    """
    names = [snake(k) for k in keys]
    out = {}
    for name, key in zip(names, keys, strict=True):
        if names.count(name) > 1:
            name = f"{name}_{key.rsplit('_', 1)[1]}"
        out[name + suffix] = key
    return out


def _read_v3(source: Options, path: Path, rows: list[dict[str, Any]], folder: Path) -> Loaded:
    keys = [k for k in rows[0] if k != "ID" and not k.startswith("odata.")]
    # As text, like every other reader: parse_numbers then treats typed and untyped alike.
    df = pl.DataFrame({k: [None if r[k] is None else str(r[k]) for r in rows] for k in keys},
                      schema=dict.fromkeys(keys, pl.String))
    region = _region_dimension(keys, source, path)
    df = df.with_columns(codes.normalise_expr(region).alias(region))
    df, notes = drop_other_regions(df, region)
    df, more = _years(df, source, path)
    notes += more
    if df.height == 0:
        raise DataError(f"{path}: no rows with a gemeente, wijk or buurt code in '{region}'")
    dims = [k for k in keys if not _TOPIC_KEY.search(k)
            and k not in (region, PERIOD_DIMENSION, "Marges")]
    _single_valued(df, dims, path)
    topics = _topics(folder, keys, df)
    if source.columns:
        mapping = match_columns(topics, dict(source.columns))
        absent = sorted(set(source.columns) - set(mapping))
        if absent:
            raise DataError(f"{path}: mapped key '{source.columns[absent[0]]}' (project "
                            f"variable '{absent[0]}') not found among {len(topics)} topics")
    else:
        mapping = variable_names(topics, source.variable_suffix)
    if not mapping:
        raise DataError(f"{path}: no measure columns (topics) found")
    obs_parts = []
    for year in df["__year"].unique().sort().to_list():
        part = df.filter(pl.col("__year") == year)
        obs_parts.append(_with_margins(part, region, mapping, year, path))
    obs = pl.concat(obs_parts)
    first = df.filter(pl.col("__year") == df["__year"].max())
    names = next((k for k in keys if k.startswith("Gemeentenaam")), None)
    name = pl.col(names).str.strip_chars() if names else pl.lit(None, pl.String)
    code = pl.col(region)
    areas = first.select(code.alias("code"), pl.when(code.str.starts_with("GM"))
                         .then(name).otherwise(None).alias("name")).unique("code")
    return Loaded(observations=obs, areas=areas, raw=df.drop("__year"), notes=notes)


def _with_margins(part: pl.DataFrame, region: str, mapping: dict[str, str], year: int,
                  path: Path) -> pl.DataFrame:
    cols = list(mapping.values())
    values = part
    if "Marges" in part.columns:
        values = part.filter(pl.col("Marges").str.strip_chars() == MARGIN_VALUE)
    check_codes(values[region], path, region)
    parsed = parse_numbers(values, cols, path=path, empty_status=MISSING)
    obs = to_long(values[region], parsed, mapping, year).with_columns(
        lower=pl.lit(None, pl.Float64), upper=pl.lit(None, pl.Float64))
    if "Marges" not in part.columns:
        return obs
    for margin, col in ((MARGIN_LOWER, "lower"), (MARGIN_UPPER, "upper")):
        bound = part.filter(pl.col("Marges").str.strip_chars() == margin)
        if bound.height:
            p = parse_numbers(bound, cols, path=path, empty_status=MISSING)
            b = to_long(bound[region], p, mapping, year).select(
                "area_code", "variable", pl.col("value").alias(col))
            obs = obs.drop(col).join(b, on=["area_code", "variable"], how="left")
    return obs


def _read_v4(source: Options, path: Path, rows: list[dict[str, Any]]) -> Loaded:
    keys = list(rows[0])
    region = _region_dimension(keys, source, path)
    for i, r in enumerate(rows, start=1):
        if not (r["Value"] is None or (isinstance(r["Value"], int | float)
                                       and not isinstance(r["Value"], bool))):
            raise DataError(f"{path}, row {i}: Value {r['Value']!r} is not a number")
    text = [k for k in keys if k != "Value"]
    df = pl.DataFrame({**{k: [None if r[k] is None else str(r[k]) for r in rows] for k in text},
                       "Value": [None if r["Value"] is None else float(r["Value"]) for r in rows]},
                      schema={**dict.fromkeys(text, pl.String), "Value": pl.Float64})
    df = df.with_columns(
        codes.normalise_expr(region).alias(region),
        pl.col("Measure").str.strip_chars(),
        (pl.col("ValueAttribute") if "ValueAttribute" in keys else pl.lit(None, pl.String))
        .fill_null("None").alias("ValueAttribute"),
    )
    df, notes = drop_other_regions(df, region)
    df, more = _years(df, source, path)
    notes += more
    if df.height == 0:
        raise DataError(f"{path}: no rows with a gemeente, wijk or buurt code in '{region}'")
    dims = [k for k in keys if k not in V4_FIELDS and k not in (region, PERIOD_DIMENSION)]
    _single_valued(df.with_columns(pl.col(d).cast(pl.String) for d in dims), dims, path)
    measures = df["Measure"].unique().sort().to_list()
    if source.columns:
        wanted = {v: k for k, v in source.columns.items()}
        absent = [m for m in wanted if m not in measures]
        if absent:
            raise DataError(f"{path}: measure '{absent[0]}' (project variable "
                            f"'{wanted[absent[0]]}') not in the Observations")
        df = df.filter(pl.col("Measure").is_in(list(wanted)))
    else:
        wanted = {m: m.lower() + source.variable_suffix for m in measures}
    status = (
        pl.when(pl.col("Value").is_not_null()).then(pl.lit(OK))
        .when(pl.col("ValueAttribute") == "None").then(pl.lit(MISSING))
        .otherwise(pl.col("ValueAttribute").replace_strict(V4_STATUS, default=SUPPRESSED))
    )
    obs = df.select(
        pl.col(region).alias("area_code"),
        pl.col("__year").alias("year"),
        pl.col("Measure").replace_strict(wanted).alias("variable"),
        pl.col("Value").alias("value"),
        status.alias("status"),
    )
    dup = obs.select("area_code", "year", "variable").is_duplicated()
    if dup.any():
        row = obs.filter(dup).row(0, named=True)
        raise DataError(f"{path}: {row['area_code']} {row['year']} '{row['variable']}' occurs "
                        "twice; narrow the other dimensions with 'filters:'")
    one = (pl.col("variable") == obs["variable"][0]) & (pl.col("year") == obs["year"][0])
    check_codes(obs.filter(one)["area_code"], path, region)
    areas = obs.select(pl.col("area_code").alias("code"), pl.lit(None, pl.String).alias("name"))
    return Loaded(observations=obs, areas=areas.unique("code"), raw=df.drop("__year"),
                  notes=notes)


KIND = register(SourceKind(Options, read, PUBLISHER, LICENCE, TITLE))
