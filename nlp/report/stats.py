"""The tests behind the report's findings: score intervals, their differences, p-values and the FDR cut.

Every comparison the report makes is one of three shapes, each with a 95% interval and a
p-value that agree with each other (the interval excludes "no change" exactly when the
p-value is below 0.05):

* **two proportions** (a product's negative share against other products', a period's
  against its trailing baseline, an aspect's net sentiment): Newcombe's hybrid score
  interval for ``p1 - p0`` (Newcombe 1998, method 10), built from the two Wilson intervals;
  its p-value is found by searching the confidence level at which the interval touches 0;
* **two Poisson rates** (review volume of a period against its baseline periods): the
  conditional binomial test (``k1`` of ``k1 + k0`` reviews fall in the period), with the
  Wilson interval of that share turned into a rate-ratio interval;
* **two means** (mean sentiment score, used only for the headline arrows): Welch's normal
  approximation.

An aspect's **net sentiment** (positive share - negative share of its mentions) is
``2q - 1`` with ``q = (positive + neutral / 2) / mentions``, so a difference of nets is twice
a difference of two such proportions; this is the interval ``nlp.aspects`` gives each
product × aspect, applied to a difference.

Many comparisons are made in one report, so the findings keep only the tests that pass the
Benjamini-Hochberg procedure at a false discovery rate of 5% (:func:`fdr_keep`).

Example:
    >>> lo, hi = diff_interval(56, 70, 48, 80)  # Newcombe's (1998) worked example: 0.0524 to 0.3339
    >>> round(lo, 4), round(hi, 4)
    (0.0524, 0.3339)
    >>> round(diff_p_value(30, 100, 10, 100), 4)
    0.0005
"""

from __future__ import annotations

import math

import numpy as np

from nlp.aspects.aggregate import Z95, wilson_interval

__all__ = [
    "Z95",
    "wilson_interval",
    "diff_interval",
    "diff_p_value",
    "net_counts",
    "rate_ratio_interval",
    "rate_ratio_p_value",
    "mean_diff",
    "mean_diff_moments",
    "normal_p_value",
    "fdr_keep",
]


def normal_p_value(z: float) -> float:
    """Two-sided p-value of a standard normal statistic.

    Example:
        >>> round(normal_p_value(1.959964), 4)
        0.05
    """
    if z != z:
        return float("nan")
    return math.erfc(abs(z) / math.sqrt(2.0))


def _wilson(k: float, n: float, z: float) -> tuple[float, float]:
    """:func:`wilson_interval` for one proportion in plain floats (the p-value search calls it thousands of times)."""
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(max(p * (1 - p) / n + z * z / (4 * n * n), 0.0)) / denom
    return min(max(centre - half, 0.0), 1.0), min(max(centre + half, 0.0), 1.0)


def diff_interval(k1: float, n1: float, k0: float, n0: float, z: float = Z95) -> tuple[float, float]:
    """Newcombe's hybrid score interval for ``k1/n1 - k0/n0`` (NaN when a side is empty).

    Counts may be fractional (a neutral aspect mention counts one half, see the module notes).

    Example:
        >>> [round(v, 4) for v in diff_interval(9, 10, 3, 10)]  # Newcombe (1998): 0.1705 to 0.8090
        [0.1705, 0.809]
    """
    if not (n1 > 0 and n0 > 0):
        return float("nan"), float("nan")
    p1, p0 = k1 / n1, k0 / n0
    l1, u1 = _wilson(k1, n1, z)
    l0, u0 = _wilson(k0, n0, z)
    d = p1 - p0
    lo = d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    hi = d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return max(lo, -1.0), min(hi, 1.0)


def _p_from_interval(excludes_zero, lo_z: float = 1e-6, hi_z: float = 40.0, steps: int = 45) -> float:
    """The two-sided p-value of an interval family: the level at which the interval starts to hold 0."""
    if not excludes_zero(lo_z):
        return 1.0
    if excludes_zero(hi_z):
        return 0.0
    a, b = lo_z, hi_z
    for _ in range(steps):  # the interval widens with z: bisect for the z where it first touches 0
        mid = (a + b) / 2
        if excludes_zero(mid):
            a = mid
        else:
            b = mid
    return normal_p_value((a + b) / 2)


def diff_p_value(k1: float, n1: float, k0: float, n0: float) -> float:
    """Two-sided p-value matching :func:`diff_interval`: below 0.05 exactly when the 95% interval excludes 0.

    Example:
        >>> diff_p_value(3, 10, 3, 10)
        1.0
    """
    if not (n1 > 0 and n0 > 0):
        return float("nan")

    def excludes(z: float) -> bool:
        lo, hi = diff_interval(k1, n1, k0, n0, z)
        return lo > 0 or hi < 0

    return _p_from_interval(excludes)


def net_counts(positive: float, neutral: float, negative: float) -> tuple[float, float]:
    """``(q_successes, mentions)`` of a net sentiment: ``net = 2 * successes / mentions - 1``.

    Example:
        >>> net_counts(6, 2, 2)
        (7.0, 10.0)
    """
    n = float(positive + neutral + negative)
    return float(positive) + 0.5 * float(neutral), n


def rate_ratio_interval(k1: int, t1: float, k0: int, t0: float, z: float = Z95) -> tuple[float, float]:
    """Interval for the ratio of two Poisson rates ``(k1/t1) / (k0/t0)`` from the conditional binomial.

    Example:
        >>> [round(v, 2) for v in rate_ratio_interval(40, 1, 80, 8)]
        [2.74, 5.83]
    """
    n = k1 + k0
    if n <= 0 or t1 <= 0 or t0 <= 0:
        return float("nan"), float("nan")
    lo, hi = wilson_interval(k1, n, z)

    def ratio(p: float) -> float:
        return float("inf") if p >= 1 else (p / (1 - p)) * (t0 / t1)

    return ratio(lo), ratio(hi)


def rate_ratio_p_value(k1: int, t1: float, k0: int, t0: float) -> float:
    """Score-test p-value of equal rates (``k1`` of ``k1 + k0`` events falling in the share ``t1 / (t1 + t0)``).

    Matches :func:`rate_ratio_interval`: the Wilson interval excludes the null share exactly
    when this score test rejects.

    Example:
        >>> rate_ratio_p_value(10, 1, 80, 8)
        1.0
    """
    n = k1 + k0
    if n <= 0 or t1 <= 0 or t0 <= 0:
        return float("nan")
    p0 = t1 / (t1 + t0)
    z = (k1 / n - p0) / math.sqrt(p0 * (1 - p0) / n)
    return normal_p_value(z)


def mean_diff(x1, x0, z: float = Z95) -> tuple[float, float, float, float]:
    """``(difference, low, high, p)`` of two sample means by Welch's normal approximation.

    Example:
        >>> d, lo, hi, p = mean_diff([0.5, 0.7, 0.6, 0.8], [0.1, 0.2, 0.0, 0.3])
        >>> round(d, 2), p < 0.05
        (0.5, True)
    """
    a = np.asarray(x1, dtype=float)
    b = np.asarray(x0, dtype=float)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if len(a) < 2 or len(b) < 2:
        return float("nan"), float("nan"), float("nan"), float("nan")
    d = float(a.mean() - b.mean())
    se = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    if se == 0:
        return d, d, d, (1.0 if d == 0 else 0.0)
    return d, d - z * se, d + z * se, normal_p_value(d / se)


def mean_diff_moments(m1: tuple[float, float, float], m0: tuple[float, float, float], z: float = Z95) -> tuple[float, float, float, float]:
    """:func:`mean_diff` from each sample's ``(n, sum, sum of squares)``, the form aggregated data keep.

    Example:
        >>> x1, x0 = [0.5, 0.7, 0.6, 0.8], [0.1, 0.2, 0.0, 0.3]
        >>> m = lambda x: (len(x), sum(x), sum(v * v for v in x))
        >>> [round(v, 6) for v in mean_diff_moments(m(x1), m(x0))] == [round(v, 6) for v in mean_diff(x1, x0)]
        True
    """
    (n1, s1, q1), (n0, s0, q0) = m1, m0
    if n1 < 2 or n0 < 2:
        return float("nan"), float("nan"), float("nan"), float("nan")
    d = float(s1 / n1 - s0 / n0)
    v1 = max(q1 - s1 * s1 / n1, 0.0) / (n1 - 1)
    v0 = max(q0 - s0 * s0 / n0, 0.0) / (n0 - 1)
    se = math.sqrt(v1 / n1 + v0 / n0)
    if se < 1e-12:
        return d, d, d, (1.0 if abs(d) < 1e-12 else 0.0)
    return d, d - z * se, d + z * se, normal_p_value(d / se)


def fdr_keep(p_values, q: float = 0.05) -> np.ndarray:
    """Benjamini-Hochberg: which tests to keep so that at most ``q`` of the kept ones are expected false.

    Example:
        >>> fdr_keep([0.001, 0.02, 0.04, 0.3]).tolist()  # 0.02 <= 0.05 * 2/4, 0.04 > 0.05 * 3/4
        [True, True, False, False]
        >>> fdr_keep([0.01, 0.02, 0.03]).tolist()
        [True, True, True]
    """
    p = np.asarray(p_values, dtype=float)
    keep = np.zeros(len(p), dtype=bool)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m == 0:
        return keep
    idx = np.flatnonzero(ok)
    order = idx[np.argsort(p[ok], kind="stable")]
    passed = p[order] <= q * np.arange(1, m + 1) / m
    if passed.any():
        last = int(np.flatnonzero(passed).max())
        keep[order[: last + 1]] = True
    return keep
