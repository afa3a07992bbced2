"""The summary figures: headline KPIs with their change, and the table of all products.

A change (▲/▼) always compares the last **complete** period with the complete period before
it; a partial last period (data that stop mid-month) is named in the report but never
compared. A change is coloured only when it passes its test at the 95% level and both
periods have at least ``FindingRules.min_reviews`` reviews; otherwise it is shown grey (not
significant) or as a dash (too few reviews), with the reason in its tooltip.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from nlp.report import svg
from nlp.report.data import ReportData, total, wcount
from nlp.report.fmt import count, interval_text, missing, pct, points, signed
from nlp.report.labels import domain_name, intent_names
from nlp.report.options import FindingRules
from nlp.report.stats import (
    diff_interval,
    diff_p_value,
    mean_diff_moments,
    rate_ratio_interval,
    rate_ratio_p_value,
    wilson_interval,
)
from nlp.schema import SENTIMENT_LABELS

__all__ = ["summarise", "top_intent", "change", "moments", "headline", "product_table", "comparison"]


def summarise(d: pd.DataFrame, by: str | list[str] | None, intents: Sequence[str]) -> pd.DataFrame:
    """Counts, sentiment shares and means, net advocacy and intent rates per group (one row when ``by`` is None).

    ``d`` is weighted rows (:mod:`nlp.report.data`): each stands for ``_w`` reviews.
    """
    w = d["_w"].astype(float)
    x = pd.DataFrame({"n": w, "n_scored": w.where(d["_s_positive"].notna(), 0.0), "_sn": d["_sn"], "_ssum": d["_ssum"]}, index=d.index)
    for label in SENTIMENT_LABELS:
        x[f"k_{label}"] = d[f"_s_{label}"].fillna(0) * w
    rating = pd.to_numeric(d["rating"], errors="coerce")
    x["_rn"] = w.where(rating.notna(), 0.0)
    x["_rsum"] = (rating * w).fillna(0.0)
    for label in intents:
        x[f"_in_{label}"] = w.where(d[f"_i_{label}"].notna(), 0.0)
        x[f"_ik_{label}"] = d[f"_i_{label}"].fillna(0) * w
    if by is None:
        g = x.sum().to_frame().T
    else:
        keys = [by] if isinstance(by, str) else list(by)
        g = x.assign(**{k: d[k] for k in keys}).groupby(keys, dropna=True, observed=True).sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        scored = g["n_scored"].where(g["n_scored"] > 0)
        out = pd.DataFrame(
            {
                "n": g["n"],
                "n_scored": g["n_scored"],
                "share_positive": g["k_positive"] / scored,
                "share_negative": g["k_negative"] / scored,
                "share_neutral": g["k_neutral"] / scored,
                "negative": g["k_negative"],
                "sentiment_mean": g["_ssum"] / g["_sn"].where(g["_sn"] > 0),
                "rating_mean": g["_rsum"] / g["_rn"].where(g["_rn"] > 0),
            },
            index=g.index,
        )
        for label in intents:
            out[f"intent_{label}_rate"] = g[f"_ik_{label}"] / g[f"_in_{label}"].where(g[f"_in_{label}"] > 0)
    if "recommend" in intents and "avoid" in intents:
        out["net_advocacy"] = out["intent_recommend_rate"] - out["intent_avoid_rate"]
    else:
        out["net_advocacy"] = np.nan
    return out


def top_intent(row: pd.Series, intents: Sequence[str]) -> tuple[str, float] | None:
    """The most frequent intent other than ``none``, with its rate."""
    rates = {lab: row.get(f"intent_{lab}_rate") for lab in intents if lab != "none"}
    rates = {k: v for k, v in rates.items() if v is not None and not missing(v) and v > 0}
    if not rates:
        return None
    best = max(rates, key=lambda k: rates[k])
    return best, float(rates[best])


Good = Literal["up", "down", "none"]


def _arrow(value: float, good: Good, significant: bool, text: str, title: str) -> dict:
    up = value > 0
    if not significant:
        cls = "ns"
    elif good == "none":
        cls = "neutral"
    else:
        cls = "good" if up == (good == "up") else "bad"
    return {
        "arrow": "▲" if up else ("▼" if value < 0 else "■"),
        "text": text,
        "cls": cls,
        "title": title,
        "significant": significant,
        "value": value,
    }


def change(
    kind: Literal["share", "mean", "rate"],
    now,
    before,
    rules: FindingRules,
    good: Good = "up",
    unit: Literal["score", "pp"] = "score",
) -> dict | None:
    """A tested change between two complete periods, for an arrow in the report.

    Args:
        kind: ``share`` (``now``/``before`` are ``(k, n)``: a two-proportion test), ``mean``
            (``(n, sum, sum of squares)`` of the values: Welch, :func:`moments`) or ``rate`` (``(count, days)``: reviews per day,
            two Poisson rates).
        now: the later period.
        before: the earlier one.
        rules: the minimum volume (``min_reviews``, on each side).
        good: which direction is good news (``none``: neither).
        unit: how a ``mean`` change is written: a score (``+0.05``) or percentage points (``+5.0%p``).

    Returns:
        ``None`` when nothing can be said, else ``arrow``, ``text``, ``cls`` (``good``, ``bad``,
        ``neutral`` when significant, ``ns`` when not, ``thin`` below the minimum volume) and a
        ``title`` with the interval.
    """
    m = rules.min_reviews
    if kind == "share":
        (k1, n1), (k0, n0) = now, before
        if not (n1 and n0):
            return None
        d = k1 / n1 - k0 / n0
        if n1 < m or n0 < m:
            return {
                "arrow": "",
                "text": "–",
                "cls": "thin",
                "title": f"리뷰 {n1}건 · {n0}건: {m}건 미만이라 비교하지 않음",
                "significant": False,
                "value": d,
            }
        p = diff_p_value(k1, n1, k0, n0)
        title = (
            f"{pct(k0 / n0, 1)} → {pct(k1 / n1, 1)}, 차이 95% {interval_text(diff_interval(k1, n1, k0, n0), 'pp')} (p={p:.2g})"
        )
        return _arrow(d, good, p < 0.05, points(d, 1), title + ("" if p < 0.05 else " — 유의하지 않음"))
    if kind == "mean":
        (na, sa, qa), (nb, sb, qb) = now, before
        if not (na and nb):
            return None
        mean_a, mean_b = sa / na, sb / nb
        if na < m or nb < m:
            return {
                "arrow": "",
                "text": "–",
                "cls": "thin",
                "title": f"리뷰 {int(na)}건 · {int(nb)}건: {m}건 미만이라 비교하지 않음",
                "significant": False,
                "value": mean_a - mean_b,
            }
        d, lo, hi, p = mean_diff_moments((na, sa, qa), (nb, sb, qb))
        show = (lambda v: points(v, 1)) if unit == "pp" else signed
        title = f"{show(mean_b)} → {show(mean_a)}, 차이 95% {show(lo)} ~ {show(hi)} (p={p:.2g})"
        return _arrow(d, good, p < 0.05, show(d), title + ("" if p < 0.05 else " — 유의하지 않음"))
    (k1, t1), (k0, t0) = now, before
    if not (t1 and t0) or not (k0 or k1):
        return None
    if max(k1, k0) < m:
        return {
            "arrow": "",
            "text": "–",
            "cls": "thin",
            "title": f"리뷰 {k1}건 · {k0}건: {m}건 미만이라 비교하지 않음",
            "significant": False,
            "value": 0.0,
        }
    rel = (k1 / t1) / (k0 / t0) - 1 if k0 else float("inf")
    p = rate_ratio_p_value(k1, t1, k0, t0)
    lo, hi = rate_ratio_interval(k1, t1, k0, t0)
    title = f"하루 {k0 / t0:.1f}건 → {k1 / t1:.1f}건, 비율 95% {interval_text((lo, hi), 'ratio')} (p={p:.2g})"
    text = "신규" if missing(rel) or np.isinf(rel) else f"{100 * rel:+.0f}%".replace("-", "−")
    return _arrow(rel, good, p < 0.05, text, title + ("" if p < 0.05 else " — 유의하지 않음"))


def comparison(data: ReportData) -> dict | None:
    """The two complete periods the changes compare, and the partial last period if there is one."""
    periods = data.periods
    if periods is None:
        return None
    last = periods.last_complete
    out = {
        "last": None,
        "prev": None,
        "partial": periods.long_label(periods.starts[-1]) if periods.partial_last else None,
        "data_end": f"{periods.data_end:%Y-%m-%d}" if periods.data_end is not None else None,
        "name": periods.name_ko,
    }
    if last is not None and last >= 1 and periods.complete[last - 1]:
        out["last"] = periods.starts[last]
        out["prev"] = periods.starts[last - 1]
        out["last_label"] = periods.long_label(out["last"])
        out["prev_label"] = periods.long_label(out["prev"])
    return out


def _days(periods, start: pd.Timestamp) -> int:
    return int((periods.last_day(start) - start).days) + 1


def moments(rows: pd.DataFrame) -> tuple[float, float, float]:
    """``(n, sum, sum of squares)`` of the sentiment scores behind weighted rows (what a mean's test needs)."""
    if not len(rows):
        return 0.0, 0.0, 0.0
    return float(rows["_sn"].sum()), float(rows["_ssum"].sum()), float(rows["_ssq"].sum())


def _advocacy(rows: pd.DataFrame) -> tuple[float, float, float]:
    """Moments of +1 (recommend), −1 (avoid), 0 (another intent) over rows with an intent: its mean is net advocacy."""
    it = rows[rows["intent"].notna()]
    n = total(it)
    rec, avoid = total(it[it["intent"] == "recommend"]), total(it[it["intent"] == "avoid"])
    return n, rec - avoid, rec + avoid


def _changes(data: ReportData, rows: pd.DataFrame, cmp: dict | None, rules: FindingRules) -> dict:
    keys = ("n", "share_positive", "share_negative", "sentiment_mean", "net_advocacy")
    if not cmp or cmp["last"] is None:
        return dict.fromkeys(keys)
    now = rows[rows["period"] == cmp["last"]]
    before = rows[rows["period"] == cmp["prev"]]
    lab_now, lab_before = now[now["sentiment"].notna()], before[before["sentiment"].notna()]

    def share(label: str) -> tuple[tuple[int, int], tuple[int, int]]:
        return (int(total(lab_now[lab_now["sentiment"] == label])), int(total(lab_now))), (
            int(total(lab_before[lab_before["sentiment"] == label])),
            int(total(lab_before)),
        )

    periods = data.periods
    return {
        "n": change(
            "rate", (int(total(now)), _days(periods, cmp["last"])), (int(total(before)), _days(periods, cmp["prev"])), rules, good="none"
        ),
        "share_positive": change("share", *share("positive"), rules, good="up"),
        "share_negative": change("share", *share("negative"), rules, good="down"),
        "sentiment_mean": change("mean", moments(now), moments(before), rules, good="up"),
        "net_advocacy": change("mean", _advocacy(now), _advocacy(before), rules, good="up", unit="pp")
        if {"recommend", "avoid"} <= set(data.intents)
        else None,
    }


def headline(data: ReportData, rules: FindingRules) -> dict:
    """The KPIs over all reviews, their tested changes, the period covered and the intent names."""
    d = data.rows
    cmp = comparison(data)
    names = intent_names(data.domain_set)
    if not len(d):
        empty = dict.fromkeys(
            ("share_positive", "share_negative", "share_negative_ci", "sentiment_mean", "net_advocacy", "top_intent", "rating_mean", "start", "end")
        )
        changes = dict.fromkeys(("n", "share_positive", "share_negative", "sentiment_mean", "net_advocacy"))
        return {**empty, "n": 0, "n_scored": 0, "n_periods": 0, "partial_last": False, "changes": changes, "compare": cmp, "domains": []}
    row = summarise(d, None, data.intents).iloc[0]
    ti = top_intent(row, data.intents)
    dates = d["created_at"].dropna()
    n_lab = int(wcount(d, "sentiment"))
    lo, hi = wilson_interval(float(row["negative"]), n_lab) if n_lab else (np.nan, np.nan)
    return {
        "n": int(row["n"]),
        "n_scored": int(row["n_scored"]),
        "share_positive": pct(row["share_positive"]),
        "share_negative": pct(row["share_negative"]),
        "share_negative_ci": interval_text((lo, hi), "pct"),
        "sentiment_mean": signed(row["sentiment_mean"]),
        "net_advocacy": points(row["net_advocacy"]),
        "top_intent": None if ti is None else {"label": names.get(ti[0], ti[0]), "code": ti[0], "rate": pct(ti[1])},
        "rating_mean": None if missing(row["rating_mean"]) else f"{row['rating_mean']:.2f}",
        "start": f"{dates.min():%Y-%m-%d}" if len(dates) else None,
        "end": f"{dates.max():%Y-%m-%d}" if len(dates) else None,
        "n_periods": len(data.periods.starts) if data.periods else 0,
        "partial_last": bool(data.periods and data.periods.partial_last),
        "changes": _changes(data, d, cmp, rules),
        "compare": cmp,
        # several domains: each with its number of products, most first, so a stray product's domain reads as one
        "domains": _domain_list(data),
        "domains_counted": len(set(data.domains.values())) > 1,
    }


def _domain_list(data: ReportData) -> list[str]:
    counts = Counter(data.domains.values())
    if len(counts) <= 1:
        return sorted(domain_name(x) for x in data.domain_set)
    return [f"{domain_name(d)} {n:,}" for d, n in sorted(counts.items(), key=lambda kv: (-kv[1], domain_name(kv[0])))]


def product_table(
    data: ReportData, rules: FindingRules, summary: pd.DataFrame | None, topic_labels: dict[int, str], detail: set[str]
) -> list[dict]:
    """Every product (most reviewed first), for the searchable table."""
    if not data.has_products:
        return []
    d = data.rows
    s = summarise(d, "product_id", data.intents).sort_values("n", ascending=False)
    cmp = comparison(data)
    complaints = {}
    if summary is not None and not summary.empty:
        top = (
            summary[summary["negative"] > 0]
            .sort_values(["product_id", "negative"], ascending=[True, False])
            .drop_duplicates("product_id")
        )
        complaints = {str(r["product_id"]): (str(r["aspect_label"]), int(r["negative"])) for _, r in top.iterrows()}
    in_topic = d[d["topic"].notna() & (d["topic"] >= 0)]
    per_topic = in_topic.groupby(["product_id", "topic"], observed=True)["_w"].sum().reset_index()
    per_topic = per_topic.sort_values(["product_id", "_w", "topic"], ascending=[True, False, True], kind="stable")
    topics = per_topic.drop_duplicates("product_id").set_index("product_id")["topic"].astype(int)
    counts = None
    if cmp and cmp.get("last") is not None:
        lab = d[d["sentiment"].notna() & d["period"].isin([cmp["last"], cmp["prev"]])]
        lab = lab.assign(_k=lab["_s_negative"] * lab["_w"])
        counts = lab.groupby(["product_id", "period"])[["_k", "_w"]].sum().rename(columns={"_k": "sum", "_w": "size"})
    out = []
    for pid, r in s.iterrows():
        p = str(pid)
        names = intent_names(data.domain_of(p))
        ti = top_intent(r, data.intents)
        n_lab = int(r["n_scored"])
        lo, hi = wilson_interval(float(r["negative"]), n_lab) if n_lab else (np.nan, np.nan)
        delta = None
        if counts is not None:

            def kn(period: pd.Timestamp, p: str = p) -> tuple[int, int]:
                if (p, period) not in counts.index:
                    return 0, 0
                c = counts.loc[(p, period)]
                return int(c["sum"]), int(c["size"])

            delta = change("share", kn(cmp["last"]), kn(cmp["prev"]), rules, good="down")
        k = topics.get(p)
        out.append(
            {
                "product": p,
                "detail": p in detail,
                "domain_ko": domain_name(data.domain_of(p)),
                "n": int(r["n"]),
                "n_text": count(r["n"]),
                "rating_mean": None if missing(r["rating_mean"]) else f"{r['rating_mean']:.2f}",
                "share_negative": pct(r["share_negative"]),
                "share_negative_value": None if missing(r["share_negative"]) else float(r["share_negative"]),
                "share_negative_ci": interval_text((lo, hi), "pct"),
                "thin": n_lab < rules.min_reviews,
                "sentiment_mean": signed(r["sentiment_mean"]),
                "net_advocacy": points(r["net_advocacy"]),
                "top_intent": None if ti is None else f"{names.get(ti[0], ti[0])} {pct(ti[1])}",
                "complaint": complaints.get(p),
                "topic": None if k is None else {"label": topic_labels.get(int(k), f"토픽 {k}"), "anchor": f"topic-{int(k)}"},
                "change": delta,
                "bar": svg.stacked_bar(
                    [
                        ("부정", r["share_negative"], svg.COLORS["negative"]),
                        ("중립", r["share_neutral"], svg.COLORS["neutral"]),
                        ("긍정", r["share_positive"], svg.COLORS["positive"]),
                    ],
                    label=p,
                ),
            }
        )
    return out
