"""Aspect rows summarised per product × aspect (and per period), and the aspect trend features.

For each product and aspect:

* ``reviews``: reviews mentioning the aspect (one aspect row per review), ``mentions``: mentions in them;
* ``share``: ``reviews / n_reviews`` (``n_reviews`` = the product's reviews, from the review table),
  with a 95% Wilson interval (``share_low``, ``share_high``);
* ``net``: positive share - negative share among the reviews mentioning it, in [-1, 1], with a
  95% interval: each mention counts 1 (positive), 1/2 (neutral) or 0 (negative), the Wilson
  interval of that mean proportion p is taken and mapped back by ``net = 2p - 1``. (Counting a
  neutral as half a success has a smaller variance than a coin flip, so the interval is a little
  conservative.)
* ``evidence_ids``: up to ``top_k`` review ids behind the side that dominates (the strongest
  scores first), plus ``positive_ids`` and ``negative_ids``.

:func:`trend_columns` gives the SPEC's per product × period features ``aspect_<key>_share`` and
``aspect_<key>_net`` in the long format of ``nlp trends`` (``unique_id``, ``ds``).

Example:
    >>> wilson_interval(8, 10)
    (0.4901624..., 0.9433178...)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from nlp.io.columns import ColumnMap
from nlp.periods import period_start as _period_start

__all__ = ["aggregate", "AspectSummary", "trend_columns", "trend_columns_from_counts", "join_trend_columns", "period_start", "wilson_interval", "Z95"]

Z95 = 1.959963984540054
Freq = Literal["D", "W", "M"]


def wilson_interval(k, n, z: float = Z95):
    """Wilson score interval of a proportion ``k / n`` (scalars or arrays); ``n = 0`` gives NaN.

    Example:
        >>> lo, hi = wilson_interval(0, 5)
        >>> round(lo, 4), round(hi, 4)
        (0.0, 0.4345)
    """
    k = np.asarray(k, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
        lo = np.where(n > 0, np.clip(centre - half, 0, 1), np.nan)
        hi = np.where(n > 0, np.clip(centre + half, 0, 1), np.nan)
    if lo.ndim == 0:
        return float(lo), float(hi)
    return lo, hi


def period_start(values: pd.Series, freq: Freq = "W") -> pd.Series:
    """Start of each value's period (D, W = Monday, M), by the project's shared rules (:mod:`nlp.periods`, Asia/Seoul).

    Example:
        >>> period_start(pd.Series(["2026-01-07", "2026-01-11"]), "W").dt.strftime("%Y-%m-%d").tolist()
        ['2026-01-05', '2026-01-05']
    """
    if freq not in ("D", "W", "M"):
        raise ValueError(f"freq must be D, W or M (day, week from Monday, calendar month), got {freq!r}")
    return _period_start(values.reset_index(drop=True), freq).set_axis(values.index)


@dataclass
class AspectSummary:
    """Tidy tables: ``by_product`` (product × aspect) and ``by_period`` (product × aspect × period, or ``None`` without dates)."""

    by_product: pd.DataFrame
    by_period: pd.DataFrame | None


POLARITY_SIGN = {"positive": 1, "neutral": 0, "negative": -1}
"""Polarity as the sign ``net`` sums: positive +1, neutral 0, negative −1."""


def _summarise(rows: pd.DataFrame, keys: list[str], n_reviews: pd.Series | None, top_k: int, id_col: str) -> pd.DataFrame:
    cols = keys + ["aspect", "aspect_label", "n_reviews", "reviews", "mentions", "share", "share_low", "share_high", "positive", "neutral", "negative",
                   "net", "net_low", "net_high", "score_mean", "evidence_ids", "positive_ids", "negative_ids"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    r = rows.assign(_sign=rows["polarity"].map(POLARITY_SIGN).astype(float), _mentions=rows["mentions"] if "mentions" in rows.columns else 1)
    if "_w" not in r.columns:
        r["_w"] = 1.0  # one row per review and aspect; aggregated rows say how many they stand for
    by = keys + ["aspect"]
    score = pd.to_numeric(r["score"], errors="coerce") if "score" in r.columns else pd.Series(np.nan, index=r.index)
    w = r["_w"].astype(float)
    r = r.assign(
        _pos=w.where(r["_sign"] > 0, 0.0), _neu=w.where(r["_sign"] == 0, 0.0), _neg=w.where(r["_sign"] < 0, 0.0),
        _sc=(score * w).fillna(0.0), _scn=w.where(score.notna(), 0.0), _label=r["aspect_label"],
    )  # fmt: skip
    g = r.groupby(by, sort=True, dropna=False)
    agg = g[["_w", "_mentions", "_pos", "_neu", "_neg", "_sc", "_scn"]].sum()
    agg["aspect_label"] = r.drop_duplicates(by).set_index(by)["_label"].reindex(agg.index).to_numpy() if len(agg) else []
    out = agg.reset_index()
    for c in by:  # plain object columns, as the summary tables have always been written
        if pd.api.types.is_string_dtype(out[c]) and not pd.api.types.is_object_dtype(out[c]):
            out[c] = out[c].astype(object)
    n_men = out["_w"].to_numpy(dtype=float)
    pos, neu, neg = (out[c].to_numpy(dtype=float) for c in ("_pos", "_neu", "_neg"))
    if n_reviews is not None:
        idx = pd.MultiIndex.from_frame(out[keys]) if len(keys) > 1 else pd.Index(out[keys[0]])
        n_rev = n_reviews.reindex(idx).to_numpy(dtype=float)
    else:
        n_rev = np.full(len(out), np.nan)
    ok = n_rev > 0
    out["n_reviews"] = n_rev
    out["reviews"] = n_men.astype(np.int64)
    out["mentions"] = out["_mentions"].astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share"] = np.where(ok, n_men / np.where(ok, n_rev, 1.0), np.nan)
        lo, hi = wilson_interval(n_men, np.where(ok, n_rev, 0.0))
        out["share_low"], out["share_high"] = lo, hi
        out["positive"], out["neutral"], out["negative"] = pos.astype(np.int64), neu.astype(np.int64), neg.astype(np.int64)
        out["net"] = (pos - neg) / n_men
        lo, hi = wilson_interval(pos + 0.5 * neu, n_men)
        out["net_low"], out["net_high"] = 2 * lo - 1, 2 * hi - 1
        out["score_mean"] = np.where(out["_scn"] > 0, out["_sc"] / out["_scn"].where(out["_scn"] > 0), np.nan)
    if id_col in r.columns:
        ids = r.assign(_id=r[id_col].astype(str))
        by_pos = ids.assign(_score=score).sort_values("_score", ascending=False, kind="stable")
        first = _top_ids(ids, by, top_k)
        pos_ids = _top_ids(by_pos[by_pos["_sign"] > 0], by, top_k)
        neg_ids = _top_ids(by_pos[by_pos["_sign"] < 0].iloc[::-1], by, top_k)
        key = pd.MultiIndex.from_frame(out[by])
        out["positive_ids"] = _lists(pos_ids, key)
        out["negative_ids"] = _lists(neg_ids, key)
        fallback = _lists(first, key)
        out["evidence_ids"] = [n if ng > p else (ps if p else f) for n, ps, f, ng, p in zip(out["negative_ids"], out["positive_ids"], fallback, neg, pos)]
    else:
        out["positive_ids"] = [[] for _ in range(len(out))]
        out["negative_ids"] = [[] for _ in range(len(out))]
        out["evidence_ids"] = [[] for _ in range(len(out))]
    return out[cols]


def _top_ids(rows: pd.DataFrame, by: list[str], k: int) -> pd.Series:
    """The first ``k`` ids of each group, in the rows' order, as lists keyed by the group."""
    if rows.empty:
        return pd.Series(dtype=object)
    return rows.groupby(by, sort=False, dropna=False).head(k).groupby(by, sort=False, dropna=False)["_id"].agg(list)


def _lists(found: pd.Series, key: pd.MultiIndex) -> list[list[str]]:
    if found.empty:
        return [[] for _ in range(len(key))]
    if not isinstance(found.index, pd.MultiIndex):
        found.index = pd.MultiIndex.from_arrays([found.index])
    got = found.reindex(key)
    return [v if isinstance(v, list) else [] for v in got]


def aggregate(
    aspects: pd.DataFrame, reviews: pd.DataFrame | None = None, columns: ColumnMap | None = None, freq: Freq | None = "W", top_k: int = 3
) -> AspectSummary:
    """Per product × aspect, and per product × aspect × period, summaries of aspect rows.

    Args:
        aspects: rows of :func:`~nlp.aspects.extract.extract` (``nlp aspects``).
        reviews: the review table the rows came from (raw or scored): gives each product's (and
            period's) number of reviews for ``share``. Without it ``n_reviews`` and ``share`` are NaN.
        columns: input column names (``--product-col``, ``--time-col``, ``--id-col``). Without a
            product column all rows are one product (``""``).
        freq: period length of ``by_period`` (``D``, ``W`` or ``M``); ``None`` skips it.
        top_k: evidence ids per row.

    Returns:
        :class:`AspectSummary`; the tables name the product ``product_id`` and the period ``period``.

    Example:
        >>> rows = pd.DataFrame({"id": ["1", "2"], "product_id": ["p", "p"], "aspect": ["noise", "noise"], "aspect_label": ["소음", "소음"],
        ...                      "polarity": ["negative", "positive"], "score": [-0.8, 0.6]})
        >>> s = aggregate(rows, pd.DataFrame({"id": ["1", "2", "3"], "product_id": ["p"] * 3}), freq=None)
        >>> s.by_product[["reviews", "share", "net"]].values.round(3).tolist()
        [[2.0, 0.667, 0.0]]
    """
    cmap = columns or ColumnMap()
    rows = aspects.copy()
    rows["product_id"] = rows[cmap.product].astype("string").fillna("") if cmap.product in rows.columns else ""
    n_prod = None
    rev = None
    if reviews is not None:
        rev = pd.DataFrame({"product_id": reviews[cmap.product].astype("string").fillna("") if cmap.product in reviews.columns else ""}, index=reviews.index)
        if not isinstance(rev["product_id"], pd.Series):
            rev["product_id"] = ""
        if "_w" in reviews.columns:  # aggregated review rows: each stands for _w reviews
            rev["_w"] = reviews["_w"].to_numpy()
        else:
            rev["_w"] = 1
        n_prod = rev.groupby("product_id")["_w"].sum()
    by_product = _summarise(rows, ["product_id"], n_prod, top_k, cmap.id)
    by_period = None
    if freq is not None and cmap.time in rows.columns:
        rows["period"] = period_start(rows[cmap.time], freq)
        n_per = None
        if reviews is not None and cmap.time in reviews.columns:
            rev["period"] = period_start(reviews[cmap.time], freq).to_numpy()
            n_per = rev.dropna(subset=["period"]).groupby(["product_id", "period"])["_w"].sum()
        by_period = _summarise(rows.dropna(subset=["period"]), ["product_id", "period"], n_per, top_k, cmap.id)
    return AspectSummary(by_product, by_period)


def trend_columns(
    aspects: pd.DataFrame, reviews: pd.DataFrame, columns: ColumnMap | None = None, freq: Freq = "W", keys: list[str] | None = None
) -> pd.DataFrame:
    """Per product × period ``aspect_<key>_share`` and ``aspect_<key>_net``, keyed ``unique_id``, ``ds`` as in ``nlp trends``.

    ``share`` is the share of the period's reviews mentioning the aspect (0 when none do);
    ``net`` the positive minus negative share among those mentions (NaN when there are none).
    One row per product × period that has reviews with a parseable date.

    Args:
        aspects: aspect rows; reviews: the review table (product and time columns needed).
        keys: aspect keys to give columns for (default: those in ``aspects``, sorted), so a
            domain's full key list keeps the columns stable across runs.

    Example:
        >>> rows = pd.DataFrame({"id": ["1"], "product_id": ["p"], "created_at": ["2026-01-05"], "aspect": ["noise"], "polarity": ["negative"]})
        >>> revs = pd.DataFrame({"id": ["1", "2"], "product_id": ["p", "p"], "created_at": ["2026-01-05", "2026-01-06"]})
        >>> trend_columns(rows, revs)[["aspect_noise_share", "aspect_noise_net"]].values.tolist()
        [[0.5, -1.0]]
    """
    cmap = columns or ColumnMap()
    for role in ("product", "time"):
        name = getattr(cmap, role)
        if name not in reviews.columns:
            raise ValueError(f"trend_columns needs the review table's {role} column {name!r}; it has {list(reviews.columns)}")
    rev = pd.DataFrame({"unique_id": reviews[cmap.product].astype("string"), "ds": period_start(reviews[cmap.time], freq).to_numpy()}).dropna()
    base = rev.groupby(["unique_id", "ds"]).size().rename("n").reset_index()
    keys = sorted(aspects["aspect"].unique()) if keys is None else list(keys)
    if aspects.empty:
        counts = pd.DataFrame({"unique_id": pd.Series(dtype="string"), "ds": pd.Series(dtype="datetime64[ns]"), "aspect": pd.Series(dtype=object),
                               "size": pd.Series(dtype=float), "sum": pd.Series(dtype=float)})
    else:
        a = pd.DataFrame(
            {"unique_id": aspects[cmap.product].astype("string"), "ds": period_start(aspects[cmap.time], freq).to_numpy(), "aspect": aspects["aspect"],
             "sign": aspects["polarity"].map(POLARITY_SIGN).astype(float)}
        ).dropna(subset=["unique_id", "ds"])
        counts = a.groupby(["unique_id", "ds", "aspect"])["sign"].agg(["size", "sum"]).reset_index()
    return trend_columns_from_counts(base, counts, keys)


def trend_columns_from_counts(base: pd.DataFrame, counts: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """:func:`trend_columns` from counts: ``base`` (``unique_id``, ``ds``, ``n`` reviews) and ``counts``
    (``unique_id``, ``ds``, ``aspect``, ``size`` mentions, ``sum`` of polarity signs) — the form a
    distributed engine aggregates to."""
    out = base[["unique_id", "ds"]].copy()
    if counts.empty:
        for k in keys:
            out[f"aspect_{k}_share"] = 0.0
            out[f"aspect_{k}_net"] = np.nan
        return out
    merged = base.merge(counts, on=["unique_id", "ds"], how="left")
    idx = pd.MultiIndex.from_frame(out[["unique_id", "ds"]])
    n = base.set_index(["unique_id", "ds"])["n"].reindex(idx).to_numpy()
    for k in keys:
        sub = merged[merged["aspect"] == k].set_index(["unique_id", "ds"])
        size = sub["size"].reindex(idx).to_numpy(dtype=float)
        total = sub["sum"].reindex(idx).to_numpy(dtype=float)
        out[f"aspect_{k}_share"] = np.where(np.isnan(size), 0.0, size) / n
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"aspect_{k}_net"] = np.where(np.isnan(size), np.nan, total / size)
    return out


def join_trend_columns(features: pd.DataFrame, cols: pd.DataFrame) -> pd.DataFrame:
    """The trend table with :func:`trend_columns` joined on (``unique_id``, ``ds``); a period with reviews
    and no mention has a share of 0."""
    cols = cols.assign(unique_id=cols["unique_id"].astype(str))
    merged = features.assign(unique_id=features["unique_id"].astype(str)).merge(cols, on=["unique_id", "ds"], how="left")
    share = [c for c in cols.columns if c.endswith("_share")]
    merged[share] = merged[share].fillna(0.0)
    return merged
