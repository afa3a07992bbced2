"""Data preparation: the stage outputs the report reads, under canonical names, and their periods.

The report reads only the *outputs* of earlier stages: the scored table (``nlp score``), the
aspect mentions (``nlp aspects``), the topics directory's tables (``nlp topics``) and the
trends table (``nlp trends``), never their internals. This module checks them, renames the
user's columns to canonical ones, joins aspect mentions and topics to their reviews by id,
and puts every row in a period with :mod:`nlp.periods` (as topics and trends do), marking
which periods the data cover to their end (:func:`nlp.periods.period_complete`).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from nlp.aspects.aggregate import POLARITY_SIGN
from nlp.io.columns import ColumnMap
from nlp.io.tables import InputError
from nlp.periods import START_FREQ, auto_freq, parse_times, period_complete, period_end, period_start
from nlp.report.examples import Examples, FrameExamples, Pick, bad_rows
from nlp.schema import DOC_TOPICS_FILE, INTENT_LABELS, SENTIMENT_LABELS, TOPICS_FILE

logger = logging.getLogger(__name__)

__all__ = ["ReportData", "Periods", "prepare", "assemble", "choose_periods", "read_trends", "canonical_rows", "canonical_aspects", "indicators",
           "REVIEW_KEYS", "MENTION_KEYS", "review_sums", "mention_sums", "weighted_rows", "weighted_mentions", "as_list", "NO_PRODUCT", "add_weights", "total", "wsum", "wcount", "wcounts"]

PeriodFreq = Literal["D", "W", "M"]
NO_PRODUCT = "(미지정)"
"""The product name of rows without one, when the table has a product column."""

ASPECT_POLARITIES = SENTIMENT_LABELS  # an aspect mention's polarity takes the sentiment labels


def as_list(value: Any) -> list:
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


# --------------------------------------------------------------------------- periods


def _long_label(ts: pd.Timestamp, f: PeriodFreq) -> str:
    if f == "M":
        return f"{ts.year}년 {ts.month}월"
    if f == "D":
        return f"{ts:%Y-%m-%d}"
    return f"{ts:%Y-%m-%d}~{ts + pd.Timedelta(days=6):%m-%d} 주"


@dataclass
class Periods:
    """The report's periods: their starts, which are complete, and their names.

    Attributes:
        freq: ``D``, ``W`` or ``M``.
        starts: every period start from the first dated review to the last, in order.
        complete: per start, whether the data cover the period to its end.
        data_end: the latest date in the data (what completeness is judged against).
    """

    freq: PeriodFreq
    starts: list[pd.Timestamp]
    complete: list[bool]
    data_end: pd.Timestamp | None = None

    @property
    def partial_last(self) -> bool:
        """The data stop before the end of the last period."""
        return bool(self.starts) and not self.complete[-1]

    @property
    def complete_idx(self) -> list[int]:
        return [i for i, c in enumerate(self.complete) if c]

    @property
    def last_complete(self) -> int | None:
        """Index of the last complete period (``None`` when none is)."""
        done = self.complete_idx
        return done[-1] if done else None

    def baseline(self, i: int, window: int) -> list[int]:
        """The complete periods before period ``i`` that form its baseline: at most ``window``, the latest."""
        return [j for j in range(max(0, i - window), i) if self.complete[j]]

    def label(self, ts: pd.Timestamp) -> str:
        return ts.strftime("%Y-%m") if self.freq == "M" else ts.strftime("%m-%d")

    def long_label(self, ts: pd.Timestamp) -> str:
        return _long_label(ts, self.freq)

    def code(self, ts: pd.Timestamp) -> str:
        """A machine-readable period name: ``2024-03`` (month), ``2024-W11`` (ISO week), ``2024-03-12`` (day)."""
        if self.freq == "M":
            return f"{ts:%Y-%m}"
        if self.freq == "W":
            iso = ts.isocalendar()
            return f"{iso.year}-W{iso.week:02d}"
        return f"{ts:%Y-%m-%d}"

    def last_day(self, ts: pd.Timestamp) -> pd.Timestamp:
        return period_end(ts, self.freq) - pd.Timedelta(days=1)

    @property
    def name_ko(self) -> str:
        return {"M": "월", "W": "주", "D": "일"}[self.freq]

    def assign(self, dates: pd.Series) -> pd.Series:
        """Each date's period start (NaT for missing dates and dates outside the periods)."""
        if not self.starts:
            return pd.Series(pd.NaT, index=dates.index, dtype="datetime64[ns]")
        grid = np.array(self.starts, dtype="datetime64[ns]")
        x = dates.to_numpy(dtype="datetime64[ns]")
        idx = np.searchsorted(grid, x, side="right") - 1
        after = np.datetime64(period_end(self.starts[-1], self.freq).to_datetime64())
        ok = (idx >= 0) & ~np.isnat(x) & (x < after)
        out = np.full(len(x), np.datetime64("NaT"), dtype="datetime64[ns]")
        out[ok] = grid[idx[ok]]
        return pd.Series(out, index=dates.index)


def _trend_freq(ds: Sequence[pd.Timestamp]) -> PeriodFreq:
    """The period of a trends table from the spacing of its ``ds`` (daily, weekly or monthly)."""
    gaps = np.diff(np.array(sorted(set(ds)), dtype="datetime64[ns]")).astype("timedelta64[D]").astype(int)
    if not len(gaps):
        return "W"
    step = int(gaps.min())
    return "D" if step <= 1 else ("M" if step >= 27 else "W")


def choose_periods(dates: pd.Series, freq: str, trends: pd.DataFrame | None) -> Periods | None:
    """Period starts for the charts and findings: the trends table's own when it has the asked period."""
    valid = dates.dropna()
    if not len(valid):
        return None
    end = valid.max()
    if trends is not None and len(trends):
        trend_freq: PeriodFreq = trends.attrs["freq"]
        if freq in ("auto", trend_freq):
            # the trends table's periods, so the flags and the charts line up; rows before the first
            # trend period (or after the last) still get periods of their own
            starts = sorted({pd.Timestamp(x) for x in trends["ds"].dropna().unique()})
            after = period_end(starts[-1], trend_freq)
            own = [pd.Timestamp(x) for x in period_start(valid, trend_freq).unique()]
            starts = sorted(set(starts) | {x for x in own if x < starts[0] or x >= after})
            starts = [s for s in starts if s <= end]  # periods after the data (a lagged table) have no rows
            return Periods(trend_freq, starts, list(period_complete(starts, trend_freq, end)), end)
        logger.info("the trends table is by %s but freq=%s was asked: periods computed from the rows", trend_freq, freq)
    f: PeriodFreq = freq if freq in ("W", "M") else auto_freq(valid)
    per = period_start(valid, f)
    starts = list(pd.date_range(per.min(), per.max(), freq=START_FREQ[f]))
    return Periods(f, starts, list(period_complete(starts, f, end)), end)


# --------------------------------------------------------------------------- inputs


def _scored_rows(scored: pd.DataFrame, columns: ColumnMap, tz: str) -> tuple[pd.DataFrame, list[str]]:
    """The scored rows under canonical names, with 0/1 indicator columns for the shares."""
    d = canonical_rows(scored, columns, tz)
    labels = indicators(d, [c for c in scored.columns if c.startswith("intent_")], has_intent="intent" in scored.columns)
    add_weights(d)
    d["_bad"] = bad_rows(d["flags"])  # quoted last (nlp.report.examples); computed once, not per pick
    return d, labels


def canonical_rows(scored: pd.DataFrame, columns: ColumnMap, tz: str, *, need_text: bool = True) -> pd.DataFrame:
    """The scored table's columns the report reads, under canonical names: ``id``, ``text``,
    ``product_id``, ``created_at`` (parsed, in ``tz``), ``rating``, ``sentiment`` (a known label or
    missing), ``sentiment_score``, ``intent`` and ``flags``.

    Raises:
        InputError: the id or text column (``need_text``), or every sentiment column, is missing.
    """
    columns.validate(list(scored.columns), source="the scored table", need=("text", "id") if need_text else ("id",))
    if "sentiment" not in scored.columns and "sentiment_score" not in scored.columns:
        raise InputError(
            f"the scored table has no 'sentiment' or 'sentiment_score' column (it has {list(scored.columns)[:20]}); "
            "run `nlp score INPUT -o SCORED` first and pass its output"
        )
    d = pd.DataFrame(index=pd.RangeIndex(len(scored)))
    src = scored.reset_index(drop=True)
    d["id"] = src[columns.id].astype("string").fillna("")
    d["text"] = src[columns.text].astype("string").fillna("") if columns.text in src.columns else ""
    d["product_id"] = src[columns.product].astype("string").fillna(NO_PRODUCT) if columns.product in src.columns else pd.NA
    d["created_at"] = parse_times(src[columns.time], tz) if columns.time in src.columns else pd.NaT
    d["rating"] = pd.to_numeric(src[columns.rating], errors="coerce") if columns.rating in src.columns else np.nan
    sent = (
        src["sentiment"].astype("string").str.strip().str.lower()
        if "sentiment" in src.columns
        else pd.Series(pd.NA, index=d.index, dtype="string")
    )
    d["sentiment"] = sent.where(sent.isin(SENTIMENT_LABELS))
    if "sentiment_score" in src.columns:
        d["sentiment_score"] = pd.to_numeric(src["sentiment_score"], errors="coerce").astype(float)
    else:
        d["sentiment_score"] = d["sentiment"].map({"negative": -1.0, "neutral": 0.0, "positive": 1.0}).astype(float)
    d["intent"] = src["intent"].astype("string").str.strip().str.lower() if "intent" in src.columns else pd.Series(pd.NA, index=d.index, dtype="string")
    d["flags"] = src["flags"].astype("string").fillna("") if "flags" in src.columns else ""
    return d


def indicators(d: pd.DataFrame, intent_columns: list[str], *, has_intent: bool) -> list[str]:
    """Add the 0/1 indicators the shares sum (``_s_<sentiment>``, ``_i_<intent>``) to canonical rows,
    in place; returns the intent labels: the known ones, then others seen (in ``intent`` or as
    ``intent_<label>`` columns of the scored table), none without an ``intent`` column."""
    labelled = d["sentiment"].notna()
    for label in SENTIMENT_LABELS:
        d[f"_s_{label}"] = (d["sentiment"] == label).astype(float).where(labelled)
    if not has_intent:
        return []
    labels = list(INTENT_LABELS)
    extra = sorted({c[len("intent_") :] for c in intent_columns} - set(labels) - {""})
    intent = d["intent"]
    extra += sorted(set(intent.dropna().unique()) - set(labels) - set(extra))
    labels += extra
    for label in labels:
        d[f"_i_{label}"] = (intent == label).astype(float).where(intent.notna())
    return labels


def add_weights(d: pd.DataFrame) -> pd.DataFrame:
    """Give rows of one review each the weight columns every figure sums (in place): ``_row`` (table
    order), ``_w`` (reviews: 1), ``_sn``, ``_ssum``, ``_ssq`` (reviews with a score, sum of scores and
    of their squares)."""
    score = d["sentiment_score"].to_numpy(dtype=float)
    has = ~np.isnan(score)
    d["_row"] = np.arange(len(d), dtype=np.int64)
    d["_w"] = 1.0
    d["_sn"] = has.astype(float)
    d["_ssum"] = np.where(has, score, 0.0)
    d["_ssq"] = np.where(has, score * score, 0.0)
    return d


# --------------------------------------------------------------------------- aggregated rows

REVIEW_KEYS = ["product_id", "created_at", "rating", "sentiment", "intent", "flags", "topic", "_has_aspect", "_neg_aspect"]
"""What a group of reviews agrees on (``created_at`` is the day): everything the report's figures read."""
REVIEW_SUMS = ["_w", "_sn", "_ssum", "_ssq"]
MENTION_KEYS = ["product_id", "created_at", "rating", "aspect", "aspect_label", "domain", "polarity"]
"""What a group of aspect mentions agrees on."""
MENTION_SUMS = ["_w", "_scoresum"]


def signs(polarity: pd.Series) -> pd.Series:
    """Aspect polarities as the signs the figures sum (:data:`nlp.aspects.aggregate.POLARITY_SIGN`)."""
    return polarity.map(POLARITY_SIGN).astype(float)


def _day(b: pd.DataFrame) -> pd.DataFrame:
    return b.assign(created_at=pd.to_datetime(b["created_at"]).dt.floor("D"))


def review_sums(rows: pd.DataFrame) -> pd.DataFrame:
    """Canonical review rows (with ``topic``, ``_has_aspect``, ``_neg_aspect``) summed per :data:`REVIEW_KEYS`.

    Sums of sums are sums, so an engine may sum its partitions with this and then add the
    partitions' results per key; :func:`weighted_rows` turns the total into the report's rows.
    """
    score = rows["sentiment_score"].to_numpy(dtype=float)
    has = ~np.isnan(score)
    b = _day(rows).assign(_w=1.0, _sn=has.astype(float), _ssum=np.where(has, score, 0.0), _ssq=np.where(has, score * score, 0.0))
    return b.groupby(REVIEW_KEYS, dropna=False, sort=False)[REVIEW_SUMS].sum().reset_index()[REVIEW_KEYS + REVIEW_SUMS]


def mention_sums(mentions: pd.DataFrame) -> pd.DataFrame:
    """Aspect mentions (with their review's ``product_id``, ``created_at``, ``rating``) summed per :data:`MENTION_KEYS`."""
    score = mentions["score"].to_numpy(dtype=float)
    b = _day(mentions).assign(_w=1.0, _scoresum=np.where(np.isnan(score), 0.0, score))
    return b.groupby(MENTION_KEYS, dropna=False, sort=False)[MENTION_SUMS].sum().reset_index()[MENTION_KEYS + MENTION_SUMS]


def weighted_rows(sums: pd.DataFrame, *, has_product: bool, intent_columns: list[str], has_intent: bool) -> tuple[pd.DataFrame, list[str]]:
    """The report's rows from :func:`review_sums` totals (one row per group, ``_w`` reviews), and the intent labels."""
    cube = sums.sort_values(REVIEW_KEYS, na_position="last", kind="stable").reset_index(drop=True)
    cube["created_at"] = pd.to_datetime(cube["created_at"])
    cube["product_id"] = cube["product_id"].astype("string").fillna(NO_PRODUCT) if has_product else pd.NA
    cube["topic"] = pd.to_numeric(cube["topic"]).astype("Int64")
    cube["_has_aspect"] = cube["_has_aspect"].astype(bool)
    cube["_neg_aspect"] = cube["_neg_aspect"].astype(bool)
    cube["rating"] = pd.to_numeric(cube["rating"], errors="coerce").astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        cube["sentiment_score"] = (cube["_ssum"] / cube["_sn"].where(cube["_sn"] > 0)).astype(float)
    cube["id"] = ""
    cube["text"] = ""
    cube["_row"] = np.arange(len(cube), dtype=np.int64)
    cube["topic_prob"] = np.nan
    cube["intent"] = cube["intent"].astype("string")
    cube["sentiment"] = cube["sentiment"].astype("string")
    cube["flags"] = cube["flags"].astype("string").fillna("")
    return cube, indicators(cube, intent_columns, has_intent=has_intent)


def weighted_mentions(sums: pd.DataFrame) -> pd.DataFrame:
    """The report's aspect mentions from :func:`mention_sums` totals (one row per group, ``_w`` mentions)."""
    m = sums.sort_values(MENTION_KEYS, na_position="last", kind="stable").reset_index(drop=True)
    m["created_at"] = pd.to_datetime(m["created_at"])
    m["product_id"] = m["product_id"].astype("string")
    m["rating"] = pd.to_numeric(m["rating"], errors="coerce").astype(float)
    m["score"] = m["_scoresum"] / m["_w"]
    m["mentions"] = m["_w"]
    m["_sign"] = signs(m["polarity"])
    m["id"] = ""
    m["evidence"] = ""
    m["_row"] = np.arange(len(m), dtype=np.int64)
    return m


def total(frame: pd.DataFrame) -> float:
    """The number of reviews (or mentions) behind weighted rows."""
    return float(frame["_w"].sum()) if len(frame) else 0.0


def wsum(frame: pd.DataFrame, col: str) -> float:
    """The weighted sum of an indicator or value column (missing values count 0)."""
    return float((frame[col].fillna(0) * frame["_w"]).sum()) if len(frame) else 0.0


def wcount(frame: pd.DataFrame, col: str) -> float:
    """How many reviews behind weighted rows have ``col`` set."""
    return float(frame.loc[frame[col].notna(), "_w"].sum()) if len(frame) else 0.0


def wcounts(frame: pd.DataFrame, by: str | list[str]) -> pd.Series:
    """Reviews per value of ``by`` (``value_counts`` of weighted rows, the most first)."""
    return frame.groupby(by, observed=True)["_w"].sum().sort_values(ascending=False, kind="stable")


def _join_topics(d: pd.DataFrame, doc_topics: pd.DataFrame | None) -> pd.DataFrame:
    if doc_topics is None:
        return d.assign(topic=pd.array([pd.NA] * len(d), dtype="Int64"), topic_prob=np.nan)
    for col in ("id", "topic"):
        if col not in doc_topics.columns:
            raise InputError(
                f"{DOC_TOPICS_FILE} has no {col!r} column (it has {list(doc_topics.columns)}); expected id, topic, topic_prob"
            )
    dt = doc_topics[["id", "topic"] + (["topic_prob"] if "topic_prob" in doc_topics.columns else [])].copy()
    dt["id"] = dt["id"].astype("string")
    dt["topic"] = pd.to_numeric(dt["topic"], errors="coerce").astype("Int64")
    dt = dt.drop_duplicates("id")
    out = d.merge(dt, on="id", how="left")
    out.index = d.index
    if "topic_prob" not in out.columns:
        out["topic_prob"] = np.nan
    if out["topic"].notna().sum() == 0 and len(out):
        raise InputError(
            f"none of the {len(out)} scored ids appear in {DOC_TOPICS_FILE}; were the topics built from this scored table? "
            "Run `nlp topics SCORED -o DIR` on the same file (and pass the same --id-col)"
        )
    return out


def _truthy(v: Any) -> bool:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return False
    if isinstance(v, str):
        return v.strip().lower() in ("1", "true", "t", "yes", "y")
    return bool(v)


def read_trends(trends: pd.DataFrame, tz: str) -> pd.DataFrame:
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
        if col.startswith("anomaly_") or col == "period_complete":
            t[col] = t[col].map(_truthy).astype(bool)
        elif col not in ("unique_id", "ds", "emerging_topics") and not pd.api.types.is_numeric_dtype(t[col]):
            numbers = pd.to_numeric(t[col], errors="coerce")  # a CSV round trip leaves numbers as text
            if numbers.notna().sum() == t[col].notna().sum():
                t[col] = numbers
    t = t.dropna(subset=["ds"])
    t.attrs["freq"] = _trend_freq(list(t["ds"]))
    return t


def canonical_aspects(aspects: pd.DataFrame, columns: ColumnMap, first_row: int = 0) -> pd.DataFrame:
    """The aspect table's columns the report reads (``id``, ``aspect``, ``aspect_label``, ``polarity``,
    ``score``, ``evidence``, ``domain``) and ``_row`` (table order, from ``first_row``); rows without a
    known polarity or an aspect are left out.

    Raises:
        InputError: the id, aspect or polarity column is missing.
    """
    need = ["aspect", "polarity"]
    missing = [c for c in need if c not in aspects.columns]
    id_col = columns.id if columns.id in aspects.columns else ("id" if "id" in aspects.columns else None)
    if missing or id_col is None:
        raise InputError(
            f"the aspect table lacks {missing + ([] if id_col else [columns.id])} (it has {list(aspects.columns)[:20]}); "
            "pass the output of `nlp aspects INPUT -o FILE` (id, product_id, created_at, aspect, aspect_label, polarity, score, evidence)"
        )
    a = pd.DataFrame(
        {
            "_row": np.arange(first_row, first_row + len(aspects), dtype=np.int64),
            "id": aspects[id_col].astype("string").to_numpy(),
            "aspect": aspects["aspect"].astype("string").to_numpy(),
            "polarity": aspects["polarity"].astype("string").str.strip().str.lower().to_numpy(),
        }
    )
    a["aspect_label"] = (
        aspects["aspect_label"].astype("string").fillna(a["aspect"]).to_numpy()
        if "aspect_label" in aspects.columns
        else a["aspect"]
    )
    a["score"] = pd.to_numeric(aspects["score"], errors="coerce").to_numpy() if "score" in aspects.columns else np.nan
    a["evidence"] = aspects["evidence"].astype("string").fillna("").to_numpy() if "evidence" in aspects.columns else ""
    a["domain"] = aspects["domain"].astype("string").to_numpy() if "domain" in aspects.columns else pd.NA
    return a[a["polarity"].isin(ASPECT_POLARITIES) & a["aspect"].notna()]


def _aspect_rows(aspects: pd.DataFrame, columns: ColumnMap, d: pd.DataFrame) -> pd.DataFrame:
    """Aspect mentions with their review's product, date and rating (from the scored table, by id)."""
    a = canonical_aspects(aspects, columns)
    review = d.drop_duplicates("id").set_index("id")[["product_id", "created_at", "rating", "text"]]
    known = a["id"].isin(review.index)
    if len(a) and not known.all():
        logger.warning(
            "%d of %d aspect mentions have an id that is not in the scored table (e.g. %r); they are left out. "
            "Were the aspects extracted from the same input (and the same id_col=)?",
            int((~known).sum()),
            len(a),
            str(a.loc[~known, "id"].iloc[0]),
        )
        if not known.any():
            raise InputError(
                f"none of the {len(a)} aspect mentions has an id of the scored table; extract the aspects from the same "
                "input as the scores (`nlp aspects SCORED -o ASPECTS`), with the same --id-col"
            )
    a = a[known].join(review, on="id")
    a["_sign"] = signs(a["polarity"])
    a["_w"] = 1.0
    return a.reset_index(drop=True)


def _domains(aspects: pd.DataFrame | None, override: str | None) -> dict[str, str]:
    """Each product's domain: the aspect table's (the most frequent per product), or the one given."""
    if aspects is None or "domain" not in aspects.columns or aspects["domain"].isna().all():
        return {}
    a = aspects.dropna(subset=["domain", "product_id"])
    counts = a.groupby(["product_id", "domain"])["_w"].sum().rename("n").reset_index()
    counts = counts.sort_values(["product_id", "n", "domain"], ascending=[True, False, True])
    mapping = dict(
        zip(
            counts.drop_duplicates("product_id")["product_id"].astype(str),
            counts.drop_duplicates("product_id")["domain"].astype(str),
        )
    )
    if override:
        mapping = dict.fromkeys(mapping, override)
    return mapping


@dataclass
class ReportData:
    """Everything the report is made of, checked and under canonical names.

    Attributes:
        rows: one row per scored review: ``id``, ``text``, ``product_id``, ``created_at``,
            ``rating``, ``sentiment``, ``sentiment_score``, ``intent``, ``flags``, ``topic``,
            ``topic_prob``, ``period`` and 0/1 indicators (``_s_<sentiment>``, ``_i_<intent>``).
        intents: intent labels present.
        aspects: one row per aspect mention (``id``, ``aspect``, ``aspect_label``, ``polarity``,
            ``score``, ``evidence``, ``domain``, ``product_id``, ``created_at``, ``rating``,
            ``period``), or ``None`` without an aspect table.
        topics: the topics table (``None`` without topics).
        trends: the trends table (``None`` without one); its period is ``trends.attrs["freq"]``.
        periods: the periods of the dated rows (``None`` without dates).
        domains: product → domain (from the aspect table, or ``ReportOptions.domain``).
        domain: the report's single domain, ``None`` when unknown or mixed.
        examples: answers the report's picks of reviews and clauses (:mod:`nlp.report.examples`).
        rule_features: without a trends table, the anomaly rule's features when an engine
            computed them (:func:`nlp.trends.build_features` on the reviews); ``None``: the
            report computes them from its rows.

    ``rows`` and ``aspects`` are *weighted*: a row stands for ``_w`` reviews (mentions) that
    agree on every column the figures read, and ``_sn``, ``_ssum``, ``_ssq`` hold the count,
    sum and sum of squares of their sentiment scores. ``nlp report`` reads one row per review
    (``_w = 1``); a distributed engine passes its aggregates instead, and the report's figures
    are the same (``nlp.engines.spark_report``). Rows also carry ``_has_aspect`` and
    ``_neg_aspect``: whether the review has any aspect mention, and any negative one.
    """

    rows: pd.DataFrame
    intents: list[str]
    aspects: pd.DataFrame | None
    topics: pd.DataFrame | None
    trends: pd.DataFrame | None
    periods: Periods | None
    domains: dict[str, str] = field(default_factory=dict)
    domain: str | None = None
    examples: Examples | None = None
    rule_features: pd.DataFrame | None = None

    @property
    def has_products(self) -> bool:
        return bool(self.rows["product_id"].notna().any())

    @property
    def products(self) -> list[str]:
        """Product ids, the most reviewed first (ties by name)."""
        if not self.has_products:
            return []
        n = self.rows.groupby("product_id", observed=True)["_w"].sum()
        return [str(p) for p in sorted(n.index, key=lambda p: (-n[p], str(p)))]

    def pick(self, pick: Pick) -> pd.DataFrame:
        """The rows a pick asks for (:mod:`nlp.report.examples`)."""
        return self.examples.get(pick) if self.examples is not None else pd.DataFrame()

    def domain_of(self, product: str | None) -> str | None:
        return self.domains.get(str(product), self.domain) if product is not None else self.domain

    @property
    def domain_set(self) -> set[str]:
        return set(self.domains.values()) or ({self.domain} if self.domain else set())


def prepare(
    scored: pd.DataFrame,
    doc_topics: pd.DataFrame | None,
    topics: pd.DataFrame | None,
    trends: pd.DataFrame | None,
    aspects: pd.DataFrame | None,
    columns: ColumnMap,
    *,
    freq: str = "auto",
    tz: str,
    domain: str | None = None,
) -> ReportData:
    """Check and join the inputs, and put every row (and aspect mention) in a period.

    Raises:
        InputError: a required column is missing, or the ids of the tables do not match.
    """
    d, intents = _scored_rows(scored, columns, tz)
    d = _join_topics(d, doc_topics)
    if topics is not None and "topic" not in topics.columns:
        raise InputError(
            f"{TOPICS_FILE} has no 'topic' column (it has {list(topics.columns)}); expected the output of `nlp topics`"
        )
    tr = read_trends(trends, tz) if trends is not None else None
    periods = choose_periods(d["created_at"], freq, tr)
    d["period"] = periods.assign(d["created_at"]) if periods else pd.Series(pd.NaT, index=d.index, dtype="datetime64[ns]")
    a = _aspect_rows(aspects, columns, d) if aspects is not None else None
    if a is not None:
        a["period"] = periods.assign(a["created_at"]) if periods else pd.NaT
        d["_has_aspect"] = d["id"].isin(set(a["id"]))
        d["_neg_aspect"] = d["id"].isin(set(a.loc[a["_sign"] < 0, "id"]))
    else:
        d["_has_aspect"] = False
        d["_neg_aspect"] = False
    return assemble(d, intents, a, topics, tr, periods, domain, FrameExamples(d, a))


def assemble(
    rows: pd.DataFrame,
    intents: list[str],
    aspects: pd.DataFrame | None,
    topics: pd.DataFrame | None,
    trends: pd.DataFrame | None,
    periods: Periods | None,
    domain: str | None,
    examples: Examples,
) -> ReportData:
    """:class:`ReportData` from weighted rows and mentions already in periods; the domains follow the mentions."""
    domains = _domains(aspects, domain)
    found = set(domains.values())
    single = domain or (next(iter(found)) if len(found) == 1 else None)
    return ReportData(rows, intents, aspects, topics, trends, periods, domains, single, examples)
