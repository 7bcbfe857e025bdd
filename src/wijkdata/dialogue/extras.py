"""What the dialogue cycle adds to a profile: speerpunten, the network, good practices, questions.

``profile_extras(region, report, builder)`` returns keyword arguments for ``render.profile``
(``extra_sections`` and ``theme_blocks``). The region's files (network lists, session records,
good practices) are read once per loaded region and kept, so a build of hundreds of profiles
reads each file once; warnings (bad partner rows, stale entries) are logged once per file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment

from wijkdata.core.clock import build_date
from wijkdata.core.config import Region
from wijkdata.core.status import MARK, Status
from wijkdata.core.tables import ValueRow
from wijkdata.indicators.definitions import THEMES, Indicator, load_all
from wijkdata.report import charts
from wijkdata.report.context import ContextBuilder, Report
from wijkdata.report.findings import UNTESTED_GAP
from wijkdata.report.formatting import change_since, listing, long_date, number
from wijkdata.report.maps import map_indicator, map_rows
from wijkdata.report.render import environment

from .network import Network, Partner, load_network, network_file
from .practices import Practice, load_practices, practices_file
from .records import SessionRecord, load_record, session_files

Warn = Callable[[str], None]


def _stderr(message: str) -> None:
    # A library does not print: the CLI shows the ``wijkdata`` logger's warnings on stderr.
    logging.getLogger(__name__).warning(message)


@dataclass
class RegionFiles:
    """The dialogue files of one loaded region, read lazily and at most once."""

    region: Region
    warn: Warn
    indicators: dict[str, Indicator]
    practices: list[Practice]
    env: Environment
    today: date
    networks: dict[str, Network | None] = field(default_factory=dict)
    records: dict[str, list[SessionRecord]] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return self.region.project / "configs" / self.region.slug

    def network(self, area: str) -> Network | None:
        if area not in self.networks:
            path = network_file(self.folder / "netwerk", area)
            net = None
            if path is not None:
                net = load_network(path, self.today, self.region.config.network.max_age_days)
                for msg in net.problems:
                    self.warn(msg)
            self.networks[area] = net
        return self.networks[area]

    def sessions(self, area: str) -> list[SessionRecord]:
        if area not in self.records:
            ids = set(self.indicators)
            self.records[area] = [load_record(p, ids)
                                  for p in session_files(self.folder / "sessies", area)]
        return self.records[area]


_CACHE: dict[tuple[str, str], RegionFiles] = {}


def region_files(region: Region, warn: Warn = _stderr) -> RegionFiles:
    key = (str(region.project), region.slug)
    cached = _CACHE.get(key)
    # A new load_region() gives a new config object: files may have changed, read them again.
    if cached is not None and cached.region.config is region.config:
        return cached
    all_inds = {i.id: i for i in load_all(region.project / "indicators")}
    path = practices_file(region.project, region.slug)
    practices = load_practices(path, set(all_inds)) if path else []
    files = RegionFiles(region, warn, all_inds, practices,
                        environment(region.project / "templates"), build_date())
    _CACHE[key] = files
    return files


def profile_extras(region: Region, report: Report, builder: ContextBuilder, *,
                   handout: bool = False) -> dict[str, Any]:
    """``extra_sections`` and ``theme_blocks`` for one area's profile (``handout``: questions)."""
    files = region_files(region)
    sections: list[dict[str, str]] = []
    blocks: dict[str, list[str]] = {}
    records = files.sessions(report.code)
    if records:
        sections.append({"id": "speerpunten", "title": "Speerpunten",
                         "html": files.env.get_template("session/speerpunten.html.j2").render(
                             items=speerpunten(records, builder, files, report.code),
                             themes=THEMES)})
    net = files.network(report.code)
    if net is not None and net.partners:
        sections.append({"id": "netwerk", "title": "Netwerk in de wijk",
                         "html": network_html(files, net, report, builder)})
    for theme in report.themes:
        found = practices_for(files.practices, theme.id, report)
        if found:
            blocks.setdefault(theme.id, []).append(
                files.env.get_template("session/practices.html.j2").render(items=found))
        if handout:
            blocks.setdefault(theme.id, []).append(
                files.env.get_template("session/dialogue.html.j2").render(
                    theme=theme.title,
                    questions=region.config.dialogue.for_theme(theme.id)))
    return {"extra_sections": sections, "theme_blocks": blocks}


def unfavourable(report: Report, indicator_id: str) -> str:
    """Why the profile names this indicator against the area, in the table's own terms.

    ``"worse"``: significantly worse than the gemeente or Nederland (the table says
    ongunstiger); ``"high"``/``"low"``: an untested percentage with a gap of at least
    UNTESTED_GAP points in the unfavourable direction ("opvallend hoog, niet getoetst");
    ``""``: not named.
    """
    for theme in report.themes:
        for row in theme.rows:
            ind = row.indicator
            if ind.id != indicator_id or row.value.value is None:
                continue
            for comp in ("gemeente", "land"):
                cell = row.comparisons.get(comp)
                if cell is None or cell.value is None:
                    continue
                if cell.judgement == "worse":
                    return "worse"
                gap = row.value.value - cell.value
                if (cell.judgement == "not_tested" and ind.unit == "%"
                        and ind.polarity != "neutral" and abs(gap) >= UNTESTED_GAP):
                    if (gap > 0) == (ind.polarity == "lower_is_better"):
                        return "high" if gap > 0 else "low"
                    return ""
    return ""


def practices_for(practices: list[Practice], theme: str, report: Report) -> list[dict[str, Any]]:
    labels = {r.indicator.id: r.indicator.title for t in report.themes for r in t.rows}
    out = []
    for p in practices:
        if p.theme != theme:
            continue
        hits = [(labels[i][:1].lower() + labels[i][1:], why) for i in p.indicators
                if (why := unfavourable(report, i))]
        if hits:
            out.append({"p": p, "because": _because(hits)})
    return out


def speerpunten(records: list[SessionRecord], builder: ContextBuilder, files: RegionFiles,
                code: str) -> list[dict[str, Any]]:
    """Newest session first; each priority with each indicator's trend since the session year."""
    out = []
    for rec in reversed(records):
        for prio in rec.priorities:
            rows = [trend_since(files.indicators[i], builder.values.get((i, code), []),
                                rec.date.year) for i in prio.indicators]
            out.append({"record": rec, "date": long_date(rec.date), "priority": prio,
                        "rows": rows,
                        "actions": [(a.what, a.owner, long_date(a.due) if a.due else "")
                                    for a in prio.actions]})
    return out


def trend_since(ind: Indicator, series: list[ValueRow], year: int) -> dict[str, str]:
    """Baseline = the last figure up to the session year (else the first), against the latest.

    A figure on a small base keeps its mark, and a change involving one gets no verdict.
    """
    pts = [(r.year, r.value, r.status == Status.SMALL) for r in series
           if r.value is not None]
    row = {"title": ind.title, "baseline": "", "latest": "", "change": "", "verdict": ""}
    if not pts:
        row["change"] = "geen cijfers voor dit gebied"
        return row
    before = [p for p in pts if p[0] <= year]
    base = before[-1] if before else pts[0]
    last = pts[-1]

    def text(p: tuple[int, float, bool]) -> str:
        small = f" ({MARK[Status.SMALL]})" if p[2] else ""
        return f"{p[0]}: {number(p[1], ind.format)}{small}"

    row["baseline"] = text(base)
    row["latest"] = text(last)
    if last[0] <= base[0]:
        row["change"] = f"nog geen nieuwere cijfers dan {base[0]}"
        return row
    diff = last[1] - base[1]
    row["change"] = change_since(diff, ind.format, base[0])
    if diff != 0 and ind.polarity != "neutral" and not (base[2] or last[2]):
        good = (diff < 0) == (ind.polarity == "lower_is_better")
        row["verdict"] = "de goede kant op" if good else "de verkeerde kant op"
    return row


def numbered(net: Network, personal: bool) -> list[tuple[str, list[tuple[int | None, Partner]]]]:
    """Partners grouped by discipline; those with coordinates numbered as on the map."""
    n = 0
    out = []
    for label, partners in net.grouped():
        rows: list[tuple[int | None, Partner]] = []
        for p in partners:
            num = None
            if p.lat is not None and p.lon is not None:
                n += 1
                num = n
            rows.append((num, p.published(personal)))
        out.append((label, rows))
    return out


def network_map(builder: ContextBuilder, report: Report,
                groups: list[tuple[str, list[tuple[int | None, Partner]]]]) -> str:
    """The area map (same shapes as the profile map) with the partners as numbered points."""
    level = "buurt" if report.level in ("buurt", "custom") else "wijk"
    prefix = ("BU" if level == "buurt" else "WK") + report.gemeente_code[2:]
    shapes = [g for g in builder.geometry.values()
              if g.level == level and g.code.startswith(prefix)]
    if not shapes:
        return ""
    members = set(builder.members.get(report.code, [report.code]))
    outline = members if report.level != "gemeente" else {g.code for g in shapes}
    points = [(p.lon, p.lat, p.organisation) for _, rows in groups for num, p in rows
              if num is not None and p.lon is not None and p.lat is not None]
    if not points:
        return ""
    # The same indicator as the profile's own map, so the two maps read alike.
    ind = map_indicator(builder, shapes)
    data = map_rows(builder, shapes, ind)
    title = ind.label if ind else "gebied"
    return charts.choropleth(data, outline, ind.format if ind else "number_1",
                             f"Kaart van de netwerkpartners van {report.name}", title,
                             points=points)


def network_html(files: RegionFiles, net: Network, report: Report, builder: ContextBuilder,
                 template: str = "session/network.html.j2") -> str:
    personal = files.region.config.network.publish_personal_contacts
    groups = numbered(net, personal)
    return files.env.get_template(template).render(
        r=report, groups=groups, map_svg=network_map(builder, report, groups),
        personal=personal, n_stale=len(net.stale), n_partners=len(net.partners),
        max_age=files.region.config.network.max_age_days, generated=long_date(files.today))


def _because(hits: list[tuple[str, str]]) -> str:
    """"Genoemd omdat ..." in the table's terms: a significant difference is "ongunstig
    afwijkt", an untested gap only "opvallend hoog/laag is (niet getoetst)"."""
    worse = [n for n, why in hits if why == "worse"]
    parts = []
    if worse:
        verb = "afwijkt" if len(worse) == 1 else "afwijken"
        parts.append(f"{listing(worse)} hier ongunstig {verb}")
    for direction in ("high", "low"):
        names = [n for n, why in hits if why == direction]
        if names:
            verb = "is" if len(names) == 1 else "zijn"
            word = "hoog" if direction == "high" else "laag"
            parts.append(f"{listing(names)} hier opvallend {word} {verb} (niet getoetst)")
    return "; ".join(parts)
