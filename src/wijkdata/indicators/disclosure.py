"""Disclosure control for sources that are not public (``disclosure: strict`` in the config).

Public figures (CBS, RIVM) are never hidden here: what the publisher prints may be printed
again; a small base only earns the mark "klein aantal: onzeker" (``compute.finish``). A strict
source (a partner's huisarts or Wmo registration, survey microdata counts) is different: its
small cells must not become known, neither directly nor by arithmetic on what the build prints.

**Primary suppression.** A cell is the pair of counts behind a figure of one area, indicator and
year: the numerator and, for a proportion, the people without the property (denominator minus
numerator; "98 of 100 have it" discloses as much as "2 of 100 do"). A cell with a count below
``disclosure.min_count`` (k, default 5) is suppressed; zero counts too unless
``disclosure.protect_zero: false``.

**Complementary suppression.** A build prints many areas that add up: a wijk is the sum of its
buurten, a gemeente of its wijken, a village (custom area) of its buurten, the regio of its
gemeenten. Every such sum is an equation an attacker can use. Indicators of one strict source
are suppressed together (an area hidden for one is hidden for all), because figures of one
source share denominators and categories that add up to totals. The heuristic, applied to every
published sum until nothing changes, guarantees locally, for every equation:

* no equation holds exactly one hidden cell (that cell would be its difference);
* a primary cell's hidden partners in that equation hold at least k in every count, so the
  equation alone lets the cell be k higher (and down to zero) than it is;
* all hidden members of an equation together hold at least 2k, so a complementary cell cannot
  be narrowed to less than ±k by that equation either;
* a hidden total has hidden members that can take its downward movement.

A missing member counts as hidden with nothing in it (we do not know it, so it protects
nothing). Partners are chosen among the members of the same equation: the smallest one that
covers what is missing (fewest and smallest extra cells); only when no member is left is the
total hidden, which then has to be protected in its own parent equation. Equations are linked
(a buurt is in its wijk and in a village), so the local guarantee is audited globally by an
attack in the tests: a linear program over everything the build wrote bounds every suppressed
cell (``tests/test_disclosure_attack.py``).

Pure functions on dicts and sets, plus :func:`apply` on the whole ``ind_value`` frame.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

from wijkdata.core.config import RegionConfig
from wijkdata.core.db import frame
from wijkdata.core.status import COMPLEMENTARY, PRIMARY, SHOWN, Status
from wijkdata.ingest import regio

from . import disclosure_audit

Mass = tuple[float, ...]
FIGURES = ("numerator", "denominator", "value", "lower", "upper")


@dataclass(frozen=True)
class Equation:
    """A published sum: ``total`` = sum of ``members`` (for every count)."""

    total: str
    members: tuple[str, ...]


def equations(con: duckdb.DuckDBPyConnection, cfg: RegionConfig) -> list[Equation]:
    """Every sum a build's areas make: wijk = buurten, gemeente = wijken, village = its
    buurten, regio = its gemeenten. Sorted, so the result never depends on table order."""
    parts: dict[str, set[str]] = {}
    for code, level, parent in frame(con, "SELECT code, level, parent_code FROM area").rows():
        if level in ("buurt", "wijk") and parent:
            parts.setdefault(parent, set()).add(code)
    for custom, buurt in con.execute(
            "SELECT custom_code, buurt_code FROM custom_area_member").fetchall():
        parts.setdefault(custom, set()).add(buurt)
    for group, part in con.execute(regio.groups_sql(cfg)).fetchall():
        parts.setdefault(group, set()).add(part)
    return [Equation(t, tuple(sorted(m))) for t, m in sorted(parts.items())]


def primary(mass: Mapping[str, Mass], k: float, protect_zero: bool = True) -> set[str]:
    """Cells with a count below ``k`` (a zero only when ``protect_zero``)."""
    return {c for c, m in mass.items()
            if any(x < k and (protect_zero or x != 0) for x in m)}


def _sum(cells: Iterable[str], mass: Mapping[str, Mass], width: int) -> list[float]:
    total = [0.0] * width
    for c in cells:
        for j, x in enumerate(mass.get(c, (0.0,) * width)):
            total[j] += x
    return total


def _deficit(eq: Equation, hidden: set[str], mass: Mapping[str, Mass], first: set[str],
             k: float, width: int) -> tuple[bool, list[float]]:
    """(one more hidden member needed at all, count still missing per component) for ``eq``."""
    hm = [m for m in eq.members if m in hidden or m not in mass]
    total_hidden = eq.total in hidden
    if not hm and not total_hidden:
        return False, [0.0] * width
    s = _sum(hm, mass, width)
    need = [0.0] * width
    if total_hidden:
        # The total must be able to move down (by k, or to zero) with its members.
        t = mass[eq.total]
        need = [max(0.0, min(k, t[j]) - s[j]) for j in range(width)]
        return not hm, need
    for c in hm:
        if c not in mass:
            continue
        if c in first:
            need = [max(need[j], k - (s[j] - mass[c][j])) for j in range(width)]
        else:
            need = [max(need[j], 2 * k - s[j]) for j in range(width)]
    return len(hm) < 2, [max(0.0, x) for x in need]


def _close(eqs: Sequence[Equation], mass: Mapping[str, Mass], hide: set[str],
           first: set[str], k: float, width: int) -> None:
    """The local rules of the module doc, applied to ``hide`` in place until nothing changes."""
    changed = True
    while changed:
        changed = False
        for eq in eqs:
            if eq.total not in mass:
                continue
            while True:
                one_more, need = _deficit(eq, hide, mass, first, k, width)
                if not one_more and not any(x > 0 for x in need):
                    break
                free = [m for m in eq.members if m in mass and m not in hide]
                if not free:
                    if eq.total in hide:
                        break  # nothing left to hide here; its parent equation protects it
                    hide.add(eq.total)
                    changed = True
                    continue
                hide.add(_cheapest(free, mass, need, width))
                changed = True


def _cheapest(free: Sequence[str], mass: Mapping[str, Mass], need: Sequence[float],
              width: int) -> str:
    """The smallest cell that covers ``need`` on its own, else the largest one."""
    enough = [m for m in free if all(mass[m][j] >= need[j] for j in range(width))]
    if enough:
        return min(enough, key=lambda m: (sum(mass[m]), m))
    return max(free, key=lambda m: (min(mass[m]), m))


def complementary(eqs: Sequence[Equation], mass: Mapping[str, Mass], hidden: set[str],
                  first: set[str], k: float) -> set[str]:
    """Cells to hide besides ``hidden`` so that no published sum narrows a hidden cell.

    ``mass`` holds the counts of every cell the build knows (shown or hidden); a code absent
    from it is unknown. ``first`` are the primary cells. First the local rules (module doc);
    then the attacker's linear programs (:mod:`disclosure_audit`) check the whole pattern, and
    for the first cell they narrow too far the cheapest shown cell sharing a sum with it is
    hidden as well, until the audit finds nothing. Hidden cells only ever grow, so this ends.
    """
    width = len(next(iter(mass.values()))) if mass else 1
    hide = set(hidden)
    while True:
        _close(eqs, mass, hide, first, k, width)
        bad = disclosure_audit.violations(eqs, mass, hide, first, k)
        if not bad:
            break
        near = [eq for eq in eqs if eq.total in mass and bad[0] in (eq.total, *eq.members)]
        free = sorted({c for eq in near for c in (eq.total, *eq.members)
                       if c in mass and c not in hide})
        members = [c for c in free if any(c in eq.members for eq in near)
                   and all(c != eq.total for eq in near)]
        if not free:  # every neighbour is hidden: look one sum further out
            near = [eq for eq in eqs if eq.total in mass and hide & {eq.total, *eq.members}]
            free = sorted({c for eq in near for c in (eq.total, *eq.members)
                           if c in mass and c not in hide})
        if not free:
            break  # everything the sums touch is hidden; the audit cannot be improved
        hide.add(_cheapest(members or free, mass, [k] * width, width))
    return _prune(eqs, mass, hide, set(hidden), first, k, width) - set(hidden)


def _prune(eqs: Sequence[Equation], mass: Mapping[str, Mass], hide: set[str], fixed: set[str],
           first: set[str], k: float, width: int) -> set[str]:
    """Give back extra cells that turned out unnecessary, largest first (greedy choices made
    early are often covered by later ones); a cell goes back only if the local rules and the
    audit still hold without it."""
    for cell in sorted(hide - fixed, key=lambda c: (-sum(mass.get(c, (0.0,))), c)):
        trial = hide - {cell}
        local = all(not one and not any(x > 0 for x in need) for one, need in
                    (_deficit(eq, trial, mass, first, k, width) for eq in eqs
                     if eq.total in mass))
        if local and not disclosure_audit.violations(eqs, mass, trial, first, k):
            hide = trial
    return hide


def _masses(rows: pl.DataFrame, proportion: bool) -> dict[str, Mass]:
    """The counts of each area's cell: (numerator, denominator − numerator) for a proportion.

    "niet van toepassing" (a zero denominator) tells the reader the count is zero: a known
    cell with nothing in it.
    """
    out: dict[str, Mass] = {}
    for code, num, den, status in rows.select(
            "area_code", "numerator", "denominator", "status").rows():
        if status == Status.NOT_APPLICABLE:
            out[code] = (0.0, 0.0) if proportion else (0.0,)
        elif status in SHOWN and num is not None:
            out[code] = (num, (den or 0.0) - num) if proportion else (num,)
    return out


def protect(values: pl.DataFrame, eqs: Sequence[Equation], strict: Mapping[str, str],
            proportions: set[str], k: float, protect_zero: bool
            ) -> dict[tuple[str, int, str], str]:
    """(indicator, year, area) -> ``primary`` or ``complementary`` for strict indicators.

    ``strict`` maps an indicator id to its strict source (the group suppressed together).
    """
    out: dict[tuple[str, int, str], str] = {}
    by_source: dict[str, list[str]] = {}
    for ind_id, source in sorted(strict.items()):
        by_source.setdefault(source, []).append(ind_id)
    part = values.filter(pl.col("indicator_id").is_in(list(strict)))
    for year in sorted(set(part["year"].to_list())):
        rows = part.filter(pl.col("year") == year)
        for ids in by_source.values():
            mass = {i: _masses(rows.filter(pl.col("indicator_id") == i), i in proportions)
                    for i in ids}
            first = {i: primary(mass[i], k, protect_zero) for i in ids}
            hidden: set[str] = set().union(*first.values())
            # Union over the source's indicators until every one of them is closed again.
            while True:
                grown = set(hidden)
                for i in ids:
                    grown |= complementary(eqs, mass[i], grown, first[i], k)
                if grown == hidden:
                    break
                hidden = grown
            for i in ids:
                for code in hidden:
                    if code in mass[i]:
                        out[(i, year, code)] = PRIMARY if code in first[i] else COMPLEMENTARY
    return out


def apply(values: pl.DataFrame, eqs: Sequence[Equation], strict: Mapping[str, str],
          proportions: set[str], k: float = 5, protect_zero: bool = True) -> pl.DataFrame:
    """Suppress the strict indicators' cells in the whole ``ind_value`` frame.

    Adds ``suppression`` (``primary``, ``complementary`` or null) and blanks every figure of a
    suppressed row, so no later stage (comparisons, ranks, trends, any output) can print it.
    """
    values = values.with_columns(suppression=pl.lit(None, pl.String))
    if not strict or values.height == 0:
        return values
    hits = protect(values, eqs, strict, proportions, k, protect_zero)
    if not hits:
        return values
    mark = pl.DataFrame([(i, c, y, why) for (i, y, c), why in sorted(hits.items())],
                        schema={"indicator_id": pl.String, "area_code": pl.String,
                                "year": pl.Int32, "_why": pl.String}, orient="row")
    values = values.join(mark, on=["indicator_id", "area_code", "year"], how="left")
    hit = pl.col("_why").is_not_null()
    return values.with_columns(
        *[pl.when(hit).then(None).otherwise(pl.col(c)).alias(c) for c in FIGURES],
        status=pl.when(hit).then(pl.lit(Status.SUPPRESSED.value)).otherwise(pl.col("status")),
        suppression=pl.col("_why"),
    ).drop("_why")
