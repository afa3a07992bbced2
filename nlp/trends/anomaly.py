"""The anomaly rule: robust, leakage-safe z-scores over a trailing window, and the flags built on them.

This module is the one place that decides whether a period is a spike. ``nlp trends``
writes its flags into the feature table, and the report, when it is given no trends
table, computes the same features from its rows and reads the same flags; so an alert
means the same thing everywhere. The rule in words (``docs/trends.md``, "Anomaly rule"):

* every series (a product, a topic, or all products together) is compared with its own
  past: the ``window`` periods *before* the current one (the period itself is never part
  of its own baseline), so a flag at period ``t`` only uses data up to the end of ``t``;
* the score is the modified z-score of Iglewicz & Hoaglin (1993)::

      z_t = (x_t - median(x_{t-W} .. x_{t-1})) / max(1.4826 * MAD(x_{t-W} .. x_{t-1}), floor)

  where MAD is the median absolute deviation from that median; ``1.4826`` makes it a
  consistent estimate of the standard deviation for normal data, and ``floor`` keeps the
  score finite (and sensible) when the past is flat (MAD = 0, e.g. a run of zero counts).
  Past values that are missing (``NaN``, e.g. periods below the minimum volume) are
  skipped; ``z`` is ``NaN`` when fewer than ``min_periods`` past values are available or
  ``x_t`` itself is missing;
* **minimum volume**: a share or a mean over fewer than ``min_volume`` reviews is noise,
  so such periods get no sentiment/negative z and are not part of any baseline, and no
  flag is raised on fewer reviews than that;
* a flag needs ``z >= z_threshold`` (3.5, the authors' recommendation);
* a flag never fires on a **partial period** (one the data do not cover to its end, see
  :func:`nlp.periods.period_complete`): a cut period is not evidence of anything.

Example:
    >>> import pandas as pd
    >>> x = pd.Series([2.0, 3, 2, 3, 2, 12])
    >>> by = pd.Series(["a"] * 6)
    >>> robust_zscore(x, by, window=5, min_periods=3, floor=1.0).round(2).tolist()
    [nan, nan, nan, 1.0, -0.5, 10.0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["MAD_TO_SD", "AnomalyRule", "trailing_window", "robust_zscore", "spike_flags", "emerging_topics", "topic_period_counts"]

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


@dataclass(frozen=True)
class AnomalyRule:
    """The settings of the anomaly rule (module notes; ``docs/trends.md``), validated on creation.

    Attributes:
        min_volume: fewest reviews in a period for its sentiment/share to enter a z-score
            (as the current value or in a baseline) and for any flag.
        window: trailing periods in the baseline (the current period excluded).
        min_periods: fewest usable baseline periods for a z-score.
        z_threshold: robust z at or above which a period is flagged.
        volume_floor: smallest scale of the volume z (reviews).
        sentiment_floor: smallest scale of the sentiment z (``sentiment_score`` units).
        share_floor: smallest scale of share z-scores (negative share, topic share).

    Example:
        >>> AnomalyRule(min_volume=3).z_threshold
        3.5
    """

    min_volume: int = 5
    window: int = 8
    min_periods: int = 3
    z_threshold: float = 3.5
    volume_floor: float = 1.0
    sentiment_floor: float = 0.1
    share_floor: float = 0.05

    def __post_init__(self) -> None:
        v = self.min_volume
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 0:
            raise ValueError(f"min_volume must be an integer >= 0, got {v!r}")
        if not (1 <= self.min_periods <= self.window):
            raise ValueError(f"need 1 <= min_periods <= window, got window={self.window}, min_periods={self.min_periods}")
        for name in ("z_threshold", "volume_floor", "sentiment_floor", "share_floor"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")


def _complete_mask(complete: np.ndarray | pd.Series | None, n: int) -> np.ndarray:
    if complete is None:
        return np.ones(n, dtype=bool)
    mask = np.asarray(complete, dtype=bool)
    if mask.shape != (n,):
        raise ValueError(f"complete must have one value per period ({n}), got shape {mask.shape}")
    return mask


def spike_flags(
    periods: pd.DataFrame, rule: AnomalyRule | None = None, *, complete: np.ndarray | pd.Series | None = None
) -> pd.DataFrame:
    """Volume and negative-share spikes of per-period series (the rule in the module notes).

    Args:
        periods: one row per series and period, sorted by series then time, every period
            present (empty ones with zero counts), with columns ``unique_id``,
            ``n_reviews``, ``n_scored`` (rows with a score), ``n_sentiment`` (rows with a
            sentiment label), ``sentiment_mean`` and ``share_negative``.
        rule: the settings (default :class:`AnomalyRule`).
        complete: per row, whether the period is complete; flags never fire where it is
            ``False`` (default: all complete).

    Returns:
        A frame aligned with ``periods``: ``volume_z``, ``sentiment_z``, ``negative_z``,
        ``anomaly_negative_spike`` and ``anomaly_volume_spike``.

    Example:
        >>> p = pd.DataFrame({"unique_id": ["a"] * 5, "n_reviews": [10, 10, 11, 10, 30], "n_scored": [10, 10, 11, 10, 30],
        ...                   "n_sentiment": [10, 10, 11, 10, 30], "sentiment_mean": [0.2, 0.1, 0.2, 0.2, -0.6],
        ...                   "share_negative": [0.1, 0.2, 0.1, 0.1, 0.8]})
        >>> f = spike_flags(p)
        >>> f[["anomaly_negative_spike", "anomaly_volume_spike"]].iloc[-1].tolist()
        [True, True]
        >>> bool(spike_flags(p, complete=[True] * 4 + [False])["anomaly_volume_spike"].iloc[-1])
        False
    """
    r = rule or AnomalyRule()
    by = periods["unique_id"]
    done = _complete_mask(complete, len(periods))
    n_reviews = periods["n_reviews"].astype(float)
    out = pd.DataFrame(index=periods.index)
    out["volume_z"] = robust_zscore(n_reviews, by, window=r.window, min_periods=r.min_periods, floor=r.volume_floor)
    scored_enough = periods["n_scored"] >= r.min_volume
    out["sentiment_z"] = robust_zscore(
        periods["sentiment_mean"].astype(float).where(scored_enough),
        by,
        window=r.window,
        min_periods=r.min_periods,
        floor=r.sentiment_floor,
    )
    labelled_enough = periods["n_sentiment"] >= r.min_volume
    out["negative_z"] = robust_zscore(
        periods["share_negative"].astype(float).where(labelled_enough),
        by,
        window=r.window,
        min_periods=r.min_periods,
        floor=r.share_floor,
    )
    out["anomaly_negative_spike"] = (out["negative_z"] >= r.z_threshold).to_numpy(dtype=bool) & done
    out["anomaly_volume_spike"] = (
        (out["volume_z"] >= r.z_threshold).to_numpy(dtype=bool) & (n_reviews >= r.min_volume).to_numpy(dtype=bool) & done
    )
    return out


def topic_period_counts(rows: pd.DataFrame) -> pd.Series:
    """Rows per (``unique_id``, ``topic``, ``period``) for topics >= 0, a Series named ``n``.

    Counts add up over any split of the rows, so an engine that aggregates in parts (Spark) gets the same.
    """
    t = rows[rows["topic"].notna() & (rows["topic"] >= 0)]
    return (
        pd.DataFrame(
            {
                "unique_id": t["unique_id"].astype(str).to_numpy(),
                "topic": t["topic"].astype(int).to_numpy(),
                "period": t["period"].to_numpy(dtype="int64"),
            }
        )
        .groupby(["unique_id", "topic", "period"])
        .size()
        .rename("n")
    )


def emerging_topics(
    rows: pd.DataFrame | None,
    grid: pd.DataFrame,
    rule: AnomalyRule | None = None,
    *,
    complete: np.ndarray | pd.Series | None = None,
    topic_counts: pd.Series | None = None,
) -> pd.Series:
    """For each period of each series, the ``|``-joined ids of the topics whose share spikes.

    A topic ``k >= 0`` is emerging in a period when it has at least ``min_volume`` rows
    there and the robust z of its share of the period's topic-assigned rows (outliers
    included) reaches ``z_threshold``; shares of periods with fewer than ``min_volume``
    topic-assigned rows are not used, and the period must be complete.

    Args:
        rows: one row per review: ``unique_id``, ``topic`` (``NaN`` = not in the topic model)
            and ``period`` (an integer period ordinal).
        grid: one row per series and period, sorted, every period present: ``unique_id``,
            ``period`` and ``n_topic`` (rows with a topic assignment).
        rule: the settings (default :class:`AnomalyRule`).
        complete: per grid row, whether the period is complete (default: all complete).
        topic_counts: :func:`topic_period_counts` already computed (then ``rows`` may be ``None``).

    Returns:
        A string series aligned with ``grid`` (``""`` where no topic emerges).

    Example:
        >>> rows = pd.DataFrame({"unique_id": "p", "topic": [0] * 20 + [1] * 8, "period": [0] * 5 + [1] * 5 + [2] * 5 + [3] * 5 + [3] * 8})
        >>> grid = pd.DataFrame({"unique_id": ["p"] * 4, "period": [0, 1, 2, 3], "n_topic": [5, 5, 5, 13]})
        >>> emerging_topics(rows, grid, AnomalyRule(min_volume=2, min_periods=2)).tolist()
        ['', '', '', '1']
    """
    r = rule or AnomalyRule()
    done = _complete_mask(complete, len(grid))
    result = pd.Series("", index=grid.index, dtype=object)
    tc = topic_counts if topic_counts is not None else topic_period_counts(rows)
    if tc.empty or grid.empty:
        return result
    # only (series, topic) pairs that ever reach min_volume in a period can be flagged
    peak = tc.groupby(level=["unique_id", "topic"]).max()
    pairs = peak[peak >= max(r.min_volume, 1)].index
    if len(pairs) == 0:
        return result
    gi = grid[["unique_id", "period", "n_topic"]].reset_index(drop=True)
    gi["grid_row"] = np.arange(len(gi))
    gi["unique_id"] = gi["unique_id"].astype(str)
    pair_df = pairs.to_frame(index=False)
    long = pair_df.merge(gi, on="unique_id", how="left").sort_values(["unique_id", "topic", "period"], kind="stable")
    long = long.merge(tc.reset_index(), on=["unique_id", "topic", "period"], how="left")
    long["n"] = long["n"].fillna(0)
    share = (long["n"] / long["n_topic"].where(long["n_topic"] >= max(r.min_volume, 1))).astype(float)
    key = long["unique_id"].astype(str) + "\x00" + long["topic"].astype(str)
    z = robust_zscore(
        share.reset_index(drop=True),
        key.reset_index(drop=True),
        window=r.window,
        min_periods=r.min_periods,
        floor=r.share_floor,
    )
    hit = (
        (z.to_numpy() >= r.z_threshold)
        & (long["n"].to_numpy() >= r.min_volume)
        & done[long["grid_row"].to_numpy(dtype=int)]
    )
    if not hit.any():
        return result
    hits = long.loc[hit, ["grid_row", "topic"]].sort_values(["grid_row", "topic"])
    joined = hits.groupby("grid_row")["topic"].agg(lambda ks: "|".join(str(k) for k in ks))
    result.iloc[joined.index.to_numpy(dtype=int)] = joined.to_numpy()
    return result
