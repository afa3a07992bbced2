"""Trends: per product × period signals, anomaly flags, forecasting exports and a volume backtest.

Pandas only (no torch): the stage reads scored tables and hands back long-format frames.
Method and exact definitions: ``docs/trends.md``.

Example:
    >>> from nlp.trends import build_features
    >>> features = build_features(scored, freq="M")  # doctest: +SKIP
"""

from nlp.trends.anomaly import AnomalyRule, emerging_topics, robust_zscore, spike_flags, trailing_window
from nlp.trends.backtest import backtest, backtest_forecasts, last_complete_period, score_forecasts, select_series
from nlp.trends.export import PANDAS_FREQ, to_forecast_frame, to_prophet
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
from nlp.trends.table import TrendsRun, trends_table

__all__ = [
    "AnomalyRule",
    "FEATURE_DOCS",
    "INTENT_LABELS",
    "PANDAS_FREQ",
    "SENTIMENT_LABELS",
    "PreparedRows",
    "TrendConfig",
    "TrendsRun",
    "backtest",
    "backtest_forecasts",
    "build_features",
    "emerging_topics",
    "last_complete_period",
    "parse_times",
    "prepare_rows",
    "robust_zscore",
    "score_forecasts",
    "select_series",
    "shift_features",
    "spike_flags",
    "to_forecast_frame",
    "to_prophet",
    "trailing_window",
    "trends_table",
]
