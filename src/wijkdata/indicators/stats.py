"""Intervals and comparisons, vectorised with numpy so one call serves 3 or 300,000 areas.

Methods (as in PHE Fingertips' technical guidance):
* proportion: Wilson score interval (Wilson 1927; Newcombe 1998, method 3), 95% by default.
* rate (count / population): the exact Poisson interval (Garwood 1936) for a count below
  EXACT_BELOW (10), Byar's approximation (Breslow & Day 1987) from there on, divided by the
  denominator — as PHE does for small counts.
* change of a rate between two years: the exact conditional (binomial) test when either count
  is below EXACT_BELOW, else the normal approximation.
* comparison with a benchmark: an area is *significantly* higher (lower) when its interval lies
  wholly above (below) the benchmark's value; otherwise "similar". Without an interval the
  comparison is "not_tested", never a guess. That rule's one home is
  ``statistics/verdict.py`` (SQL); ``compare`` and ``judge`` here run it over arrays.

Which of these a statistic uses is said by its class in ``statistics/``.
"""

from __future__ import annotations

import functools
import math
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


EXACT_BELOW = 10


def poisson_interval(count: object, z: float = Z95) -> tuple[Arr, Arr]:
    """Exact limits for counts below EXACT_BELOW, Byar's above (counts are whole numbers)."""
    o = _arr(count)
    lo, hi = byar(o, z)
    small = ~np.isnan(o) & (o < EXACT_BELOW)
    for k in np.unique(o[small]):
        e_lo, e_hi = _exact_limits(int(k), z)
        lo = np.where(small & (o == k), e_lo, lo)
        hi = np.where(small & (o == k), e_hi, hi)
    return lo, hi


@functools.lru_cache(maxsize=64)
def _exact_limits(count: int, z: float) -> tuple[float, float]:
    return exact_poisson(count, z)


def rate_interval(
    count: object, denominator: object, multiplier: float, z: float = Z95
) -> tuple[Arr, Arr]:
    lo, hi = poisson_interval(count, z)
    n = _arr(denominator)
    with np.errstate(divide="ignore", invalid="ignore"):
        return lo / n * multiplier, hi / n * multiplier


def compare(lower: object, upper: object, benchmark: object) -> npt.NDArray[np.str_]:
    """higher / lower / similar from the area's interval against a benchmark value.

    The rule lives once, as SQL in ``statistics/verdict.py``; this runs it over the arrays.
    """
    from .statistics import verdict  # the statistics import this module

    return verdict.compare(lower, upper, benchmark)


def judge(comparison: npt.NDArray[np.str_], polarity: str) -> npt.NDArray[np.str_]:
    """Turn higher/lower into better/worse using the indicator's polarity (``verdict.py``)."""
    from .statistics import verdict

    return verdict.judge(comparison, polarity)


def change_significant(
    p1: object, n1: object, p2: object, n2: object, z: float = Z95
) -> npt.NDArray[np.bool_]:
    """Two-proportion z-test (unpooled) between two years; p as fractions."""
    a1, b1, a2, b2 = _arr(p1), _arr(n1), _arr(p2), _arr(n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(a1 * (1 - a1) / b1 + a2 * (1 - a2) / b2)
        return np.abs(a2 - a1) > z * se


def rate_change_significant(
    o1: object, n1: object, o2: object, n2: object, z: float = Z95
) -> npt.NDArray[np.bool_]:
    """Poisson comparison of two rates O1/n1 and O2/n2 (normal approximation, unpooled).

    The variance of a Poisson count is the count itself, so var(O/n) = O/n²; the change is
    significant when it exceeds z standard errors. Two zero counts are never a change.
    """
    a1, b1, a2, b2 = _arr(o1), _arr(n1), _arr(o2), _arr(n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(a1 / (b1 * b1) + a2 / (b2 * b2))
        out = (se > 0) & (np.abs(a2 / b2 - a1 / b1) > z * se)
    small = ~np.isnan(a1 + a2 + b1 + b2) & (np.minimum(a1, a2) < EXACT_BELOW)
    alpha = 2 * (1 - _norm_cdf(z))
    for i in np.flatnonzero(small):
        out[i] = exact_rate_change_p(int(a1[i]), float(b1[i]), int(a2[i]),
                                     float(b2[i])) < alpha
    return out


def exact_rate_change_p(o1: int, n1: float, o2: int, n2: float) -> float:
    """Two-sided p-value of the exact conditional test of two Poisson rates.

    Given o1 + o2 events, o2 is binomial with p = n2 / (n1 + n2) when the rates are equal;
    the p-value sums the probabilities of all outcomes no more likely than the one seen.
    """
    total = o1 + o2
    if total == 0 or n1 <= 0 or n2 <= 0:
        return 1.0
    p = n2 / (n1 + n2)
    probs = [math.comb(total, k) * p ** k * (1 - p) ** (total - k) for k in range(total + 1)]
    seen = probs[o2]
    return min(1.0, sum(q for q in probs if q <= seen * (1 + 1e-7)))


def exact_poisson(count: int, z: float = Z95) -> tuple[float, float]:
    """Exact (Garwood 1936) interval for a Poisson count, by bisection on the Poisson CDF.

    Used to check Byar's approximation for small counts; the compute path uses Byar because it
    is vectorised and within 1% of the exact limits from a count of about 10 upwards.
    """
    alpha = 2 * (1 - _norm_cdf(z))
    o = int(count)

    def cdf(k: int, mu: float) -> float:  # P(X <= k) for X ~ Poisson(mu), in log space
        if k < 0:
            return 0.0
        ks = np.arange(k + 1, dtype=np.float64)
        logs = -mu + ks * np.log(mu) - np.cumsum(np.log(np.maximum(ks, 1.0)))
        return float(np.exp(logs).sum())

    def solve(target: float, k: int) -> float:  # mu with P(X <= k | mu) == target
        lo, hi = 0.0, max(10.0, 4.0 * (k + 10))
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if cdf(k, mid) > target else (lo, mid)
        return (lo + hi) / 2

    lower = 0.0 if o == 0 else solve(1 - alpha / 2, o - 1)
    return lower, solve(alpha / 2, o)


def _norm_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))
