"""Jinja rendering of profiles and the overview page; ``safe_cell`` for the data files.

Autoescaping is on and undefined names fail loudly (``StrictUndefined``): a typo in a template
is an error at build time, not an empty cell in a report somebody prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

from wijkdata.core.errors import ConfigError
from wijkdata.indicators.definitions import Indicator

from . import hyphenation, labels
from .csp import csp_meta, script_hash
from .formatting import listing
from .profile_prose import COMPARATOR_LABEL, comparator_word
from .report_types import Report

INTERVAL_LABEL = {"wilson": "Wilson (95%)", "byar": "Byar (95%)",
                  "published": "zoals gepubliceerd", "none": "geen"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def definition(ind: Indicator) -> str:
    return ind.stat.definition_text(ind)  # the statistic's method_text (statistics/)


def environment(templates: Path) -> Environment:
    if not templates.is_dir():
        raise ConfigError(f"template folder not found: {templates}")
    env = Environment(loader=FileSystemLoader(str(templates)), undefined=StrictUndefined,
                      autoescape=True, trim_blocks=False, lstrip_blocks=False,
                      keep_trailing_newline=True)
    env.globals.update(comparator_label=COMPARATOR_LABEL, interval_label=INTERVAL_LABEL,
                       definition=definition, comparator_word=comparator_word,
                       kind_plural=labels.PLURAL, kind_noun=labels.noun,
                       profile_word=labels.profile_word, listing=listing,
                       # every page: {{ csp_meta() }}; a page with its own inline script:
                       # {{ csp_meta([script_hash(text)]) }} (see csp.py)
                       csp_meta=csp_meta, script_hash=script_hash)
    return env


def title_of(report: Report) -> str:
    return labels.title(report.kind, report.name)


def profile(env: Environment, report: Report, **extra: Any) -> str:
    params: dict[str, Any] = {"session_date": None, "extra_sections": [], "theme_blocks": {}}
    params.update(extra)
    try:
        page = env.get_template("profile.html.j2").render(r=report, title=title_of(report),
                                                          **params)
        return hyphenation.html(page)
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
