"""The tests behind findings: published reference values, and intervals that agree with their p-values."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.report import stats


@pytest.mark.parametrize(
    ("k1", "n1", "k0", "n0", "lo", "hi"),
    [  # Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (6, 7, 2, 7, 0.0582, 0.8062),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0000),
    ],
)
def test_newcombe_reference_values(k1, n1, k0, n0, lo, hi):
    got = stats.diff_interval(k1, n1, k0, n0)
    assert got == pytest.approx((lo, hi), abs=6e-5)


def test_p_value_agrees_with_the_interval():
    """p < 0.05 exactly when the 95% interval excludes 0, over many random comparisons."""
    rng = np.random.default_rng(3)
    for _ in range(300):
        n1, n0 = int(rng.integers(5, 400)), int(rng.integers(5, 400))
        k1, k0 = int(rng.integers(0, n1 + 1)), int(rng.integers(0, n0 + 1))
        lo, hi = stats.diff_interval(k1, n1, k0, n0)
        p = stats.diff_p_value(k1, n1, k0, n0)
        if abs(p - 0.05) > 1e-6:
            assert (p < 0.05) == (lo > 0 or hi < 0), (k1, n1, k0, n0, lo, hi, p)


def test_rate_ratio():
    assert stats.rate_ratio_p_value(10, 1, 80, 8) == pytest.approx(1.0)
    lo, hi = stats.rate_ratio_interval(40, 1, 80, 8)
    assert lo > 1 and hi > lo
    assert stats.rate_ratio_p_value(40, 1, 80, 8) < 1e-6
    # the score test and the interval agree at the edges too
    for k1 in range(5, 40):
        p = stats.rate_ratio_p_value(k1, 1, 80, 8)
        lo, hi = stats.rate_ratio_interval(k1, 1, 80, 8)
        assert (p < 0.05) == (lo > 1 or hi < 1), k1


def test_mean_diff_and_normal_p():
    d, lo, hi, p = stats.mean_diff([1.0] * 20 + [0.0] * 20, [1.0] * 10 + [0.0] * 30)
    assert d == pytest.approx(0.25) and lo < d < hi and p < 0.05
    assert np.isnan(stats.mean_diff([1.0], [0.0, 1.0])[0])
    assert stats.normal_p_value(0.0) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("p", "keep"),
    [
        ([0.01, 0.02, 0.03, 0.04, 0.05], [True] * 5),
        ([0.001, 0.2, 0.3, 0.04], [True, False, False, False]),
        ([0.2] * 10 + [0.001], [False] * 10 + [True]),
        ([0.04] * 10 + [0.001], [True] * 11),  # the largest p is under q: all kept
        ([float("nan"), 0.001], [False, True]),
        ([], []),
    ],
)
def test_benjamini_hochberg(p, keep):
    assert stats.fdr_keep(p).tolist() == keep


def test_the_fast_wilson_is_the_aspects_wilson():
    """The report's float version and nlp.aspects' interval are one formula (the matrix and the tests agree)."""
    for k, n in [(0, 5), (3, 7), (7.5, 20), (20, 20), (123, 4567)]:
        assert stats._wilson(k, n, stats.Z95) == pytest.approx(stats.wilson_interval(k, n), abs=1e-12)
