"""Per product × period trend features from scored rows (the output of ``nlp score``).

One row per product (``unique_id``) and period (``ds``, the period start), for every
period from the product's first review to its last (empty periods included, with
``n_reviews = 0``). Every feature at ``ds`` is computed from rows dated before the end
of that period only: per-period aggregates use the period's own rows, and rolling
statistics (EWMA, robust z-scores, anomaly flags) use the period and earlier ones, never
later ones. ``lag=K`` shifts every feature by ``K`` periods, so the value at ``ds`` only
uses rows dated before ``ds - (K - 1) periods``: usable as a known-in-advance (future)
covariate up to ``K`` periods ahead.

The exact definition of each column is in :data:`FEATURE_DOCS` and ``docs/trends.md``.

Example:
    >>> import pandas as pd
    >>> scored = pd.DataFrame({
    ...     "id": ["a", "b", "c"], "product_id": ["p1", "p1", "p1"],
    ...     "created_at": ["2024-01-01", "2024-01-02", "2024-01-15"],
    ...     "sentiment": ["positive", "negative", "positive"], "sentiment_score": [0.5, -0.5, 1.0],
    ...     "intent": ["recommend", "avoid", "none"]})
    >>> f = build_features(scored, freq="W")
    >>> f[["unique_id", "ds", "n_reviews", "sentiment_mean"]].to_string(index=False)
    'unique_id         ds  n_reviews  sentiment_mean\\n       p1 2024-01-01          2             0.0\\n       p1 2024-01-08          0             NaN\\n       p1 2024-01-15          1             1.0'
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from nlp.io.columns import ColumnMap
from nlp.io.tables import ROW_COL, InputError, Reject
from nlp.periods import DEFAULT_TZ, PERIOD_ALIAS, parse_times, period_complete
from nlp.schema import INTENT_LABELS, SENTIMENT_LABELS
from nlp.trends.anomaly import AnomalyRule, emerging_topics, spike_flags, topic_period_counts

logger = logging.getLogger(__name__)

__all__ = [
    "Freq",
    "INTENT_LABELS",
    "SENTIMENT_LABELS",
    "FEATURE_DOCS",
    "TrendConfig",
    "PreparedRows",
    "prepare_rows",
    "parse_times",
    "build_features",
    "shift_features",
    "period_starts",
    "features_from_counts",
    "largest_topics",
    "topic_period_counts",
    "period_counts",
]

Freq = Literal["D", "W", "M"]
# Weeks run Monday..Sunday (ISO); months are calendar months; days are calendar days (nlp.periods).
_PERIOD_ALIAS: dict[str, str] = {f: PERIOD_ALIAS[f] for f in ("D", "W", "M")}

FEATURE_DOCS: dict[str, str] = {
    "unique_id": "the product (or topic_<k> with by_topic), as a string",
    "ds": "period start: the day (D), the Monday of the ISO week (W), the 1st of the month (M)",
    "n_reviews": "rows of the product dated in the period (all valid rows, scored or not)",
    "n_scored": "of those, rows with a sentiment_score",
    "sentiment_mean": "mean sentiment_score of the period's rows with a score; NaN when n_scored = 0",
    "share_negative": "rows with sentiment = negative / rows with a sentiment label; NaN when none",
    "share_neutral": "rows with sentiment = neutral / rows with a sentiment label",
    "share_positive": "rows with sentiment = positive / rows with a sentiment label",
    "rating_mean": "mean numeric rating of the period's rows with one (only when a rating column exists)",
    "intent_<label>_rate": "rows whose intent is <label> / rows with an intent label, for each of the 6 labels",
    "net_advocacy": "intent_recommend_rate - intent_avoid_rate",
    "topic_<k>_share": "rows assigned to topic k / rows with a topic assignment (outliers -1 included), for the top_topics largest topics",
    "sentiment_ewm": "volume-weighted exponential moving average of sentiment_score up to the period: "
    "sum_i d^i * score_sum[t-i] / sum_i d^i * n_scored[t-i], d = 0.5 ** (1 / ewm_halflife)",
    "volume_z": "robust z of n_reviews against the trailing window (median/MAD, floor volume_floor)",
    "sentiment_z": "robust z of sentiment_mean against the trailing window; periods with n_scored < min_volume "
    "are neither scored nor part of any baseline (floor sentiment_floor)",
    "negative_z": "robust z of share_negative, with the same volume guard (floor share_floor)",
    "anomaly_negative_spike": "negative_z >= z_threshold (so n_scored >= min_volume) and period_complete",
    "anomaly_volume_spike": "volume_z >= z_threshold and n_reviews >= min_volume and period_complete",
    "anomaly_emerging_topic": "some topic k (not -1) has >= min_volume rows in the period and a robust z of its share "
    ">= z_threshold against the trailing window (floor share_floor), and period_complete; False without topics",
    "emerging_topics": "the emerging topics' ids joined with '|' ('' when none)",
    "period_complete": "the data cover the period to its end (the latest date in the data falls on or after its last day); "
    "False for the last period of data that stop mid-period and for periods after the data end",
}


@dataclass(frozen=True)
class TrendConfig:
    """Validated settings for :func:`build_features` (see ``docs/trends.md``).

    Attributes:
        freq: period length: ``D`` (day), ``W`` (ISO week, Monday start) or ``M`` (calendar month).
        lag: shift every feature this many periods later (0 = features describe their own period).
        top_topics: how many of the largest topics get a ``topic_<k>_share`` column.
        min_volume: minimum rows in a period for its sentiment/share to enter a z-score
            (as the current value or in a baseline) and for any anomaly flag.
        window: trailing periods in the z-score baseline (the current period excluded).
        min_periods: fewest usable baseline periods for a z-score.
        ewm_halflife: half-life, in periods, of ``sentiment_ewm``.
        z_threshold: robust z at or above which a spike is flagged (3.5 per Iglewicz & Hoaglin).
        volume_floor: smallest scale of ``volume_z`` (reviews).
        sentiment_floor: smallest scale of ``sentiment_z`` (sentiment_score units).
        share_floor: smallest scale of share z-scores (negative share, topic share).
        tz: time zone periods are counted in: timestamps with an offset are converted to
            it, naive ones are taken as its wall-clock time (:mod:`nlp.periods`).
        exclude_flags: rows whose ``flags`` contain any of these are left out (counted and logged).

    Example:
        >>> TrendConfig(freq="M", min_volume=3).window
        8
    """

    freq: Freq = "W"
    lag: int = 0
    top_topics: int = 10
    min_volume: int = 5
    window: int = 8
    min_periods: int = 3
    ewm_halflife: float = 3.0
    z_threshold: float = 3.5
    volume_floor: float = 1.0
    sentiment_floor: float = 0.1
    share_floor: float = 0.05
    tz: str = DEFAULT_TZ
    exclude_flags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.freq not in _PERIOD_ALIAS:
            raise ValueError(f"freq must be one of {sorted(_PERIOD_ALIAS)} (day, ISO week, calendar month), got {self.freq!r}")
        for name in ("lag", "top_topics"):
            v = getattr(self, name)
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 0:
                raise ValueError(f"{name} must be an integer >= 0, got {v!r}")
        if not self.ewm_halflife > 0:
            raise ValueError(f"ewm_halflife must be > 0, got {self.ewm_halflife!r}")
        self.rule  # noqa: B018 - validates the anomaly settings
        object.__setattr__(self, "exclude_flags", tuple(self.exclude_flags))

    @property
    def rule(self) -> AnomalyRule:
        """The anomaly settings of this configuration (:class:`~nlp.trends.anomaly.AnomalyRule`)."""
        return AnomalyRule(
            min_volume=self.min_volume,
            window=self.window,
            min_periods=self.min_periods,
            z_threshold=self.z_threshold,
            volume_floor=self.volume_floor,
            sentiment_floor=self.sentiment_floor,
            share_floor=self.share_floor,
        )

    @property
    def period_alias(self) -> str:
        """The pandas period alias of :attr:`freq` (``W`` is ``W-SUN``: weeks ending on Sunday)."""
        return _PERIOD_ALIAS[self.freq]


@dataclass
class PreparedRows:
    """Rows usable for trends, and the ones that were not.

    Attributes:
        frame: one row per usable input row: ``unique_id`` (str), ``period`` (period
            ordinal), ``time`` and the score columns.
        rejects: rows without a product or a parseable date, with the reason.
        n_excluded: rows left out on purpose (``exclude_flags``).
        data_end: the latest date in the table (rows without a product or left out
            included): how far the data cover, for ``period_complete``; ``None`` without dates.
    """

    frame: pd.DataFrame
    rejects: list[Reject] = field(default_factory=list)
    n_excluded: int = 0
    data_end: pd.Timestamp | None = None


def _product_keys(values: pd.Series) -> pd.Series:
    """Product ids as strings (``12.0`` from a float column becomes ``12``); blank → NA."""
    if is_numeric_dtype(values) and not is_bool_dtype(values):
        keys = values.map(lambda v: (str(int(v)) if float(v).is_integer() else str(v)) if pd.notna(v) else pd.NA)
    else:
        keys = values.map(
            lambda v: pd.NA if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else str(v).strip()
        )
    keys = keys.astype("string")
    return keys.mask(keys == "")


_SCORE_COLS = ("sentiment", "sentiment_score", "intent")


def prepare_rows(
    scored: pd.DataFrame, columns: ColumnMap | None = None, *, config: TrendConfig | None = None, need_product: bool = True
) -> PreparedRows:
    """Check the scored table, parse times, bucket rows into periods, and set aside the unusable rows.

    Args:
        scored: a table written by ``nlp score`` (input columns + score columns).
        columns: names of the input columns (``--product-col`` ...).
        config: period length, time zone and excluded flags.
        need_product: whether the product column is required (``False`` for topic series).

    Returns:
        :class:`PreparedRows`; ``rejects`` has one entry per row without a product or a
        parseable date (row = position in ``scored``).

    Raises:
        InputError: a required column is missing (the message names it and the option).

    Example:
        >>> df = pd.DataFrame({"id": ["a", "b"], "product_id": ["p", None], "created_at": ["2024-01-01", "2024-01-02"],
        ...                    "sentiment": ["positive", "neutral"], "sentiment_score": [0.5, 0.0], "intent": ["none", "none"]})
        >>> p = prepare_rows(df)
        >>> len(p.frame), [r.reason for r in p.rejects]
        (1, ["missing product (column 'product_id')"])
    """
    cmap = columns or ColumnMap()
    cfg = config or TrendConfig()
    need = ("product", "time") if need_product else ("time",)
    cmap.validate(list(scored.columns), source="the scored table", need=need)
    missing = [c for c in _SCORE_COLS if c not in scored.columns]
    if missing:
        raise InputError(
            f"score columns {missing} not found in the scored table; it has columns {list(scored.columns)}. "
            "Trends read the output of `nlp score` (columns sentiment, sentiment_score, intent)."
        )
    n = len(scored)
    frame = pd.DataFrame(index=pd.RangeIndex(n))
    frame["row"] = scored[ROW_COL].to_numpy() if ROW_COL in scored.columns else np.arange(n)
    ids = scored[cmap.id].astype("string").to_numpy() if cmap.id in scored.columns else np.full(n, None, dtype=object)
    frame["id"] = pd.array(ids, dtype="string")
    frame["time"] = parse_times(scored[cmap.time].reset_index(drop=True), tz=cfg.tz).to_numpy()
    data_end = frame["time"].max() if frame["time"].notna().any() else None
    if need_product:
        frame["unique_id"] = _product_keys(scored[cmap.product].reset_index(drop=True)).to_numpy()
    frame["sentiment_score"] = (
        pd.to_numeric(scored["sentiment_score"].reset_index(drop=True), errors="coerce").astype(float).to_numpy()
    )
    for col, labels in (("sentiment", SENTIMENT_LABELS), ("intent", INTENT_LABELS)):
        lab = scored[col].reset_index(drop=True).astype("string").str.strip().str.lower()
        unknown = lab.notna() & ~lab.isin(labels)
        if unknown.any():
            logger.warning(
                "%d rows have a %s outside %s (e.g. %r); counted as unscored",
                int(unknown.sum()),
                col,
                list(labels),
                lab[unknown].iloc[0],
            )
        frame[col] = lab.mask(unknown).to_numpy()
    if cmap.rating in scored.columns:
        frame["rating"] = pd.to_numeric(scored[cmap.rating].reset_index(drop=True), errors="coerce").astype(float).to_numpy()

    rejects: list[Reject] = []
    bad_product = frame["unique_id"].isna() if need_product else pd.Series(False, index=frame.index)
    raw_time = scored[cmap.time].reset_index(drop=True)
    bad_time = frame["time"].isna()
    for i in np.flatnonzero((bad_product | bad_time).to_numpy()):
        reasons = []
        if bad_product.iat[i]:
            reasons.append(f"missing product (column {cmap.product!r})")
        if bad_time.iat[i]:
            raw = raw_time.iat[i]
            if raw is None or (not isinstance(raw, str) and pd.isna(raw)) or (isinstance(raw, str) and not raw.strip()):
                reasons.append(f"missing date (column {cmap.time!r})")
            else:
                reasons.append(f"unparseable date {str(raw)[:40]!r} (column {cmap.time!r})")
        original = {cmap.time: None if pd.isna(raw_time.iat[i]) else str(raw_time.iat[i])}
        if need_product:
            v = scored[cmap.product].iat[i]
            original[cmap.product] = None if pd.isna(v) else str(v)
        rid = frame["id"].iat[i]
        rejects.append(
            Reject(
                row=int(frame["row"].iat[i]), reason="; ".join(reasons), original=original, id=None if pd.isna(rid) else str(rid)
            )
        )
    keep = ~(bad_product | bad_time)

    n_excluded = 0
    if cfg.exclude_flags and "flags" in scored.columns:
        flags = scored["flags"].reset_index(drop=True).astype("string").fillna("").str.split("|")
        hit = flags.map(lambda fs: any(f.strip() in cfg.exclude_flags for f in fs)).astype(bool)
        n_excluded = int((hit & keep).sum())
        keep &= ~hit
        if n_excluded:
            logger.info("left out %d rows flagged %s", n_excluded, "|".join(cfg.exclude_flags))
    frame = frame[keep.to_numpy()].reset_index(drop=True)
    frame["period"] = frame["time"].dt.to_period(cfg.period_alias).array.asi8 if len(frame) else np.array([], dtype="int64")
    if rejects:
        logger.warning("%d of %d rows have no product or no parseable date and are left out (see the rejects)", len(rejects), n)
    return PreparedRows(frame=frame, rejects=rejects, n_excluded=n_excluded, data_end=data_end)


def period_starts(ordinals: np.ndarray, freq: Freq) -> pd.DatetimeIndex:
    """Period ordinals (as from ``Series.dt.to_period``) → the periods' start timestamps.

    Example:
        >>> period_starts(np.array([540]), "M")
        DatetimeIndex(['2015-01-01'], dtype='datetime64[ns]', freq=None)
    """
    return pd.PeriodIndex.from_ordinals(np.asarray(ordinals, dtype="int64"), freq=_PERIOD_ALIAS[freq]).start_time.astype(
        "datetime64[ns]"
    )


def _grid(bounds: pd.DataFrame) -> pd.MultiIndex:
    lengths = (bounds["last"] - bounds["first"] + 1).to_numpy()
    uids = np.repeat(bounds.index.to_numpy(), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    periods = np.repeat(bounds["first"].to_numpy(), lengths) + offsets
    return pd.MultiIndex.from_arrays([uids, periods], names=["unique_id", "period"])


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return (num / den.where(den > 0)).astype(float)


def build_features(
    scored: pd.DataFrame,
    freq: Freq = "W",
    *,
    columns: ColumnMap | None = None,
    doc_topics: pd.DataFrame | None = None,
    topic_labels: Mapping[int, str] | None = None,
    by_topic: bool = False,
    extend_to: str | pd.Timestamp | None = None,
    data_end: str | pd.Timestamp | None = None,
    lag: int = 0,
    top_topics: int = 10,
    min_volume: int = 5,
    window: int = 8,
    min_periods: int = 3,
    ewm_halflife: float = 3.0,
    z_threshold: float = 3.5,
    volume_floor: float = 1.0,
    sentiment_floor: float = 0.1,
    share_floor: float = 0.05,
    tz: str = DEFAULT_TZ,
    exclude_flags: Sequence[str] = (),
) -> pd.DataFrame:
    """Per product × period features from scored rows (long format: ``unique_id``, ``ds``, features).

    Rows without a product or a parseable date are left out and logged (use
    :func:`prepare_rows` to get them as rejects). Every period from a product's first to
    its last review is present (``n_reviews = 0`` and ``NaN`` means for empty periods).

    Args:
        scored: the output of ``nlp score`` (``sentiment``, ``sentiment_score``, ``intent`` and the input columns).
        freq: ``D``, ``W`` (ISO weeks) or ``M`` (calendar months).
        columns: input column names (product, time, id, rating).
        doc_topics: ``doc_topics.parquet`` from ``nlp topics`` (``id``, ``topic``), joined on the id column.
        topic_labels: topic id → label, added as ``topic_label`` in ``by_topic`` series.
        by_topic: one series per topic (``unique_id = topic_<k>``, all products together) instead of per product.
        extend_to: extend every series with empty periods up to the period containing this date
            (e.g. the end of the data, for forecasting); series are never cut.
        data_end: the latest date the data cover, for ``period_complete`` (default: the
            latest date in ``scored``). Pass the end of the crawl when it is later.
        lag: shift all features ``lag`` periods later (series extended by ``lag`` periods).
        top_topics, min_volume, window, min_periods, ewm_halflife, z_threshold, volume_floor,
            sentiment_floor, share_floor, tz, exclude_flags: see :class:`TrendConfig`.

    Returns:
        The feature table, sorted by ``unique_id`` and ``ds``. Definitions: :data:`FEATURE_DOCS`.

    Example:
        >>> df = pd.DataFrame({"id": ["a", "b"], "product_id": [7, 7], "created_at": ["2024-01-03", "2024-03-09"],
        ...                    "sentiment": ["positive", "negative"], "sentiment_score": [0.8, -0.6], "intent": ["recommend", "avoid"]})
        >>> build_features(df, "M")[["ds", "n_reviews", "net_advocacy"]].to_dict("list")
        {'ds': [Timestamp('2024-01-01 00:00:00'), Timestamp('2024-02-01 00:00:00'), Timestamp('2024-03-01 00:00:00')], 'n_reviews': [1, 0, 1], 'net_advocacy': [1.0, nan, -1.0]}
    """
    cfg = TrendConfig(
        freq=freq,
        lag=lag,
        top_topics=top_topics,
        min_volume=min_volume,
        window=window,
        min_periods=min_periods,
        ewm_halflife=ewm_halflife,
        z_threshold=z_threshold,
        volume_floor=volume_floor,
        sentiment_floor=sentiment_floor,
        share_floor=share_floor,
        tz=tz,
        exclude_flags=tuple(exclude_flags),
    )
    cmap = columns or ColumnMap()
    prepared = prepare_rows(scored, cmap, config=cfg, need_product=not by_topic)
    return _features_from_rows(
        prepared.frame,
        cfg,
        cmap,
        doc_topics=doc_topics,
        topic_labels=topic_labels,
        by_topic=by_topic,
        extend_to=extend_to,
        data_end=prepared.data_end if data_end is None else data_end,
    )


def _features_from_rows(
    rows: pd.DataFrame,
    cfg: TrendConfig,
    cmap: ColumnMap,
    *,
    doc_topics: pd.DataFrame | None,
    topic_labels: Mapping[int, str] | None,
    by_topic: bool,
    extend_to: str | pd.Timestamp | None,
    data_end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """:func:`build_features` after :func:`prepare_rows` (``rows`` = ``PreparedRows.frame``).

    ``data_end`` (usually ``PreparedRows.data_end``) decides ``period_complete``; without
    it, the latest date in ``rows``.
    """
    has_rating = "rating" in rows.columns
    if doc_topics is not None:
        rows = _join_topics(rows, doc_topics, cmap)
    if by_topic:
        if doc_topics is None:
            raise ValueError("by_topic=True needs doc_topics= (the doc_topics.parquet written by `nlp topics`)")
        in_topic = rows["topic"].notna() & (rows["topic"] >= 0)
        if (~in_topic).any():
            logger.info(
                "%d rows are outliers (-1) or not in the topic model: not part of any topic series", int((~in_topic).sum())
            )
        rows = rows[in_topic].copy()
        rows["unique_id"] = "topic_" + rows["topic"].astype(int).astype(str)

    main_topics: list[int] = []
    if doc_topics is not None and not by_topic and cfg.top_topics:
        main_topics = largest_topics(rows.loc[rows["topic"].notna() & (rows["topic"] >= 0), "topic"].astype(int).value_counts(), cfg.top_topics)

    counts = period_counts(rows, main_topics, has_rating)
    topic_counts = topic_period_counts(rows) if doc_topics is not None and not by_topic else None
    if data_end is None and len(rows):
        data_end = rows["time"].max()
    return features_from_counts(
        counts, cfg, main_topics=main_topics, has_rating=has_rating, topic_counts=topic_counts, topic_labels=topic_labels, by_topic=by_topic,
        extend_to=extend_to, data_end=data_end,
    )


def largest_topics(sizes: pd.Series, top: int) -> list[int]:
    """The ``top`` largest topics (``sizes``: topic id → rows), ties to the smaller id, in id order."""
    sizes = sizes.sort_index().sort_values(ascending=False, kind="stable")
    return sorted(int(t) for t in sizes.index[:top])


def features_from_counts(
    counts: pd.DataFrame,
    cfg: TrendConfig,
    *,
    main_topics: list[int],
    has_rating: bool,
    topic_counts: pd.Series | None = None,
    topic_labels: Mapping[int, str] | None = None,
    by_topic: bool = False,
    extend_to: str | pd.Timestamp | None = None,
    data_end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """The feature table from per (unique_id, period) sums instead of rows.

    Everything :func:`build_features` computes derives from sums that add up over any split of
    the rows, so an engine that aggregates in parts (Spark) gets the same table from them.

    Args:
        counts: indexed by (``unique_id``, ``period`` ordinal), sorted; the columns of
            :func:`period_counts` (``n_reviews``, ``n_scored``, ``score_sum``, ``n_sent_<label>`` ...,
            ``n_topic_<k>`` for ``main_topics``).
        cfg: the settings.
        main_topics: the topics with a share column (:func:`largest_topics`).
        has_rating: whether ``counts`` has the rating sums.
        topic_counts: rows per (``unique_id``, ``topic``, ``period``) for topics >= 0
            (:func:`topic_period_counts`), for emerging topics; ``None`` without topics.
        topic_labels, by_topic, extend_to: as :func:`build_features`.
        data_end: the latest date the data cover (decides ``period_complete``; ``None``: every period complete
            up to the last one present is judged by its own end, so pass it).
    """
    end_ord = None
    if extend_to is not None:
        end_ord = int(pd.Series([pd.Timestamp(extend_to)]).dt.to_period(cfg.period_alias).array.asi8[0])
    if counts.empty:
        bounds = pd.DataFrame({"first": pd.Series([], dtype="int64"), "last": pd.Series([], dtype="int64")})
    else:
        per = counts.index.get_level_values("period").to_numpy()
        bounds = (
            pd.DataFrame({"first": per, "last": per}, index=counts.index.get_level_values("unique_id"))
            .groupby(level=0)
            .agg({"first": "min", "last": "max"})
        )
    if end_ord is not None:
        bounds["last"] = np.maximum(bounds["last"], end_ord)
    bounds["last"] = bounds["last"] + cfg.lag  # room for the shifted values
    grid = _grid(bounds)
    g = counts.reindex(grid, fill_value=0).reset_index()

    complete = period_complete(period_starts(g["period"].to_numpy(), cfg.freq), cfg.freq, data_end)
    out = _derive(g, cfg, main_topics, has_rating, complete)
    if topic_counts is not None and not by_topic:
        emerging = emerging_topics(None, g, cfg.rule, complete=complete, topic_counts=topic_counts)
        out["anomaly_emerging_topic"] = (emerging != "").to_numpy(dtype=bool)
        out["emerging_topics"] = emerging.to_numpy()
    elif not by_topic:
        out["anomaly_emerging_topic"] = False
        out["emerging_topics"] = ""
    out["period_complete"] = complete
    if by_topic:
        tid = out["unique_id"].str.removeprefix("topic_").astype(int)
        out.insert(2, "topic", tid)
        if topic_labels:
            out.insert(3, "topic_label", tid.map(lambda k: topic_labels.get(int(k), "")).astype("string"))
    if cfg.lag:
        out = shift_features(out, cfg.lag)
    out["unique_id"] = out["unique_id"].astype("string")
    return out.reset_index(drop=True)


def _join_topics(rows: pd.DataFrame, doc_topics: pd.DataFrame, cmap: ColumnMap) -> pd.DataFrame:
    for col in ("id", "topic"):
        if col not in doc_topics.columns:
            raise InputError(
                f"doc_topics has no {col!r} column (it has {list(doc_topics.columns)}); expected doc_topics.parquet from `nlp topics`"
            )
    if rows["id"].isna().all() and len(rows):
        raise InputError(
            f"column {cmap.id!r} not found in the scored table, so topics cannot be joined; pass id_col=NAME with the id column used by `nlp topics`"
        )
    dt = doc_topics[["id", "topic"]].copy()
    dt["id"] = dt["id"].astype("string")
    dt = dt.drop_duplicates("id", keep="first")
    dt["topic"] = pd.to_numeric(dt["topic"], errors="coerce")
    out = rows.merge(dt, on="id", how="left", validate="many_to_one")
    n_missing = int(out["topic"].isna().sum())
    if n_missing:
        logger.info(
            "%d of %d rows have no topic assignment (not in doc_topics); they are left out of topic shares", n_missing, len(out)
        )
    return out


def period_counts(rows: pd.DataFrame, main_topics: list[int], has_rating: bool) -> pd.DataFrame:
    """Sums per (unique_id, period): counts and score sums; everything else derives from these.

    The sums of a table's parts add up to the table's (what an engine aggregating in parts relies on).
    """
    ind = pd.DataFrame({"unique_id": rows["unique_id"].astype(str).to_numpy(), "period": rows["period"].to_numpy()})
    ind["n_reviews"] = 1
    score = rows["sentiment_score"]
    ind["n_scored"] = score.notna().astype(int).to_numpy()
    ind["score_sum"] = score.fillna(0.0).to_numpy()
    sent = rows["sentiment"]
    ind["n_sentiment"] = sent.notna().astype(int).to_numpy()
    for lab in SENTIMENT_LABELS:
        ind[f"n_sent_{lab}"] = (sent == lab).fillna(False).astype(int).to_numpy()
    intent = rows["intent"]
    ind["n_intent"] = intent.notna().astype(int).to_numpy()
    for lab in INTENT_LABELS:
        ind[f"n_intent_{lab}"] = (intent == lab).fillna(False).astype(int).to_numpy()
    if has_rating:
        ind["n_rating"] = rows["rating"].notna().astype(int).to_numpy()
        ind["rating_sum"] = rows["rating"].fillna(0.0).to_numpy()
    if "topic" in rows.columns:
        topic = rows["topic"]
        ind["n_topic"] = topic.notna().astype(int).to_numpy()
        for k in main_topics:
            ind[f"n_topic_{k}"] = (topic == k).fillna(False).astype(int).to_numpy()
    return ind.groupby(["unique_id", "period"], sort=True).sum()


def _derive(g: pd.DataFrame, cfg: TrendConfig, main_topics: list[int], has_rating: bool, complete: np.ndarray) -> pd.DataFrame:
    out = pd.DataFrame({"unique_id": g["unique_id"].to_numpy(), "ds": period_starts(g["period"].to_numpy(), cfg.freq)})
    out["n_reviews"] = g["n_reviews"].astype("int64").to_numpy()
    out["n_scored"] = g["n_scored"].astype("int64").to_numpy()
    out["sentiment_mean"] = _ratio(g["score_sum"], g["n_scored"]).to_numpy()
    for lab in SENTIMENT_LABELS:
        out[f"share_{lab}"] = _ratio(g[f"n_sent_{lab}"], g["n_sentiment"]).to_numpy()
    if has_rating:
        out["rating_mean"] = _ratio(g["rating_sum"], g["n_rating"]).to_numpy()
    for lab in INTENT_LABELS:
        out[f"intent_{lab}_rate"] = _ratio(g[f"n_intent_{lab}"], g["n_intent"]).to_numpy()
    out["net_advocacy"] = out["intent_recommend_rate"] - out["intent_avoid_rate"]
    for k in main_topics:
        out[f"topic_{k}_share"] = _ratio(g[f"n_topic_{k}"], g["n_topic"]).to_numpy()

    by = g["unique_id"]
    decay = 0.5 ** (1.0 / cfg.ewm_halflife)
    if len(g):
        ewm = g[["score_sum", "n_scored"]].astype(float).groupby(by.to_numpy()).ewm(alpha=1.0 - decay, adjust=True).mean()
        ewm = ewm.reset_index(level=0, drop=True).sort_index()
        out["sentiment_ewm"] = _ratio(ewm["score_sum"], ewm["n_scored"]).to_numpy()
    else:
        out["sentiment_ewm"] = pd.Series([], dtype=float)

    counts = pd.DataFrame(
        {
            "unique_id": by.to_numpy(),
            "n_reviews": out["n_reviews"].to_numpy(),
            "n_scored": out["n_scored"].to_numpy(),
            "n_sentiment": g["n_sentiment"].to_numpy(),
            "sentiment_mean": out["sentiment_mean"].to_numpy(),
            "share_negative": out["share_negative"].to_numpy(),
        },
        index=out.index,
    )
    flags = spike_flags(counts, cfg.rule, complete=complete)
    for col in flags.columns:
        out[col] = flags[col].to_numpy()
    return out


_KEYS = ("unique_id", "ds", "topic", "topic_label")


def shift_features(features: pd.DataFrame, lag: int) -> pd.DataFrame:
    """Shift every feature column ``lag`` periods later within each series.

    The value at ``ds`` becomes the one computed for ``ds - lag`` periods (``NaN``, or
    ``False`` for anomaly flags and ``period_complete``, and ``''`` for ``emerging_topics``,
    where there is none).
    Rows must be one per period per series, sorted (as :func:`build_features` returns).

    Args:
        features: a feature table.
        lag: periods to shift by (>= 0). The rows stay as they are: the last ``lag``
            values of each series are shifted out (:func:`build_features` extends each
            series by ``lag`` periods first, so nothing is lost there).

    Example:
        >>> f = pd.DataFrame({"unique_id": ["a", "a", "a"], "ds": pd.date_range("2024-01-01", periods=3, freq="MS"),
        ...                   "n_reviews": [1, 2, 3]})
        >>> shift_features(f, 1)["n_reviews"].tolist()
        [nan, 1.0, 2.0]
    """
    if lag < 0:
        raise ValueError(f"lag must be >= 0, got {lag}")
    out = features.copy()
    if lag == 0:
        return out
    cols = [c for c in out.columns if c not in _KEYS]
    shifted = out.groupby(out["unique_id"].to_numpy(), sort=False)[cols].shift(lag)
    for c in cols:
        if c.startswith("anomaly_") or c == "period_complete":
            out[c] = shifted[c].eq(True).to_numpy(dtype=bool)
        elif c == "emerging_topics":
            out[c] = shifted[c].fillna("")
        else:
            out[c] = shifted[c].astype(float)
    return out
