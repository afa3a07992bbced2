"""The report's time charts: the overview (reviews by sentiment, share of negative reviews) and one small panel per product.

Both plot the **share of negative reviews** per period: a CX reader knows what "12% of the
reviews were negative" means, and a share has an interval (the light band, 95% Wilson). Axes
are fitted to the data; panels share one axis so they compare at a glance, and each has the
share of all products dashed behind it instead of drawing every product on one chart. A
period with fewer than ``min_volume`` reviews is left as a gap, and the last period is drawn
hollow when the data stop before its end.
"""

from __future__ import annotations

import pandas as pd

from nlp.report import svg
from nlp.report.data import ReportData, total
from nlp.report.fmt import count, interval_text, pct
from nlp.report.stats import wilson_interval

__all__ = ["overview_chart", "panel_products", "product_panels", "shown_periods"]


def shown_periods(data: ReportData, max_periods: int) -> list[pd.Timestamp]:
    """The periods the charts show: the last ``max_periods`` of them."""
    return data.periods.starts[-max_periods:] if data.periods else []


def _negative_by_period(rows: pd.DataFrame, starts: list[pd.Timestamp]) -> pd.DataFrame:
    r = rows[rows["period"].notna()]
    w = r["_w"]
    g = pd.DataFrame(
        {
            "period": r["period"],
            "n": w,
            "n_labelled": w.where(r["_s_negative"].notna(), 0.0),
            "negative": r["_s_negative"].fillna(0) * w,
            "neutral": r["_s_neutral"].fillna(0) * w,
            "positive": r["_s_positive"].fillna(0) * w,
        }
    ).groupby("period")[["n", "n_labelled", "negative", "neutral", "positive"]].sum()
    g = g.reindex(starts).fillna(0)
    g["share"] = g["negative"] / g["n_labelled"].where(g["n_labelled"] > 0)
    return g


def overview_chart(data: ReportData, starts: list[pd.Timestamp], min_volume: int) -> str:
    """Reviews per period by sentiment (bars) and the share of negative reviews (line, right axis)."""
    periods = data.periods
    g = _negative_by_period(data.rows, starts)
    share = g["share"].where(g["n_labelled"] >= min_volume)
    labels = [periods.label(p) for p in starts]
    partial = periods.partial_last and bool(starts) and starts[-1] == periods.starts[-1]
    tips = []
    for p in starts:
        r = g.loc[p]
        note = f" (집계 중인 부분 기간: 데이터가 {periods.data_end:%Y-%m-%d}까지)" if partial and p == starts[-1] else ""
        tips.append(
            f"{periods.long_label(p)}: 리뷰 {count(r['n'])}건 · 부정 {pct(r['share'])} · "
            f"긍정 {pct(r['positive'] / r['n_labelled'] if r['n_labelled'] else None)}{note}"
        )
    stacks = [
        svg.Series("부정", list(g["negative"]), svg.COLORS["negative"]),
        svg.Series("중립", list(g["neutral"]), svg.COLORS["neutral"]),
        svg.Series("긍정", list(g["positive"]), svg.COLORS["positive"]),
    ]
    return svg.bar_line_chart(
        labels,
        stacks,
        svg.Series("부정 비율 (오른쪽 축)", list(share), svg.COLORS["line"]),
        title=f"{periods.name_ko}별 리뷰 수와 부정 비율",
        bar_tooltips=tips,
        left_axis="리뷰 수",
        right_axis="부정 비율",
        line_format=lambda v: f"{100 * v:.0f}%",
        partial_last=partial,
    )


def panel_products(data: ReportData, starts: list[pd.Timestamp], k: int, min_volume: int = 1) -> tuple[list[str], int, int]:
    """The ``k`` products with the most reviews in the shown periods among those with a line to draw, how many
    products have no review there, and how many have some but no period with ``min_volume`` scored reviews.

    A panel whose product never reaches ``min_volume`` reviews in a period would show only the reference line,
    so such products get none (a catalogue of small products otherwise fills the grid with empty charts).
    """
    shown = data.rows[data.rows["period"].isin(starts)]
    n = shown.groupby("product_id", observed=True)["_w"].sum()
    labelled = shown[shown["_s_negative"].notna()].groupby(["product_id", "period"], observed=True)["_w"].sum()
    peak = labelled.groupby(level=0, observed=True).max() if len(labelled) else pd.Series(dtype=float)
    drawable = [p for p in n.index if n[p] > 0 and peak.get(p, 0.0) >= min_volume]
    order = sorted(drawable, key=lambda p: (-n[p], str(p)))
    n_quiet = len(data.products) - int((n > 0).sum())
    return [str(p) for p in order[:k]], n_quiet, int((n > 0).sum()) - len(drawable)


def product_panels(data: ReportData, products: list[str], starts: list[pd.Timestamp], min_volume: int) -> dict:
    """One small chart per product (same y-axis), for the template: ``{"panels": [...], "ticks": [...]}``."""
    periods = data.periods
    overall = _negative_by_period(data.rows, starts)
    reference = list(overall["share"].where(overall["n_labelled"] >= min_volume))
    partial = periods.partial_last and bool(starts) and starts[-1] == periods.starts[-1]
    per = {}
    for p in products:
        g = _negative_by_period(data.rows[data.rows["product_id"] == p], starts)
        ok = g["n_labelled"] >= min_volume
        lo, hi = wilson_interval(g["negative"].to_numpy(), g["n_labelled"].to_numpy())
        per[p] = (g, ok, pd.Series(lo, index=g.index).where(ok), pd.Series(hi, index=g.index).where(ok))
    fitted = [v for g, ok, _, _ in per.values() for v in g["share"].where(ok)] + reference
    ticks = svg.fit_range(fitted)
    labels = [periods.label(p) for p in starts]
    panels = []
    for p in products:
        g, ok, lo, hi = per[p]
        tips = [
            f"{p} · {periods.long_label(s)}: 리뷰 {count(g.loc[s, 'n'])}건"
            + (
                f", 부정 {pct(g.loc[s, 'share'])} (95% {interval_text((lo[s], hi[s]), 'pct')})"
                if ok[s]
                else f" (부정 비율은 {min_volume}건 이상일 때만 표시)"
            )
            for s in starts
        ]
        shown = g[ok]
        if partial and len(shown) and shown.index[-1] == starts[-1]:
            shown = shown.iloc[:-1]  # the latest figure quoted is a complete period's
        last = shown.index[-1] if len(shown) else None
        panels.append(
            {
                "product": p,
                "n": int(g["n"].sum()),
                "n_all": int(total(data.rows[data.rows["product_id"] == p])),
                "last": None
                if last is None
                else {
                    "period": periods.long_label(last),
                    "share": pct(g.loc[last, "share"]),
                },
                "svg": svg.small_multiple(
                    labels,
                    list(g["share"].where(ok)),
                    lows=list(lo),
                    highs=list(hi),
                    reference=reference,
                    ticks=ticks,
                    partial_last=partial,
                    tooltips=tips,
                    title=f"{p}: {periods.name_ko}별 부정 비율",
                ),
            }
        )
    return {"panels": panels, "ticks": ticks}
