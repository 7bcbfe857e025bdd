"""From the loaded tables to one plain report context per area (no I/O after loading).

The parts have their own homes: loading in ``region_tables.py``, which areas and comparators in
``area_selection.py``, the sentences in ``profile_prose.py``, the charts in
``profile_charts.py``. This module puts one area's rows, prose and charts together as a
:class:`Report`; per-area work is only dictionary look-ups and string building, so thousands of
profiles cost seconds, not minutes.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import duckdb

from wijkdata import __version__
from wijkdata.core.config import Region
from wijkdata.core.tables import AreaRow
from wijkdata.indicators import comparable, trends
from wijkdata.indicators.definitions import THEMES, Indicator

from . import area_map, charts, labels, profile_charts, profile_prose, village_table, worsening
from .area_selection import comparators_for, part_word, shown_indicators, spread_level
from .figure_sources import table_list
from .findings import HEALTH_CARE, Finding, rank
from .formatting import long_date, number
from .labels import basis_text, reason_text
from .region_tables import RegionTables
from .report_types import Cell, Report, Row, Source, Theme, figure_cell

MAX_TILES = 8
MIN_HEALTH_TILES = 4


class ContextBuilder(RegionTables):
    """Loads everything once (``RegionTables``); ``report(code)`` then builds one area's
    context."""

    def __init__(self, con: duckdb.DuckDBPyConnection, region: Region,
                 indicators: list[Indicator], logo_svg: str, today: date) -> None:
        super().__init__(con, region, indicators)
        self.logo_svg = logo_svg
        self.today = today
        self.group_method = profile_prose.comparable_method(
            self.characteristics, indicators, region.config.name)

    def report(self, code: str) -> Report:
        a = self.area[code]
        cfg = self.region.config
        kind = labels.kind_of(cfg, code, a.level)
        gm_code = a.gemeente_code or code
        gm_name = self.name_of(gm_code, gm_code)
        names = profile_prose.comparator_names(a.level, gm_name, cfg.regio_label)
        comparators = comparators_for(cfg, a.level)
        themes: dict[str, list[Row]] = defaultdict(list)
        found: list[Finding] = []
        any_value = False
        for ind in shown_indicators(self.indicators, a.level):
            row = self._row(ind, code, a, comparators)
            if row is None:
                continue
            any_value = any_value or row.value.value is not None
            themes[ind.theme].append(row)
            w = row.flag_detail
            if w is not None and row.value.value is not None:
                bench = row.comparisons[w.comparator].value
                found.append(worsening.finding(ind, a.name, row.value.value,
                                               bench or 0.0, w.comparator,
                                               names[w.comparator], w))
            else:
                found.extend(profile_prose.findings_for(ind, a.name, row, names))
        ranked = rank(found)
        theme_list = [Theme(t, THEMES[t], rows) for t, rows in
                      sorted(themes.items(), key=lambda kv: list(THEMES).index(kv[0]))]
        for t in theme_list:
            profile_charts.theme_chart(t, a.name)
        key = [profile_prose.key_figure(r)
               for r in self.key_rows([r for t in theme_list for r in t.rows])]
        map_svg, reason, map_table, map_title = area_map.build(self, code, a, gm_code)
        age_svg, age_table = profile_charts.age_chart(self.latest, code, gm_code, a.name)
        org = cfg.organisation
        return Report(
            code=code, name=a.name, level=a.level, level_label=labels.noun(kind),
            coverage_min=cfg.areas.coverage_min,
            composition_max=cfg.areas.composition_change_max,
            kind=kind, spread_word="buurten" if a.level == "buurt" else "wijken",
            gemeente_code=gm_code, gemeente_name=gm_name, region_slug=self.region.slug,
            region_name=cfg.name, regio_label=cfg.regio_label, organisation=org.name,
            accent=org.accent, logo_svg=self.logo_svg, generated=long_date(self.today),
            version=__version__, key_figures=key,
            findings=[f.text for f in ranked], ranked_findings=ranked, themes=theme_list,
            map_svg=map_svg,
            map_reason=reason, age_svg=age_svg, age_table=age_table,
            sources=self._used_sources(theme_list, code, bool(map_svg)),
            suppression=profile_prose.method_text(
                (cfg.small_numbers.min_numerator, cfg.small_numbers.min_denominator)),
            disclosure=(profile_prose.disclosure_text(cfg.disclosure.min_count)
                        if any(s.disclosure == "strict" for s in cfg.sources) else ""),
            members=[self.area[b].name for b in self.members.get(code, [])],
            all_suppressed=not any_value, comparators=comparators,
            csv_name=f"{code}.csv", map_table=map_table, map_title=map_title,
            comparable=[(self.names.get(n, n), self.gemeente_name(n))
                        for n in self.groups.get(code, [])],
            comparable_method=self.group_method.get(
                comparable.POOL_LEVEL.get(a.level, ""), ""),
            extras={"buurten": village_table.build(
                self.values, self.names, self.indicators,
                code, a.name, self.members.get(code, []), labels.noun(kind))},
        )

    def _used_sources(self, themes: list[Theme], code: str, has_map: bool) -> list[Source]:
        """The tables the profile's figures come from (every year shown, trend included),
        each once; the boundaries only when a map is drawn."""
        used: list[Source] = []
        for t in themes:
            for row in t.rows:
                for r in self.values.get((row.indicator.id, code), []):
                    if r.value is not None or r.year == row.year:
                        used += self.source_index.for_figure(row.indicator, r.year)
        if has_map:
            used += self.source_index.boundaries()
        return table_list(used)

    def key_rows(self, rows: list[Row]) -> list[Row]:
        """The tiles of page 1: the region's ``key_figures:``, or by default health and care
        first (at least MIN_HEALTH_TILES of them when the area has them), then the other key
        figures; only figures the area has, at most MAX_TILES."""
        shown = [r for r in rows if r.value.value is not None]
        wanted = self.region.config.key_figures
        if wanted is not None:
            by_id = {r.indicator.id: r for r in shown}
            return [by_id[i] for i in wanted if i in by_id][:MAX_TILES]
        care = [r for r in shown if r.indicator.theme in HEALTH_CARE]
        out = [r for r in care if r.indicator.key]
        out += [r for r in care if r not in out][:max(0, MIN_HEALTH_TILES - len(out))]
        out += [r for r in shown if r.indicator.key and r not in out]
        return out[:MAX_TILES]

    def _row(self, ind: Indicator, code: str, a: AreaRow, comparators: list[str]
             ) -> Row | None:
        series = self.values.get((ind.id, code))
        if not series:
            return None
        last = series[-1]
        value = figure_cell(last.value, last.status, ind.format, reason_text(last))
        comps = self._comparison_cells(ind, code, last.year, comparators)
        pts = [(r.year, r.value) for r in series if r.value is not None]
        trend_svg = profile_charts.trend_line(pts, ind)
        flagged = None
        t = self.trend.get((ind.id, code))  # verdict only for the two years shown
        same = len(pts) > 1 and t is not None and (t.prev_year, t.year) == (pts[-2][0],
                                                                            pts[-1][0])
        trend_text = profile_prose.trend_text(pts, ind.format, t, same)
        if same and t is not None and t.verdict == trends.CHANGED:
            trend_svg = ""  # not the same area in both years: no line either
        elif len(pts) > 1:
            flagged = worsening.flag(ind, comps, t, (pts[-2][0], pts[-1][0]))
        lvl = spread_level(a.level)
        spine_svg = profile_charts.position_spine(
            ind, last.value, self.spread.get((ind.id, last.year, lvl)), comps, lvl)
        return Row(ind, last.year, value, profile_prose.interval_text(last, ind.format), comps,
                   trend_svg, trend_text, spine_svg, profile_prose.rank_text(last, ind, lvl),
                   str(last.status),
                   note=basis_text(last, self.part_word(code, a.level)),
                   flag=worsening.FLAG_TEXT if flagged else "", flag_detail=flagged,
                   **({"numerator": last.numerator, "denominator": last.denominator}
                      if ind.stat.counted else {}))

    def _comparison_cells(self, ind: Indicator, code: str, year: int,
                          comparators: list[str]) -> dict[str, Cell]:
        """The comparators' figures for the row's year, each with its judgement."""
        comps: dict[str, Cell] = {}
        crow = self.comps.get((ind.id, code, year), {})
        for c in comparators:
            r = crow.get(c)
            if r is None or r.comparator_value is None:
                # The comparator's own mark (e.g. afgeschermd) rather than a bare "geen gegevens".
                other = r.comparator_code if r else None
                found = next((x for x in self.values.get((ind.id, other), [])
                              if x.year == year), None) if other else None
                comps[c] = figure_cell(None, found.status if found else None, ind.format)
                continue
            j = r.judgement
            comps[c] = Cell(number(r.comparator_value, ind.format), judgement=j,
                            symbol=charts.JUDGEMENT_SYMBOL.get(j, ""),
                            value=r.comparator_value)
        return comps

    def part_word(self, code: str, level: str) -> str:
        """What a grouped area is made of, in a sentence: buurten, wijken or gemeenten."""
        return part_word(self.parts, code, level)


__all__ = ["ContextBuilder", "Report"]
