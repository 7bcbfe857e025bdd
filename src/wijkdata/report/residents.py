"""The bewonersversie: two A4 pages in plain Dutch (taalniveau B1) for the people who live there.

Every sentence is made by rule from the profile itself, never typed per area:

* key figures become "Ongeveer 1 op de 4 inwoners is 65 jaar of ouder." with a row of person
  pictograms (:func:`fraction`, :func:`pictogram`);
* the profile's ranked findings (``Report.ranked_findings``, the same ones page 1 of the profile
  states) become "In Esveld krijgen meer inwoners bijstand dan in de hele gemeente
  Vreedebeek. Dat is niet goed." — no intervals, no percentages, no jargon. Untested
  differences (model estimates without a margin) are left out: a resident cannot weigh
  "niet getoetst";
* the words per indicator come from ``resident_words.yml`` (who is counted, what they do); an
  indicator without words stays out of this version.

The rendered text is checked for readability in the tests (Flesch-Douma,
``tests/test_residents.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from jinja2 import Environment

from .formatting import number
from .report_types import Report, Row

# The default dialogue questions (session/settings.py) speak to professionals ("in uw
# praktijk"); residents get the same three questions about their own street.
RESIDENT_QUESTIONS = {
    "Herkent u dit beeld?": "Herkent u dit?",
    "Wat ziet u in uw praktijk?": "Wat merkt u hiervan in uw straat of buurt?",
    "Wat vindt u belangrijk om samen op te pakken?": "Wat moeten we samen als eerste aanpakken?",
}
MAX_FIGURES = 4
MAX_FINDINGS = 5
MAX_ICONS = 20
RATE_UNIT = "per 1.000 inwoners"
WHERE = {"gemeente": "in de hele gemeente {gemeente}", "regio": "in de regio",
         "land": "in heel Nederland", "vergelijkbaar": "in wijken die op {area} lijken"}
VERDICT = {"better": "Dat is goed.", "worse": "Dat is niet goed.",
           "worse_worsening": "Dat is niet goed."}


@dataclass(frozen=True)
class Words:
    wie: str
    enkel: str
    werkwoord: str
    rest: str


@dataclass(frozen=True)
class Figure:
    sentence: str
    svg: str


@cache
def words() -> dict[str, Words]:
    text = files("wijkdata.report").joinpath("resident_words.yml").read_text(encoding="utf-8")
    return {k: Words(**v) for k, v in yaml.safe_load(text).items()}


def share(row: Row) -> float | None:
    """The figure as a share between 0 and 1: a percentage, or a rate per 1,000 inhabitants."""
    v = row.value.value
    if v is None:
        return None
    if row.indicator.unit == "%":
        return v / 100
    if row.indicator.unit == RATE_UNIT:
        return v / 1000
    return None


def fraction(p: float) -> tuple[int, int]:
    """A share as "n op de d" people: 1 op de N below 35%, else n van de 10 (nearest).

    Below 35% "1 op de 4" reads more easily than "3 van de 10"; from 35% tenths are close enough
    (within 5 points) and still everyday words.
    """
    if p <= 0:
        return 0, 10
    if p < 0.35:
        return 1, max(2, int(1 / p + 0.5))
    return min(10, int(p * 10 + 0.5)), 10


def fraction_text(n: int, d: int, p: float) -> str:
    exact = abs(n / d - p) < 0.001  # within a tenth of a percentage point
    lead = "" if exact else "ongeveer "
    if n == 0:
        return "bijna geen"
    if n == d:
        return "bijna alle"
    if n * 2 == d:
        return f"{lead}de helft van de"
    return f"{lead}{n} op de {d}" if n == 1 else f"{lead}{n} van de {d}"


def pictogram(n: int, d: int, accent: str, label: str) -> str:
    """A row of d small people, n of them filled: plain SVG, no script, with a text label."""
    if d > MAX_ICONS or n == 0:
        return ""
    w = 22
    people = []
    for i in range(d):
        fill = accent if i < n else "#d6d6d6"
        x = i * w
        people.append(f'<circle cx="{x + 9}" cy="6" r="5" fill="{fill}"/>'
                      f'<path d="M{x + 2} 30 Q{x + 2} 13 {x + 9} 13 Q{x + 16} 13 {x + 16} 30 Z" '
                      f'fill="{fill}"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {d * w} 32" '
            f'width="{d * w}" height="32" role="img" aria-label="{label}">'
            + "".join(people) + "</svg>")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def figures(report: Report, accent: str) -> list[Figure]:
    """The key figures with words, as sentences and pictograms (at most MAX_FIGURES).

    In the order of the profile's page-1 tiles (health and care first, or the region's
    ``key_figures:``), then the other key figures: "Hoe gezond is Esveld?" opens with health,
    not with household sizes (the themes' order puts demografie first)."""
    known = words()
    rows = {r.indicator.id: r for t in report.themes for r in t.rows}
    order = [k.indicator_id for k in report.key_figures]
    order += [i for i, r in rows.items() if r.indicator.key]
    out = []
    for ind_id in dict.fromkeys(order):
        row, w = rows.get(ind_id), known.get(ind_id)
        p = share(row) if row is not None else None
        if row is None or w is None or p is None:
            continue
        n, d = fraction(p)
        # "1 op de 4 inwoners is ..." takes a singular verb, "4 van de 10 ... zijn" a plural.
        what = w.enkel if n == 1 else f"{w.werkwoord} {w.rest}".strip()
        sentence = _capital(f"{fraction_text(n, d, p)} {w.wie} {what}.")
        out.append(Figure(sentence, pictogram(n, d, accent, sentence)))
    return out[:MAX_FIGURES]


def finding_sentences(report: Report) -> list[str]:
    """The profile's findings that have words and a verdict, rewritten in plain Dutch."""
    known = words()
    rows = {r.indicator.id: r for t in report.themes for r in t.rows}
    out = []
    for f in report.ranked_findings:
        w = known.get(f.indicator_id)
        if w is None or f.judgement == "untested" or f.comparator not in WHERE:
            continue
        more = "meer" if f.direction == "higher" else "minder"
        where = WHERE[f.comparator].format(gemeente=report.gemeente_name, area=report.name)
        rest = f" {w.rest}" if w.rest else ""
        text = f"In {report.name} {w.werkwoord} {more} {w.wie}{rest} dan {where}."
        verdict = VERDICT.get(f.judgement)
        if verdict:
            text += f" {verdict}"
        row = rows.get(f.indicator_id)
        if f.judgement == "worse_worsening" and row is not None and row.flag_detail:
            grew = "meer" if (row.value.value or 0) > row.flag_detail.prev_value else "minder"
            text += f" Sinds {row.flag_detail.prev_year} is het ook {grew} geworden."
        out.append(text)
    return out[:MAX_FINDINGS]


def people(report: Report) -> str:
    """ "In Esveld wonen 1.650 mensen." from the inwoners row, if the profile has one."""
    for theme in report.themes:
        for row in theme.rows:
            if row.indicator.id == "inwoners" and row.value.value is not None:
                return (f"In {report.name} wonen {number(row.value.value, row.indicator.format)} "
                        "mensen.")
    return ""


def resident_questions(questions: list[str]) -> list[str]:
    """The region's dialogue questions, the default ones in words for residents."""
    return [RESIDENT_QUESTIONS.get(q, q) for q in questions]


def page_context(report: Report, questions: list[str]) -> dict[str, Any]:
    kind = {"custom": "dorp", "buurt": "buurt", "gemeente": "gemeente"}.get(report.level, "wijk")
    return {"r": report, "kind": kind, "intro": intro(report, kind), "people": people(report),
            "figures": figures(report, report.accent), "findings": finding_sentences(report),
            "questions": resident_questions(questions)}


def render(env: Environment, report: Report, questions: list[str]) -> str:
    return env.get_template("bewoners.html.j2").render(**page_context(report, questions))


def intro(report: Report, kind: str) -> str:
    return (f"Hoe gezond is {report.name}? Dat leest u hier. De cijfers komen van het CBS en de "
            f"GGD. We vergelijken uw {kind} met de gemeente {report.gemeente_name}.")
