"""The topics section ("what else people talk about"): the topic table and a card per main topic.

Topics come from ``nlp topics``; the report reads ``topics.parquet`` for labels, keywords and
representative reviews and recomputes the per-topic figures from the joined rows when the
table lacks them. The change column compares the last *complete* period with the complete one
before it, and only a change that passes the two-proportion test is coloured.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nlp.report import svg
from nlp.report.data import ReportData, as_list, total, wcount
from nlp.report.examples import Pick
from nlp.report.fmt import missing, pct
from nlp.report.options import FindingRules
from nlp.report.reviews import clean_first, review, sample_reviews
from nlp.report.summary import change, moments, summarise

__all__ = ["topic_rows", "topic_cards"]


def _pick(tr: pd.Series, c: pd.Series | None, col: str, comp: str) -> float:
    v = tr.get(col) if col in tr.index else None
    if v is None or missing(v):
        v = c[comp] if c is not None else np.nan
    return float(v) if v is not None and not missing(v) else np.nan


def topic_rows(data: ReportData, rules: FindingRules) -> list[dict]:
    """One row per topic (largest first, outliers last) with its sentiment, intents and latest change."""
    if data.topics is None:
        return []
    d = data.rows
    t = data.topics.copy()
    t["topic"] = pd.to_numeric(t["topic"], errors="coerce").astype("Int64")
    t = t.dropna(subset=["topic"]).drop_duplicates("topic")
    computed = summarise(d[d["topic"].notna()], "topic", data.intents)
    total_docs = int(wcount(d, "topic")) or 1
    periods = data.periods
    pair = None
    if (
        periods is not None
        and periods.last_complete is not None
        and periods.last_complete >= 1
        and periods.complete[periods.last_complete - 1]
    ):
        last, prev = periods.starts[periods.last_complete], periods.starts[periods.last_complete - 1]
        with_topic = d[d["topic"].notna()]
        pair = (last, prev, with_topic[with_topic["period"] == last], with_topic[with_topic["period"] == prev])
        by_period = with_topic.groupby(["topic", "period"], observed=True)["_w"].sum()
        per_period_all = with_topic.groupby("period")["_w"].sum()
        per_period_k = {int(t): g.droplevel(0) for t, g in by_period.groupby(level=0)}
        zero = pd.Series(0.0, index=per_period_all.index)
    rows = []
    for _, tr in t.iterrows():
        k = int(tr["topic"])
        c = computed.loc[k] if k in computed.index else None
        size = _pick(tr, c, "size", "n")
        label = (
            str(tr.get("label"))
            if "label" in tr.index and not missing(tr.get("label")) and str(tr.get("label")).strip()
            else f"토픽 {k}"
        )
        share_neg = _pick(tr, c, "share_negative", "share_negative")
        share_pos = _pick(tr, c, "share_positive", "share_positive")
        row = {
            "topic": k,
            "anchor": f"topic-{k}" if k >= 0 else "topic-outliers",
            "label": label if k >= 0 else "기타 (이상치)",
            "keywords": [str(w) for w in as_list(tr.get("keywords"))][:10],
            "size": int(size) if not missing(size) else 0,
            "doc_share": (size / total_docs) if not missing(size) else np.nan,
            "sentiment_mean": _pick(tr, c, "sentiment_mean", "sentiment_mean"),
            "share_negative": share_neg,
            "share_positive": share_pos,
            "intents": {lab: _pick(tr, c, f"intent_{lab}", f"intent_{lab}_rate") for lab in data.intents if lab != "none"},
            "representative_ids": [str(x) for x in as_list(tr.get("representative_ids"))],
            "outlier": k < 0,
            "change": None,
        }
        neu = 1.0 - (0 if missing(share_neg) else share_neg) - (0 if missing(share_pos) else share_pos)
        row["bar"] = svg.stacked_bar(
            [
                ("부정", share_neg, svg.COLORS["negative"]),
                ("중립", max(neu, 0.0), svg.COLORS["neutral"]),
                ("긍정", share_pos, svg.COLORS["positive"]),
            ],
            label=label,
        )
        if pair is not None and k >= 0:
            last, prev, now, before = pair
            k1, n1 = int(total(now[now["topic"] == k])), int(total(now))
            k0, n0 = int(total(before[before["topic"] == k])), int(total(before))
            row["change"] = {
                "share_last": k1 / n1 if n1 else np.nan,
                "share_prev": k0 / n0 if n0 else np.nan,
                "share": change("share", (k1, n1), (k0, n0), rules, good="none"),
                "n_last": k1,
                "n_prev": k0,
            }
            m_now = moments(now[now["topic"] == k])
            m_before = moments(before[before["topic"] == k])
            row["change"]["sentiment"] = change("mean", m_now, m_before, rules, good="up")
            row["change"]["sentiment_last"] = m_now[1] / m_now[0] if m_now[0] else np.nan
            row["change"]["sentiment_prev"] = m_before[1] / m_before[0] if m_before[0] else np.nan
            shares = (per_period_k.get(k, zero) / per_period_all).reindex(periods.starts[-24:])
            row["spark"] = svg.sparkline(list(shares.values), label=f"{label} 비중 추이")
        rows.append(row)
    rows.sort(key=lambda r: (r["outlier"], -r["size"]))
    return rows


def topic_cards(data: ReportData, rows: list[dict], max_topics: int, n_examples: int, names: dict[str, str]) -> list[dict]:
    """A card per main topic: keywords, figures, top intents (named for the domain), representative and recent reviews."""
    labels = {r["topic"]: r["label"] for r in rows}
    last = data.periods.starts[-1] if data.periods else None
    limit = 10 * n_examples + 20
    cards = []
    for r in [r for r in rows if not r["outlier"]][:max_topics]:
        k = int(r["topic"])
        reps = tuple(r["representative_ids"])
        chosen = data.pick(Pick("reviews", (("id", "in", reps),), "listed", len(reps) + limit)) if reps else pd.DataFrame()
        if len(chosen):
            chosen = clean_first(chosen.drop_duplicates("id")).drop_duplicates("text")
        reviews = [review(row, labels, data.domains, data.domain) for _, row in chosen.head(n_examples).iterrows()]
        if len(reviews) < n_examples:
            have = {rv["id"] for rv in reviews}
            members = data.pick(Pick("reviews", (("topic", "==", k),), "prob", limit + len(have)))
            if len(members):
                members = members[~members["id"].astype(str).isin(have)]
            reviews += sample_reviews(members, n_examples - len(reviews), labels, data.domains, data.domain)
        recent = (
            sample_reviews(
                data.pick(Pick("reviews", (("topic", "==", k), ("period", "==", last)), "negative", limit)),
                n_examples, labels, data.domains, data.domain,
            )
            if last is not None
            else []
        )
        ints = sorted(((names.get(k, k), v) for k, v in r["intents"].items() if not missing(v) and v > 0), key=lambda kv: -kv[1])
        cards.append({**r, "reviews": reviews, "recent": recent, "top_intents": [(k, pct(v)) for k, v in ints[:3]]})
    return cards
