"""Jinja rendering of profiles, the overview page and the per-area CSV download.

Autoescaping is on and undefined names fail loudly (``StrictUndefined``): a typo in a template
is an error at build time, not an empty cell in a report somebody prints.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

from wijkdata.core.errors import ConfigError
from wijkdata.indicators.definitions import Indicator

from . import labels
from .context import COMPARATOR_LABEL, Report, comparator_word

INTERVAL_LABEL = {"wilson": "Wilson (95%)", "byar": "Byar (95%)",
                  "published": "zoals gepubliceerd", "none": "geen"}
STATISTIC_TEXT = {"proportion": "{num} / {den} × 100", "rate": "{num} / {den} × 1.000",
                  "count": "aantal {num}", "mean": "gepubliceerd gemiddelde {val}",
                  "given_percentage": "gepubliceerd percentage {val}"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def definition(ind: Indicator) -> str:
    return STATISTIC_TEXT[ind.statistic].format(num=ind.numerator, den=ind.denominator,
                                                val=ind.value)


def environment(templates: Path) -> Environment:
    if not templates.is_dir():
        raise ConfigError(f"template folder not found: {templates}")
    env = Environment(loader=FileSystemLoader(str(templates)), undefined=StrictUndefined,
                      autoescape=True, trim_blocks=False, lstrip_blocks=False,
                      keep_trailing_newline=True)
    env.globals.update(comparator_label=COMPARATOR_LABEL, interval_label=INTERVAL_LABEL,
                       definition=definition, comparator_word=comparator_word,
                       kind_plural=labels.PLURAL, kind_noun=labels.noun,
                       profile_word=labels.profile_word)
    return env


def title_of(report: Report) -> str:
    return labels.title(report.kind, report.name)


def profile(env: Environment, report: Report, **extra: Any) -> str:
    params: dict[str, Any] = {"session_date": None, "extra_sections": [], "theme_blocks": {}}
    params.update(extra)
    try:
        return env.get_template("profile.html.j2").render(r=report, title=title_of(report),
                                                          **params)
    except TemplateError as exc:
        raise ConfigError(f"template error in profile.html.j2: {exc}") from None


def safe_cell(value: object) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ is prefixed with '."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START):
        # Negative numbers stay numbers; anything else that looks like a formula is defused.
        try:
            float(text.replace(",", "."))
            return text
        except ValueError:
            return "'" + text
    return text


def _count(value: float | None) -> str:
    """A count as a plain number for spreadsheets: no thousands separator, decimal comma."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value}".replace(".", ",")


def area_csv(report: Report) -> str:
    """The area's figures, one row per indicator, Dutch decimal comma, ';' separated.

    A cell without a figure is empty and ``status`` says why (``status.MARK``: "geheim (bron)",
    "afgeschermd (privacy)", ...); a shown figure on a small base keeps its number and has
    status "klein aantal: onzeker". Words never stand where a number belongs.
    """
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    # "Nederland" keeps its capital; the other comparator columns are lower case like the rest.
    comps = [COMPARATOR_LABEL[c] if c == "land" else COMPARATOR_LABEL[c].lower()
             for c in report.comparators]
    w.writerow(["gebiedscode", "gebied", "profiel", "indicator", "titel", "jaar", "waarde",
                "status", "eenheid", "interval", "teller", "noemer", "toelichting", *comps,
                "bron"])
    for t in report.themes:
        for row in t.rows:
            ind = row.indicator
            value = row.value.text if row.value.value is not None else ""
            w.writerow([safe_cell(x) for x in [
                report.code, report.name, labels.profile_word(report.kind), ind.id,
                ind.title, row.year, value, row.value.mark, ind.unit, row.interval,
                _count(row.numerator), _count(row.denominator), row.note,
                *[c.text if c.value is not None else ""
                  for c in (row.comparisons[k] for k in report.comparators)],
                ", ".join(ind.sources)]])
    return buf.getvalue()
