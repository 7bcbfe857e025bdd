"""Charts: which SVG charts one profile gets, from its rows (``charts.py`` draws them).

A theme's bar chart (the area against its nearest comparator), the age structure against the
gemeente, and per figure its trend line and its position among the region's wijken or buurten.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from wijkdata.core.tables import ValueRow
from wijkdata.indicators.definitions import Indicator

from . import charts
from .formatting import MISSING_TEXT, number
from .profile_prose import comparator_word, nearest_comparator
from .region_tables import Spread
from .report_types import Cell, Theme

AGE_GROUPS = [("0-14 jaar", "leeftijd_0_14"), ("15-24 jaar", "leeftijd_15_24"),
              ("25-44 jaar", "leeftijd_25_44"), ("45-64 jaar", "leeftijd_45_64"),
              ("65+ jaar", "leeftijd_65plus")]
THEME_BARS = 6  # percentages per theme chart: each with its comparator, 12 bars at most


def theme_chart(theme: Theme, area_name: str) -> None:
    """The theme's percentages next to the nearest comparator's, set on ``theme``."""
    pct = [r for r in theme.rows if r.indicator.unit == "%" and r.value.value is not None]
    rows: list[tuple[str, float | None]] = []
    table = []
    for r in pct[:THEME_BARS]:
        # The nearest comparator: the gemeente, or for a gemeente profile the regio.
        comp = nearest_comparator(r.comparisons)
        g = r.comparisons.get(comp)
        rows += [(r.indicator.label, r.value.value),
                 (comparator_word(comp) if comp else "", g.value if g else None)]
        table.append((r.indicator.label, r.value.text, g.text if g else MISSING_TEXT))
    if rows:
        near = rows[1][0] or "gemeente"
        near = near if near == "Nederland" else f"de {near}"
        theme.chart_svg = charts.bars(rows, "percent_1",
                                      f"{theme.title}: {area_name} tegen {near}",
                                      highlight=range(0, len(rows), 2))
        theme.chart_table = table
        theme.chart_rows = rows


def age_chart(latest: Callable[[str, str], ValueRow | None], code: str, gm_code: str,
              name: str) -> tuple[str, list[tuple[str, str, str]]]:
    """The age structure of the area against its gemeente: the SVG and its table."""
    groups = []
    for label, ind_id in AGE_GROUPS:
        r = latest(ind_id, code)
        g = latest(ind_id, gm_code)
        groups.append((label, r.value if r else None, g.value if g else None))
    if all(a is None for _, a, _ in groups):
        return "", []
    table = [(g, number(a, "percent_1") if a is not None else MISSING_TEXT,
              number(b, "percent_1") if b is not None else "")
             for g, a, b in groups]
    return charts.age_pyramid(groups, f"Leeftijdsopbouw van {name}"), table


def trend_line(points: Sequence[tuple[int, float]], ind: Indicator) -> str:
    """The figure's small line over the years; none for a single year."""
    return charts.trend(points, ind.format, f"Trend {ind.title}") if len(points) > 1 else ""


def position_spine(ind: Indicator, value: float | None, spread: Spread | None,
                   comps: Mapping[str, Cell], level: str) -> str:
    """Where the figure stands among the region's wijken (or buurten), with the gemeente (or
    Nederland) as the benchmark line. A count gets no line: the gemeente's count is the sum of
    its wijken, so the line lay far beyond them and squeezed their range into one end."""
    if not spread or value is None:
        return ""
    bench = None if ind.stat.size_dependent else comps.get(
        "gemeente", comps.get("land", Cell(""))).value
    return charts.spine(value, *spread, bench, comps.get("gemeente", Cell("")).judgement,
                        f"{ind.title}: positie tussen de {level}en van de regio")
