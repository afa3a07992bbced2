"""Robust, leakage-safe z-scores over a trailing window, and the anomaly flags built on them.

Every statistic here compares a period with the ``window`` periods *before* it (the
period itself is never part of its own baseline), so a value at period ``t`` only uses
data up to the end of ``t``.

The score is the modified z-score of Iglewicz & Hoaglin (1993)::

    z_t = (x_t - median(x_{t-W} .. x_{t-1})) / max(1.4826 * MAD(x_{t-W} .. x_{t-1}), floor)

where MAD is the median absolute deviation from that median; ``1.4826`` makes it a
consistent estimate of the standard deviation for normal data, and ``floor`` keeps the
score finite (and sensible) when the past is flat (MAD = 0, e.g. a run of zero counts).
Past values that are missing (``NaN``, e.g. periods below the minimum-volume guard) are
skipped; ``z`` is ``NaN`` when fewer than ``min_periods`` past values are available or
``x_t`` itself is missing.

Example:
    >>> import pandas as pd
    >>> x = pd.Series([2.0, 3, 2, 3, 2, 12])
    >>> by = pd.Series(["a"] * 6)
    >>> robust_zscore(x, by, window=5, min_periods=3, floor=1.0).round(2).tolist()
    [nan, nan, nan, 1.0, -0.5, 10.0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["MAD_TO_SD", "trailing_window", "robust_zscore"]

MAD_TO_SD = 1.4826  # MAD * 1.4826 estimates the standard deviation of normal data


def _group_starts(by: pd.Series) -> np.ndarray:
    """For each position, the position where its (contiguous) group starts."""
    codes = pd.factorize(by, sort=False)[0]
    n = len(codes)
    new = np.ones(n, dtype=bool)
    if n > 1:
        new[1:] = codes[1:] != codes[:-1]
    starts = np.where(new, np.arange(n), 0)
    return np.maximum.accumulate(starts) if n else starts


def trailing_window(values: pd.Series, by: pd.Series, window: int) -> np.ndarray:
    """The ``window`` values before each row within its group, as an ``(n, window)`` array.

    Column ``k`` holds the value ``k + 1`` rows earlier in the same group (``NaN`` before
    the group starts). Rows must be sorted by group and time, one row per period, with
    empty periods present (the feature grid guarantees this).

    Args:
        values: the series to look back over.
        by: group keys (e.g. ``unique_id``), contiguous.
        window: how many past rows to collect.

    Returns:
        A float array; the current row is never included.

    Example:
        >>> trailing_window(pd.Series([1.0, 2, 3]), pd.Series(["a", "a", "a"]), 2).tolist()
        [[nan, nan], [1.0, nan], [2.0, 1.0]]
    """
    x = np.asarray(values, dtype=float)
    n = len(x)
    starts = _group_starts(by)
    pos = np.arange(n)
    out = np.full((n, window), np.nan)
    for k in range(1, window + 1):
        src = pos - k
        ok = src >= starts
        out[ok, k - 1] = x[src[ok]]
    return out


def _row_nanmedian(a: np.ndarray, n_ok: np.ndarray) -> np.ndarray:
    """Median of each row ignoring NaN (``n_ok`` = non-NaN count per row); NaN for empty rows.

    Much faster than ``np.nanmedian`` on many short rows: NaN sorts last, so the median
    sits at positions ``(n-1)//2`` and ``n//2`` of the sorted row.
    """
    if a.shape[1] == 0:
        return np.full(a.shape[0], np.nan)
    srt = np.sort(a, axis=1)
    lo = np.clip((n_ok - 1) // 2, 0, None)[:, None]
    hi = np.clip(n_ok // 2, 0, a.shape[1] - 1)[:, None]
    med = (np.take_along_axis(srt, lo, axis=1)[:, 0] + np.take_along_axis(srt, hi, axis=1)[:, 0]) / 2.0
    med[n_ok == 0] = np.nan
    return med


def robust_zscore(
    values: pd.Series,
    by: pd.Series,
    *,
    window: int = 8,
    min_periods: int = 3,
    floor: float = 1.0,
) -> pd.Series:
    """Modified z-score of each value against its group's trailing window (median/MAD).

    Args:
        values: one value per period (``NaN`` = not usable, e.g. under the volume guard).
        by: group keys, contiguous and sorted by time within each group.
        window: number of past periods in the baseline (the current period excluded).
        min_periods: fewest usable past values for a score; otherwise ``NaN``.
        floor: smallest scale (in the units of ``values``) used instead of ``1.4826 * MAD``.

    Returns:
        A float series aligned with ``values``.

    Example:
        >>> robust_zscore(pd.Series([0.0, 0, 0, 5]), pd.Series([1, 1, 1, 1]), min_periods=3, floor=1.0).tolist()
        [nan, nan, nan, 5.0]
    """
    if window < 1 or min_periods < 1 or min_periods > window:
        raise ValueError(f"need 1 <= min_periods <= window, got window={window}, min_periods={min_periods}")
    if not floor > 0:
        raise ValueError(f"floor must be > 0, got {floor}")
    past = trailing_window(values, by, window)
    n_ok = np.sum(~np.isnan(past), axis=1)
    med = _row_nanmedian(past, n_ok)
    mad = _row_nanmedian(np.abs(past - med[:, None]), n_ok)
    scale = np.maximum(MAD_TO_SD * np.nan_to_num(mad, nan=0.0), floor)
    x = np.asarray(values, dtype=float)
    z = (x - med) / scale
    z[(n_ok < min_periods) | np.isnan(x)] = np.nan
    return pd.Series(z, index=values.index, dtype=float)
