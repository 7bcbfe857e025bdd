"""What the session deck and handout add to a report: charts at slide size and source lines.

A slide is 720 × 405 pt (16:9). A theme chart drawn 600+ pt wide shows its 11-unit labels at
≥ 14 pt (11 × 620 / 480 ≈ 14.2), readable from the back of a room at 1280 × 720; its bars are
thinner than in the profile so twelve of them still fit under the slide title.
"""

from __future__ import annotations

from wijkdata.report import charts
from wijkdata.report.context import ContextBuilder
from wijkdata.report.figure_sources import table_list
from wijkdata.report.report_types import Report, Source, Theme

SLIDE_BAR, SLIDE_GAP = 12, 4


def slide_chart(theme: Theme, report: Report) -> str:
    """The theme's bar chart with thin bars, for a slide of its own."""
    if not theme.chart_rows:
        return ""
    near = theme.chart_rows[1][0] if len(theme.chart_rows) > 1 else "gemeente"
    return charts.bars(theme.chart_rows, "percent_1",
                       f"{theme.title}: {report.name} tegen de {near}",
                       highlight=range(0, len(theme.chart_rows), 2),
                       bar_h=SLIDE_BAR, gap=SLIDE_GAP)


def source_line(sources: list[Source]) -> str:
    """``Bron: Kerncijfers wijken en buurten 2022, 2023 (CBS 85318NED, 85618NED); …``.

    One entry per title (the years of a table series together), boundaries left out: a slide
    has room for one line, and the map's source is in the full profile.
    """
    by_title: dict[str, list[Source]] = {}
    for s in sources:
        if s.kind != "boundaries":
            by_title.setdefault(s.title or s.publisher, []).append(s)
    parts = []
    for title, group in by_title.items():
        years = sorted({y for s in group for y in (s.years or str(s.year or "")).split(", ")
                        if y})
        tables = ", ".join(dict.fromkeys(s.table_id for s in group if s.table_id))
        parts.append(f"{title} {', '.join(years)}" + (f" ({tables})" if tables else ""))
    return ("Bron: " + "; ".join(parts)) if parts else ""


def theme_sources(builder: ContextBuilder, theme: Theme) -> list[Source]:
    """The tables of the figures a theme shows (newest year of each row)."""
    return table_list(s for row in theme.rows
                      for s in builder.source_index.for_figure(row.indicator, row.year))
