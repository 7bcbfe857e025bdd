"""The attacker's view of a suppression pattern: how far can each hidden count be narrowed?

Everything a build publishes about a strict indicator is a set of sums (``disclosure.Equation``)
in which some cells are hidden. An attacker who knows every shown count and that no count is
negative can bound each hidden cell by two linear programs (minimise and maximise it subject to
the published sums). This module solves exactly those programs (scipy's HiGHS), one count
component at a time: the numerator and, for a proportion, the people without the property are
each non-negative and each adds up over areas, so they form two independent systems.

A pattern is safe when every primary cell can lie anywhere in ``[max(0, x − k), x + k]`` and
every complementary cell in a range at least ``2k`` wide (issue 16: "at least ±k"). The build
audits its pattern with :func:`violations` and adds cells until there are none
(``disclosure.complementary``); ``tests/test_disclosure_attack.py`` repeats the attack on the
files a build wrote, independently of this code.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .disclosure import Equation, Mass

TOLERANCE = 1e-6


def ranges(eqs: Sequence[Equation], mass: Mapping[str, Mass], hidden: set[str],
           component: int) -> dict[str, tuple[float, float]]:
    """Smallest and largest value of each hidden cell given every published sum.

    Cells unknown to the build (absent from ``mass``) are unknown to the attacker as well:
    free non-negative variables. A sum whose total is unknown publishes nothing.
    """
    rows: list[tuple[dict[str, float], float]] = []
    for eq in eqs:
        if eq.total not in mass:
            continue
        coef: dict[str, float] = {}
        rhs = 0.0
        for m in eq.members:
            if m in hidden or m not in mass:
                coef[m] = coef.get(m, 0.0) + 1.0
            else:
                rhs -= mass[m][component]
        if eq.total in hidden:
            coef[eq.total] = coef.get(eq.total, 0.0) - 1.0
        else:
            rhs += mass[eq.total][component]
        if coef:
            rows.append((coef, rhs))
    out: dict[str, tuple[float, float]] = {}
    for part_rows, part_cells in _components(rows, hidden & set(mass)):
        out.update(_solve(part_rows, part_cells, hidden & set(mass)))
    return out


def _components(rows: list[tuple[dict[str, float], float]], wanted: set[str]
                ) -> list[tuple[list[tuple[dict[str, float], float]], list[str]]]:
    """Split the system into independent parts (hidden cells linked by a shared sum), so each
    linear program is as small as a wijk or village instead of the whole region."""
    parent: dict[str, str] = {}

    def find(c: str) -> str:
        while parent.setdefault(c, c) != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for coef, _ in rows:
        first, *rest = coef
        for c in rest:
            parent[find(c)] = find(first)
    for c in wanted:
        find(c)
    groups: dict[str, tuple[list[tuple[dict[str, float], float]], set[str]]] = {}
    for coef, rhs in rows:
        groups.setdefault(find(next(iter(coef))), ([], set()))[0].append((coef, rhs))
    for c in parent:
        groups.setdefault(find(c), ([], set()))[1].add(c)
    return [(r, sorted(cs)) for _, (r, cs) in sorted(groups.items())]


def _solve(rows: list[tuple[dict[str, float], float]], cells: list[str], targets: set[str]
           ) -> dict[str, tuple[float, float]]:
    # Imported here: scipy's own OpenBLAS reserves about 100 MB when loaded, and most builds
    # (no strict indicator with hidden cells) never solve a program.
    from scipy.optimize import linprog

    index = {c: i for i, c in enumerate(cells)}
    a = np.zeros((len(rows), len(cells)))
    b = np.zeros(len(rows))
    for r, (coef, rhs) in enumerate(rows):
        for c, v in coef.items():
            a[r, index[c]] = v
        b[r] = rhs
    out: dict[str, tuple[float, float]] = {}
    for cell in (c for c in cells if c in targets):
        bounds = []
        for sign in (1.0, -1.0):
            goal = np.zeros(len(cells))
            goal[index[cell]] = sign
            res = linprog(goal, A_eq=a if rows else None, b_eq=b if rows else None,
                          bounds=(0, None), method="highs")
            if res.status == 3:  # unbounded
                bounds.append(math.inf if sign < 0 else 0.0)
            else:
                bounds.append(float(res.fun) * sign)
        out[cell] = (bounds[0], bounds[1])
    return out


def violations(eqs: Sequence[Equation], mass: Mapping[str, Mass], hidden: set[str],
               first: set[str], k: float) -> list[str]:
    """Hidden cells the attacker narrows too far, in code order (see the module doc)."""
    if not mass or not hidden:
        return []
    width = len(next(iter(mass.values())))
    bad: set[str] = set()
    for j in range(width):
        for cell, (lo, hi) in ranges(eqs, mass, hidden, j).items():
            x = mass[cell][j]
            if cell in first:
                ok = lo <= max(0.0, x - k) + TOLERANCE and hi >= x + k - TOLERANCE
            else:
                ok = hi - lo >= 2 * k - TOLERANCE
            if not ok:
                bad.add(cell)
    return sorted(bad)
