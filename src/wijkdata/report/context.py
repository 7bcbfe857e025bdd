"""From the indicator tables to one plain report context per area (no I/O after loading).

All tables are read once, set-based; per-area work is only dictionary look-ups and string
building, so thousands of profiles cost seconds, not minutes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import cast

import duckdb
import polars as pl

from wijkdata import __version__
from wijkdata.core import codes
from wijkdata.core.config import Region
from wijkdata.core.db import current_areas, frame
from wijkdata.core.status import MARK, Status
from wijkdata.core.tables import GeometryRow, ValueRow
from wijkdata.indicators import comparable, trends
from wijkdata.indicators.definitions import THEMES, Indicator

from . import area_map, charts, labels, rowindex, village_table, worsening
from .figure_sources import SourceIndex, table_list
from .findings import HEALTH_CARE, UNTESTED_GAP, Finding, rank, sentence
from .formatting import MISSING_TEXT, change_since, long_date, number, plain
from .labels import basis_text, reason_text
from .report_types import Cell, KeyFigure, Report, Row, Source, Theme, figure_cell

COMPARATOR_LABEL = {"gemeente": "Gemeente", "regio": "Regio", "land": "Nederland",
                    "vergelijkbaar": "Vergelijkbaar"}
CHARACTERISTIC_LEVEL = {"wijk": "wijken", "buurt": "buurten"}
AGE_GROUPS = [("0-14 jaar", "leeftijd_0_14"), ("15-24 jaar", "leeftijd_15_24"),
              ("25-44 jaar", "leeftijd_25_44"), ("45-64 jaar", "leeftijd_45_64"),
              ("65+ jaar", "leeftijd_65plus")]
MAX_TILES = 8
MIN_HEALTH_TILES = 4


def comparator_word(comp: str) -> str:
    """gemeente, regio, Nederland: in running text only Nederland keeps its capital."""
    return COMPARATOR_LABEL[comp] if comp == "land" else COMPARATOR_LABEL[comp].lower()


def method_text(cfg_small: tuple[int, int]) -> str:
    """Reliability in plain Dutch, for the method section of every profile."""
    num, den = cfg_small
    return (f"Een cijfer met een kleine basis (teller kleiner dan {num} of noemer kleiner dan "
            f"{plain(den, 0)}) wordt wel getoond, met zijn betrouwbaarheidsinterval, maar "
            f"gemarkeerd als ‘{MARK[Status.SMALL]}’. Zo’n cijfer kan door toeval flink "
            "afwijken; we noemen het daarom nooit significant hoger of lager en toetsen er "
            "geen trend mee. Een cijfer dat de bron zelf geheim houdt, staat er als "
            f"‘{MARK[Status.WITHHELD]}’.")


def disclosure_text(k: int) -> str:
    """Disclosure control in plain Dutch; only shown when the region has a strict source."""
    return ("Cijfers uit bronnen die niet openbaar zijn, zoals registraties van partners, "
            f"tonen we niet als ze over minder dan {k} personen gaan. Een wijk, dorp of "
            "gemeente is de optelsom van kleinere gebieden; daarom schermen we zo nodig ook "
            "een paar andere cijfers af, zodat niemand een verborgen cijfer kan terugrekenen "
            f"door op te tellen of af te trekken. Die cijfers staan er als "
            f"‘{MARK[Status.SUPPRESSED]}’, overal hetzelfde: in het profiel, de CSV en het "
            "overzicht.")


def _key_figure(row: Row) -> KeyFigure:
    # Compare with the gemeente where there is one (a gemeente profile compares with the regio).
    comp = next((c for c in ("gemeente", "regio", "land") if c in row.comparisons), "")
    cell = row.comparisons.get(comp, Cell(""))
    unit = row.indicator.unit if row.indicator.unit not in ("%", "") else ""
    text = (f"{comparator_word(comp)}: {cell.text}"
            if comp and cell.value is not None else "")
    if row.value.status == Status.SMALL:
        text = f"{row.value.mark}; {text}" if text else row.value.mark
    return KeyFigure(row.indicator.label, row.value.text, unit, text, cell.symbol,
                     cell.judgement, row.year)


class ContextBuilder:
    """Loads everything once; ``report(code)`` then builds one area's context."""

    def __init__(self, con: duckdb.DuckDBPyConnection, region: Region,
                 indicators: list[Indicator], logo_svg: str, today: date) -> None:
        self.region = region
        self.indicators = indicators
        self.logo_svg = logo_svg
        self.today = today
        self.area = {r["code"]: r for r in frame(con, "SELECT * FROM area").iter_rows(named=True)}
        values = frame(con, "SELECT * FROM ind_value")
        # Rows become dicts per area on first use (rowindex.py): a national build would
        # otherwise spend ~35 s and GBs turning millions of rows it never reads into dicts.
        self.values: Mapping[tuple[str, str], list[ValueRow]] = rowindex.AreaRows(
            values.sort("year", maintain_order=True), rowindex.by_indicator_area)
        self.comps: Mapping[tuple[str, str, int], dict[str, dict]] = rowindex.AreaRows(
            frame(con, rowindex.COMPARISON_SQL), rowindex.by_indicator_area_year)
        self.spread = self._spread(values)
        self.geometry: dict[str, GeometryRow] = {
            r["code"]: cast(GeometryRow, r)
            for r in frame(con, "SELECT * FROM geometry").iter_rows(named=True)}
        self.sources = [Source(r["source_id"], r["publisher"], r["title"], r["table_id"],
                               r["year"], r["licence"], r["path"], r["sha256"],
                               kind=r["kind"])
                        for r in frame(con, "SELECT * FROM provenance").iter_rows(named=True)]
        self.source_index = SourceIndex(con, self.sources)
        self.members: dict[str, list[str]] = defaultdict(list)
        for r in frame(con, "SELECT * FROM custom_area_member").iter_rows(named=True):
            self.members[r["custom_code"]].append(r["buurt_code"])
        self.parts: dict[str, list[str]] = defaultdict(list)
        for r in frame(con, "SELECT * FROM custom_area_part").iter_rows(named=True):
            self.parts[r["custom_code"]].append(r["part_code"])
        self.trend: Mapping[tuple[str, str], dict] = rowindex.AreaRows(
            frame(con, "SELECT * FROM ind_trend"), rowindex.one_per_indicator_area)
        self.names = {c: r["name"] for c, r in self.area.items()}  # once, not per profile
        self.groups, self.group_method = comparable_groups(con, indicators,
                                                              region.config.name)
        self.current = current_areas(con)
        # Shapes per (level, gemeente digits): scanning all 3,475 wijken per profile was
        # quadratic in a national build.
        self.shapes: dict[tuple[str, str], list[GeometryRow]] = defaultdict(list)
        for g in self.geometry.values():
            self.shapes[(g["level"], g["code"][2:6])].append(g)

    def _spread(self, values: pl.DataFrame
                ) -> dict[tuple[str, int, str], tuple[float, float, float, float]]:
        """Range and quartiles of each indicator over the region's wijken / buurten per year."""
        level = pl.DataFrame({"area_code": list(self.area),
                              "level": [a["level"] for a in self.area.values()]})
        v = values.join(level, on="area_code").filter(
            pl.col("value").is_not_null() & pl.col("level").is_in(["wijk", "buurt"]))
        agg = v.group_by("indicator_id", "year", "level").agg(
            pl.col("value").min().alias("lo"), pl.col("value").quantile(0.25).alias("q1"),
            pl.col("value").quantile(0.75).alias("q3"), pl.col("value").max().alias("hi"))
        return {(r["indicator_id"], r["year"], r["level"]): (r["lo"], r["q1"], r["q3"], r["hi"])
                for r in agg.iter_rows(named=True)}

    def latest(self, ind_id: str, code: str) -> ValueRow | None:
        rows = self.values.get((ind_id, code))
        return rows[-1] if rows else None

    def report(self, code: str) -> Report:
        a = self.area[code]
        cfg = self.region.config
        kind = labels.kind_of(cfg, code, a["level"])
        gm_code = a["gemeente_code"] or code
        gm_name = self.area.get(gm_code, {}).get("name", gm_code)
        names = {"gemeente": gm_name, "regio": cfg.regio_label, "land": "Nederland",
                 "vergelijkbaar": "vergelijkbare buurten" if a["level"] == "buurt"
                 else "vergelijkbare wijken"}
        comparators: list[str] = [c for c in cfg.comparators
                                  if not (c == "gemeente" and a["level"] == "gemeente")]
        themes: dict[str, list[Row]] = defaultdict(list)
        found: list[Finding] = []
        any_value = False
        for ind in self.indicators:
            lvl = "custom" if a["level"] == "custom" else a["level"]
            if lvl not in ind.levels:
                continue
            row = self._row(ind, code, a, comparators)
            if row is None:
                continue
            any_value = any_value or row.value.value is not None
            themes[ind.theme].append(row)
            w = row.flag_detail
            if w is not None and row.value.value is not None:
                bench = row.comparisons[w.comparator].value
                found.append(worsening.finding(ind, a["name"], row.value.value, bench or 0.0,
                                               w.comparator, names[w.comparator], w))
            else:
                found.extend(self._findings(ind, a["name"], row, names))
        ranked = rank(found)
        theme_list = [Theme(t, THEMES[t], rows) for t, rows in
                      sorted(themes.items(), key=lambda kv: list(THEMES).index(kv[0]))]
        for t in theme_list:
            self._theme_chart(t, a["name"], gm_name)
        key = [_key_figure(r) for r in self.key_rows([r for t in theme_list for r in t.rows])]
        map_svg, reason, map_table, map_title = self._map(code, a, gm_code)
        age_svg, age_table = self._age(code, gm_code, a["name"])
        org = cfg.organisation
        return Report(
            code=code, name=a["name"], level=a["level"], level_label=labels.noun(kind),
            coverage_min=cfg.areas.coverage_min,
            composition_max=cfg.areas.composition_change_max,
            kind=kind, spread_word="buurten" if a["level"] == "buurt" else "wijken",
            gemeente_code=gm_code, gemeente_name=gm_name, region_slug=self.region.slug,
            region_name=cfg.name, regio_label=cfg.regio_label, organisation=org.name,
            accent=org.accent, logo_svg=self.logo_svg, generated=long_date(self.today),
            version=__version__, key_figures=key,
            findings=[f.text for f in ranked], ranked_findings=ranked, themes=theme_list,
            map_svg=map_svg,
            map_reason=reason, age_svg=age_svg, age_table=age_table,
            sources=self._used_sources(theme_list, code, bool(map_svg)),
            suppression=method_text(
                (cfg.small_numbers.min_numerator, cfg.small_numbers.min_denominator)),
            disclosure=(disclosure_text(cfg.disclosure.min_count)
                        if any(s.disclosure == "strict" for s in cfg.sources) else ""),
            members=[self.area[b]["name"] for b in self.members.get(code, [])],
            all_suppressed=not any_value, comparators=comparators,
            csv_name=f"{code}.csv", map_table=map_table, map_title=map_title,
            comparable=[(self.names.get(n, n), self.names.get(
                self.area.get(n, {}).get("gemeente_code") or "", "")) for n in
                self.groups.get(code, [])],
            comparable_method=self.group_method.get(
                comparable.POOL_LEVEL.get(a["level"], ""), ""),
            extras={"buurten": village_table.build(
                self.values, self.names, self.indicators,
                code, a["name"], self.members.get(code, []), labels.noun(kind))},
        )

    def _used_sources(self, themes: list[Theme], code: str, has_map: bool) -> list[Source]:
        """The tables the profile's figures come from (every year shown, trend included),
        each once; the boundaries only when a map is drawn."""
        used: list[Source] = []
        for t in themes:
            for row in t.rows:
                for r in self.values.get((row.indicator.id, code), []):
                    if r["value"] is not None or r["year"] == row.year:
                        used += self.source_index.for_figure(row.indicator, r["year"])
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

    def _row(self, ind: Indicator, code: str, a: dict, comparators: list[str]) -> Row | None:
        series = self.values.get((ind.id, code))
        if not series:
            return None
        last = series[-1]
        value = figure_cell(last["value"], last["status"], ind.format, reason_text(last))
        interval = ""
        if last["lower"] is not None and last["upper"] is not None:
            interval = f"{number(last['lower'], ind.format)} – {number(last['upper'], ind.format)}"
        comps: dict[str, Cell] = {}
        crow = self.comps.get((ind.id, code, last["year"]), {})
        for c in comparators:
            r = crow.get(c)
            if r is None or r["comparator_value"] is None:
                # The comparator's own mark (e.g. afgeschermd) rather than a bare "geen gegevens".
                other = r["comparator_code"] if r else None
                found = next((x for x in self.values.get((ind.id, other), [])
                              if x["year"] == last["year"]), None) if other else None
                comps[c] = figure_cell(None, found["status"] if found else None, ind.format)
                continue
            j = r["judgement"]
            comps[c] = Cell(number(r["comparator_value"], ind.format), judgement=j,
                            symbol=charts.JUDGEMENT_SYMBOL.get(j, ""),
                            value=r["comparator_value"])
        pts = [(r["year"], r["value"]) for r in series if r["value"] is not None]
        trend_svg = charts.trend(pts, ind.format, f"Trend {ind.title}") if len(pts) > 1 else ""
        trend_text = ""
        flagged = None
        t = self.trend.get((ind.id, code))  # verdict only for the two years shown
        same = len(pts) > 1 and t is not None and \
            (t["prev_year"], t["year"]) == (pts[-2][0], pts[-1][0])
        if same and t is not None and t["verdict"] == trends.CHANGED:
            # Not the same area in both years: no change, no line, no significance claim.
            trend_svg, trend_text = "", f"indeling gewijzigd sinds {pts[-2][0]}"
        elif len(pts) > 1:
            trend_text = change_since(pts[-1][1] - pts[-2][1], ind.format, pts[-2][0])
            if same and t is not None and trends.verdict_text(t["verdict"]):
                trend_text += f" ({trends.verdict_text(t['verdict'])})"
            flagged = worsening.flag(ind, comps, t, (pts[-2][0], pts[-1][0]))
        lvl = a["level"] if a["level"] in ("wijk", "buurt") else "wijk"
        spread = self.spread.get((ind.id, last["year"], lvl))
        spine_svg = ""
        if spread and last["value"] is not None:
            bench = comps.get("gemeente", comps.get("land", Cell(""))).value
            spine_svg = charts.spine(last["value"], *spread, bench,
                                     comps.get("gemeente", Cell("")).judgement,
                                     f"{ind.title}: positie tussen de {lvl}en van de regio")
        rank_text = ""
        if last.get("rank") and last.get("n_ranked"):
            order = ("hoogste eerst" if ind.polarity == "neutral" else "gunstigste eerst")
            rank_text = (f"{last['rank']} van {last['n_ranked']} {lvl}en ({order}; "
                         f"kwintiel {last['quintile']})")
        return Row(ind, last["year"], value, interval, comps, trend_svg, trend_text, spine_svg,
                   rank_text, str(last["status"]),
                   note=basis_text(last, self.part_word(code, a["level"])),
                   flag=worsening.FLAG_TEXT if flagged else "", flag_detail=flagged,
                   **({"numerator": last["numerator"], "denominator": last["denominator"]}
                      if ind.stat.counted else {}))

    def part_word(self, code: str, level: str) -> str:
        """What a grouped area is made of, in a sentence: buurten, wijken or gemeenten."""
        if level in ("regio", "gemeente", "land"):
            return "gemeenten" if level == "regio" else "buurten"
        parts = self.parts.get(code, [])
        return "wijken" if parts and all(p.startswith("WK") for p in parts) else "buurten"

    def _findings(self, ind: Indicator, area_name: str, row: Row,
                  names: dict[str, str]) -> list[Finding]:
        out: list[Finding] = []
        v = row.value.value
        if v is None or row.status == Status.SMALL:  # a small base proves no difference
            return out
        for comp in ("gemeente", "land"):
            cell = row.comparisons.get(comp)
            if cell is None or cell.value is None:
                continue
            diff = v - cell.value
            if cell.judgement in ("better", "worse", "neutral"):
                cmp = "higher" if diff > 0 else "lower"
                out.append(Finding(ind.id, ind.theme, sentence(
                    area_name, ind.label, cmp, comp, names[comp], v, cell.value, ind.format,
                    cell.judgement, phrase=ind.finding_phrase(cmp), unit=ind.unit), cell.judgement,
                    abs(diff) / (abs(cell.value) or 1), comp, cmp, ind.age_group is not None))
                break
            if (cell.judgement == "not_tested" and ind.unit == "%"
                    and abs(diff) >= UNTESTED_GAP):
                cmp = "higher" if diff > 0 else "lower"
                out.append(Finding(ind.id, ind.theme, sentence(
                    area_name, ind.label, cmp, comp, names[comp], v, cell.value, ind.format,
                    "untested", phrase=ind.finding_phrase(cmp), unit=ind.unit), "untested",
                    abs(diff) / (abs(cell.value) or 1), comp, cmp, ind.age_group is not None))
                break
        return out

    def _theme_chart(self, theme: Theme, area_name: str, gm_name: str) -> None:
        pct = [r for r in theme.rows if r.indicator.unit == "%" and r.value.value is not None]
        rows: list[tuple[str, float | None]] = []
        table = []
        for r in pct[:6]:
            # The nearest comparator: the gemeente, or for a gemeente profile the regio.
            comp = next((c for c in ("gemeente", "regio", "land") if c in r.comparisons), "")
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

    def _map(self, code: str, a: dict, gm_code: str
             ) -> tuple[str, str, list[tuple[str, str]], str]:
        return area_map.build(self, code, a, gm_code)

    def _age(self, code: str, gm_code: str, name: str) -> tuple[str, list[tuple[str, str, str]]]:
        groups = []
        for label, ind_id in AGE_GROUPS:
            r = self.latest(ind_id, code)
            g = self.latest(ind_id, gm_code)
            groups.append((label, r["value"] if r else None, g["value"] if g else None))
        if all(a is None for _, a, _ in groups):
            return "", []
        table = [(g, number(a, "percent_1") if a is not None else MISSING_TEXT,
                  number(b, "percent_1") if b is not None else "")
                 for g, a, b in groups]
        return charts.age_pyramid(groups, f"Leeftijdsopbouw van {name}"), table


def comparable_groups(con: duckdb.DuckDBPyConnection, indicators: list[Indicator],
                      region_name: str) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Each area's comparable areas (nearest first) and, per pool level, the method in Dutch."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "comparable_area" not in tables:  # a database from before the comparator existed
        return {}, {}
    groups: dict[str, list[str]] = defaultdict(list)
    for code, neighbour in con.execute("SELECT area_code, neighbour_code FROM comparable_area "
                                       "ORDER BY area_code, rank").fetchall():
        groups[code].append(neighbour)
    titles = {i.id: i.title.lower() for i in indicators}
    method: dict[str, str] = {}
    rows = frame(con, "SELECT * FROM comparable_characteristic")
    for (level,), part in rows.partition_by("level", as_dict=True).items():
        chars = ", ".join(f"{titles.get(i, i)} (gemiddeld {plain(m, 1)}, standaardafwijking "
                          f"{plain(sd, 1)})" for i, m, sd in
                          part.select("indicator_id", "mean", "sd").iter_rows())
        n = int(part["n"].max() or 0)  # type: ignore[arg-type]
        plural = CHARACTERISTIC_LEVEL.get(str(level), str(level))
        method[str(level)] = (
            f"De vergelijkbare {plural} zijn de {plural} die het meest op dit gebied lijken, "
            f"gezocht onder de {plain(n, 0)} {plural} in de gegevens van {region_name}. "
            f"Kenmerken: "
            f"{chars}. Elk kenmerk is gestandaardiseerd (z-score: verschil met het gemiddelde "
            "gedeeld door de standaardafwijking); de afstand is de euclidische afstand tussen "
            "de z-scores. De waarde van de groep telt de aantallen van de vergelijkbare "
            "gebieden op (percentages en cijfers per 1.000) of weegt gepubliceerde cijfers "
            "met het aantal inwoners of huishoudens; ze wordt getoetst zoals de gemeente.")
    return dict(groups), method


def profile_codes(region: Region, area: dict[str, dict], levels: list[str] | None = None,
                  current: set[str] | None = None) -> list[str]:
    """The areas a build profiles: configured levels inside the region (limited to the newest
    CBS indeling when ``current`` is given), then the custom areas."""
    cfg = region.config
    want = levels or list(cfg.areas.levels)
    out = [c for c, a in sorted(area.items())
           if a["level"] in want and a["gemeente_code"] in cfg.gemeenten
           and (current is None or c in current)]
    out += [c.code for c in cfg.areas.custom]
    return out


__all__ = ["ContextBuilder", "Report", "codes", "profile_codes"]
