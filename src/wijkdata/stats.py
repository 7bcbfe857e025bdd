"""Intervals and comparisons, vectorised with numpy so one call serves 3 or 300,000 areas.

Methods (as in PHE Fingertips' technical guidance):
* proportion: Wilson score interval (Wilson 1927; Newcombe 1998, method 3), 95% by default.
* rate (count / population): Byar's approximation to the exact Poisson interval for the count
  (Breslow & Day 1987), divided by the denominator.
* comparison with a benchmark: an area is *significantly* higher (lower) when its interval lies
  wholly above (below) the benchmark's value; otherwise "similar". Without an interval the
  comparison is "not_tested", never a guess.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

Z95 = 1.959963984540054  # norm.ppf(0.975)

Arr = npt.NDArray[np.float64]
Comparison = Literal["higher", "lower", "similar", "not_tested"]


def _arr(x: object) -> Arr:
    return np.asarray(x, dtype=np.float64)


def wilson(numerator: object, denominator: object, z: float = Z95) -> tuple[Arr, Arr]:
    """Wilson score interval for ``numerator / denominator`` as fractions in [0, 1]."""
    k, n = _arr(numerator), _arr(denominator)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        z2 = z * z
        centre = p + z2 / (2 * n)
        half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
        denom = 1 + z2 / n
        lower = (centre - half) / denom
        upper = (centre + half) / denom
    # Float rounding can put a bound a hair outside [0, 1] or past p at the extremes.
    return np.clip(np.minimum(lower, p), 0.0, 1.0), np.clip(np.maximum(upper, p), 0.0, 1.0)


def byar(count: object, z: float = Z95) -> tuple[Arr, Arr]:
    """Byar's interval for a Poisson count O (lower bound 0 when O is 0)."""
    o = _arr(count)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3
        o1 = o + 1
        upper = o1 * (1 - 1 / (9 * o1) + z / (3 * np.sqrt(o1))) ** 3
    lower = np.where(o == 0, 0.0, lower)
    return lower, upper


def rate_interval(
    count: object, denominator: object, multiplier: float, z: float = Z95
) -> tuple[Arr, Arr]:
    lo, hi = byar(count, z)
    n = _arr(denominator)
    with np.errstate(divide="ignore", invalid="ignore"):
        return lo / n * multiplier, hi / n * multiplier


def compare(
    lower: object, upper: object, benchmark: object
) -> npt.NDArray[np.str_]:
    """higher / lower / similar from the area's interval against a benchmark value."""
    lo, hi, b = _arr(lower), _arr(upper), _arr(benchmark)
    untested = np.isnan(lo) | np.isnan(hi) | np.isnan(b)
    out = np.where(lo > b, "higher", np.where(hi < b, "lower", "similar"))
    return np.where(untested, "not_tested", out)


def judge(comparison: npt.NDArray[np.str_], polarity: str) -> npt.NDArray[np.str_]:
    """Turn higher/lower into better/worse using the indicator's polarity."""
    comparison = np.asarray(comparison)
    if polarity == "neutral":
        return np.where(np.isin(comparison, ["higher", "lower"]), "neutral", comparison)
    good = "higher" if polarity == "higher_is_better" else "lower"
    bad = "lower" if good == "higher" else "higher"
    return np.where(
        comparison == good, "better", np.where(comparison == bad, "worse", comparison)
    )


def change_significant(
    p1: object, n1: object, p2: object, n2: object, z: float = Z95
) -> npt.NDArray[np.bool_]:
    """Two-proportion z-test (unpooled) between two years; p as fractions."""
    a1, b1, a2, b2 = _arr(p1), _arr(n1), _arr(p2), _arr(n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(a1 * (1 - a1) / b1 + a2 * (1 - a2) / b2)
        return np.abs(a2 - a1) > z * se
