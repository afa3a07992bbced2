"""Trends: per product × period signals, anomaly flags, forecasting exports and a volume backtest.

Pandas only (no torch): the stage reads scored tables and hands back long-format frames.

Example:
    >>> from nlp.trends import build_features
    >>> features = build_features(scored, freq="M")  # doctest: +SKIP
"""

from nlp.trends.anomaly import robust_zscore, trailing_window
from nlp.trends.features import (
    FEATURE_DOCS,
    INTENT_LABELS,
    SENTIMENT_LABELS,
    PreparedRows,
    TrendConfig,
    build_features,
    parse_times,
    prepare_rows,
    shift_features,
)

__all__ = [
    "FEATURE_DOCS",
    "INTENT_LABELS",
    "SENTIMENT_LABELS",
    "PreparedRows",
    "TrendConfig",
    "build_features",
    "parse_times",
    "prepare_rows",
    "shift_features",
    "robust_zscore",
    "trailing_window",
]
