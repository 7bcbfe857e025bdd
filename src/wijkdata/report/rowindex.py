"""Indicator rows per area, turned into Python rows only for the areas a build asks for.

A national build holds ~0.8 million ``ind_value`` and ~0.6 million ``ind_comparison`` rows.
Making a Python object of every row up front took ~35 s and 4 GB (when all levels were compared)
while a wijk build reads the rows of a few areas per profile (the wijk, its gemeente, regio,
land and the map's wijken). The frame stays in columnar form, sorted by area; an area's slice
becomes typed rows (``core.tables``) the first time it is looked up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import polars as pl

from wijkdata.core.tables import ComparisonRow, TrendRow, ValueRow, typed_rows

Key = tuple[Any, ...]
Group = Callable[[list[Any]], dict[Key, Any]]

# The comparison columns a report reads (``ComparisonRow``): difference and comparison stay in
# the database. A third fewer columns saved ~250 MB in the main process and in each render
# worker when the national build compared all levels (2.5 million rows; ~50 MB now).
COMPARISON_SQL = ("SELECT " + ", ".join(ComparisonRow._fields) + " FROM ind_comparison")


class AreaRows(Mapping[Key, Any]):
    """Read-only mapping ``key -> value`` whose keys carry the area code at ``key[1]``.

    ``group`` turns one area's rows (``row_type``, in the frame's order) into the entries for that
    area.
    """

    def __init__(self, frame: pl.DataFrame, row_type: type[tuple[Any, ...]], group: Group,
                 area_col: str = "area_code") -> None:
        # A stable sort keeps the caller's order (e.g. by year) within each area. Codes such as
        # indicator ids, comparators and verdicts repeat millions of times: as categoricals they
        # take a fraction of the memory and still come back as plain strings.
        repeated = [c for c, t in frame.schema.items() if t == pl.String and c != area_col]
        self._frame = frame.with_columns(pl.col(repeated).cast(pl.Categorical)).sort(
            area_col, maintain_order=True)
        runs = self._frame[area_col].rle()
        self._span: dict[str, tuple[int, int]] = {}
        start = 0
        for length, code in zip(runs.struct.field("len").to_list(),
                                runs.struct.field("value").to_list(), strict=True):
            self._span[code] = (start, length)
            start += length
        self._row_type = row_type
        self._group = group
        self._cache: dict[Key, Any] = {}
        self._loaded: set[str] = set()

    @property
    def areas(self) -> frozenset[str]:
        """The areas that have rows."""
        return frozenset(self._span)

    def _load(self, area: str) -> None:
        self._loaded.add(area)
        span = self._span.get(area)
        if span is None:
            return
        self._cache.update(self._group(typed_rows(self._frame.slice(*span), self._row_type)))

    def __getitem__(self, key: Key) -> Any:
        area = key[1]
        if area not in self._loaded:
            self._load(area)
        return self._cache[key]

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) < 2:
            return False
        try:
            self[key]
        except KeyError:
            return False
        return True

    def _load_all(self) -> None:
        for area in self._span:
            if area not in self._loaded:
                self._load(area)

    def __iter__(self) -> Iterator[Key]:
        self._load_all()
        return iter(self._cache)

    def __len__(self) -> int:
        self._load_all()
        return len(self._cache)


def by_indicator_area(rows: list[ValueRow]) -> dict[Key, Any]:
    """(indicator_id, area_code) -> list of rows (in the frame's order, e.g. by year)."""
    out: dict[Key, list[ValueRow]] = {}
    for r in rows:
        out.setdefault((r.indicator_id, r.area_code), []).append(r)
    return out


def by_indicator_area_year(rows: list[ComparisonRow]) -> dict[Key, Any]:
    """(indicator_id, area_code, year) -> {comparator: row}."""
    out: dict[Key, dict[str, ComparisonRow]] = {}
    for r in rows:
        out.setdefault((r.indicator_id, r.area_code, r.year), {})[r.comparator] = r
    return out


def one_per_indicator_area(rows: list[TrendRow]) -> dict[Key, Any]:
    """(indicator_id, area_code) -> the row."""
    return {(r.indicator_id, r.area_code): r for r in rows}
