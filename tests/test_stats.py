"""Intervals and comparisons against published reference values."""

from __future__ import annotations

import numpy as np
import pytest

from wijkdata.indicators import stats

# Newcombe (1998), Statistics in Medicine 17:857-872, Table II, method 3 (Wilson score).
NEWCOMBE = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
    (29, 29, 0.8830, 1.0000),
]


@pytest.mark.parametrize(("k", "n", "lo", "hi"), NEWCOMBE)
def test_wilson_matches_newcombe(k: int, n: int, lo: float, hi: float) -> None:
    lower, upper = stats.wilson(k, n)
    assert round(float(lower), 4) == lo
    assert round(float(upper), 4) == hi


def test_byar_close_to_exact_poisson() -> None:
    # Exact Poisson 95% limits for O = 10 are 4.7954 and 18.3904 (Garwood 1936); Byar's
    # approximation is within 0.01 of them, as the PHE technical guidance states.
    lower, upper = stats.byar(10)
    assert round(float(lower), 4) == 4.7874
    assert round(float(upper), 4) == 18.3915
    assert abs(float(lower) - 4.7954) < 0.01 and abs(float(upper) - 18.3904) < 0.01


def test_byar_zero_count_has_zero_lower_bound() -> None:
    lower, upper = stats.byar(0)
    assert float(lower) == 0.0
    assert round(float(upper), 4) == 3.6680


def test_compare_uses_the_whole_interval() -> None:
    got = stats.compare([0.30, 0.10, 0.18, np.nan], [0.40, 0.15, 0.25, 0.2], [0.25, 0.2, 0.2, 0.2])
    assert got.tolist() == ["higher", "lower", "similar", "not_tested"]


def test_judge_applies_polarity() -> None:
    cmp = np.array(["higher", "lower", "similar", "not_tested"])
    assert stats.judge(cmp, "lower_is_better").tolist() == ["worse", "better", "similar",
                                                            "not_tested"]
    assert stats.judge(cmp, "higher_is_better").tolist() == ["better", "worse", "similar",
                                                             "not_tested"]
    assert stats.judge(cmp, "neutral").tolist() == ["neutral", "neutral", "similar",
                                                    "not_tested"]
