"""GGD/RIVM Gezondheidsmonitor Volwassenen en Ouderen per gemeente, wijk en buurt (50090NED).

The RIVM small-area estimates are published as percentages, every cell text padded with spaces;
``.`` means unreliable or secret and an empty cell means the question was not asked that year
("kan op logische gronden niet voorkomen"). Variable names are derived from the published key
(``ErvarenGezondheidGoedZeerGoed_4`` -> ``ervaren_gezondheid_goed_zeer_goed``), so a release
that renumbers the suffixes still maps to the same variable.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

import polars as pl
from pydantic import Field, model_validator

from wijkdata.core import codes
from wijkdata.core.errors import DataError
from wijkdata.core.source_kinds import SourceKind, TableOptions, register

from .common import (
    NOT_APPLICABLE,
    Loaded,
    check_codes,
    drop_other_regions,
    parse_numbers,
    read_table,
    to_long,
)

PUBLISHER = "RIVM / GGD'en / CBS, Gezondheidsmonitor Volwassenen en Ouderen"
LICENCE = "open data (RIVM StatLine)"
TITLE = "Gezondheid per wijk en buurt"

ID_COLUMNS = {
    "ID", "Leeftijd", "Marges", "WijkenEnBuurten", "Perioden", "RegioS", "Persoonskenmerken",
}
NAME_PREFIXES = ("Gemeentenaam", "SoortRegio", "Codering")
LINE = "__file_row"  # the row in the file, kept through the filters below for messages
# StatLine Marges codes: the point estimate and the two bounds of the 95% interval.
MARGIN_VALUE = "MW00000"
MARGIN_LOWER = "MOG0095"
MARGIN_UPPER = "MBG0095"
# StatLine Leeftijd codes of the monitor tables (50090NED): 20300 = 18 jaar of ouder,
# 80200 = 65 jaar of ouder, 53115 = 18 tot 65 jaar (see shared/data/SOURCES.md).
AGE_CODES = {"20300": "18+", "80200": "65+", "53115": "18-64"}
AGE_CODE_OF = {group: code for code, group in AGE_CODES.items()}
AGE_COLUMNS = ("Leeftijd", "Persoonskenmerken")
AgeGroup = Literal["18+", "65+", "18-64"]


class Options(TableOptions):
    kind: Literal["ggd_monitor"]
    # Appended to every variable name (e.g. "_65plus" for the 65+ table).
    variable_suffix: Annotated[str, Field(pattern=r"^[a-z0-9_]{0,20}$")] = ""
    # Required: the file's age group, checked against its own Leeftijd column; values of
    # different age groups are never combined. (Optional in the type only so that its absence
    # gets the sentence below rather than "required key is missing".)
    age_group: AgeGroup | None = None

    @model_validator(mode="after")
    def _age_group(self) -> Options:
        if self.age_group is None:
            raise ValueError(f"source '{self.id}': a ggd_monitor source needs 'age_group:' "
                             "(18+, 65+ or 18-64), the age group of the file's Leeftijd column")
        return self

    def age_group_declared(self) -> str | None:
        return self.age_group


def snake(key: str) -> str:
    base = re.sub(r"_\d+$", "", key)
    base = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", base)
    return base.lower()


def read(source: Options, path: Path) -> Loaded:
    df = read_table(path, source)
    check_age_group(df, source, path)
    first = source.skip_rows + 2  # title rows, then the header
    df = df.with_columns(pl.int_range(first, first + df.height, dtype=pl.Int64).alias(LINE))
    code_col = next((c for c in ("WijkenEnBuurten", "RegioS") if c in df.columns), None)
    if code_col is None:
        raise DataError(f"{path}: no area code column; expected 'WijkenEnBuurten' or 'RegioS'")
    df = df.with_columns(codes.normalise_expr(code_col).alias(code_col))
    df, region_notes = drop_other_regions(df, code_col)
    if "Marges" in df.columns:
        df = df.with_columns(pl.col("Marges").str.strip_chars())
    year = source.year
    if year is None and "Perioden" in df.columns:
        year = int(str(df["Perioden"][0]).strip()[:4])
    if year is None:
        raise DataError(f"{path}: no 'Perioden' column; set 'year:' on source '{source.id}'")
    measure_cols = [
        c for c in df.columns
        if c not in ID_COLUMNS and c != LINE and not c.startswith(NAME_PREFIXES)
    ]
    if not measure_cols:
        raise DataError(f"{path}: no measure columns found next to {code_col}")
    mapping = {snake(c) + source.variable_suffix: c for c in measure_cols}

    values = df.filter(pl.col("Marges") == MARGIN_VALUE) if "Marges" in df.columns else df
    check_codes(values[code_col], path, code_col, values[LINE])
    parsed = parse_numbers(values, measure_cols, path=path, empty_status=NOT_APPLICABLE,
                           first_row=values[LINE])
    obs = to_long(values[code_col], parsed, mapping, year)
    out_of_range = obs.filter((pl.col("value") < 0) | (pl.col("value") > 100))
    if out_of_range.height:
        row = out_of_range.row(0, named=True)
        raise DataError(
            f"{path}, area {row['area_code']}, variable '{row['variable']}': "
            f"{row['value']:g} is not a percentage between 0 and 100"
        )
    obs = obs.with_columns(lower=pl.lit(None, pl.Float64), upper=pl.lit(None, pl.Float64))
    notes = list(region_notes)
    if "Marges" in df.columns:
        for margin, col in ((MARGIN_LOWER, "lower"), (MARGIN_UPPER, "upper")):
            bound = df.filter(pl.col("Marges") == margin)
            if bound.height:
                p = parse_numbers(bound, measure_cols, path=path, empty_status=NOT_APPLICABLE,
                                  first_row=bound[LINE])
                b = to_long(bound[code_col], p, mapping, year).select(
                    "area_code", "variable", pl.col("value").alias(col)
                )
                obs = obs.drop(col).join(b, on=["area_code", "variable"], how="left")
        if not df.filter(pl.col("Marges") != MARGIN_VALUE).height:
            notes.append("no confidence intervals published (Marges has point estimates only)")
    name_col = next((c for c in df.columns if c.startswith("Gemeentenaam")), None)
    code = pl.col(code_col)
    name = (
        pl.when(code.str.starts_with("GM") | code.str.starts_with("NL"))
        .then(pl.col(name_col).str.strip_chars())
        .otherwise(None)
        if name_col
        else pl.lit(None, pl.String)
    )
    areas = values.select(code.alias("code"), name.alias("name"))
    return Loaded(observations=obs, areas=areas, raw=df.drop(LINE), notes=notes)


def check_age_group(df: pl.DataFrame, source: Options, path: Path) -> None:
    """Every row's own age code must be the group the source declares (``age_group:``).

    An 18-64 file declared as 18+ would otherwise be shown as "volwassenen" and compared with
    18+ figures of other years and areas. A file without an age column cannot be checked.
    """
    col = next((c for c in AGE_COLUMNS if c in df.columns), None)
    if col is None or source.age_group is None:
        return
    found = df[col].cast(pl.String).str.strip_chars()
    if col == "Persoonskenmerken" and not found.is_in(list(AGE_CODES)).any():
        return  # a regional table split by another characteristic (sex, ...): not by age
    expected = AGE_CODE_OF[source.age_group]
    bad = (found != expected).fill_null(True)
    if not bad.any():
        return
    i = int(bad.arg_true()[0])
    code = found[i] or ""
    group = AGE_CODES.get(code)
    what = f"{code} ({group})" if group else f"'{code}' (not an age code of the monitor)"
    raise DataError(
        f"{path}, row {i + 2 + source.skip_rows}, column '{col}': age group {what}, expected "
        f"{expected} ({source.age_group}) as declared by 'age_group: {source.age_group}' of "
        f"source '{source.id}'",
        hint="declare the file's own age group, or point the source at the file of the "
             "declared group; age groups are never combined",
    )


KIND = register(SourceKind(Options, read, PUBLISHER, LICENCE, TITLE))
