"""The plain data a report template reads: one :class:`Report` per area.

Kept apart from :mod:`wijkdata.context` (which builds these from the database) so templates,
the CSV writer, the session kit and the mail can share the shapes without the builder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wijkdata.indicators.definitions import Indicator


@dataclass
class Cell:
    text: str
    judgement: str = "not_tested"
    symbol: str = ""
    value: float | None = None


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
    suppressed: bool
    # "ongunstig en verslechterd" (worsening.py) and its details (a worsening.Worsening).
    flag: str = ""
    flag_detail: Any = None


@dataclass
class KeyFigure:
    """One tile of *In het kort*: the value, its unit and how it compares with the gemeente."""

    label: str
    value: str
    unit: str
    comparison: str
    symbol: str
    judgement: str


@dataclass
class Theme:
    id: str
    title: str
    rows: list[Row]
    chart_svg: str = ""
    chart_table: list[tuple[str, str, str]] = field(default_factory=list)


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


@dataclass
class Report:
    code: str
    name: str
    level: str
    level_label: str
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
    # The comparable areas (name, gemeente name), nearest first, and how they were found.
    comparable: list[tuple[str, str]] = field(default_factory=list)
    comparable_method: str = ""
    # The findings behind ``findings`` (findings.Finding), for the bewonersversie's rules.
    ranked_findings: list[Any] = field(default_factory=list)
