"""The CX report: one self-contained, offline HTML file from scored rows, topics and trends.

The report reads only the *outputs* of the earlier stages (the scored table, the topics
directory's ``doc_topics.parquet`` / ``topics.parquet``, and optionally the trends table),
never their internals. Rows are put in periods by :mod:`nlp.periods`, as in topics and
trends. Alerts come from the trends table's ``anomaly_*`` flags; when no trends table is
given, the trend features of the report's own rows are computed with
:func:`nlp.trends.build_features`, so the alerts follow the same rule
(:mod:`nlp.trends.anomaly`) either way.

Everything a reader sees is escaped (Jinja2 autoescaping; the SVG helpers escape their
own text), review texts are PII-masked with :func:`nlp.text.pii.mask_pii` before they are
shown, and a Content-Security-Policy blocks scripts and remote resources outright.

Example:
    >>> from nlp.report import write_report
    >>> write_report("report.html", "scored.parquet", "topics/", trends="trends.parquet")  # doctest: +SKIP
    PosixPath('report.html')
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from nlp.io.atomic import atomic_write_text
from nlp.io.columns import ColumnMap
from nlp.io.lock import locks_output
from nlp.io.tables import InputError, read_table
from nlp.periods import DEFAULT_TZ, START_FREQ, auto_freq, parse_times, period_complete, period_end, period_start
from nlp.report import svg
from nlp.schema import DOC_TOPICS_FILE, INTENT_LABELS, SENTIMENT_LABELS, TOPICS_FILE, load_topic_tables
from nlp.text.pii import mask_pii
from nlp.trends.anomaly import AnomalyRule

logger = logging.getLogger(__name__)

__all__ = [
    "ReportOptions",
    "build_report",
    "write_report",
]

TEMPLATE = "report.html.j2"

INTENT_KO = {
    "none": "없음",
    "consider": "고려",
    "intent": "구매 의향",
    "repurchase": "재구매",
    "recommend": "추천",
    "avoid": "회피",
}
SENTIMENT_KO = {"negative": "부정", "neutral": "중립", "positive": "긍정"}
FLAG_KO = {
    "empty": "빈 텍스트",
    "duplicate": "중복",
    "duplicate_id": "중복 ID",
    "non_korean": "비한국어",
    "truncated": "잘림",
    "pii_masked": "개인정보 마스킹",
}
ANOMALY_KO = {
    "negative_spike": "부정 급증",
    "volume_spike": "리뷰량 급증",
    "emerging_topic": "토픽 급부상",
    "sentiment_drop": "감성 하락",
}
ALL_PRODUCTS = "전체"
_ALL_SERIES = "__all__"  # unique_id of the all-products series the report builds when no trends table is given
_TOTAL_IDS = {_ALL_SERIES, "_all", "all", "total", "*", "전체", "__total__"}
_MAX_TEXT = 280  # characters of a review shown; the rest is cut (after masking, so no PII is split)

Freq = Literal["auto", "W", "M"]


@dataclass
class ReportOptions:
    """What the report shows and how; validated on creation.

    Attributes:
        freq: period of the time charts: ``W`` weekly, ``M`` monthly, ``auto`` from the span
            (:func:`nlp.periods.auto_freq`: weekly up to about six months) or from the trends
            table's ``ds`` spacing.
        max_topics: topics that get a detail card (largest first).
        n_examples: reviews shown per topic card and per spike.
        min_volume: reviews a period needs before it can be called a spike, when the alerts
            are computed from the rows (no trends table; the anomaly rule's ``min_volume``).
        max_products: rows in the product comparison (largest first).
        title: the report title.
        model: a note on the model that scored the rows, shown in the footer.
        generated_at: timestamp in the footer (default: now); fixed in tests.
        tz: time zone periods are counted in (:mod:`nlp.periods`): timestamps with an offset
            are converted to it, naive ones taken as its wall-clock time, as in ``nlp trends``.
        source: input paths shown in the footer.
    """

    freq: Freq = "auto"
    max_topics: int = 8
    n_examples: int = 3
    min_volume: int = 5
    max_products: int = 30
    title: str = "고객 리뷰 인사이트 리포트"
    model: str | None = None
    generated_at: _dt.datetime | None = None
    source: dict[str, str] = field(default_factory=dict)
    tz: str = DEFAULT_TZ

    def __post_init__(self) -> None:
        if self.freq not in ("auto", "W", "M"):
            raise ValueError(f"freq={self.freq!r} is not supported; use 'auto', 'W' (weekly) or 'M' (monthly)")
        for name in ("max_topics", "n_examples", "min_volume", "max_products"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")


# --------------------------------------------------------------------------- inputs


def _as_list(value: Any) -> list:
    """A list from a Parquet list cell (numpy array), a JSON string (CSV round trip) or a scalar."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        s = value.strip()
        if s.startswith("["):
            try:
                return list(json.loads(s))
            except ValueError:
                pass
        return [p.strip() for p in s.split(",") if p.strip()] if s else []
    if hasattr(value, "tolist"):
        value = value.tolist()
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _prepare(scored: pd.DataFrame, columns: ColumnMap, doc_topics: pd.DataFrame, tz: str) -> tuple[pd.DataFrame, list[str]]:
    """The scored rows under canonical names, with indicator columns and topics joined."""
    columns.validate(list(scored.columns), source="the scored table", need=("text", "id"))
    if "sentiment" not in scored.columns and "sentiment_score" not in scored.columns:
        raise InputError(
            f"the scored table has no 'sentiment' or 'sentiment_score' column (it has {list(scored.columns)[:20]}); "
            "run `nlp score INPUT -o SCORED` first and pass its output"
        )
    for col in ("id", "topic"):
        if col not in doc_topics.columns:
            raise InputError(
                f"{DOC_TOPICS_FILE} has no {col!r} column (it has {list(doc_topics.columns)}); expected id, topic, topic_prob"
            )
    d = pd.DataFrame(index=scored.index)
    d["id"] = scored[columns.id].astype("string").fillna("")
    d["text"] = scored[columns.text].astype("string").fillna("")
    d["product_id"] = scored[columns.product].astype("string").fillna("(미지정)") if columns.product in scored.columns else pd.NA
    d["created_at"] = parse_times(scored[columns.time], tz) if columns.time in scored.columns else pd.NaT
    d["rating"] = pd.to_numeric(scored[columns.rating], errors="coerce") if columns.rating in scored.columns else np.nan
    sent = (
        scored["sentiment"].astype("string").str.strip().str.lower()
        if "sentiment" in scored.columns
        else pd.Series(pd.NA, index=d.index, dtype="string")
    )
    d["sentiment"] = sent.where(sent.isin(SENTIMENT_LABELS))
    if "sentiment_score" in scored.columns:
        d["sentiment_score"] = pd.to_numeric(scored["sentiment_score"], errors="coerce").astype(float)
    else:
        d["sentiment_score"] = d["sentiment"].map({"negative": -1.0, "neutral": 0.0, "positive": 1.0}).astype(float)
    scored_mask = d["sentiment"].notna()
    for label in SENTIMENT_LABELS:
        d[f"_s_{label}"] = (d["sentiment"] == label).astype(float).where(scored_mask)
    labels = list(INTENT_LABELS)
    extra = sorted({c[len("intent_") :] for c in scored.columns if c.startswith("intent_")} - set(labels) - {""})
    if "intent" in scored.columns:
        intent = scored["intent"].astype("string").str.strip().str.lower()
        extra += sorted(set(intent.dropna().unique()) - set(labels) - set(extra))
        labels += extra
        d["intent"] = intent
        for label in labels:
            d[f"_i_{label}"] = (intent == label).astype(float).where(intent.notna())
    else:
        d["intent"] = pd.Series(pd.NA, index=d.index, dtype="string")
        labels = []
    d["flags"] = scored["flags"].astype("string").fillna("") if "flags" in scored.columns else ""

    dt = doc_topics[["id", "topic"] + (["topic_prob"] if "topic_prob" in doc_topics.columns else [])].copy()
    dt["id"] = dt["id"].astype("string")
    dt["topic"] = pd.to_numeric(dt["topic"], errors="coerce").astype("Int64")
    dt = dt.drop_duplicates("id")
    d = d.merge(dt, on="id", how="left")
    if "topic_prob" not in d.columns:
        d["topic_prob"] = np.nan
    if d["topic"].notna().sum() == 0 and len(d):
        raise InputError(
            f"none of the {len(d)} scored ids appear in {DOC_TOPICS_FILE}; were the topics built from this scored table? "
            "Run `nlp topics SCORED -o DIR` on the same file (and pass the same --id-col)"
        )
    return d, labels


def _prepare_trends(trends: pd.DataFrame, tz: str) -> pd.DataFrame:
    for col in ("unique_id", "ds"):
        if col not in trends.columns:
            raise InputError(
                f"the trends table has no {col!r} column (it has {list(trends.columns)[:20]}); "
                "expected the output of `nlp trends SCORED -o FILE` (unique_id, ds, n_reviews, ...)"
            )
    t = trends.copy()
    t["unique_id"] = t["unique_id"].astype("string")
    t["ds"] = parse_times(t["ds"], tz)
    for col in t.columns:
        if col.startswith("anomaly_"):
            t[col] = t[col].map(_truthy).astype(bool)
        elif col not in ("unique_id", "ds", "emerging_topics") and not pd.api.types.is_numeric_dtype(t[col]):
            # a CSV round trip leaves numbers as text
            numbers = pd.to_numeric(t[col], errors="coerce")
            if numbers.notna().sum() == t[col].notna().sum():
                t[col] = numbers
    t = t.dropna(subset=["ds"])
    t.attrs["freq"] = _trend_freq(list(t["ds"]))
    return t


def _truthy(v: Any) -> bool:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return False
    if isinstance(v, str):
        return v.strip().lower() in ("1", "true", "t", "yes", "y")
    return bool(v)


# --------------------------------------------------------------------------- periods and aggregates


PeriodFreq = Literal["D", "W", "M"]


def _long_label(ts: pd.Timestamp, f: PeriodFreq) -> str:
    if f == "M":
        return f"{ts.year}년 {ts.month}월"
    if f == "D":
        return f"{ts:%Y-%m-%d}"
    return f"{ts:%Y-%m-%d}~{ts + pd.Timedelta(days=6):%m-%d} 주"


@dataclass
class _Periods:
    freq: PeriodFreq
    starts: list[pd.Timestamp]
    partial_last: bool

    def label(self, ts: pd.Timestamp) -> str:
        return ts.strftime("%Y-%m") if self.freq == "M" else ts.strftime("%m-%d")

    def long_label(self, ts: pd.Timestamp) -> str:
        return _long_label(ts, self.freq)

    @property
    def name_ko(self) -> str:
        return {"M": "월", "W": "주", "D": "일"}[self.freq]


def _trend_freq(ds: Sequence[pd.Timestamp]) -> PeriodFreq:
    """The period of a trends table from the spacing of its ``ds`` (daily, weekly or monthly)."""
    gaps = np.diff(np.array(sorted(set(ds)), dtype="datetime64[ns]")).astype("timedelta64[D]").astype(int)
    if not len(gaps):
        return "W"
    step = int(gaps.min())
    return "D" if step <= 1 else ("M" if step >= 27 else "W")


def _choose_periods(dates: pd.Series, freq: Freq, trends: pd.DataFrame | None) -> tuple[_Periods | None, pd.Series]:
    """Period starts for the charts and each row's period (NaT for rows without a date)."""
    valid = dates.dropna()
    if trends is not None and len(trends):
        trend_freq: PeriodFreq = trends.attrs["freq"]
        if freq in ("auto", trend_freq):
            # the trends table's own periods, so the alerts and the charts line up
            starts = sorted({pd.Timestamp(x) for x in trends["ds"].dropna().unique()})
            if len(valid):
                # rows before the first trend period (or after the last) still belong to a period of their own;
                # inside the range, the trends' periods rule (their weeks may start on another weekday)
                after = period_end(starts[-1], trend_freq)
                own = [pd.Timestamp(x) for x in period_start(valid, trend_freq).unique()]
                starts = sorted(set(starts) | {x for x in own if x < starts[0] or x >= after})
            grid = np.array(starts, dtype="datetime64[ns]")
            idx = np.searchsorted(grid, dates.to_numpy(dtype="datetime64[ns]"), side="right") - 1
            per = pd.Series(
                [starts[i] if i >= 0 and not pd.isna(x) else pd.NaT for i, x in zip(idx, dates, strict=True)], index=dates.index
            )
            return _Periods(trend_freq, starts, _is_partial(valid, starts, trend_freq)), pd.to_datetime(per)
        logger.info("the trends table is by %s but freq=%s was asked: periods computed from the rows", trend_freq, freq)
    if not len(valid):
        return None, pd.Series(pd.NaT, index=dates.index)
    f: PeriodFreq = freq if freq in ("W", "M") else auto_freq(valid)
    per = period_start(dates, f)
    starts = list(pd.date_range(per.min(), per.max(), freq=START_FREQ[f]))
    return _Periods(f, starts, _is_partial(valid, starts, f)), per


def _is_partial(valid: pd.Series, starts: list[pd.Timestamp], f: PeriodFreq) -> bool:
    """Whether the data stop before the end of the last period (:func:`nlp.periods.period_complete`)."""
    if not starts or not len(valid):
        return False
    return not period_complete(starts[-1], f, valid.max())


def _summarise(d: pd.DataFrame, by: str | list[str] | None, intents: Sequence[str]) -> pd.DataFrame:
    """Counts, sentiment shares and means, net advocacy and intent rates per group (one row when ``by`` is None)."""
    cols = {
        "n": ("id", "size"),
        "n_scored": ("_s_positive", "count"),
        "share_positive": ("_s_positive", "mean"),
        "share_negative": ("_s_negative", "mean"),
        "share_neutral": ("_s_neutral", "mean"),
        "sentiment_mean": ("sentiment_score", "mean"),
        "rating_mean": ("rating", "mean"),
    }
    for label in intents:
        cols[f"intent_{label}_rate"] = (f"_i_{label}", "mean")
    if by is None:
        g = d.assign(_all=0).groupby("_all")
    else:
        g = d.groupby(by, dropna=True, observed=True)
    out = g.agg(**cols)
    if "recommend" in intents and "avoid" in intents:
        out["net_advocacy"] = out["intent_recommend_rate"] - out["intent_avoid_rate"]
    else:
        out["net_advocacy"] = np.nan
    return out


def _top_intent(row: pd.Series, intents: Sequence[str]) -> tuple[str, float] | None:
    rates = {lab: row.get(f"intent_{lab}_rate") for lab in intents if lab != "none"}
    rates = {k: v for k, v in rates.items() if v is not None and not pd.isna(v) and v > 0}
    if not rates:
        return None
    best = max(rates, key=lambda k: rates[k])
    return best, float(rates[best])


# --------------------------------------------------------------------------- presentation helpers


def _pct(v: Any, digits: int = 0) -> str:
    return "–" if v is None or pd.isna(v) else f"{100 * float(v):.{digits}f}%"


def _signed(v: Any, digits: int = 2) -> str:
    return "–" if v is None or pd.isna(v) else f"{float(v):+.{digits}f}".replace("-", "−")


def _points(v: Any) -> str:
    """A rate difference in percentage points, e.g. net advocacy: ``+12%p``."""
    return "–" if v is None or pd.isna(v) else _signed(100 * float(v), 0) + "%p"


def _delta(v: Any, kind: Literal["pp", "score", "rel"], good: Literal["up", "down", "none"] = "up") -> dict | None:
    """An arrow, a formatted change and a css class (good / bad / flat) for a last-vs-previous change."""
    if v is None or pd.isna(v):
        return None
    v = float(v)
    eps = 0.005 if kind != "score" else 0.01
    if abs(v) < eps:
        return {"arrow": "■", "text": {"pp": "0%p", "rel": "0%", "score": "±0.00"}[kind], "cls": "flat", "value": v}
    text = {"pp": f"{100 * v:+.1f}%p", "rel": f"{100 * v:+.0f}%", "score": f"{v:+.2f}"}[kind]
    text = text.replace("-", "−")
    up = v > 0
    cls = "neutral" if good == "none" else ("good" if up == (good == "up") else "bad")
    return {"arrow": "▲" if up else "▼", "text": text, "cls": cls, "value": v}


def _review(row: pd.Series, topic_labels: dict[int, str], reason: str = "") -> dict:
    text = str(row.get("text") or "")
    masked, _ = mask_pii(text)
    masked = " ".join(masked.split())
    if len(masked) > _MAX_TEXT:
        masked = masked[: _MAX_TEXT - 1].rstrip() + "…"
    topic = row.get("topic")
    created = row.get("created_at")
    sentiment = row.get("sentiment")
    intent = row.get("intent")
    flags = [f for f in str(row.get("flags") or "").split("|") if f and f != "pii_masked"]
    return {
        "id": str(row.get("id")),
        "text": masked or "(빈 텍스트)",
        "product": None if pd.isna(row.get("product_id")) else str(row.get("product_id")),
        "date": "" if pd.isna(created) else f"{created:%Y-%m-%d}",
        "sentiment": None if pd.isna(sentiment) else str(sentiment),
        "sentiment_ko": "" if pd.isna(sentiment) else SENTIMENT_KO.get(str(sentiment), str(sentiment)),
        "score": None if pd.isna(row.get("sentiment_score")) else _signed(row.get("sentiment_score")),
        "intent_ko": "" if pd.isna(intent) or intent == "none" else INTENT_KO.get(str(intent), str(intent)),
        "rating": None if pd.isna(row.get("rating")) else f"{float(row.get('rating')):g}",
        "topic": None if pd.isna(topic) or int(topic) < 0 else topic_labels.get(int(topic)),
        "topic_id": None if pd.isna(topic) or int(topic) < 0 else int(topic),
        "flags": [FLAG_KO.get(f, f) for f in flags],
        "reason": reason,
    }


def _clean_first(rows: pd.DataFrame) -> pd.DataFrame:
    """Prefer rows a reader can use: not empty, not a duplicate, not non-Korean (kept last as fallback)."""
    bad = rows["flags"].astype("string").str.contains(r"(?:^|\|)(?:empty|duplicate|non_korean)(?:\||$)", regex=True, na=False)
    return pd.concat([rows[~bad], rows[bad]])


def _sample_reviews(
    rows: pd.DataFrame, k: int, order: Literal["negative", "positive", "recent", "prob"], topic_labels: dict[int, str]
) -> list[dict]:
    if not len(rows):
        return []
    if order == "negative":
        rows = rows.sort_values(["sentiment_score", "created_at"], ascending=[True, False], na_position="last")
    elif order == "positive":
        rows = rows.sort_values(["sentiment_score", "created_at"], ascending=[False, False], na_position="last")
    elif order == "prob":
        rows = rows.sort_values(["topic_prob", "created_at"], ascending=[False, False], na_position="last")
    else:
        rows = rows.sort_values("created_at", ascending=False, na_position="last")
    # only the best few candidates matter: flagged rows and repeated texts are skipped among them
    rows = _clean_first(rows.head(10 * k + 20)).drop_duplicates("text")
    return [_review(r, topic_labels) for _, r in rows.head(k).iterrows()]


# --------------------------------------------------------------------------- sections


def _topic_table(
    d: pd.DataFrame, topics: pd.DataFrame, intents: list[str], periods: _Periods | None, per: pd.Series
) -> list[dict]:
    if "topic" not in topics.columns:
        raise InputError(
            f"{TOPICS_FILE} has no 'topic' column (it has {list(topics.columns)}); expected the output of `nlp topics`"
        )
    t = topics.copy()
    t["topic"] = pd.to_numeric(t["topic"], errors="coerce").astype("Int64")
    t = t.dropna(subset=["topic"]).drop_duplicates("topic")
    computed = _summarise(d[d["topic"].notna()], "topic", intents)
    total_docs = int(d["topic"].notna().sum()) or 1
    rows = []
    by_period = None
    if periods is not None and len(periods.starts) >= 2:
        dd = d.assign(_period=per)[per.notna() & d["topic"].notna()]
        counts = dd.groupby(["_period", "topic"]).size().unstack(fill_value=0)
        totals = dd.groupby("_period").size()  # as trends' topic_<k>_share: of the rows with a topic (outliers included)
        shares = counts.div(totals.reindex(counts.index), axis=0).reindex(periods.starts).fillna(0.0)
        means = dd.groupby(["_period", "topic"])["sentiment_score"].mean().unstack().reindex(periods.starts)
        negs = dd.groupby(["_period", "topic"])["_s_negative"].mean().unstack().reindex(periods.starts)
        by_period = (shares, means, negs, counts.reindex(periods.starts).fillna(0))
    for _, tr in t.iterrows():
        k = int(tr["topic"])
        c = computed.loc[k] if k in computed.index else None

        def pick(col: str, comp: str, tr=tr, c=c) -> float:
            v = tr.get(col) if col in tr.index else None
            if v is None or pd.isna(v):
                v = c[comp] if c is not None else np.nan
            return float(v) if v is not None and not pd.isna(v) else np.nan

        size = pick("size", "n")
        label = (
            str(tr.get("label"))
            if "label" in tr.index and not pd.isna(tr.get("label")) and str(tr.get("label")).strip()
            else f"토픽 {k}"
        )
        share_neg = pick("share_negative", "share_negative")
        share_pos = pick("share_positive", "share_positive")
        row = {
            "topic": k,
            "anchor": f"topic-{k}" if k >= 0 else "topic-outliers",
            "label": label if k >= 0 else "기타 (이상치)",
            "keywords": [str(w) for w in _as_list(tr.get("keywords"))][:10],
            "size": int(size) if not pd.isna(size) else 0,
            "doc_share": (size / total_docs) if not pd.isna(size) else np.nan,
            "sentiment_mean": pick("sentiment_mean", "sentiment_mean"),
            "share_negative": share_neg,
            "share_positive": share_pos,
            "intents": {lab: pick(f"intent_{lab}", f"intent_{lab}_rate") for lab in intents if lab != "none"},
            "representative_ids": [str(x) for x in _as_list(tr.get("representative_ids"))],
            "outlier": k < 0,
        }
        neu = 1.0 - (0 if pd.isna(share_neg) else share_neg) - (0 if pd.isna(share_pos) else share_pos)
        row["bar"] = svg.stacked_bar(
            [
                ("부정", share_neg, svg.COLORS["negative"]),
                ("중립", max(neu, 0.0), svg.COLORS["neutral"]),
                ("긍정", share_pos, svg.COLORS["positive"]),
            ],
            label=label,
        )
        row["change"] = None
        row["spark"] = None
        if by_period is not None:
            shares, means, negs, counts = by_period
            if k in shares.columns:
                s, m, ng, cn = shares[k], means[k], negs[k], counts[k]
                row["change"] = {
                    "share_last": float(s.iloc[-1]),
                    "share_prev": float(s.iloc[-2]),
                    "share": _delta(s.iloc[-1] - s.iloc[-2], "pp", good="none"),
                    "sentiment_last": m.iloc[-1],
                    "sentiment_prev": m.iloc[-2],
                    "sentiment": _delta(m.iloc[-1] - m.iloc[-2], "score", good="up"),
                    "negative": _delta(ng.iloc[-1] - ng.iloc[-2], "pp", good="down"),
                    "n_last": int(cn.iloc[-1]),
                    "n_prev": int(cn.iloc[-2]),
                }
                row["spark"] = svg.sparkline(list(s.values), label=f"{label} 비중 추이")
        rows.append(row)
    rows.sort(key=lambda r: (r["outlier"], -r["size"]))
    return rows


def _topic_ids(value: Any) -> list[int]:
    """Topic ids from trends' ``emerging_topics`` cell (``"3|7"``; empty, NA or a list also accepted)."""
    if not isinstance(value, (list, tuple, np.ndarray)):
        value = "" if value is None or pd.isna(value) else str(value).replace("|", ",")
    ids = [str(k).strip() for k in _as_list(value)]
    return [int(k) for k in ids if k.isdigit()]


def _topic_series(uid: str) -> int | None:
    """The topic of a per-topic trend series (``topic_3`` → 3), else None."""
    head, _, k = uid.partition("_")
    return int(k) if head == "topic" and k.lstrip("-").isdigit() else None


def _rule_features(d: pd.DataFrame, freq: PeriodFreq, opts: ReportOptions) -> pd.DataFrame:
    """Trend features of the report's own rows, for the alerts when no trends table is given.

    One series for all products together and, when there are several, one per product,
    built by :func:`nlp.trends.build_features`: the flags follow the anomaly rule of
    ``nlp trends`` exactly (:mod:`nlp.trends.anomaly`), partial periods included.
    """
    from nlp.trends.features import build_features

    dated = d[d["created_at"].notna()]
    rows = pd.DataFrame(
        {
            "id": dated["id"].to_numpy(),
            "product_id": _ALL_SERIES,
            "created_at": dated["created_at"].to_numpy(),
            "sentiment": dated["sentiment"].to_numpy(),
            "sentiment_score": dated["sentiment_score"].to_numpy(),
            "intent": dated["intent"].where(dated["intent"].isin(INTENT_LABELS)).to_numpy(),  # labels beyond the set: unscored
        }
    )
    if dated["product_id"].notna().any() and dated["product_id"].nunique() > 1:
        rows = pd.concat([rows, rows.assign(product_id=dated["product_id"].astype(str).to_numpy())], ignore_index=True)
    topics = d.loc[d["topic"].notna(), ["id", "topic"]]
    return build_features(
        rows,
        freq,
        doc_topics=topics if len(topics) else None,
        min_volume=opts.min_volume,
        tz=opts.tz,
        data_end=dated["created_at"].max(),
    )


def _anomalies(
    d: pd.DataFrame,
    per: pd.Series,
    periods: _Periods | None,
    trends: pd.DataFrame | None,
    opts: ReportOptions,
    topic_labels: dict[int, str],
) -> tuple[list[dict], str]:
    """Spikes with the reviews behind them: the trends table's flags, or the same rule run on the rows."""
    if periods is None:
        return [], "none"
    dd = d.assign(_period=per)[per.notna()]
    products = set(dd["product_id"].dropna().astype(str)) if d["product_id"].notna().any() else set()
    found: list[dict] = []
    if trends is not None and any(c.startswith("anomaly_") for c in trends.columns):
        source, flagged = "trends", trends
        trend_freq: PeriodFreq = trends.attrs.get("freq", periods.freq)
    else:
        source, flagged, trend_freq = "rule", _rule_features(d, periods.freq, opts), periods.freq
    flag_cols = [c for c in flagged.columns if c.startswith("anomaly_")]
    hits = flagged[flagged[flag_cols].any(axis=1)] if flag_cols else flagged.iloc[0:0]
    dated = d[d["created_at"].notna()]
    for _, tr in hits.iterrows():
        uid = str(tr["unique_id"])
        kinds = [c[len("anomaly_") :] for c in flag_cols if tr[c]]
        begin = pd.Timestamp(tr["ds"])
        rows = dated[(dated["created_at"] >= begin) & (dated["created_at"] < period_end(begin, trend_freq))]
        topic_id = _topic_series(uid)
        if uid in products:
            scope, rows = uid, rows[rows["product_id"] == uid]
        elif topic_id is not None:  # trends built per topic (unique_id "topic_<k>")
            scope, rows = f"토픽 {topic_labels.get(topic_id, topic_id)}", rows[rows["topic"] == topic_id]
        elif uid.lower() in _TOTAL_IDS:
            scope = ALL_PRODUCTS
        else:  # a series these rows do not have: no reviews to show rather than the wrong ones
            scope, rows = uid, rows.iloc[0:0]
        rising = _topic_ids(tr.get("emerging_topics"))
        if rising and kinds == ["emerging_topic"]:
            rows = rows[rows["topic"].isin(rising)]
        n = tr.get("n_reviews")
        share_negative = tr.get("share_negative", np.nan)
        found.append(
            {
                "scope": scope,
                "period": begin,
                "period_label": _long_label(begin, trend_freq),
                "kinds": kinds,
                "n": int(n) if n is not None and not pd.isna(n) else len(rows),
                "share_negative": rows["_s_negative"].mean() if pd.isna(share_negative) else share_negative,
                "metrics": [
                    f"{name} {_signed(tr.get(k), 1)}"
                    for k, name in (("volume_z", "리뷰량 z"), ("negative_z", "부정 z"), ("sentiment_z", "감성 z"))
                    if not pd.isna(tr.get(k, np.nan))
                ],
                "topics": [{"label": topic_labels.get(k, f"토픽 {k}"), "anchor": f"topic-{k}"} for k in rising],
                "rows": rows,
            }
        )
    out = []
    for a in found:
        negative = "negative_spike" in a["kinds"] or "sentiment_drop" in a["kinds"]
        rows = a.pop("rows")
        a["reviews"] = _sample_reviews(rows, opts.n_examples + 2, "negative" if negative else "recent", topic_labels)
        topic_counts = rows[rows["topic"].notna() & (rows["topic"] >= 0)]
        if negative:
            topic_counts = topic_counts[topic_counts["sentiment"] == "negative"]
        tc = topic_counts["topic"].value_counts()
        a["top_topic"] = (
            {
                "label": topic_labels.get(int(tc.index[0]), f"토픽 {int(tc.index[0])}"),
                "anchor": f"topic-{int(tc.index[0])}",
                "n": int(tc.iloc[0]),
            }
            if len(tc)
            else None
        )
        a.setdefault("period_label", periods.long_label(pd.Timestamp(a["period"])))
        a["kinds_ko"] = [ANOMALY_KO.get(k, k) for k in a["kinds"]]
        a["negative"] = negative
        a["topic_rise"] = None
        a["share_negative_text"] = _pct(a["share_negative"])
        out.append(a)
    # newest first; within a period, product alerts (more specific) before the overall one
    out.sort(key=lambda a: (pd.Timestamp(a["period"]), a["scope"] != ALL_PRODUCTS, a["negative"]), reverse=True)
    return out, source


def _period_series(
    d: pd.DataFrame, per: pd.Series, periods: _Periods, trends: pd.DataFrame | None, intents: list[str]
) -> pd.DataFrame:
    """Overall per-period counts and sentiment: from the trends table when it has them, else from the rows."""
    own = _summarise(d.assign(_period=per)[per.notna()], "_period", intents).reindex(periods.starts)
    own["n"] = own["n"].fillna(0)
    if trends is not None and {"n_reviews", "share_negative", "share_positive", "sentiment_mean"} <= set(trends.columns):
        t = (
            trends[trends["unique_id"].isin(set(d["product_id"].dropna().astype(str)))]
            if d["product_id"].notna().any()
            else trends
        )
        if len(t):
            w = pd.to_numeric(t["n_reviews"], errors="coerce").fillna(0)
            agg = pd.DataFrame({"ds": t["ds"], "n": w})
            for col in ("share_negative", "share_positive", "sentiment_mean"):
                agg[col] = pd.to_numeric(t[col], errors="coerce") * w
            g = agg.groupby("ds").sum()
            for col in ("share_negative", "share_positive", "sentiment_mean"):
                g[col] = g[col] / g["n"].where(g["n"] > 0)
            g = g.reindex(periods.starts)
            own = own.copy()
            for col in ("n", "share_negative", "share_positive", "sentiment_mean"):
                own[col] = g[col].where(g[col].notna(), own[col])
            own["share_neutral"] = (1 - own["share_negative"] - own["share_positive"]).clip(lower=0)
    return own


def _time_charts(
    series: pd.DataFrame, d: pd.DataFrame, per: pd.Series, periods: _Periods, intents: list[str], products: list[str]
) -> dict:
    labels = [periods.label(p) for p in periods.starts]
    n = series["n"].fillna(0)
    stacks = [
        svg.Series("부정", list(n * series["share_negative"].fillna(0)), svg.COLORS["negative"]),
        svg.Series("중립", list(n * series["share_neutral"].fillna(0)), svg.COLORS["neutral"]),
        svg.Series("긍정", list(n * series["share_positive"].fillna(0)), svg.COLORS["positive"]),
    ]
    tips = [
        f"{periods.long_label(p)}: 리뷰 {int(series.loc[p, 'n'])}건 · 부정 {_pct(series.loc[p, 'share_negative'])} · "
        f"긍정 {_pct(series.loc[p, 'share_positive'])} · 평균 감성 {_signed(series.loc[p, 'sentiment_mean'])}"
        for p in periods.starts
    ]
    main = svg.bar_line_chart(
        labels,
        stacks,
        svg.Series("평균 감성 (오른쪽 축)", list(series["sentiment_mean"]), svg.COLORS["line"]),
        title=f"{periods.name_ko}별 리뷰 수와 평균 감성",
        bar_tooltips=tips,
        left_axis="리뷰 수",
        right_axis="감성",
    )
    charts = {"main": main, "products": None}
    if len(products) > 1:
        dd = d.assign(_period=per)[per.notna()]
        means = dd.groupby(["_period", "product_id"])["sentiment_score"].mean().unstack().reindex(periods.starts)
        palette = svg.COLORS["palette"]
        lines = [
            svg.Series(p, list(means[p]) if p in means.columns else [], palette[i % len(palette)])
            for i, p in enumerate(products[:6])
        ]
        charts["products"] = svg.line_chart(labels, lines, title=f"제품별 {periods.name_ko}간 평균 감성")
    return charts


def _products(
    d: pd.DataFrame,
    per: pd.Series,
    periods: _Periods | None,
    intents: list[str],
    topic_labels: dict[int, str],
    opts: ReportOptions,
) -> list[dict]:
    if not d["product_id"].notna().any():
        return []
    s = _summarise(d, "product_id", intents).sort_values("n", ascending=False)
    last_prev = None
    if periods is not None and len(periods.starts) >= 2:
        dd = d.assign(_period=per)
        last = dd[dd["_period"] == periods.starts[-1]].groupby("product_id")["sentiment_score"].mean()
        prev = dd[dd["_period"] == periods.starts[-2]].groupby("product_id")["sentiment_score"].mean()
        last_prev = (last, prev)
    out = []
    shown = s.head(opts.max_products)
    groups = dict(list(d[d["product_id"].isin(shown.index)].groupby("product_id")))
    for i, (pid, r) in enumerate(shown.iterrows()):
        rows = groups[pid]
        tc = rows.loc[rows["topic"].notna() & (rows["topic"] >= 0), "topic"].value_counts()
        neg_tc = rows.loc[
            rows["topic"].notna() & (rows["topic"] >= 0) & (rows["sentiment"] == "negative"), "topic"
        ].value_counts()
        ti = _top_intent(r, intents)
        change = None
        if last_prev is not None:
            last, prev = last_prev
            change = _delta(last.get(pid, np.nan) - prev.get(pid, np.nan), "score", good="up")
        out.append(
            {
                "anchor": f"product-{i}",
                "product": str(pid),
                "n": int(r["n"]),
                "share_positive": _pct(r["share_positive"]),
                "share_negative": _pct(r["share_negative"]),
                "sentiment_mean": _signed(r["sentiment_mean"]),
                "sentiment_value": float(r["sentiment_mean"]),
                "net_advocacy": _points(r["net_advocacy"]),
                "rating_mean": None if pd.isna(r["rating_mean"]) else f"{r['rating_mean']:.2f}",
                "bar": svg.stacked_bar(
                    [
                        ("부정", r["share_negative"], svg.COLORS["negative"]),
                        ("중립", r["share_neutral"], svg.COLORS["neutral"]),
                        ("긍정", r["share_positive"], svg.COLORS["positive"]),
                    ],
                    label=str(pid),
                ),
                "top_topic": {
                    "label": topic_labels.get(int(tc.index[0]), f"토픽 {int(tc.index[0])}"),
                    "anchor": f"topic-{int(tc.index[0])}",
                    "n": int(tc.iloc[0]),
                }
                if len(tc)
                else None,
                "top_negative_topic": {
                    "label": topic_labels.get(int(neg_tc.index[0]), f"토픽 {int(neg_tc.index[0])}"),
                    "anchor": f"topic-{int(neg_tc.index[0])}",
                    "n": int(neg_tc.iloc[0]),
                }
                if len(neg_tc)
                else None,
                "top_intent": None if ti is None else {"label": INTENT_KO.get(ti[0], ti[0]), "rate": _pct(ti[1])},
                "change": change,
                "negative_reviews": _sample_reviews(rows[rows["sentiment"] == "negative"], 2, "negative", topic_labels),
                "positive_reviews": _sample_reviews(rows[rows["sentiment"] == "positive"], 2, "positive", topic_labels),
            }
        )
    return out


def _topic_cards(
    d: pd.DataFrame,
    per: pd.Series,
    periods: _Periods | None,
    topic_rows: list[dict],
    opts: ReportOptions,
    topic_labels: dict[int, str],
) -> list[dict]:
    cards = []
    by_id = d.drop_duplicates("id").set_index("id", drop=False)
    for r in [r for r in topic_rows if not r["outlier"]][: opts.max_topics]:
        members = d[d["topic"] == r["topic"]]
        reps = [rid for rid in r["representative_ids"] if rid in by_id.index]
        chosen = by_id.loc[reps] if reps else members.iloc[0:0]
        chosen = _clean_first(chosen).drop_duplicates("text")
        reviews = [_review(row, topic_labels) for _, row in chosen.head(opts.n_examples).iterrows()]
        if len(reviews) < opts.n_examples:
            have = {rv["id"] for rv in reviews}
            reviews += _sample_reviews(members[~members["id"].isin(have)], opts.n_examples - len(reviews), "prob", topic_labels)
        recent = []
        if periods is not None:
            last_rows = members[per.reindex(members.index) == periods.starts[-1]]
            recent = _sample_reviews(last_rows, opts.n_examples, "negative", topic_labels)
        ints = sorted(
            ((INTENT_KO.get(k, k), v) for k, v in r["intents"].items() if not pd.isna(v) and v > 0), key=lambda kv: -kv[1]
        )
        cards.append({**r, "reviews": reviews, "recent": recent, "top_intents": [(k, _pct(v)) for k, v in ints[:3]]})
    return cards


def _findings(topic_rows: list[dict], anomalies: list[dict], products: list[dict]) -> list[dict]:
    """A few plain sentences for the top of the report, each linking to its evidence."""
    out = []
    main = [r for r in topic_rows if not r["outlier"] and r["size"] > 0]
    if main:
        big = main[0]
        out.append(
            {
                "text": f"가장 많이 언급된 토픽은 ‘{big['label']}’ ({big['size']:,}건, {_pct(big['doc_share'])})입니다.",
                "href": f"#{big['anchor']}",
            }
        )
        neg = [r for r in main if not pd.isna(r["share_negative"]) and r["size"] >= 3]
        if neg:
            worst = max(neg, key=lambda r: r["share_negative"])
            if worst["share_negative"] > 0:
                out.append(
                    {
                        "text": f"부정 비율이 가장 높은 토픽은 ‘{worst['label']}’ ({_pct(worst['share_negative'])})입니다.",
                        "href": f"#{worst['anchor']}",
                    }
                )
        risers = [r for r in main if r.get("change") and r["change"]["share"] and r["change"]["share"]["value"] >= 0.05]
        if risers:
            up = max(risers, key=lambda r: r["change"]["share"]["value"])
            out.append(
                {
                    "text": f"직전 기간 대비 ‘{up['label']}’ 언급 비중이 {up['change']['share']['text']} 늘었습니다.",
                    "href": f"#{up['anchor']}",
                }
            )
    if anomalies:
        first = anomalies[0]
        out.append(
            {
                "text": f"급증 알림 {len(anomalies)}건 — 최근: {first['scope']} · {first['period_label']} ({', '.join(first['kinds_ko'])}).",
                "href": "#alerts",
            }
        )
    if len(products) > 1:
        scored = [p for p in products if not pd.isna(p["sentiment_value"])]
        if scored:
            low = min(scored, key=lambda p: p["sentiment_value"])
            out.append(
                {
                    "text": f"평균 감성이 가장 낮은 제품은 ‘{low['product']}’ ({low['sentiment_mean']})입니다.",
                    "href": f"#{low['anchor']}",
                }
            )
    return out


# --------------------------------------------------------------------------- entry points


def build_report(
    scored: pd.DataFrame,
    doc_topics: pd.DataFrame,
    topics: pd.DataFrame,
    trends: pd.DataFrame | None = None,
    *,
    columns: ColumnMap | None = None,
    options: ReportOptions | None = None,
    **option_overrides: Any,
) -> str:
    """The CX report as one self-contained HTML string (no scripts, no external resources).

    Args:
        scored: the output of ``nlp score`` (``id``, ``text``, ``sentiment``, ``sentiment_score``,
            ``intent``, ``flags`` ...; product, time and rating columns used when present).
        doc_topics: ``id``, ``topic`` (−1 = outlier), ``topic_prob``.
        topics: ``topic``, ``size``, ``label``, ``keywords``, ``representative_ids``, sentiment and intent stats.
        trends: the optional long feature table of ``nlp trends`` (``unique_id``, ``ds``, ``anomaly_*`` ...).
        columns: names of the text/id/product/time/rating columns in ``scored``.
        options: a :class:`ReportOptions`; keyword arguments (``freq="M"``, ``model="..."``) override its fields.

    Returns:
        The HTML document.

    Raises:
        InputError: a required column is missing, or the ids of ``scored`` and ``doc_topics`` do not match.

    Example:
        >>> html = build_report(scored, doc_topics, topics, model="ko-sentiment v1")  # doctest: +SKIP
        >>> "감성 추이" in html  # doctest: +SKIP
        True
    """
    opts = options or ReportOptions()
    if option_overrides:
        unknown = set(option_overrides) - set(ReportOptions.__dataclass_fields__)
        if unknown:
            raise TypeError(
                f"unknown report options {sorted(unknown)}; valid options: {sorted(ReportOptions.__dataclass_fields__)}"
            )
        opts = ReportOptions(**{**opts.__dict__, **option_overrides})
    cmap = columns or ColumnMap()
    d, intents = _prepare(scored, cmap, doc_topics, opts.tz)
    tr = _prepare_trends(trends, opts.tz) if trends is not None else None
    periods, per = _choose_periods(d["created_at"], opts.freq, tr)

    topic_rows = _topic_table(d, topics, intents, periods, per)
    topic_labels = {r["topic"]: r["label"] for r in topic_rows}
    head_row = _summarise(d, None, intents).iloc[0] if len(d) else None
    has_products = bool(d["product_id"].notna().any())
    products_order = list(d["product_id"].value_counts().index.astype(str)) if has_products else []

    charts, series = None, None
    if periods is not None:
        series = _period_series(d, per, periods, tr, intents)
        charts = _time_charts(series, d, per, periods, intents, products_order)

    headline = _headline(d, head_row, series, intents, periods)
    anomalies, anomaly_source = _anomalies(d, per, periods, tr, opts, topic_labels)
    products = _products(d, per, periods, intents, topic_labels, opts)
    cards = _topic_cards(d, per, periods, topic_rows, opts, topic_labels)
    flags = d["flags"].astype("string").fillna("").str.split("|").explode()
    flag_counts = {FLAG_KO.get(f, f): int(n) for f, n in flags[flags != ""].value_counts().items()}

    context = {
        "opts": opts,
        "title": opts.title,
        "headline": headline,
        "findings": _findings(topic_rows, anomalies, products),
        "periods": periods,
        "period_name": periods.name_ko if periods else "",
        "last_period": periods.long_label(periods.starts[-1]) if periods else "",
        "prev_period": periods.long_label(periods.starts[-2]) if periods and len(periods.starts) >= 2 else "",
        "charts": charts,
        "topic_rows": topic_rows,
        "intent_cols": [(lab, INTENT_KO.get(lab, lab)) for lab in intents if lab != "none"],
        "cards": cards,
        "anomalies": anomalies[:12],
        "n_anomalies": len(anomalies),
        "anomaly_source": anomaly_source,
        "min_volume": opts.min_volume,
        "rule": AnomalyRule(min_volume=opts.min_volume),
        "products": products,
        "n_products": len(products_order),
        "footer": {
            "version": _version(),
            "generated_at": (opts.generated_at or _dt.datetime.now()).strftime("%Y-%m-%d %H:%M"),
            "model": opts.model,
            "n_rows": len(d),
            "n_topic_rows": int(d["topic"].notna().sum()),
            "n_outliers": int((d["topic"] == -1).sum()),
            "n_no_date": int(d["created_at"].isna().sum()),
            "n_trend_rows": None if tr is None else len(tr),
            "flags": flag_counts,
            "source": opts.source,
        },
        "sentiment_colors": svg.COLORS,
    }
    return _render(context)


def _headline(
    d: pd.DataFrame, row: pd.Series | None, series: pd.DataFrame | None, intents: list[str], periods: _Periods | None
) -> dict:
    changes = dict.fromkeys(("share_positive", "share_negative", "sentiment_mean", "net_advocacy", "n"))
    if row is None:
        empty = dict.fromkeys(
            ("share_positive", "share_negative", "sentiment_mean", "net_advocacy", "top_intent", "rating_mean", "start", "end")
        )
        return {**empty, "n": 0, "n_scored": 0, "n_periods": 0, "partial_last": False, "changes": changes}
    ti = _top_intent(row, intents)
    dates = d["created_at"].dropna()
    h = {
        "n": int(row["n"]),
        "n_scored": int(row["n_scored"]),
        "share_positive": _pct(row["share_positive"]),
        "share_negative": _pct(row["share_negative"]),
        "sentiment_mean": _signed(row["sentiment_mean"]),
        "net_advocacy": _points(row["net_advocacy"]),
        "top_intent": None if ti is None else {"label": INTENT_KO.get(ti[0], ti[0]), "code": ti[0], "rate": _pct(ti[1])},
        "rating_mean": None if pd.isna(row["rating_mean"]) else f"{row['rating_mean']:.2f}",
        "start": f"{dates.min():%Y-%m-%d}" if len(dates) else None,
        "end": f"{dates.max():%Y-%m-%d}" if len(dates) else None,
        "n_periods": len(periods.starts) if periods else 0,
        "partial_last": bool(periods and periods.partial_last),
        "changes": changes,
    }
    if series is not None and len(series) >= 2:
        last, prev = series.iloc[-1], series.iloc[-2]
        h["changes"] = {
            "share_positive": _delta(last["share_positive"] - prev["share_positive"], "pp", "up"),
            "share_negative": _delta(last["share_negative"] - prev["share_negative"], "pp", "down"),
            "sentiment_mean": _delta(last["sentiment_mean"] - prev["sentiment_mean"], "score", "up"),
            "net_advocacy": _delta(last.get("net_advocacy", np.nan) - prev.get("net_advocacy", np.nan), "pp", "up"),
            "n": _delta((last["n"] - prev["n"]) / prev["n"] if prev["n"] else np.nan, "rel", "none"),
        }
    return h


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("nlp-insight")
    except Exception:  # not installed (running from a source tree)
        return "dev"


def _render(context: dict) -> str:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
    from markupsafe import Markup

    env = Environment(
        loader=PackageLoader("nlp.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["svg"] = Markup  # chart markup is built (and its text escaped) by nlp.report.svg
    env.filters["pct"] = _pct
    env.filters["signed"] = _signed
    return env.get_template(TEMPLATE).render(**context)


def _read(obj: pd.DataFrame | str | os.PathLike, what: str) -> pd.DataFrame:
    if isinstance(obj, pd.DataFrame):
        return obj
    p = Path(obj)
    if not p.exists():
        raise InputError(f"{what} file {p} does not exist; check the path")
    return read_table(p)


@locks_output("output")
def write_report(
    output: str | os.PathLike,
    scored: pd.DataFrame | str | os.PathLike,
    topics: str | os.PathLike | tuple[pd.DataFrame, pd.DataFrame],
    trends: pd.DataFrame | str | os.PathLike | None = None,
    *,
    columns: ColumnMap | None = None,
    options: ReportOptions | None = None,
    **option_overrides: Any,
) -> Path:
    """Build the report from files (or frames) and write it atomically to ``output``.

    Args:
        output: the ``.html`` file to write.
        scored: the scored table (a path in any supported format, or a frame).
        topics: the ``nlp topics`` output directory, or ``(doc_topics, topics)`` frames.
        trends: the optional trends table (path or frame).
        columns: column names in ``scored``.
        options: report options; keyword arguments override its fields.

    Returns:
        The path written.

    Example:
        >>> write_report("out/report.html", "out/scored.parquet", "out/topics")  # doctest: +SKIP
        PosixPath('out/report.html')
    """
    out = Path(output)
    if out.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"the report is an HTML file: name the output *.html (got {out.name})")
    doc_topics, topic_table = topics if isinstance(topics, tuple) else load_topic_tables(topics)
    frame = _read(scored, "scored")
    trend_frame = _read(trends, "trends") if trends is not None else None
    source = {"scored": str(scored) if not isinstance(scored, pd.DataFrame) else "(frame)"}
    if not isinstance(topics, tuple):
        source["topics"] = str(topics)
    if trends is not None and not isinstance(trends, pd.DataFrame):
        source["trends"] = str(trends)
    opts = options or ReportOptions()
    if not opts.source:
        option_overrides.setdefault("source", source)
    html = build_report(frame, doc_topics, topic_table, trend_frame, columns=columns, options=opts, **option_overrides)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, html)
    logger.info("report: %d rows, %d KB → %s", len(frame), len(html.encode("utf-8")) // 1024, out)
    return out
