"""What each topic is, how big, and how customers feel about it: tables for the CX team.

From the scored rows with their topic (``doc_topics``) and the model's keywords, labels
and representative documents:

* :func:`topic_summary` → ``topics.parquet``: one row per topic (``-2`` = the group of short
  generic praise and reactions, ``-1`` = outliers; ``kind`` says which) with ``size``, ``share``, ``label``, ``keywords`` (best first), ``representative_ids``, and,
  where the scored columns exist, ``sentiment_mean`` (mean ``sentiment_score``),
  ``n_``/``share_`` per sentiment label, ``intent_<label>`` rates and ``rating_mean``;
* :func:`topics_by_group` → ``topics_by_product.parquet``: the same measures per product
  and topic, with the topic's share of the product's rows;
* :func:`topics_by_period` → ``topics_by_period.parquet``: the same per period and topic,
  periods counted as everywhere else (:mod:`nlp.periods`: Asia/Seoul calendar, weeks from
  Monday), with ``period_complete``.

Shares are over the rows that have the value (a row without a sentiment does not count
as neutral). An intent rate is the share of rows whose ``intent`` is that label; a table
with only the ``intent_<label>`` probabilities gets their mean instead. Scored columns
that are absent are left out, never filled with zeros.

Example:
    >>> rows = pd.DataFrame({"id": ["a", "b"], "topic": [0, 0], "sentiment": ["positive", "negative"],
    ...                      "sentiment_score": [0.8, -0.6]})
    >>> topic_summary(rows, keywords={0: ["배송", "택배"]}, labels={0: "배송 · 택배"})[["topic", "size", "share_positive"]]
       topic  size  share_positive
    0      0     2             0.5
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import pandas as pd

from nlp.periods import DEFAULT_TZ, PeriodFreq, parse_times, period_complete, period_start
from nlp.schema import INTENT_LABELS, SENTIMENT_LABELS

logger = logging.getLogger(__name__)

__all__ = ["topic_summary", "topics_by_group", "topics_by_period", "measure_sums", "measure_columns", "period_start", "SENTIMENT_LABELS", "INTENT_LABELS"]

Freq = PeriodFreq


def _intent_labels(rows: pd.DataFrame) -> list[str]:
    found = [c[len("intent_") :] for c in rows.columns if c.startswith("intent_") and pd.api.types.is_numeric_dtype(rows[c])]
    if "intent" in rows.columns:
        found += [str(v) for v in rows["intent"].dropna().unique()]
    known = [label for label in INTENT_LABELS if label in found or "intent" in rows.columns]
    return known + sorted(set(found) - set(known))


def measure_sums(rows: pd.DataFrame, keys: list, intents: Sequence[str], rating_col: str | None) -> pd.DataFrame:
    """Per group of ``keys`` (columns or aligned series): the counts and means behind the measures, in one groupby.

    Columns: ``n``; ``sentiment_mean``; ``n_sentiment`` (rows with a sentiment) and ``n_<label>``;
    ``n_intent`` and ``n_intent_<label>`` (or, without an ``intent`` column, the mean
    ``intent_<label>`` probabilities); ``rating_mean``. The Spark engine computes the same sums
    (:func:`nlp.engines.spark_run.topic_measures`), and :func:`measure_columns` turns either into
    the published columns.
    """
    cols: dict[str, pd.Series] = {"n": pd.Series(1, index=rows.index, dtype="int64")}
    means: list[str] = []
    if "sentiment_score" in rows.columns:
        cols["sentiment_mean"] = pd.to_numeric(rows["sentiment_score"], errors="coerce").astype("float64")
        means.append("sentiment_mean")
    if "sentiment" in rows.columns:
        s = rows["sentiment"].astype("string")
        cols["n_sentiment"] = s.notna().astype("int64")
        for label in SENTIMENT_LABELS:
            cols[f"n_{label}"] = (s == label).fillna(False).astype("int64")
    if intents:
        if "intent" in rows.columns:
            it = rows["intent"].astype("string")
            cols["n_intent"] = it.notna().astype("int64")
            for label in intents:
                cols[f"n_intent_{label}"] = (it == label).fillna(False).astype("int64")
        else:
            for label in intents:
                cols[f"intent_{label}"] = pd.to_numeric(rows[f"intent_{label}"], errors="coerce").astype("float64")
                means.append(f"intent_{label}")
    if rating_col and rating_col in rows.columns:
        cols["rating_mean"] = pd.to_numeric(rows[rating_col], errors="coerce").astype("float64")
        means.append("rating_mean")
    frame = pd.DataFrame(cols)
    grouped = frame.groupby(keys, sort=True)
    counts = [c for c in frame.columns if c not in means]
    out = grouped[counts].sum()
    if means:
        out = out.join(grouped[means].mean())  # NaN where a group has no value
    return out[list(frame.columns)]


def measure_columns(m: Mapping, intents: Sequence[str], rating_col: str | None, columns) -> dict[str, float | int]:
    """The published measure columns (names and order) of one group, from :func:`measure_sums`' row ``m``.

    ``columns`` are the input's columns: a measure whose source column is absent is left out.
    """
    nan = float("nan")

    def val(key: str) -> float:
        v = m.get(key)
        return nan if v is None or pd.isna(v) else float(v)

    out: dict[str, float | int] = {}
    if "sentiment_score" in columns:
        out["sentiment_mean"] = val("sentiment_mean")
    if "sentiment" in columns:
        total = int(m.get("n_sentiment") or 0)
        for label in SENTIMENT_LABELS:
            k = int(m.get(f"n_{label}") or 0)
            out[f"n_{label}"] = k
            out[f"share_{label}"] = k / total if total else nan
    if intents:
        if "intent" in columns:
            total = int(m.get("n_intent") or 0)
            for label in intents:
                out[f"intent_{label}"] = float(m.get(f"n_intent_{label}") or 0) / total if total else nan
        else:
            for label in intents:
                out[f"intent_{label}"] = val(f"intent_{label}")
    if rating_col and rating_col in columns:
        out["rating_mean"] = val("rating_mean")
    return out


def topic_kind(topic: int) -> str:
    """``topic``, ``outliers`` (-1) or ``generic`` (-2: short generic praise and reactions, :mod:`nlp.topics.generic`)."""
    return "outliers" if topic == -1 else ("generic" if topic == -2 else "topic")


def _check(rows: pd.DataFrame, need: Sequence[str]) -> None:
    missing = [c for c in need if c not in rows.columns]
    if missing:
        raise ValueError(
            f"the rows lack column(s) {missing}; they have {list(rows.columns)}. "
            "Join doc_topics (id, topic, topic_prob) onto the scored rows first"
        )


def topic_summary(
    rows: pd.DataFrame,
    keywords: Mapping[int, Sequence[str]],
    labels: Mapping[int, str],
    representative_ids: Mapping[int, Sequence[str]] | None = None,
    rating_col: str | None = "rating",
) -> pd.DataFrame:
    """One row per topic: size, label, keywords, representative ids, sentiment and intent measures.

    Args:
        rows: one row per document with ``topic`` and, optionally, the scored columns
            (``sentiment``, ``sentiment_score``, ``intent``, ``intent_<label>``, a rating).
        keywords: topic → keywords, best first.
        labels: topic → label.
        representative_ids: topic → ids of its most typical documents.
        rating_col: the star-rating column, summarised as ``rating_mean`` when present.

    Returns:
        A frame sorted by topic id (``-2`` and ``-1`` first when present), with ``kind``:
        ``generic`` (-2), ``outliers`` (-1) or ``topic``.
    """
    _check(rows, ["topic"])
    intents = _intent_labels(rows)
    topics = sorted(set(pd.to_numeric(rows["topic"]).astype(int).tolist()) | {int(t) for t in keywords})
    n_all = len(rows)
    sums = measure_sums(rows, [pd.to_numeric(rows["topic"]).astype(int).rename("topic")], intents, rating_col).to_dict("index")
    out = []
    for t in topics:
        m = sums.get(t, {})
        size = int(m.get("n", 0))
        rec: dict = {
            "topic": t,
            "kind": topic_kind(t),
            "size": size,
            "share": size / n_all if n_all else float("nan"),
            "label": labels.get(t, "outliers" if t == -1 else f"topic {t}"),
            "keywords": [str(k) for k in keywords.get(t, [])],
            "representative_ids": [str(i) for i in (representative_ids or {}).get(t, [])],
        }
        rec.update(measure_columns(m, intents, rating_col, rows.columns))
        out.append(rec)
    frame = pd.DataFrame(out)
    frame["topic"] = frame["topic"].astype("int64")
    frame["size"] = frame["size"].astype("int64")
    return frame


def topics_by_group(
    rows: pd.DataFrame,
    by: str,
    labels: Mapping[int, str] | None = None,
    rating_col: str | None = "rating",
) -> pd.DataFrame:
    """Per group (product, period ...) and topic: ``n``, ``share`` of the group's rows, and the measures.

    Rows whose group value is missing are left out (and counted in the log).

    Args:
        rows: documents with ``topic``, the ``by`` column and optional scored columns.
        by: the grouping column (kept under its own name).
        labels: topic → label, added as ``label``.
        rating_col: the star-rating column, when present.
    """
    _check(rows, ["topic", by])
    missing = rows[by].isna()
    if missing.any():
        logger.info("%d rows have no %s and are not in the per-%s table", int(missing.sum()), by, by)
    r = rows[~missing]
    intents = _intent_labels(rows)
    topic = pd.to_numeric(r["topic"]).astype(int).rename("topic")
    totals = r.groupby(by, sort=True).size()
    sums = measure_sums(r, [r[by], topic], intents, rating_col)  # one groupby, not one pass per group
    out = []
    for (key, t), m in zip(sums.index, sums.to_dict("records")):
        rec: dict = {
            by: key,
            "topic": int(t),
            "label": (labels or {}).get(int(t), "outliers" if t == -1 else f"topic {t}"),
            "n": int(m["n"]),
            "share": int(m["n"]) / int(totals[key]),
        }
        rec.update(measure_columns(m, intents, rating_col, rows.columns))
        out.append(rec)
    cols = [by, "topic", "label", "n", "share"]
    frame = pd.DataFrame(out) if out else pd.DataFrame(columns=cols)
    if len(frame):
        frame["topic"] = frame["topic"].astype("int64")
        frame["n"] = frame["n"].astype("int64")
    return frame


def topics_by_period(
    rows: pd.DataFrame,
    time_col: str,
    freq: Freq = "W",
    labels: Mapping[int, str] | None = None,
    rating_col: str | None = "rating",
    *,
    tz: str = DEFAULT_TZ,
    data_end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Per period and topic: ``n``, ``share`` of the period's rows, the measures, and ``period_complete``.

    Rows are put in periods by :func:`nlp.periods.period_start` (the same rule as trends
    and the report); rows whose date cannot be read are left out (and counted in the log).

    Args:
        rows: documents with ``topic``, the ``time_col`` column and optional scored columns.
        time_col: the date column.
        freq: ``D``, ``W`` (weeks from Monday), ``M`` or ``Q``.
        labels: topic → label, added as ``label``.
        rating_col: the star-rating column, when present.
        tz: the zone periods are counted in.
        data_end: the latest date the data cover (default: the latest date in ``rows``),
            which decides ``period_complete``.

    Returns:
        A frame with ``period`` (the period start), ``topic``, ``label``, ``n``, ``share``,
        the measures, and ``period_complete``.

    Example:
        >>> rows = pd.DataFrame({"topic": [0, 1, 0], "created_at": ["2026-01-07", "2026-01-12T20:00:00Z", "2026-01-14"]})
        >>> t = topics_by_period(rows, "created_at", "W")  # 20:00Z on Monday 12th is Tuesday 05:00 in Seoul
        >>> t["period"].dt.strftime("%m-%d").tolist(), t["topic"].tolist(), t["period_complete"].tolist()
        (['01-05', '01-12', '01-12'], [0, 0, 1], [True, False, False])
    """
    _check(rows, ["topic", time_col])
    times = parse_times(rows[time_col], tz)
    grouped = topics_by_group(rows.assign(period=period_start(times, freq)), "period", labels, rating_col=rating_col)
    end = times.max() if data_end is None else data_end
    grouped["period_complete"] = period_complete(grouped["period"], freq, None if pd.isna(end) else end) if len(grouped) else []
    return grouped
