"""The region overview (``index.html``): every profiled area × the key indicators, a map and one
Altair chart. One page per region, so Altair + vl-convert (20–50 ms a chart) costs nothing here.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np
import vl_convert as vlc
from jinja2 import Environment

from wijkdata import __version__
from wijkdata.core.tables import GeometryRow
from wijkdata.indicators.definitions import Indicator

from . import charts, hyphenation, labels
from .context import ContextBuilder
from .formatting import number
from .maps import map_rows
from .report_types import figure_cell


def altair_bars(rows: list[tuple[str, float]], ind: Indicator, accent: str) -> str:
    """Horizontal bar chart of one indicator over all areas, as SVG via vl-convert."""
    data = alt.Data(values=[{"gebied": n, "waarde": v} for n, v in rows])
    chart = (
        alt.Chart(data)
        .mark_bar(color=accent)
        .encode(
            x=alt.X("waarde:Q", title=f"{ind.label} ({ind.unit})"),
            y=alt.Y("gebied:N", sort="-x", title=None),
            tooltip=["gebied:N", "waarde:Q"],
        )
        .properties(width=420, height=max(len(rows) * 14, 60))
        .configure(font=charts.FONT.split(",")[0])
        .configure_axis(labelFont="DejaVu Sans", titleFont="DejaVu Sans", labelLimit=220)
    )
    svg: str = vlc.vegalite_to_svg(chart.to_dict())
    return svg


# One bar per area up to MAX_BARS; beyond that a histogram of the areas' values. Measured
# (issue 7): the national overview's 3,634 bars were a 50,000 px chart that took vl-convert
# 12 s (plus 1.2 s of schema validation of the inline data); 20 pre-binned bars take ~25 ms.
MAX_BARS = 60
BINS = 20


def altair_histogram(values: list[float], ind: Indicator, accent: str) -> str:
    """How the areas are spread over the indicator's range: counts per bin, via vl-convert."""
    counts, edges = np.histogram(np.asarray(values, dtype=float), bins=BINS)
    rows = [{"van": float(edges[i]), "tot": float(edges[i + 1]), "gebieden": int(n)}
            for i, n in enumerate(counts)]
    chart = (
        alt.Chart(alt.Data(values=[]))
        .mark_bar(color=accent)
        .encode(x=alt.X("van:Q", bin="binned", title=f"{ind.label} ({ind.unit})"),
                x2="tot:Q", y=alt.Y("gebieden:Q", title="aantal gebieden"))
        .properties(width=420, height=180)
        .configure(font=charts.FONT.split(",")[0])
        .configure_axis(labelFont="DejaVu Sans", titleFont="DejaVu Sans")
    )
    spec = chart.to_dict()
    spec["data"] = {"values": rows}  # after to_dict: no schema validation of the data
    svg: str = vlc.vegalite_to_svg(spec)
    return svg


def render(env: Environment, builder: ContextBuilder, codes: list[str],
           links: dict[str, str], today: str, downloads: dict[str, str] | None = None) -> str:
    keys = [i for i in builder.indicators if i.key][:8]
    rows: list[dict[str, Any]] = []
    for code in codes:
        a = builder.area[code]
        cells = []
        for ind in keys:
            r = builder.latest(ind.id, code)
            v = r.value if r else None
            cell = figure_cell(v, r.status if r else None, ind.format)
            cells.append({"text": cell.text, "status": cell.status, "mark": cell.mark,
                          "sort": "" if v is None else f"{v:.6f}"})
        kind = labels.kind_of(builder.region.config, code, a.level)
        rows.append({"code": code, "name": a.name, "level": kind,
                     "gemeente": builder.name_of(a.gemeente_code or code),
                     "href": links.get(code, ""), "cells": cells})
    chart_ind = next((i for i in keys if i.unit == "%"), None)
    chart_svg = ""
    chart_rows: list[tuple[str, float]] = []
    if chart_ind is not None:
        for code in codes:
            r = builder.latest(chart_ind.id, code)
            if r and r.value is not None:
                chart_rows.append((builder.area[code].name, r.value))
        if chart_rows:
            accent = builder.region.config.organisation.accent
            chart_svg = (altair_bars(chart_rows, chart_ind, accent)
                         if len(chart_rows) <= MAX_BARS else
                         altair_histogram([v for _, v in chart_rows], chart_ind, accent))
    maps = _maps(builder, keys, chart_ind, links)
    cfg = builder.region.config
    page = env.get_template("index.html.j2").render(
        region=cfg, slug=builder.region.slug, rows=rows, keys=keys, today=today,
        chart_svg=chart_svg, chart_ind=chart_ind, maps=maps,
        chart_table=[(n, number(v, chart_ind.format)) for n, v in chart_rows] if chart_ind else [],
        logo_svg=builder.logo_svg, version=__version__, downloads=downloads or {},
    )
    # The inline script is allowed by its hash (templates/index.html.j2, csp.py); hyphenation
    # only touches table cells, captions and tiles, never the script.
    return hyphenation.html(page)


# One map per key indicator to choose from; a national overview (thousands of wijken) keeps
# one map, as eight would make the page tens of megabytes.
MAX_SHAPES_FOR_CHOICE = 800


def _maps(builder: ContextBuilder, keys: list[Indicator], first: Indicator | None,
          links: dict[str, str]) -> list[tuple[Indicator | None, str]]:
    """(indicator, map SVG) per key indicator with figures on the wijken, ``first`` first."""
    shapes = [g for g in builder.geometry.values() if g.level == "wijk"]
    if not shapes:
        return []
    order = [first] if first is not None else []
    if len(shapes) <= MAX_SHAPES_FOR_CHOICE:
        order += [i for i in keys if i is not first and any(
            builder.latest(i.id, s.code) for s in shapes)]
    if not order:
        return [(None, _map(builder, shapes, None, links))]
    # Each map gets its own id for the no-data hatching: a fill that points into a hidden map's
    # <defs> is not drawn.
    return [(ind, _map(builder, shapes, ind, links).replace("nodata", f"nodata-{k}"))
            for k, ind in enumerate(order)]


def _map(builder: ContextBuilder, shapes: list[GeometryRow], ind: Indicator | None,
         links: dict[str, str]) -> str:
    """The region's wijken coloured by one key indicator; a profiled wijk links to its profile."""
    data = map_rows(builder, shapes, ind)
    return charts.choropleth(data, set(), ind.format if ind else "number_1",
                             "Kaart van de wijken in de regio", ind.label if ind else "wijken",
                             links=links)
