"""Prose: the Dutch sentences and short texts of a profile built from its figures.

The method paragraphs, the key-figure tiles' comparison line, the findings, a figure's interval,
rank and trend text. No database and no drawing: given rows in, words out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from wijkdata.core.status import MARK, Status
from wijkdata.core.tables import CharacteristicRow, TrendRow, ValueRow
from wijkdata.indicators import trends
from wijkdata.indicators.definitions import Indicator

from .findings import UNTESTED_GAP, Finding, sentence
from .formatting import change_since, number, plain
from .report_types import Cell, KeyFigure, Row

COMPARATOR_LABEL = {"gemeente": "Gemeente", "regio": "Regio", "land": "Nederland",
                    "vergelijkbaar": "Vergelijkbaar"}
CHARACTERISTIC_LEVEL = {"wijk": "wijken", "buurt": "buurten"}


def comparator_word(comp: str) -> str:
    """gemeente, regio, Nederland: in running text only Nederland keeps its capital."""
    return COMPARATOR_LABEL[comp] if comp == "land" else COMPARATOR_LABEL[comp].lower()


def comparator_names(level: str, gemeente_name: str, regio_label: str) -> dict[str, str]:
    """How a finding names each comparator ("de gemeente Vreedebeek", "vergelijkbare wijken")."""
    return {"gemeente": gemeente_name, "regio": regio_label, "land": "Nederland",
            "vergelijkbaar": "vergelijkbare buurten" if level == "buurt"
            else "vergelijkbare wijken"}


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


def comparable_method(characteristics: Mapping[str, Sequence[CharacteristicRow]],
                      indicators: Sequence[Indicator], region_name: str) -> dict[str, str]:
    """Per pool level, how the comparable areas were found, in Dutch."""
    titles = {i.id: i.title.lower() for i in indicators}
    method: dict[str, str] = {}
    for level, rows in characteristics.items():
        chars = ", ".join(f"{titles.get(r.indicator_id, r.indicator_id)} (gemiddeld "
                          f"{plain(r.mean, 1)}, standaardafwijking {plain(r.sd, 1)})"
                          for r in rows)
        n = max((r.n for r in rows if r.n is not None), default=0)
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
    return method


def nearest_comparator(comparisons: Mapping[str, Cell]) -> str:
    """The gemeente where there is one (a gemeente profile compares with the regio)."""
    return next((c for c in ("gemeente", "regio", "land") if c in comparisons), "")


def key_figure(row: Row) -> KeyFigure:
    """One tile of *In het kort*: the figure and how it compares with the nearest comparator."""
    comp = nearest_comparator(row.comparisons)
    cell = row.comparisons.get(comp, Cell(""))
    unit = row.indicator.unit if row.indicator.unit not in ("%", "") else ""
    text = (f"{comparator_word(comp)}: {cell.text}"
            if comp and cell.value is not None else "")
    if row.value.status == Status.SMALL:
        text = f"{row.value.mark}; {text}" if text else row.value.mark
    return KeyFigure(row.indicator.label, row.value.text, unit, text, cell.symbol,
                     cell.judgement, row.year, row.indicator.id)


def interval_text(last: ValueRow, fmt: str) -> str:
    """"12,1 – 15,3", or empty when the figure has no interval."""
    if last.lower is None or last.upper is None:
        return ""
    return f"{number(last.lower, fmt)} – {number(last.upper, fmt)}"


def rank_text(last: ValueRow, ind: Indicator, level: str) -> str:
    """"3 van 12 wijken (gunstigste eerst; kwintiel 2)", or empty when not ranked."""
    if not (last.rank and last.n_ranked):
        return ""
    order = "hoogste eerst" if ind.polarity == "neutral" else "gunstigste eerst"
    return f"{last.rank} van {last.n_ranked} {level}en ({order}; kwintiel {last.quintile})"


def trend_text(points: Sequence[tuple[int, float]], fmt: str, trend: TrendRow | None,
               same_years: bool) -> str:
    """The change since the year before the latest, with the test's verdict when the trend
    row is about those same two years; a changed indeling says so instead."""
    if same_years and trend is not None and trend.verdict == trends.CHANGED:
        # Not the same area in both years: no change, no significance claim.
        return f"indeling gewijzigd sinds {points[-2][0]}"
    if len(points) < 2:
        return ""
    text = change_since(points[-1][1] - points[-2][1], fmt, points[-2][0])
    if same_years and trend is not None and trends.verdict_text(trend.verdict):
        text += f" ({trends.verdict_text(trend.verdict)})"
    return text


def findings_for(ind: Indicator, area_name: str, row: Row,
                 names: Mapping[str, str]) -> list[Finding]:
    """The finding of one row against the gemeente, else Nederland: tested differences, and
    large untested gaps of percentages."""
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
