"""Which periods the anomaly rule flags: the trends table's flags, or the same rule run on the report's rows.

The report has no spike rule of its own. With a trends table it reads its ``anomaly_*``
flags; without one it builds the same features from its rows with
:func:`nlp.trends.build_features` (one series per product, as ``nlp trends`` does; one series
for all rows when there is no product column), so the flags are those ``nlp trends`` would
write. :mod:`nlp.report.findings` then keeps a flag as an alert only when it also meets the
findings' minimum volume and test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nlp.report.data import ReportData
from nlp.report.options import ReportOptions
from nlp.schema import INTENT_LABELS
from nlp.trends.anomaly import AnomalyRule

__all__ = ["ALL_SERIES", "Flags", "anomaly_flags", "anomaly_rule", "topic_series"]

ALL_SERIES = "__all__"
"""The series of all rows together, used when the rows have no product column."""

Flags = pd.DataFrame
"""One row per flagged (series, period): ``unique_id``, ``ds``, ``kinds`` (list), ``topics`` (list of
topic ids), ``n_reviews``, ``volume_z``, ``negative_z``, ``sentiment_z``; ``attrs["freq"]`` is its period."""


def anomaly_rule(opts: ReportOptions) -> AnomalyRule:
    """The anomaly rule's settings when the report computes the flags itself."""
    return AnomalyRule(min_volume=opts.min_volume, window=opts.rules.baseline_periods)


def topic_series(uid: str) -> int | None:
    """The topic of a per-topic trend series (``topic_3`` → 3), else None."""
    head, _, k = uid.partition("_")
    return int(k) if head == "topic" and k.lstrip("-").isdigit() else None


def _topic_ids(value) -> list[int]:
    """Topic ids from trends' ``emerging_topics`` cell (``"3|7"``; empty, NA or a list also accepted)."""
    if isinstance(value, (list, tuple, np.ndarray)):
        parts = [str(v) for v in value]
    elif value is None or (not isinstance(value, str) and pd.isna(value)):
        parts = []
    else:
        parts = str(value).replace(",", "|").split("|")
    return [int(p.strip()) for p in parts if p.strip().lstrip("-").isdigit() and int(p.strip()) >= 0]


def _computed(data: ReportData, opts: ReportOptions) -> pd.DataFrame:
    from nlp.trends.features import build_features

    d = data.rows[data.rows["created_at"].notna()]
    rule = anomaly_rule(opts)
    rows = pd.DataFrame(
        {
            "id": d["id"].to_numpy(),
            "product_id": d["product_id"].astype(str).to_numpy() if data.has_products else ALL_SERIES,
            "created_at": d["created_at"].to_numpy(),
            "sentiment": d["sentiment"].to_numpy(),
            "sentiment_score": d["sentiment_score"].to_numpy(),
            "intent": d["intent"].where(d["intent"].isin(INTENT_LABELS)).to_numpy(),  # labels beyond the set: unscored
        }
    )
    topics = d.loc[d["topic"].notna(), ["id", "topic"]]
    return build_features(
        rows,
        data.periods.freq,
        doc_topics=topics if len(topics) else None,
        min_volume=rule.min_volume,
        window=rule.window,
        min_periods=rule.min_periods,
        z_threshold=rule.z_threshold,
        tz=opts.tz,
        data_end=data.periods.data_end,
    )


def anomaly_flags(data: ReportData, opts: ReportOptions) -> tuple[Flags, str]:
    """The flagged (series, period) pairs and where they come from: ``trends``, ``rule`` or ``none``."""
    empty = pd.DataFrame(columns=["unique_id", "ds", "kinds", "topics", "n_reviews", "volume_z", "negative_z", "sentiment_z"])
    if data.periods is None:
        empty.attrs["freq"] = "W"
        return empty, "none"
    tr = data.trends
    if tr is not None and any(c.startswith("anomaly_") for c in tr.columns):
        table, source, freq = tr, "trends", tr.attrs.get("freq", data.periods.freq)
    elif data.rule_features is not None:  # the same rule, computed where the reviews are
        table, source, freq = data.rule_features, "rule", data.periods.freq
    elif len(data.rows) and (data.rows["_w"] != 1).any():
        # aggregated rows (a distributed engine's) carry no per-review scores to rebuild the features from
        empty.attrs["freq"] = data.periods.freq
        return empty, "none"
    else:
        table, source, freq = _computed(data, opts), "rule", data.periods.freq
    flag_cols = [c for c in table.columns if c.startswith("anomaly_")]
    hits = table[table[flag_cols].any(axis=1)] if flag_cols else table.iloc[0:0]
    out = []
    for _, r in hits.iterrows():
        out.append(
            {
                "unique_id": str(r["unique_id"]),
                "ds": pd.Timestamp(r["ds"]),
                "kinds": [c[len("anomaly_") :] for c in flag_cols if r[c]],
                "topics": _topic_ids(r.get("emerging_topics")),
                "n_reviews": r.get("n_reviews", np.nan),
                "volume_z": r.get("volume_z", np.nan),
                "negative_z": r.get("negative_z", np.nan),
                "sentiment_z": r.get("sentiment_z", np.nan),
            }
        )
    flags = pd.DataFrame(out, columns=empty.columns) if out else empty
    flags.attrs["freq"] = freq
    return flags, source
