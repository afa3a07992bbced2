"""Findings that hold: every claim the report makes is a test that passed, with its evidence.

Kinds (``docs/report.md`` has the rules in full):

==================== ==================================================================== ==========
kind                 compares                                                             effect
==================== ==================================================================== ==========
``aspect_vs_peers``  a product's net sentiment on an aspect with the other products'      net diff
                     (same domain), over the whole period covered
``aspect_change``    a product's aspect net in the last complete period with its          net diff
                     trailing baseline (the complete periods before it, pooled)
``negative_vs_peers`` a product's share of negative reviews with the other products'     share diff
``negative_spike``   a period the anomaly rule flags, confirmed: its negative share       share diff
                     against the baseline periods
``emerging_topic``   a flagged topic, confirmed: its share of the period against the      share diff
                     baseline periods (and ``min_mentions`` reviews of the topic in it)
``volume_spike``     a flagged period, confirmed: its reviews per day against the         rate ratio
                     baseline periods'
==================== ==================================================================== ==========

A candidate is tested only when both sides meet the minimum volume
(:class:`~nlp.report.options.FindingRules`); the p-values of all tested candidates of a report
go through the Benjamini-Hochberg cut; a kept finding must also show an effect at least the
rule's minimum. Periods are compared only when complete: the last period of data that stop
mid-period is never a finding's period and never part of a baseline. Findings are ranked by
the end of their 95% interval nearest to zero (the smallest effect the data allow), so a large
effect seen on few reviews ranks below a slightly smaller one seen on many.

Example:
    >>> from nlp.report.findings import Finding
    >>> sorted(Finding.__dataclass_fields__)[:4]
    ['alert', 'anomaly', 'aspect', 'aspect_label']
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import pandas as pd

from nlp.periods import period_complete, period_end, period_start
from nlp.report.alerts import ALL_SERIES, Flags, topic_series
from nlp.report.data import Periods, ReportData, total, wcount, wsum
from nlp.report.examples import Pick
from nlp.report.fmt import count, interval_text, pct, points, signed
from nlp.report.labels import domain_name
from nlp.report.options import FindingRules
from nlp.report.reviews import masked
from nlp.report.stats import diff_interval, diff_p_value, fdr_keep, rate_ratio_interval, rate_ratio_p_value

__all__ = ["Finding", "Unconfirmed", "find", "findings_json", "KINDS"]

KINDS = ("aspect_vs_peers", "aspect_change", "negative_vs_peers", "negative_spike", "emerging_topic", "volume_spike")
ALERT_KINDS = ("negative_spike", "emerging_topic", "volume_spike")
_TOTAL_IDS = {ALL_SERIES, "_all", "all", "total", "*", "전체", "__total__"}
ALL_PRODUCTS = "전체"
MAX_EVIDENCE_IDS = 10
"""Review ids listed per finding (the strongest first); ``n`` says how many reviews are behind it."""


@dataclass
class Finding:
    """One finding or alert: what was compared, the effect, its 95% interval, the test and the evidence.

    ``period`` is ``all`` for comparisons over the whole time covered, else the period's code
    (``2024-03``, ``2024-W11``, ``2024-03-12``); ``period_start`` and ``period_end`` are its first
    and last day. ``effect`` is ``value - reference`` (a rate ratio for ``volume_spike``), in the
    unit of ``metric``: ``net`` (aspect net sentiment, -1..1), ``share_negative`` and
    ``topic_share`` (shares, 0..1), ``reviews_per_day``.
    """

    kind: str
    product_id: str | None
    period: str
    period_start: str | None
    period_end: str | None
    metric: str
    value: float
    reference: float
    effect: float
    interval: tuple[float, float]
    p_value: float
    n: int
    n_reference: int
    reference_label: str
    direction: Literal["worse", "better", "up"]
    tone: Literal["positive", "negative"] | None = None
    """For a rise (``direction="up"``) of a topic: whether the reviews behind it are mostly positive or not."""
    aspect: str | None = None
    aspect_label: str | None = None
    topic: int | None = None
    topic_label: str | None = None
    domain: str | None = None
    alert: bool = False
    anomaly: list[str] = field(default_factory=list)
    evidence_ids: list[str] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)
    title: str = ""
    detail: str = ""
    text: str = ""
    rank: int = 0
    strength: float = 0.0

    @property
    def anchor(self) -> str:
        return f"finding-{self.rank}"

    @property
    def concern(self) -> bool:
        """Whether the report lists this under 주의 (problems and alerts): a worse comparison, or a rise that is not
        mostly praise (a topic of praise that surges is a strength)."""
        return self.direction == "worse" or (self.direction == "up" and self.tone != "positive")

    def to_dict(self) -> dict:
        """A JSON-ready dict (floats rounded, NaN as null)."""
        out = asdict(self)
        for key in ("value", "reference", "effect", "strength"):
            out[key] = _num(out[key])
        out["interval"] = [_num(v) for v in self.interval]
        out["p_value"] = None if _nan(self.p_value) else float(f"{self.p_value:.3g}")
        return out


@dataclass
class Unconfirmed:
    """A period the anomaly rule flags that the findings do not state, and why (``scope``: the product, topic or 전체)."""

    kind: str
    scope: str
    period: pd.Timestamp
    period_label: str
    reason: str


def _nan(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _num(v: Any) -> float | None:
    if _nan(v):
        return None
    v = float(v)
    return None if math.isinf(v) else round(v, 4)


def findings_json(findings: list[Finding], **meta: Any) -> str:
    """``findings.json``: ``{"findings": [...], **meta}`` (the rules, the periods, the counts).

    Example:
        >>> json.loads(findings_json([], rules={"min_reviews": 30}))["findings"]
        []
    """
    doc = {"findings": [f.to_dict() for f in findings], **meta}
    return json.dumps(doc, ensure_ascii=False, indent=2, default=str)


# --------------------------------------------------------------------------- candidates


@dataclass
class _Candidate:
    finding: Finding
    where: tuple  # which reviews or mentions are behind it (a pick's filter), for the evidence
    evidence_kind: Literal["clause", "review"]
    order: str  # which rows first: negative / positive / recent / prob


def _where(**conditions: Any) -> tuple:
    """A pick's filter from ``column=value`` (``None`` values are left out)."""
    return tuple((k, "==", v) for k, v in conditions.items() if v is not None)


def _two_props(k1: float, n1: float, k0: float, n0: float, scale: float = 1.0) -> tuple[float, tuple[float, float], float]:
    lo, hi = diff_interval(k1, n1, k0, n0)
    return scale * (k1 / n1 - k0 / n0), (scale * lo, scale * hi), diff_p_value(k1, n1, k0, n0)


def _polarity_counts(a: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    w = a["_w"]
    g = a.assign(pos=(a["_sign"] > 0) * w, neu=(a["_sign"] == 0) * w, neg=(a["_sign"] < 0) * w)
    return g.groupby(keys, observed=True)[["pos", "neu", "neg"]].sum().assign(n=lambda x: x["pos"] + x["neu"] + x["neg"])


def _label(mentions: pd.DataFrame) -> str:
    """The label most of these mentions carry (an aspect key can be labelled per domain: 배송, 배달); ties by name."""
    n = mentions.groupby("aspect_label", observed=True)["_w"].sum()
    return str(sorted(n.index, key=lambda k: (-n[k], str(k)))[0])


def _net(pos: float, neu: float, neg: float) -> float:
    n = pos + neu + neg
    return (pos - neg) / n if n else float("nan")


def _span(data: ReportData) -> tuple[str | None, str | None]:
    dates = data.rows["created_at"].dropna()
    return (f"{dates.min():%Y-%m-%d}", f"{dates.max():%Y-%m-%d}") if len(dates) else (None, None)


def _peer_label(domain: str | None, n_peers: int) -> str:
    where = f"같은 분야({domain_name(domain)})의 " if domain else ""
    return f"{where}다른 제품 {n_peers}개"


def _aspect_vs_peers(data: ReportData, rules: FindingRules) -> list[_Candidate]:
    a = data.aspects
    if a is None or not data.has_products or a.empty:
        return []
    a = a.assign(_dom=a["product_id"].astype(str).map(data.domains).fillna(""))
    counts = _polarity_counts(a, ["_dom", "aspect", "product_id"])
    start, end = _span(data)
    out = []
    for (dom, aspect), g in counts.groupby(level=[0, 1], sort=False):
        if len(g) < 2:
            continue
        tot = g.sum()
        label = _label(a[(a["_dom"] == dom) & (a["aspect"] == aspect)])
        for (_, _, product), r in g.iterrows():
            n1, n0 = r["n"], tot["n"] - r["n"]
            if n1 < rules.min_mentions or n0 < rules.min_mentions:
                continue
            k1 = r["pos"] + r["neu"] / 2
            k0 = (tot["pos"] - r["pos"]) + (tot["neu"] - r["neu"]) / 2
            effect, interval, p = _two_props(k1, n1, k0, n0, scale=2.0)
            value = _net(r["pos"], r["neu"], r["neg"])
            ref = _net(tot["pos"] - r["pos"], tot["neu"] - r["neu"], tot["neg"] - r["neg"])
            f = Finding(
                kind="aspect_vs_peers",
                product_id=str(product),
                period="all",
                period_start=start,
                period_end=end,
                metric="net",
                value=value,
                reference=ref,
                effect=effect,
                interval=interval,
                p_value=p,
                n=int(n1),
                n_reference=int(n0),
                reference_label=_peer_label(dom or None, len(g) - 1),
                direction="worse" if effect < 0 else "better",
                aspect=str(aspect),
                aspect_label=label,
                domain=dom or None,
            )
            out.append(_Candidate(f, _where(product_id=str(product), aspect=str(aspect)), "clause", "negative" if effect < 0 else "positive"))
    return out


def _aspect_change(data: ReportData, rules: FindingRules) -> list[_Candidate]:
    a, periods = data.aspects, data.periods
    if a is None or periods is None or a.empty:
        return []
    last = periods.last_complete
    if last is None:
        return []
    base = periods.baseline(last, rules.baseline_periods)
    if not base:
        return []
    t = periods.starts[last]
    base_starts = {periods.starts[j] for j in base}
    a = a[a["period"].notna()]
    now = a[a["period"] == t]
    before = a[a["period"].isin(base_starts)]
    if now.empty or before.empty:
        return []
    c_now = _polarity_counts(now.fillna({"product_id": ALL_PRODUCTS}), ["product_id", "aspect"])
    c_before = _polarity_counts(before.fillna({"product_id": ALL_PRODUCTS}), ["product_id", "aspect"])
    out = []
    for key, r in c_now.iterrows():
        if key not in c_before.index:
            continue
        b = c_before.loc[key]
        if r["n"] < rules.min_mentions or b["n"] < rules.min_mentions:
            continue
        product, aspect = key
        effect, interval, p = _two_props(r["pos"] + r["neu"] / 2, r["n"], b["pos"] + b["neu"] / 2, b["n"], scale=2.0)
        f = Finding(
            kind="aspect_change",
            product_id=str(product),
            period=periods.code(t),
            period_start=f"{t:%Y-%m-%d}",
            period_end=f"{periods.last_day(t):%Y-%m-%d}",
            metric="net",
            value=_net(r["pos"], r["neu"], r["neg"]),
            reference=_net(b["pos"], b["neu"], b["neg"]),
            effect=effect,
            interval=interval,
            p_value=p,
            n=int(r["n"]),
            n_reference=int(b["n"]),
            reference_label=_baseline_label(periods, [periods.starts[j] for j in base]),
            direction="worse" if effect < 0 else "better",
            aspect=str(aspect),
            aspect_label=_label(now[now["aspect"] == aspect]),
            domain=data.domain_of(str(product)),
        )
        who = None if product == ALL_PRODUCTS and not data.has_products else str(product)
        out.append(_Candidate(f, _where(period=t, product_id=who, aspect=str(aspect)), "clause", "negative" if effect < 0 else "positive"))
    return out


def _baseline_label(periods_or_freq: Periods | str, starts: list[pd.Timestamp]) -> str:
    freq = periods_or_freq.freq if isinstance(periods_or_freq, Periods) else periods_or_freq
    unit = {"M": "월", "W": "주", "D": "일"}[freq]
    first, last = min(starts), max(starts)
    fmt = "%Y-%m" if freq == "M" else "%Y-%m-%d"
    span = f"{first:{fmt}}" if first == last else f"{first:{fmt}}~{last:{fmt}}"
    return f"직전 {len(starts)}개 {unit}({span})"


def _negative_vs_peers(data: ReportData, rules: FindingRules) -> list[_Candidate]:
    if not data.has_products:
        return []
    d = data.rows[data.rows["sentiment"].notna()]
    d = d.assign(_dom=d["product_id"].astype(str).map(data.domains).fillna(""))
    d = d.assign(_k=d["_s_negative"] * d["_w"])
    g = d.groupby(["_dom", "product_id"], observed=True).agg(n=("_w", "sum"), k=("_k", "sum"))
    start, end = _span(data)
    out = []
    for dom, grp in g.groupby(level=0, sort=False):
        if len(grp) < 2:
            continue
        tot = grp.sum()
        for (_, product), r in grp.iterrows():
            n1, n0 = r["n"], tot["n"] - r["n"]
            if n1 < rules.min_reviews or n0 < rules.min_reviews:
                continue
            k0 = tot["k"] - r["k"]
            effect, interval, p = _two_props(r["k"], n1, k0, n0)
            f = Finding(
                kind="negative_vs_peers",
                product_id=str(product),
                period="all",
                period_start=start,
                period_end=end,
                metric="share_negative",
                value=r["k"] / n1,
                reference=k0 / n0,
                effect=effect,
                interval=interval,
                p_value=p,
                n=int(n1),
                n_reference=int(n0),
                reference_label=_peer_label(dom or None, len(grp) - 1),
                direction="worse" if effect > 0 else "better",
                domain=dom or None,
            )
            where = (("product_id", "==", str(product)), ("sentiment", "notna", None))
            out.append(_Candidate(f, where, "review", "negative" if effect > 0 else "positive"))
    return out


def _series_rows(data: ReportData, uid: str, dated: pd.DataFrame, products: set[str]) -> tuple[pd.DataFrame | None, tuple, str]:
    """A series' dated rows (of ``dated``), the pick filter that selects them, and its name."""
    d = dated
    if uid in products:
        return d[d["product_id"] == uid], (("product_id", "==", uid),), uid
    k = topic_series(uid)
    if k is not None:
        return d[d["topic"] == k], (("topic", "==", k),), f"토픽 {k}"
    if uid.lower() in _TOTAL_IDS or uid == ALL_SERIES:
        return d, (), ALL_PRODUCTS
    return None, (), uid


def _confirm_flags(
    data: ReportData, flags: Flags, rules: FindingRules, topic_labels: dict[int, str]
) -> tuple[list[_Candidate], list[Unconfirmed]]:
    """A candidate per flagged (series, period, kind), tested against the series' baseline periods."""
    out: list[_Candidate] = []
    skipped: list[Unconfirmed] = []
    if flags is None or flags.empty or data.periods is None:
        return out, skipped
    freq = flags.attrs.get("freq", data.periods.freq)
    data_end = data.periods.data_end
    step = {"M": pd.DateOffset(months=1), "W": pd.DateOffset(weeks=1), "D": pd.DateOffset(days=1)}[freq]
    dated = data.rows[data.rows["created_at"].notna()]
    products = set(data.rows["product_id"].dropna().astype(str)) if data.has_products else set()
    for _, fl in flags.iterrows():
        uid, t = fl["unique_id"], pd.Timestamp(fl["ds"])
        rows, series, scope = _series_rows(data, uid, dated, products)
        k_topic = topic_series(uid)
        if k_topic is not None:
            scope = f"토픽 ‘{topic_labels.get(k_topic, k_topic)}’"
        label = _period_label(t, freq)

        def skip(kind: str, reason: str, scope=scope, t=t, label=label) -> None:
            skipped.append(Unconfirmed(kind, scope, t, label, reason))

        if rows is None:
            for kind in fl["kinds"]:
                skip(kind, "이 리뷰들에 없는 시리즈")
            continue
        if not period_complete(t, freq, data_end):
            for kind in fl["kinds"]:
                skip(kind, "부분 기간")
            continue
        end = period_end(t, freq)
        first = period_start(pd.Series([rows["created_at"].min()]), freq).iloc[0] if len(rows) else t
        base_starts = [t - step * j for j in range(rules.baseline_periods, 0, -1)]
        base_starts = [s for s in base_starts if s >= first]
        now = rows[(rows["created_at"] >= t) & (rows["created_at"] < end)]
        before = rows[(rows["created_at"] >= base_starts[0]) & (rows["created_at"] < t)] if base_starts else rows.iloc[0:0]
        in_now = (*series, ("created_at", ">=", t), ("created_at", "<", end))
        is_product = scope == uid
        common = dict(
            product_id=uid if is_product else None,
            period=_period_code(t, freq),
            period_start=f"{t:%Y-%m-%d}",
            period_end=f"{end - pd.Timedelta(days=1):%Y-%m-%d}",
            reference_label=_baseline_label(freq, base_starts) if base_starts else "",
            alert=True,
            domain=data.domain_of(uid) if is_product else data.domain,
        )
        if k_topic is not None:
            common.update(topic=k_topic, topic_label=topic_labels.get(k_topic, f"토픽 {k_topic}"))
        for kind in fl["kinds"]:
            if not base_starts:
                skip(kind, "비교할 이전 기간 없음")
                continue
            if kind == "negative_spike" or kind == "sentiment_drop":
                n1, n0 = int(wcount(now, "sentiment")), int(wcount(before, "sentiment"))
                if n1 < rules.min_reviews or n0 < rules.min_reviews:
                    skip(kind, f"리뷰 {n1}건 · 기준 {n0}건 (최소 {rules.min_reviews}건)")
                    continue
                k1, k0 = wsum(now, "_s_negative"), wsum(before, "_s_negative")
                effect, interval, p = _two_props(k1, n1, k0, n0)
                f = Finding(kind="negative_spike", metric="share_negative", value=k1 / n1, reference=k0 / n0, effect=effect,
                            interval=interval, p_value=p, n=n1, n_reference=n0, direction="up", anomaly=[kind],
                            **common)  # fmt: skip
                out.append(_Candidate(f, (*in_now, ("sentiment", "==", "negative")), "review", "negative"))
            elif kind == "volume_spike":
                k1, k0 = int(total(now)), int(total(before))
                if k1 < rules.min_reviews:
                    skip(kind, f"리뷰 {k1}건 (최소 {rules.min_reviews}건)")
                    continue
                t1 = (end - t).days
                t0 = (t - base_starts[0]).days
                lo, hi = rate_ratio_interval(k1, t1, k0, t0)
                rate0 = k0 / t0
                ratio = (k1 / t1) / rate0 if rate0 > 0 else float("inf")
                f = Finding(kind="volume_spike", metric="reviews_per_day", value=k1 / t1, reference=rate0, effect=ratio,
                            interval=(lo, hi), p_value=rate_ratio_p_value(k1, t1, k0, t0), n=k1, n_reference=k0,
                            direction="up", anomaly=[kind], **common)  # fmt: skip
                out.append(_Candidate(f, in_now, "review", "negative"))
            elif kind == "emerging_topic":
                topics = [k for k in fl["topics"] if k >= 0]
                if not topics:
                    skip(kind, "급부상 토픽 정보 없음")
                n1, n0 = int(wcount(now, "topic")), int(wcount(before, "topic"))
                for k in topics:
                    if n1 < rules.min_reviews or n0 < rules.min_reviews:
                        skip(kind, f"토픽 배정 리뷰 {n1}건 · 기준 {n0}건 (최소 {rules.min_reviews}건)")
                        continue
                    k1, k0 = total(now[now["topic"] == k]), total(before[before["topic"] == k])
                    if k1 < rules.min_mentions:  # a topic "surging" on a handful of reviews is no finding
                        skip(kind, f"토픽 ‘{topic_labels.get(int(k), k)}’ 리뷰 {int(k1)}건 (최소 {rules.min_mentions}건)")
                        continue
                    effect, interval, p = _two_props(k1, n1, k0, n0)
                    mine = now[now["topic"] == k]
                    tone = "positive" if wsum(mine, "_s_positive") > wsum(mine, "_s_negative") else "negative"
                    f = Finding(kind="emerging_topic", metric="topic_share", value=k1 / n1, reference=k0 / n0, effect=effect,
                                interval=interval, p_value=p, n=int(k1), n_reference=int(k0), direction="up", anomaly=[kind], tone=tone,
                                **{**common, "topic": int(k), "topic_label": topic_labels.get(int(k), f"토픽 {k}")})  # fmt: skip
                    out.append(_Candidate(f, (*in_now, ("topic", "==", int(k))), "review", "prob"))
            else:
                skip(kind, "알 수 없는 플래그")
    return out, skipped


def _period_code(t: pd.Timestamp, freq: str) -> str:
    return Periods(freq, [t], [True]).code(t)  # type: ignore[arg-type]


def _period_label(t: pd.Timestamp, freq: str) -> str:
    return Periods(freq, [t], [True]).long_label(t)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- selection


def _min_effect(f: Finding, rules: FindingRules) -> bool:
    if f.kind == "volume_spike":
        return f.effect >= rules.min_rate_ratio
    if f.metric == "net":
        return abs(f.effect) >= rules.min_net_effect
    return abs(f.effect) >= rules.min_share_effect


def _strength(f: Finding) -> float:
    """The smallest effect the 95% interval allows, on the scale of a share (a net difference counts half)."""
    lo, hi = f.interval
    if _nan(lo) or _nan(hi):
        return 0.0
    if f.kind == "volume_spike":
        return max(0.0, lo - 1.0)
    bound = lo if lo > 0 else (-hi if hi < 0 else 0.0)
    return bound / 2 if f.metric == "net" else bound


def _direction_ok(f: Finding) -> bool:
    if not f.alert:
        return True
    return f.effect > (1.0 if f.kind == "volume_spike" else 0.0)


def evidence_limit(k: int) -> int:
    """Rows a finding's evidence is chosen from: enough for its ids and ``k`` distinct texts."""
    return max(MAX_EVIDENCE_IDS, 10 * k + 20)


def _evidence(data: ReportData, c: _Candidate, k: int) -> None:
    limit = evidence_limit(k)
    if c.evidence_kind == "clause":
        side = ("_sign", "<", 0) if c.order == "negative" else ("_sign", ">=", 1)
        side = data.pick(Pick("aspects", (*c.where, side), "clause_" + c.order, limit))
        if not len(side):
            return
        c.finding.evidence_ids = list(dict.fromkeys(side["id"].astype(str)))[:MAX_EVIDENCE_IDS]
        shown = side.drop_duplicates("evidence").head(k)
        c.finding.evidence = [
            {"id": str(r["id"]), "text": masked(r["evidence"], 200) or masked(r.get("text"), 200), "rating": _num(r.get("rating")),
             "date": None if pd.isna(r.get("created_at")) else f"{r['created_at']:%Y-%m-%d}", "aspect": str(r["aspect_label"]),
             "polarity": str(r["polarity"]), "sentiment": None}
            for _, r in shown.iterrows()
        ]  # fmt: skip
        return
    best = data.pick(Pick("reviews", c.where, c.order, limit))
    if not len(best):
        return
    c.finding.evidence_ids = list(dict.fromkeys(best["id"].astype(str)))[:MAX_EVIDENCE_IDS]
    shown = best.drop_duplicates("text").head(k)
    c.finding.evidence = [
        {"id": str(r["id"]), "text": masked(r["text"], 200), "rating": _num(r.get("rating")),
         "date": None if pd.isna(r.get("created_at")) else f"{r['created_at']:%Y-%m-%d}", "aspect": None, "polarity": None,
         "sentiment": None if pd.isna(r.get("sentiment")) else str(r["sentiment"])}
        for _, r in shown.iterrows()
    ]  # fmt: skip


def _describe(f: Finding, period_long: str) -> tuple[str, str]:
    """A short claim and the numbers behind it, in Korean."""
    who = (
        f"‘{f.product_id}’"
        if f.product_id
        else (f"토픽 ‘{f.topic_label}’" if f.topic_label and f.kind != "emerging_topic" else ALL_PRODUCTS)
    )
    ci = "95% " + interval_text(f.interval, "net" if f.metric == "net" else ("ratio" if f.kind == "volume_spike" else "pp"))
    if f.kind == "aspect_vs_peers":
        title = f"{who} {f.aspect_label}: 다른 제품보다 {'낮은' if f.effect < 0 else '높은'} 평가"
        return title, (f"전체 기간 순감성 {signed(f.value)}, {f.reference_label} {signed(f.reference)} · 차이 {signed(f.effect)} ({ci}) · "
                       f"언급 {count(f.n)}건")  # fmt: skip
    if f.kind == "aspect_change":
        title = f"{who} {f.aspect_label}: {period_long}에 평가 {'하락' if f.effect < 0 else '상승'}"
        return title, (f"순감성 {signed(f.reference)} → {signed(f.value)} ({f.reference_label} 대비) · 차이 {signed(f.effect)} ({ci}) · "
                       f"언급 {count(f.n)}건")  # fmt: skip
    if f.kind == "negative_vs_peers":
        title = f"{who}: 부정 리뷰가 다른 제품보다 {'많음' if f.effect > 0 else '적음'}"
        return (
            title,
            f"전체 기간 부정 {pct(f.value)}, {f.reference_label} {pct(f.reference)} · 차이 {points(f.effect)} ({ci}) · 리뷰 {count(f.n)}건",
        )
    if f.kind == "negative_spike":
        title = f"{who}: {period_long} 부정 급증"
        return (
            title,
            f"부정 {pct(f.value)}, {f.reference_label} {pct(f.reference)} · 차이 {points(f.effect)} ({ci}) · 리뷰 {count(f.n)}건",
        )
    if f.kind == "emerging_topic":
        title = f"{who}: {period_long} 토픽 ‘{f.topic_label}’ 급부상" + (" (칭찬 위주)" if f.tone == "positive" else "")
        return (
            title,
            f"비중 {pct(f.value)}, {f.reference_label} {pct(f.reference)} · 차이 {points(f.effect)} ({ci}) · 해당 리뷰 {count(f.n)}건",
        )
    title = f"{who}: {period_long} 리뷰량 급증"
    if not f.reference:
        return title, f"리뷰 {count(f.n)}건 (하루 {f.value:.1f}건), {f.reference_label}에는 리뷰 없음"
    return title, f"리뷰 {count(f.n)}건, 하루 {f.value:.1f}건 = {f.reference_label} 평균의 {f.effect:.1f}배 ({ci})"


def find(
    data: ReportData,
    flags: Flags | None,
    rules: FindingRules,
    topic_labels: dict[int, str] | None = None,
    n_examples: int = 3,
) -> tuple[list[Finding], list[Unconfirmed], dict[str, int]]:
    """Every finding of the report, ranked, with the flags not confirmed and the counts of tests.

    Args:
        data: the prepared inputs (:func:`nlp.report.data.prepare`).
        flags: the anomaly rule's flags (:func:`nlp.report.alerts.anomaly_flags`).
        rules: minimum volumes, FDR and minimum effects.
        topic_labels: topic id → label, for emerging topics.
        n_examples: evidence clauses or reviews kept per finding (ids: up to 10).

    Returns:
        ``(findings, unconfirmed_flags, counts)``: findings ranked 1, 2, ...; ``counts`` has
        ``tested`` (candidates that met the minimum volume), ``kept`` and ``flags``.
    """
    topic_labels = topic_labels or {}
    alert_cands, unconfirmed = _confirm_flags(data, flags, rules, topic_labels)
    cands = _aspect_vs_peers(data, rules) + _aspect_change(data, rules) + _negative_vs_peers(data, rules) + alert_cands
    keep = fdr_keep([c.finding.p_value for c in cands], rules.fdr)
    kept: list[_Candidate] = []
    for c, ok in zip(cands, keep, strict=True):
        f = c.finding
        if ok and _min_effect(f, rules) and _direction_ok(f):
            kept.append(c)
        elif f.alert:
            why = "효과가 작음" if ok else f"검정 미통과 (p={f.p_value:.2g})"
            if ok and not _direction_ok(f):
                why = "기준보다 높지 않음"
            start = pd.Timestamp(f.period_start)
            unconfirmed.append(
                Unconfirmed(f.kind, f.product_id or ALL_PRODUCTS, start, _period_label(start, flags.attrs.get("freq", "W")), why)
            )
    for c in kept:
        c.finding.strength = _strength(c.finding)
    kept.sort(key=lambda c: (c.finding.kind == "volume_spike", -c.finding.strength, -c.finding.n))
    freq = data.periods.freq if data.periods else "W"
    for rank, c in enumerate(kept, start=1):
        f = c.finding
        f.rank = rank
        _evidence(data, c, n_examples)
        long = (
            _period_label(pd.Timestamp(f.period_start), flags.attrs.get("freq", freq) if f.alert and flags is not None else freq)
            if f.period != "all"
            else ""
        )
        f.title, f.detail = _describe(f, long)
        f.text = f"{f.title} — {f.detail}"
    counts = {
        "tested": len(cands),
        "kept": len(kept),
        "flags": int(sum(len(k) for k in flags["kinds"])) if flags is not None and len(flags) else 0,
    }
    return [c.finding for c in kept], unconfirmed, counts
