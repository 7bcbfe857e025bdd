"""Loading: a region database's computed tables, read once and set-based, as typed rows.

Everything a profile, the CSV, the overview and the session kit read from DuckDB is loaded here
(``core.tables`` declares the rows); after loading no report code touches the database, so
thousands of profiles cost dictionary look-ups, not queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import duckdb
import polars as pl

from wijkdata.core.config import Region
from wijkdata.core.db import current_areas, frame, has_table
from wijkdata.core.tables import (
    AreaRow,
    CharacteristicRow,
    ComparisonRow,
    CustomAreaMemberRow,
    CustomAreaPartRow,
    GeometryRow,
    ProvenanceRow,
    TrendRow,
    ValueRow,
    typed_rows,
)
from wijkdata.indicators.definitions import Indicator

from . import rowindex
from .figure_sources import SourceIndex
from .report_types import Source

# Range and quartiles of one indicator over the region's wijken or buurten in one year.
Spread = tuple[float, float, float, float]


class RegionTables:
    """The region's areas, figures, comparisons, trends, shapes, sources and comparable groups."""

    def __init__(self, con: duckdb.DuckDBPyConnection, region: Region,
                 indicators: list[Indicator]) -> None:
        self.region = region
        self.indicators = indicators
        self.area: dict[str, AreaRow] = {
            r.code: r for r in typed_rows(frame(con, "SELECT * FROM area"), AreaRow)}
        values = frame(con, "SELECT * FROM ind_value")
        # Rows become typed rows per area on first use (rowindex.py): a national build would
        # otherwise spend ~35 s and GBs turning millions of rows it never reads into objects.
        self.values: Mapping[tuple[str, str], list[ValueRow]] = rowindex.AreaRows(
            values.sort("year", maintain_order=True), ValueRow, rowindex.by_indicator_area)
        comps = rowindex.AreaRows(frame(con, rowindex.COMPARISON_SQL), ComparisonRow,
                                  rowindex.by_indicator_area_year)
        self.comps: Mapping[tuple[str, str, int], dict[str, ComparisonRow]] = comps
        # The areas that were compared: those of the profiled levels (comparisons.py).
        self.compared: frozenset[str] = comps.areas
        self.spread = self._spread(values)
        self.geometry: dict[str, GeometryRow] = {
            r.code: r for r in typed_rows(frame(con, "SELECT * FROM geometry"), GeometryRow)}
        self.sources = [Source(r.source_id, r.publisher, r.title, r.table_id, r.year, r.licence,
                               r.path, r.sha256, kind=r.kind)
                        for r in typed_rows(frame(con, "SELECT * FROM provenance"),
                                            ProvenanceRow)]
        self.source_index = SourceIndex(con, self.sources)
        self.members: dict[str, list[str]] = defaultdict(list)
        for m in typed_rows(frame(con, "SELECT * FROM custom_area_member"), CustomAreaMemberRow):
            self.members[m.custom_code].append(m.buurt_code)
        self.parts: dict[str, list[str]] = defaultdict(list)
        for p in typed_rows(frame(con, "SELECT * FROM custom_area_part"), CustomAreaPartRow):
            self.parts[p.custom_code].append(p.part_code)
        self.trend: Mapping[tuple[str, str], TrendRow] = rowindex.AreaRows(
            frame(con, "SELECT * FROM ind_trend"), TrendRow, rowindex.one_per_indicator_area)
        self.names = {c: r.name for c, r in self.area.items()}  # once, not per profile
        self.groups, self.characteristics = comparable_tables(con)
        self.current = current_areas(con)
        # Shapes per (level, gemeente digits): scanning all 3,475 wijken per profile was
        # quadratic in a national build.
        self.shapes: dict[tuple[str, str], list[GeometryRow]] = defaultdict(list)
        for g in self.geometry.values():
            self.shapes[(g.level, g.code[2:6])].append(g)

    def _spread(self, values: pl.DataFrame) -> dict[tuple[str, int, str], Spread]:
        """Range and quartiles of each indicator over the region's wijken / buurten per year."""
        level = pl.DataFrame({"area_code": list(self.area),
                              "level": [a.level for a in self.area.values()]})
        v = values.join(level, on="area_code").filter(
            pl.col("value").is_not_null() & pl.col("level").is_in(["wijk", "buurt"]))
        agg = v.group_by("indicator_id", "year", "level").agg(
            pl.col("value").min().alias("lo"), pl.col("value").quantile(0.25).alias("q1"),
            pl.col("value").quantile(0.75).alias("q3"), pl.col("value").max().alias("hi"))
        return {(ind, year, lvl): (lo, q1, q3, hi)
                for ind, year, lvl, lo, q1, q3, hi in agg.select(
                    "indicator_id", "year", "level", "lo", "q1", "q3", "hi").iter_rows()}

    def latest(self, ind_id: str, code: str) -> ValueRow | None:
        rows = self.values.get((ind_id, code))
        return rows[-1] if rows else None

    def name_of(self, code: str, default: str = "") -> str:
        """The area's name; ``default`` for a code the database does not know."""
        a = self.area.get(code)
        return a.name if a is not None else default

    def gemeente_name(self, code: str) -> str:
        """The name of the gemeente an area lies in; empty when unknown."""
        a = self.area.get(code)
        return self.names.get((a.gemeente_code if a is not None else None) or "", "")


def comparable_tables(con: duckdb.DuckDBPyConnection
                      ) -> tuple[dict[str, list[str]], dict[str, list[CharacteristicRow]]]:
    """Each area's comparable areas (nearest first), and per pool level the characteristics
    the groups were found by (in the table's order)."""
    if not has_table(con, "comparable_area"):  # a database from before the comparator existed
        return {}, {}
    groups: dict[str, list[str]] = defaultdict(list)
    for code, neighbour in con.execute("SELECT area_code, neighbour_code FROM comparable_area "
                                       "ORDER BY area_code, rank").fetchall():
        groups[code].append(neighbour)
    characteristics: dict[str, list[CharacteristicRow]] = {}
    for r in typed_rows(frame(con, "SELECT * FROM comparable_characteristic"),
                        CharacteristicRow):
        characteristics.setdefault(r.level, []).append(r)
    return dict(groups), characteristics
