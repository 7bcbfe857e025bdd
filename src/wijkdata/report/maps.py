"""What a choropleth of areas shows: which indicator, and one row per shape.

The profile map, the overview map and the session kit's network map colour areas the same way;
this is their one home, so the maps of one area read alike wherever they appear.
"""

from __future__ import annotations

from wijkdata.core.tables import GeometryRow
from wijkdata.indicators.definitions import Indicator

from .region_tables import RegionTables

MapRow = tuple[str, str, str, float | None]  # code, name, geojson, value


def map_indicator(builder: RegionTables, shapes: list[GeometryRow]) -> Indicator | None:
    """The region's ``map_indicator:``, else the first key health percentage with a figure for
    at least one of the shapes (a health figure is what the maps are for), else the first key
    percentage with one."""
    want = builder.region.config.map_indicator
    if want:
        return next((i for i in builder.indicators if i.id == want), None)
    for pick in (lambda i: i.theme == "gezondheid" and i.key,
                 lambda i: i.theme == "gezondheid", lambda i: i.key):
        found = next((i for i in builder.indicators if pick(i) and i.unit == "%"
                      and any(builder.latest(i.id, s.code) for s in shapes)), None)
        if found is not None:
            return found
    return None


def map_rows(builder: RegionTables, shapes: list[GeometryRow],
             ind: Indicator | None) -> list[MapRow]:
    """(code, name, geojson, latest value) per shape; no value without an indicator."""
    rows: list[MapRow] = []
    for s in shapes:
        r = builder.latest(ind.id, s.code) if ind else None
        rows.append((s.code, builder.name_of(s.code, s.code), s.geojson,
                     r.value if r else None))
    return rows
