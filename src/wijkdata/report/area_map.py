"""The map of a profile: the gemeente with the area outlined, coloured by one indicator.

Areas of whole wijken are drawn from the wijk shapes (one outline round them all); villages and
buurten from buurt shapes when the boundaries have them, else a locator map outlines the
wijk(en) that hold their buurten and says so.
"""

from __future__ import annotations

from wijkdata.core.tables import AreaRow

from . import charts
from .formatting import MISSING_TEXT, listing, number
from .maps import map_indicator, map_rows
from .region_tables import RegionTables

# px (53 mm): with its legend and caption the map stays under a third of an A4 page, so the
# unbreakable "Het gebied" block never leaves much of a page empty when it moves on.
MAP_HEIGHT = 200


def build(builder: RegionTables, code: str, a: AreaRow, gm_code: str
          ) -> tuple[str, str, list[tuple[str, str]], str]:
    """Every profile gets a map of its gemeente with the area outlined.

    Areas of whole wijken are drawn from the wijk shapes; villages and buurten from buurt
    shapes when the boundaries have them, else a locator map outlines the wijk(en) that
    hold their buurten and says so (the returned note).
    """
    level, note = "wijk", ""
    gm = gm_code[2:]
    parts = builder.parts.get(code, [])
    wijken = {s.code for s in builder.shapes.get(("wijk", gm), [])}
    buurten = {s.code for s in builder.shapes.get(("buurt", gm), [])}
    if a.level == "gemeente":
        outline: set[str] = set()
    elif a.level == "wijk":
        outline = {code}
    elif parts and all(p.startswith("WK") for p in parts):
        outline = set(parts)
    else:
        members = set(builder.members.get(code, [code]))
        if members & buurten:
            level, outline = "buurt", members
        else:
            outline = {_parent(builder, b) for b in members}
            outline &= wijken
            if outline:
                names = sorted(builder.names.get(w, w) for w in outline)
                what = "de wijk" if len(names) == 1 else "de wijken"
                note = (f"Buurtgrenzen ontbreken in de bron: de kaart omlijnt {what} "
                        f"{listing(names)}, waarin de buurten van {a.name} liggen.")
    shapes = builder.shapes.get((level, gm), [])
    if not shapes:
        return "", f"Geen {level}grenzen beschikbaar voor deze gemeente.", [], ""
    if a.level != "gemeente" and not outline & {s.code for s in shapes}:
        return "", "Voor dit gebied zijn geen grenzen beschikbaar.", [], ""
    ind = map_indicator(builder, shapes)
    data = map_rows(builder, shapes, ind)
    title = ind.label if ind else "gebied"
    fmt = ind.format if ind else "number_1"
    named = ({s.code for s in shapes} if level == "wijk" else outline)
    svg = charts.choropleth(data, outline, fmt,
                            f"Kaart van de {level}en in de gemeente, {title}", title,
                            named=named, width=charts.PRINT_HALF, max_height=MAP_HEIGHT)
    table = [(n, number(v, fmt) if v is not None else MISSING_TEXT)
             for _, n, _, v in sorted(data, key=lambda d: d[1])]
    return svg, note, table, title


def _parent(builder: RegionTables, code: str) -> str:
    a = builder.area.get(code)
    return (a.parent_code if a is not None else None) or ""
