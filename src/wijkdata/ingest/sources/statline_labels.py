"""StatLine "label CSV" helpers for the csv kind: region names to codes, dimensions, repeats.

CBS StatLine exports tables as label CSVs: regions by NAME (``Aalten``, ``Groningen (PV)``), one
row per value of every other dimension (age band, quarter), and ``*`` after a provisional period.
Files built by others also repeat an area on several rows (one per postcode). These helpers turn
such a file into one row per area and variable without hand editing, and say what they left out.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
from pydantic import BaseModel, ConfigDict

from wijkdata.core import codes
from wijkdata.core.errors import DataError, where
from wijkdata.core.source_kinds import TableOptions

from .common import read_table

if TYPE_CHECKING:
    from .local_table import Options as Source

CODE = "__code"  # resolved area code
ROW = "__row"  # 1-based file row (header = 1), so messages name the row the analyst sees
DIM = "__dim"  # dimension value with the provisional marker removed

# CBS provincie codes (CBS "Gebieden in Nederland", regiocodes PV20..PV31; stable since 1986,
# when Flevoland became PV24). Provinces are not a profile level, but naming them by code lets
# `wijkdata check` say what they are.
PROVINCIE_CODES: dict[str, str] = {
    "Groningen": "PV20", "Fryslân": "PV21", "Drenthe": "PV22", "Overijssel": "PV23",
    "Flevoland": "PV24", "Gelderland": "PV25", "Utrecht": "PV26", "Noord-Holland": "PV27",
    "Zuid-Holland": "PV28", "Zeeland": "PV29", "Noord-Brabant": "PV30", "Limburg": "PV31",
}
# StatLine qualifies some labels: the region type ("Groningen (PV)") or, for equal names, a
# province ("Beek (L.)", "Hengelo (O.)", "Utrecht (gemeente)"). Newer code tables drop a
# qualifier that is no longer needed, so a label without an exact match is tried without it.
QUALIFIER_RE = r"\s*\([^()]*\)$"


class LabelLookup(BaseModel):
    """A code/name table (path relative to data_dir) that turns region names into CBS codes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    code_column: str
    name_column: str


def data_root(source: Source, path: Path) -> Path:
    """The data_dir the source's path was joined to: lookup tables are relative to it too."""
    rel = Path(source.path or path.name)
    if rel.is_absolute():
        return path.parent
    root = path
    for _ in rel.parts:
        root = root.parent
    return root


def lookup_table(source: Source, path: Path) -> tuple[dict[str, str], str]:
    """Return (name -> code, description of the table) for ``label_lookup``."""
    lookup = source.label_lookup
    if lookup is None or lookup == "provincie":
        return PROVINCIE_CODES, "the CBS provincie code table (PV20..PV31)"
    assert isinstance(lookup, LabelLookup)
    lpath = data_root(source, path) / lookup.path
    table = read_table(lpath, TableOptions(id=source.id, kind="csv", path=lookup.path),
                       expect=[lookup.code_column, lookup.name_column])
    names = table[lookup.name_column].cast(pl.String).str.strip_chars()
    found = table.select(codes.normalise_expr(lookup.code_column)).to_series()
    mapping: dict[str, str] = {}
    for i, (name, code) in enumerate(zip(names, found, strict=True)):
        if not name or not code:
            continue
        if mapping.get(name, code) != code:
            raise DataError(
                f"{where(lpath, row=i + 2, column=lookup.name_column)}: name '{name}' stands "
                f"for {mapping[name]} and {code}; a label lookup needs one code per name"
            )
        mapping[name] = code
    return mapping, str(lpath)


def resolve_labels(work: pl.DataFrame, labels: pl.Series, source: Source,
                   path: Path) -> tuple[pl.DataFrame, list[str]]:
    """Add the area code for every region label; rows whose label is unknown are noted, dropped.

    A name that does not resolve is usually a gemeente merged away between the file's year and
    the lookup's year: that is news for the analyst, not a broken file.
    """
    mapping, described = lookup_table(source, path)
    clean = labels.cast(pl.String).str.strip_chars()
    exact = clean.replace_strict(mapping, default=None, return_dtype=pl.String)
    bare = clean.str.replace(QUALIFIER_RE, "").replace_strict(mapping, default=None,
                                                               return_dtype=pl.String)
    code = exact.fill_null(bare)
    work = work.with_columns(code.alias(CODE))
    notes = []
    loose = clean.filter(exact.is_null() & bare.is_not_null()).unique(maintain_order=True)
    if source.label_lookup != "provincie" and loose.len():
        notes.append(f"{loose.len()} region labels matched {described} only without their "
                     "qualifier in brackets: " + ", ".join(
                         f"'{x}' -> {mapping[re.sub(QUALIFIER_RE, '', x)]}"
                         for x in loose.to_list()[:8]) + (" ..." if loose.len() > 8 else ""))
    unknown = clean.filter(code.is_null()).unique(maintain_order=True).to_list()
    if not unknown:
        return work, notes
    shown = ", ".join(f"'{u}'" for u in unknown[:8]) + (" ..." if len(unknown) > 8 else "")
    rows = int(code.is_null().sum())
    why = "" if source.label_lookup == "provincie" else " (e.g. gemeenten merged since)"
    notes.append(f"{len(unknown)} region labels in column '{source.label_column}' not found in "
                 f"{described}, {rows} rows left out{why}: {shown}")
    return work.filter(pl.col(CODE).is_not_null()), notes


def dimension_filter(work: pl.DataFrame, source: Source,
                     path: Path) -> tuple[pl.DataFrame, list[str]]:
    """Keep rows whose dimension value is configured; every configured value must occur."""
    col = source.dimension_column
    assert col is not None
    wanted = {k.strip().removesuffix("*").strip(): v for k, v in source.dimension_values.items()}
    present = work[DIM].unique(maintain_order=True).to_list()
    notes = []
    absent = [k for k in wanted if k not in present]
    if absent:
        raise DataError(
            f"{where(path, column=col)}: no rows with value '{absent[0]}' "
            f"(listed under dimension_values: of source '{source.id}')",
            hint="values present: " + ", ".join(f"'{p}'" for p in present[:8]),
        )
    other = [p for p in present if p not in wanted]
    if other:
        n = int((~work[DIM].is_in(list(wanted))).sum())
        notes.append(f"left out {n} rows with other '{col}' values: "
                     + ", ".join(f"'{o}'" for o in other[:6]) + (" ..." if len(other) > 6 else ""))
    work = work.filter(pl.col(DIM).is_in(list(wanted)))
    return work.with_columns(pl.col(DIM).replace_strict(wanted).alias(DIM)), notes


def provisional_note(values: pl.Series, column: str) -> list[str]:
    marked = int(values.cast(pl.String).str.strip_chars().str.ends_with("*").fill_null(False).sum())
    if not marked:
        return []
    return [f"{marked} rows have a '{column}' value marked '*' (voorlopig: provisional figures)"]


def collapse_repeats(work: pl.DataFrame, source: Source, path: Path,
                     value_cols: list[str], key: list[str]) -> tuple[pl.DataFrame, list[str]]:
    """One row per key. Repeats are an error unless ``repeated_codes: identical`` and equal."""
    dup = work.filter(pl.struct(key).is_duplicated())
    if dup.height == 0:
        return work, []
    label = source.label_column or source.code_column or CODE
    first = dup.row(0, named=True)
    same = dup.filter(pl.all_horizontal([pl.col(k) == first[k] for k in key]))
    rows = same[ROW].to_list()
    if source.repeated_codes == "error":
        raise DataError(
            f"{where(path, column=label)}: area code {first[CODE]} appears twice "
            f"(rows {rows[0]} and {rows[1]})",
            hint="if the file repeats areas on purpose (e.g. one row per postcode), set "
            "'repeated_codes: identical' on the source",
        )
    texts = [f"{c}__text" for c in value_cols]
    groups = dup.group_by(key, maintain_order=True).agg(
        [pl.col(t).n_unique() for t in texts] + [pl.col(ROW)])
    for g in groups.iter_rows(named=True):
        for col, t in zip(value_cols, texts, strict=True):
            if g[t] > 1:
                rows_g = g[ROW]
                vals = dup.filter(pl.col(ROW).is_in(rows_g))[t].to_list()
                shown = ", ".join(f"row {r}: '{v or ''}'" for r, v in
                                  zip(rows_g[:4], vals[:4], strict=True))
                raise DataError(
                    f"{where(path, column=col)}: area code {g[CODE]} is repeated with different "
                    f"values ({shown}); 'repeated_codes: identical' needs the same value in "
                    "every repeated row"
                )
    extra = dup.height - groups.height
    work = work.unique(subset=key, keep="first", maintain_order=True)
    return work, [f"{extra} repeated rows for {groups.height} areas carry identical values "
                  "(repeated_codes: identical); one row per area loaded"]


def check_code_values(work: pl.DataFrame, path: Path, column: str) -> None:
    """Every resolved code must be a CBS area code (same message as common.check_codes)."""
    ok = work[CODE].str.contains(codes.CODE_RE.pattern).fill_null(False)
    if not ok.all():
        i = int((~ok).arg_true()[0])
        raise DataError(
            f"{where(path, row=work[ROW][i], column=column)}: '{work[CODE][i] or ''}' is not a "
            "CBS area code (expected NL00, GM0000, WK000000 or BU00000000)"
        )

