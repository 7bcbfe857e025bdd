"""Nearest-neighbour search for comparable areas: z-scores and Euclidean distance in numpy.

Pure functions on arrays, no database: :mod:`wijkdata.comparable` gathers the characteristics
and writes the groups. The method (also in ``docs/indicators.md`` and the profile's method
section):

* every characteristic is standardised over the candidate pool: ``z = (x - mean) / sd`` with
  the population standard deviation (ddof = 0); a characteristic without spread is left out;
* the distance between two areas is the Euclidean distance of their z-scores (squared
  distances rounded to 9 decimals, see :func:`distances`). When either area
  misses a characteristic, the sum of squares over the characteristics both have is scaled by
  ``p / m`` (p characteristics in use, m shared), so a missing figure neither pulls areas
  together nor pushes them apart; fewer than ``min_shared`` shared characteristics -> no
  distance (the pair is never matched);
* the k nearest candidates form the group; equal distances are broken by area code (the pool
  is sorted by code, so the lower index wins), which keeps the groups identical run to run.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

# Rows of subjects per block: 512 x 14,000 buurten x 8 bytes is ~57 MB per temporary array.
BLOCK = 512


def standardise(pool: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column means and population standard deviations over the pool, ignoring NaN.

    A column with no value or no spread gets sd NaN: :func:`zscores` then leaves it out.
    """
    with warnings.catch_warnings():
        # An all-NaN column: the mean of nothing is NaN, which is what we want.
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(pool, axis=0)
        sd = np.nanstd(pool, axis=0)
    sd = np.where(sd > 0, sd, np.nan)
    return mean, sd


def zscores(x: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """``(x - mean) / sd`` per column, keeping only the columns with a usable sd."""
    use = ~np.isnan(sd)
    return ((x[:, use] - mean[use]) / sd[use]).astype(np.float64)


def distances(subjects: np.ndarray, pool: np.ndarray, min_shared: int) -> np.ndarray:
    """Scaled Euclidean distances (subjects x pool) of z-scores; inf where too little is shared.

    With masks m (1 = present) and zero-filled values x, the sum of squares over the shared
    characteristics is (m_s x_s²)·m_p + m_s·(m_p x_p²) - 2 (m_s x_s)·(m_p x_p): three matrix
    products instead of a (subjects x pool x p) array, ~100x faster nationally. That form
    leaves rounding noise of ~1e-12 where the exact sum is a tie, so squared distances are
    rounded to 9 decimals before they are compared: a real tie stays a tie and falls to the
    code order.
    """
    p = subjects.shape[1]
    ms, mp = ~np.isnan(subjects), ~np.isnan(pool)
    xs, xp = np.where(ms, subjects, 0.0), np.where(mp, pool, 0.0)
    ms_f, mp_f = ms.astype(np.float64), mp.astype(np.float64)
    total = (xs * xs) @ mp_f.T + ms_f @ (xp * xp).T - 2.0 * (xs @ xp.T)
    shared = ms_f @ mp_f.T
    total = np.round(np.maximum(total, 0.0), 9)
    with np.errstate(divide="ignore", invalid="ignore"):
        dist = np.sqrt(total * p / shared)
    return np.where(shared >= max(min_shared, 1), dist, np.inf)


def nearest(subjects: np.ndarray, pool: np.ndarray, k: int, min_shared: int,
            exclude: Sequence[Sequence[int]]) -> list[list[tuple[int, float]]]:
    """Per subject the (pool index, distance) of its k nearest pool rows, nearest first.

    ``exclude[i]`` lists pool indices subject ``i`` may not be matched with (itself, a wijk
    that contains a village). Ties are broken by pool index, so sort the pool by code first.
    """
    out: list[list[tuple[int, float]]] = []
    for start in range(0, subjects.shape[0], BLOCK):
        block = distances(subjects[start:start + BLOCK], pool, min_shared)
        for r in range(block.shape[0]):
            skip = list(exclude[start + r])
            if skip:
                block[r, skip] = np.inf
        out.extend(_block_smallest(block, k))
    return out


def _block_smallest(block: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
    """:func:`_smallest` for every row of a block, vectorised for the common case.

    A row whose k-th distance is finite and not shared with a (k+1)-th (no tie at the boundary)
    has exactly k values <= its k-th: those, sorted by distance with a stable sort, are the
    answer, and equal distances keep index order. Other rows take the careful path.
    """
    if block.shape[1] <= k:
        return [_smallest(row, k) for row in block]
    kth = np.partition(block, k - 1, axis=1)[:, k - 1:k]
    within = block <= kth
    simple = np.isfinite(kth[:, 0]) & (within.sum(axis=1) == k)
    rows = np.flatnonzero(simple)
    cols = np.nonzero(within[rows])[1].reshape(len(rows), k)  # ascending index per row
    dist = np.take_along_axis(block[rows], cols, axis=1)
    order = np.argsort(dist, axis=1, kind="stable")
    cols = np.take_along_axis(cols, order, axis=1)
    dist = np.take_along_axis(dist, order, axis=1)
    out: list[list[tuple[int, float]]] = [[] for _ in range(block.shape[0])]
    for n, r in enumerate(rows.tolist()):
        out[r] = list(zip(cols[n].tolist(), dist[n].tolist(), strict=True))
    for r in np.flatnonzero(~simple).tolist():
        out[r] = _smallest(block[r], k)
    return out


def _smallest(row: np.ndarray, k: int) -> list[tuple[int, float]]:
    finite = np.flatnonzero(np.isfinite(row))
    if finite.size > k:
        # argpartition finds the k-th distance; everything up to it (ties included) is then
        # sorted by (distance, index), so a tie at the boundary is decided by code.
        kth = row[finite[np.argpartition(row[finite], k - 1)[k - 1]]]
        finite = finite[row[finite] <= kth]
    order = finite[np.lexsort((finite, row[finite]))][:k]
    return [(int(i), float(row[i])) for i in order]
