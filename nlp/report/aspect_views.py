"""The aspect sections: the product × aspect matrix, each product's praise and complaints, and 4–5★ reviews with a complaint.

Numbers come from :func:`nlp.aspects.aggregate` (the summary ``nlp aspects --summary``
writes), so a cell of the matrix is the same figure in both places: ``net`` = positive
share − negative share of the reviews mentioning the aspect, with its 95% interval, and
``share`` = the share of the product's reviews that mention it.
"""

from __future__ import annotations

import pandas as pd

from nlp.aspects.aggregate import aggregate
from nlp.report.data import NO_PRODUCT, ReportData, total, wcount, wsum
from nlp.report.examples import Pick
from nlp.report.findings import Finding, evidence_limit
from nlp.report.fmt import count, interval_text, pct, signed
from nlp.report.labels import domain_name
from nlp.report.options import FindingRules
from nlp.report.reviews import clause
from nlp.report.stats import wilson_interval

__all__ = ["aspect_summary", "matrices", "product_cards", "high_rating_complaints", "net_class", "rating_threshold"]

ALL_ROWS = "전체"
_NET_BINS = ((-0.5, "n3"), (-0.2, "n2"), (-0.05, "n1"), (0.05, "z0"), (0.2, "p1"), (0.5, "p2"))


def net_class(net: float) -> str:
    """The colour class of a net sentiment: ``n3`` (very negative) … ``z0`` … ``p3`` (very positive).

    Example:
        >>> net_class(-0.6), net_class(0.0), net_class(0.3)
        ('n3', 'z0', 'p2')
    """
    for edge, name in _NET_BINS:
        if net < edge:
            return name
    return "p3"


def aspect_summary(data: ReportData) -> pd.DataFrame | None:
    """Per product × aspect: ``reviews`` (mentioning it), ``share``, ``net`` and their intervals, polarity counts."""
    a = data.aspects
    if a is None or a.empty:
        return None
    rows = a.assign(product_id=a["product_id"].fillna(ALL_ROWS) if data.has_products else ALL_ROWS)
    reviews = data.rows.assign(product_id=data.rows["product_id"].fillna(ALL_ROWS) if data.has_products else ALL_ROWS)
    s = aggregate(rows, reviews[["product_id", "_w"]], freq=None).by_product
    s["product_id"] = s["product_id"].astype(str)
    s["domain"] = s["product_id"].map(data.domains).fillna(data.domain or "")
    return s


def _peer_marks(findings: list[Finding]) -> dict[tuple[str, str], Finding]:
    return {(str(f.product_id), str(f.aspect)): f for f in findings if f.kind == "aspect_vs_peers"}


def matrices(
    data: ReportData, summary: pd.DataFrame | None, findings: list[Finding], rules: FindingRules, top: int
) -> list[dict]:
    """One matrix per domain (the most reviewed domain first): products (most reviewed first) × aspects (most mentioned first).

    A cell with fewer than ``rules.min_mentions`` mentions is greyed ("thin"), shows only its
    count and is never coloured. ``top`` products are shown first; ``rows`` has them all.
    """
    if summary is None or summary.empty:
        return []
    marks = _peer_marks(findings)
    n_reviews = (
        data.rows.assign(product_id=data.rows["product_id"].fillna(ALL_ROWS) if data.has_products else ALL_ROWS)
        .groupby("product_id")["_w"]
        .sum()
    )
    out = []
    for dom, s in summary.groupby("domain", sort=False):
        totals = s.groupby(["aspect", "aspect_label"])["reviews"].sum().sort_values(ascending=False)
        aspects = [(k, str(label), int(n)) for (k, label), n in totals.items()]
        products = sorted(set(s["product_id"]), key=lambda p: (-int(n_reviews.get(p, 0)), p))
        by_key = s.set_index(["product_id", "aspect"])
        rows = []
        for p in products:
            cells = []
            for key, label, _ in aspects:
                if (p, key) not in by_key.index:
                    cells.append(None)
                    continue
                r = by_key.loc[(p, key)]
                thin = int(r["reviews"]) < rules.min_mentions
                mark = marks.get((p, key))
                cells.append(
                    {
                        "net": signed(r["net"]),
                        "share": pct(r["share"]),
                        "n": int(r["reviews"]),
                        "sort": float(r["net"]),
                        "cls": "thin" if thin else net_class(float(r["net"])),
                        "thin": thin,
                        "mark": None if mark is None else {"up": mark.effect > 0, "href": f"#{mark.anchor}"},
                        "title": (
                            f"{p} · {label}: 순감성 {signed(r['net'])} (95% {interval_text((r['net_low'], r['net_high']), 'net')}), "
                            f"언급 리뷰 {count(r['reviews'])}건 = 리뷰의 {pct(r['share'])} (95% {interval_text((r['share_low'], r['share_high']), 'pct')}); "
                            f"긍정 {int(r['positive'])} · 중립 {int(r['neutral'])} · 부정 {int(r['negative'])}"
                            + (f" — 언급 {rules.min_mentions}건 미만: 참고용" if thin else "")
                        ),
                    }
                )
            rows.append({"product": p, "n": int(n_reviews.get(p, 0)), "cells": cells})
        out.append(
            {
                "domain": dom or None,
                "domain_ko": domain_name(dom or None),
                "aspects": aspects,
                "rows": rows,
                # products with at least one cell over the minimum first: a row of grey cells says nothing
                "top": ([r for r in rows if any(c and not c["thin"] for c in r["cells"])] or rows)[:top],
                "n_reviews": sum(r["n"] for r in rows),
            }
        )
    out.sort(key=lambda m: -m["n_reviews"])
    return out


def _ranked_aspects(
    data: ReportData, s: pd.DataFrame, side: str, n_reviews: int, rules: FindingRules, product: tuple, k: int
) -> list[dict]:
    """The aspects with the most ``negative`` (or ``positive``) mentions, each with its share of reviews and clauses."""
    s = s[s[side] > 0].sort_values([side, "reviews"], ascending=False).head(3)
    out = []
    for _, r in s.iterrows():
        lo, hi = wilson_interval(int(r[side]), n_reviews) if n_reviews else (float("nan"), float("nan"))
        where = (*product, ("aspect", "==", str(r["aspect"])), ("polarity", "==", side))
        mentions = data.pick(Pick("aspects", where, f"clause_{side}", evidence_limit(k)))
        out.append(
            {
                "aspect": str(r["aspect_label"]),
                "count": int(r[side]),
                "rate": pct(r[side] / n_reviews if n_reviews else None),
                "ci": interval_text((lo, hi), "pct"),
                "net": signed(r["net"]),
                "mentions": int(r["reviews"]),
                "thin": int(r["reviews"]) < rules.min_mentions,
                "clauses": [clause(m) for _, m in mentions.drop_duplicates("evidence").head(k).iterrows()] if len(mentions) else [],
            }
        )
    return out


def product_cards(
    data: ReportData, summary: pd.DataFrame | None, products: list[str], findings: list[Finding], rules: FindingRules, k: int
) -> list[dict]:
    """For each product shown in detail: its most complained-about and most praised aspects, with clauses."""
    if summary is None:
        return []
    out = []
    for i, p in enumerate(products):
        rows = data.rows[data.rows["product_id"] == p] if data.has_products else data.rows
        n = int(total(rows))
        s = summary[summary["product_id"] == p]
        mine = (("product_id", "==", p),) if data.has_products else ()
        n_lab = int(wcount(rows, "sentiment"))
        neg = wsum(rows, "_s_negative")
        lo, hi = wilson_interval(neg, n_lab) if n_lab else (float("nan"), float("nan"))
        rated = wcount(rows, "rating")
        out.append(
            {
                "product": p,
                "anchor": f"product-{i}",
                "domain_ko": domain_name(data.domain_of(p)),
                "n": n,
                "n_aspects": int(total(rows[rows["_has_aspect"]])),
                "rating_mean": None if not rated else f"{wsum(rows, 'rating') / rated:.2f}",
                "share_negative": pct(neg / n_lab if n_lab else None),
                "share_negative_ci": interval_text((lo, hi), "pct"),
                "complaints": _ranked_aspects(data, s, "negative", n, rules, mine, k),
                "praises": _ranked_aspects(data, s, "positive", n, rules, mine, k),
                "findings": [
                    {"href": f"#{f.anchor}", "title": f.title, "detail": f.detail, "worse": f.concern}
                    for f in findings
                    if f.product_id == p and f.kind != "volume_spike"
                ][:4],
            }
        )
    return out


def rating_threshold(ratings: pd.Series) -> tuple[float, str] | None:
    """The lowest "high" rating and its label, from the rating scale the values suggest (5, 10 or 100 points).

    Example:
        >>> rating_threshold(pd.Series([1, 5, 4])), rating_threshold(pd.Series([2, 9, 10]))
        ((4.0, '4–5★'), (8.0, '8–10점'))
    """
    r = pd.to_numeric(ratings, errors="coerce").dropna()
    if r.empty:
        return None
    top = float(r.max())
    if top <= 5:
        return 4.0, "4–5★"
    if top <= 10:
        return 8.0, "8–10점"
    return 80.0, "80–100점"


def high_rating_complaints(data: ReportData, limit: int = 300) -> dict | None:
    """Reviews rated high that still complain about an aspect: counts by aspect and product, and the clauses."""
    a = data.aspects
    if a is None:
        return None
    th = rating_threshold(data.rows["rating"])
    if th is None:
        return None
    cut, label = th
    high = data.rows[data.rows["rating"] >= cut]
    neg = a[(a["polarity"] == "negative") & (a["rating"] >= cut)]
    n_high = int(total(high))
    with_complaint = int(total(high[high["_neg_aspect"]]))
    # one aspect row per review and aspect: a review counts once per aspect
    by_aspect = neg.groupby("aspect_label")["_w"].sum().sort_values(ascending=False, kind="stable")
    prod_key = "product_id" if data.has_products else None
    by_product = []
    if prod_key:
        hp = high.groupby("product_id")["_w"].sum()
        np_ = high[high["_neg_aspect"]].groupby("product_id")["_w"].sum()
        np_ = np_[np_ > 0]
        for p in sorted(np_.index, key=lambda p: (-np_[p], str(p))):
            k = np_[p]
            lo, hi = wilson_interval(int(k), int(hp.get(p, 0))) if hp.get(p, 0) else (float("nan"), float("nan"))
            by_product.append(
                {
                    "product": str(p),
                    "n_high": int(hp.get(p, 0)),
                    "n": int(k),
                    "share": pct(k / hp.get(p, 0) if hp.get(p, 0) else None),
                    "ci": interval_text((lo, hi), "pct"),
                }
            )
    rows = data.pick(Pick("aspects", (("polarity", "==", "negative"), ("rating", ">=", cut)), "clause_recent", limit))
    shown = [
        clause(r) | {"product": None if pd.isna(r["product_id"]) or r["product_id"] == NO_PRODUCT else str(r["product_id"])}
        for _, r in rows.iterrows()
    ]
    lo, hi = wilson_interval(with_complaint, n_high) if n_high else (float("nan"), float("nan"))
    return {
        "label": label,
        "n_high": n_high,
        "n": with_complaint,
        "share": pct(with_complaint / n_high if n_high else None),
        "ci": interval_text((lo, hi), "pct"),
        "by_aspect": [
            {"aspect": str(k), "n": int(v), "share": pct(v / n_high if n_high else None)} for k, v in by_aspect.head(8).items()
        ],
        "by_product": by_product,
        "rows": shown,
        "n_rows": int(total(neg)),
    }
