"""Which source table each figure comes from, and a profile's list of tables (each once).

The ``observation`` table records the source of every value, so the link from a figure to its
table is looked up, not guessed from the indicator's source kind: an indicator read from a
KWB csv in one region and from the CBS OData API in another names the right table in both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import duckdb

from wijkdata.core.db import frame
from wijkdata.indicators.definitions import Indicator

from .report_types import Source


class SourceIndex:
    """(variable, year) -> source ids, and the provenance row of every source id."""

    def __init__(self, con: duckdb.DuckDBPyConnection, sources: list[Source]) -> None:
        self.by_id = {s.id: s for s in sources}
        self._ids: dict[tuple[str, int], list[str]] = defaultdict(list)
        rows = frame(con, "SELECT DISTINCT variable, year, source_id FROM observation "
                          "ORDER BY source_id")
        for variable, year, source_id in rows.iter_rows():
            self._ids[(variable, year)].append(source_id)

    def for_figure(self, ind: Indicator, year: int | None) -> list[Source]:
        """The tables of an indicator's figure in ``year`` (its value or numerator variable,
        and a denominator from another table), in source-id order."""
        if year is None:
            return []
        ids: list[str] = []
        for var in (ind.value, ind.numerator, ind.denominator):
            for sid in self._ids.get((var or "", year), []):
                if sid not in ids:
                    ids.append(sid)
        return [self.by_id[i] for i in ids if i in self.by_id]

    def boundaries(self) -> list[Source]:
        return [s for s in self.by_id.values() if s.kind == "boundaries"]


def table_list(sources: Iterable[Source]) -> list[Source]:
    """Each table once: sources with the same publisher, title and table id merge, their
    years joined ("2016, 2020"); order of first use is kept."""
    merged: dict[tuple[str, str, str], list[Source]] = {}
    for s in sources:
        merged.setdefault((s.publisher, s.title, s.table_id), []).append(s)
    out = []
    for group in merged.values():
        years = sorted({s.year for s in group if s.year is not None})
        first = group[0]
        out.append(Source(first.id, first.publisher, first.title, first.table_id,
                          years[-1] if years else None, first.licence, first.path,
                          first.sha256, kind=first.kind,
                          years=", ".join(str(y) for y in years)))
    return out
