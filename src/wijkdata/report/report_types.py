"""The plain data a report template reads: one :class:`Report` per area.

Kept apart from :mod:`wijkdata.report.context` (which builds these from the loaded tables) so
templates, the CSV writer, the session kit and the mail can share the shapes without the builder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wijkdata.core.status import MARK, Status, mark, shown
from wijkdata.indicators.definitions import Indicator

from .formatting import number


@dataclass
class Cell:
    text: str
    judgement: str = "not_tested"
    symbol: str = ""
    value: float | None = None
    status: str = "ok"  # status.Status: why there is no value, or "small"
    mark: str = ""      # the reader's words for that status (status.MARK)


def figure_cell(value: float | None, status: str | None, fmt: str, reason: str = "") -> Cell:
    """A figure, or the mark that says why there is none (``status.MARK``); ``reason``, when
    given, is a more precise wording of that mark ("onvolledig (85% van de 65-plussers)")."""
    if not shown(status) or value is None:
        code = status if status in MARK and status not in (Status.OK, Status.SMALL) \
            else Status.MISSING
        return Cell(reason or mark(code), value=None, status=str(code),
                    mark=reason or mark(code))
    return Cell(number(value, fmt), value=value, status=str(status), mark=MARK[str(status)])


@dataclass
class Row:
    indicator: Indicator
    year: int | None
    value: Cell
    interval: str
    comparisons: dict[str, Cell]
    trend_svg: str
    trend_text: str
    spine_svg: str
    rank_text: str
    status: str  # status.Status of the latest figure
    # "ongunstig en verslechterd" (worsening.py) and its details (a worsening.Worsening).
    flag: str = ""
    flag_detail: Any = None
    # What the figure rests on: "op basis van buurten met 97% van de 65-plussers",
    # "berekend uit afgeronde aantallen"; empty for a figure as published.
    note: str = ""
    # The counts behind a proportion, rate or count (None when not shown or not counted).
    numerator: float | None = None
    denominator: float | None = None


@dataclass
class KeyFigure:
    """One tile of *In het kort*: the value, its unit and how it compares with the gemeente."""

    label: str
    value: str
    unit: str
    comparison: str
    symbol: str
    judgement: str
    year: int | None = None
    indicator_id: str = ""  # the bewonersversie takes its figures in the tiles' order


@dataclass
class Theme:
    id: str
    title: str
    rows: list[Row]
    chart_svg: str = ""
    chart_table: list[tuple[str, str, str]] = field(default_factory=list)
    # The chart's (label, value) bars, so the session deck can draw it at slide size.
    chart_rows: list[tuple[str, float | None]] = field(default_factory=list)


@dataclass
class Source:
    id: str
    publisher: str
    title: str
    table_id: str
    year: int | None
    licence: str
    path: str
    sha256: str
    kind: str = ""
    # Years of this table the profile uses, for display ("2016, 2020"); see figure_sources.
    years: str = ""


@dataclass
class Report:
    code: str
    name: str
    level: str
    level_label: str  # noun: gemeente, wijk, buurt, dorp, focusgebied, cluster
    gemeente_code: str
    gemeente_name: str
    region_slug: str
    region_name: str
    regio_label: str
    organisation: str
    accent: str
    logo_svg: str
    generated: str
    version: str
    key_figures: list[KeyFigure]
    findings: list[str]
    themes: list[Theme]
    map_svg: str
    map_reason: str
    age_svg: str
    age_table: list[tuple[str, str, str]]
    sources: list[Source]
    suppression: str
    members: list[str]
    all_suppressed: bool
    comparators: list[str]
    csv_name: str
    extras: dict[str, object] = field(default_factory=dict)
    # The map's figures as text: (area name, value) for the table behind the map.
    map_table: list[tuple[str, str]] = field(default_factory=list)
    map_title: str = ""
    # Method text on disclosure control; empty when the region has no strict source.
    disclosure: str = ""
    # The comparable areas (name, gemeente name), nearest first, and how they were found.
    comparable: list[tuple[str, str]] = field(default_factory=list)
    comparable_method: str = ""
    # The findings behind ``findings`` (findings.Finding), for the bewonersversie's rules.
    ranked_findings: list[Any] = field(default_factory=list)
    kind: str = "wijk"  # labels.KINDS key: decides Dorpsprofiel / Gebiedsprofiel / ...
    spread_word: str = "wijken"  # what the position column compares: the region's wijken/buurten
    coverage_min: float = 0.9  # config areas.coverage_min, stated on the method page
    composition_max: float = 0.2  # config areas.composition_change_max
