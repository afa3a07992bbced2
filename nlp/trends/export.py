"""Hand the feature table to forecasting libraries.

The table from :func:`~nlp.trends.features.build_features` already is the long format of
StatsForecast / MLForecast / NeuralForecast (``unique_id``, ``ds``, then columns); these
helpers only pick the target and covariates and make them numeric:

* :func:`to_forecast_frame` → ``unique_id``, ``ds``, ``y`` and numeric covariates
  (booleans as 0/1, text columns dropped, optional gap filling for models that refuse NaN);
* :func:`to_prophet` → one series as Prophet's ``ds``, ``y`` (+ regressors);
* :data:`PANDAS_FREQ` → the ``freq=`` to pass for the table's ``ds`` (period starts).

Darts, in one call (see ``docs/trends.md``)::

    TimeSeries.from_group_dataframe(features, group_cols="unique_id", time_col="ds",
                                    value_cols="n_reviews", freq=PANDAS_FREQ["M"])

Example:
    >>> import pandas as pd
    >>> f = pd.DataFrame({"unique_id": ["a", "a"], "ds": pd.to_datetime(["2024-01-01", "2024-02-01"]),
    ...                   "n_reviews": [3, 0], "sentiment_mean": [0.5, None], "anomaly_volume_spike": [True, False]})
    >>> to_forecast_frame(f, fill="ffill").to_dict("list")
    {'unique_id': ['a', 'a'], 'ds': [Timestamp('2024-01-01 00:00:00'), Timestamp('2024-02-01 00:00:00')], 'y': [3.0, 0.0], 'sentiment_mean': [0.5, 0.5], 'anomaly_volume_spike': [1.0, 0.0]}
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal

import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from nlp.periods import START_FREQ

logger = logging.getLogger(__name__)

__all__ = ["PANDAS_FREQ", "MIN_PERIODS_AUTOETS", "to_forecast_frame", "to_prophet", "covariate_columns"]

# ``ds`` holds period starts: days, Mondays (ISO weeks), first days of months.
#: the shortest series StatsForecast's AutoETS fits (measured: 6 periods raise "tiny datasets", 7 fit)
MIN_PERIODS_AUTOETS = 7

PANDAS_FREQ: dict[str, str] = {f: START_FREQ[f] for f in ("D", "W", "M")}
_KEYS = ("unique_id", "ds")
# period_complete says how far the data reach, not what customers did: not a covariate
_NOT_COVARIATES = ("topic", "topic_label", "emerging_topics", "period_complete")


def covariate_columns(features: pd.DataFrame, target: str = "n_reviews") -> list[str]:
    """The numeric (or boolean) feature columns other than the keys and the target.

    Example:
        >>> covariate_columns(pd.DataFrame({"unique_id": ["a"], "ds": [pd.Timestamp(0)], "n_reviews": [1], "emerging_topics": [""],
        ...                                 "volume_z": [0.1]}))
        ['volume_z']
    """
    return [
        c
        for c in features.columns
        if c not in _KEYS
        and c != target
        and c not in _NOT_COVARIATES
        and (is_numeric_dtype(features[c]) or is_bool_dtype(features[c]))
    ]


def to_forecast_frame(
    features: pd.DataFrame,
    target: str = "n_reviews",
    covariates: Sequence[str] | None = None,
    *,
    fill: Literal["zero", "ffill"] | None = None,
    min_length: int | None = None,
    complete_only: bool = True,
) -> pd.DataFrame:
    """The long frame StatsForecast / MLForecast / NeuralForecast expect: ``unique_id``, ``ds``, ``y``, covariates.

    Args:
        features: a table from :func:`~nlp.trends.features.build_features`.
        target: the column forecast, renamed ``y`` (default ``n_reviews``: review volume).
        covariates: feature columns to keep as exogenous variables; ``None`` keeps all
            numeric ones (:func:`covariate_columns`), ``[]`` none. StatsForecast treats every
            extra column as exogenous, so pass only what the model should see.
        fill: how to fill missing covariate values (means of empty periods, z-scores
            without enough history): ``None`` keeps ``NaN`` (LightGBM copes), ``"zero"``,
            or ``"ffill"`` (last known value within the series, then 0). Never uses later values.
        min_length: drop series with fewer periods than this (they are logged). Real exports have products with a
            few months only, and some models refuse short series: StatsForecast's ``AutoETS`` needs at least
            :data:`MIN_PERIODS_AUTOETS` (7) periods and fails on the whole frame otherwise.
        complete_only: leave out periods the data do not cover to their end (``period_complete`` false): a
            half-counted last month would read as a fall in volume.

    Returns:
        A new frame; booleans become 0.0/1.0 and all value columns float.

    Raises:
        KeyError: the target or a covariate is not in the table.

    Example:
        >>> from statsforecast import StatsForecast  # doctest: +SKIP
        >>> from statsforecast.models import Naive  # doctest: +SKIP
        >>> StatsForecast(models=[Naive()], freq=PANDAS_FREQ["M"]).forecast(df=to_forecast_frame(f, covariates=[], min_length=7), h=3)  # doctest: +SKIP
    """
    missing = [c for c in (target, *(covariates or ())) if c not in features.columns]
    if missing:
        raise KeyError(f"columns {missing} are not in the feature table; it has {list(features.columns)}")
    if target in (covariates or ()):
        raise ValueError(f"the target {target!r} cannot also be a covariate; lag it first (build_features(..., lag=K))")
    covs = covariate_columns(features, target) if covariates is None else list(covariates)
    if complete_only and "period_complete" in features.columns:
        features = features[features["period_complete"].fillna(False).astype(bool)]
    if min_length:
        sizes = features.groupby("unique_id", sort=False)["ds"].transform("size")
        short = features.loc[sizes < min_length, "unique_id"].unique()
        if len(short):
            logger.info("left out %d series shorter than %d periods: %s", len(short), min_length, list(short)[:10])
        features = features[sizes >= min_length]
    out = features[["unique_id", "ds"]].copy()
    out["y"] = pd.to_numeric(features[target], errors="coerce").astype(float)
    for c in covs:
        out[c] = features[c].astype(float)
    if fill is not None and covs:
        if fill == "ffill":
            out[covs] = out.groupby("unique_id", sort=False)[covs].ffill()
        elif fill != "zero":
            raise ValueError(f"fill must be None, 'zero' or 'ffill', got {fill!r}")
        out[covs] = out[covs].fillna(0.0)
    return out.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)


def to_prophet(features: pd.DataFrame, unique_id: str, target: str = "n_reviews", regressors: Sequence[str] = ()) -> pd.DataFrame:
    """One series in Prophet's shape: ``ds``, ``y`` and the given regressors (gaps filled forward, then 0).

    Example:
        >>> f = pd.DataFrame({"unique_id": ["a", "b"], "ds": pd.to_datetime(["2024-01-01"] * 2), "n_reviews": [3, 4]})
        >>> to_prophet(f, "b").to_dict("list")
        {'ds': [Timestamp('2024-01-01 00:00:00')], 'y': [4.0]}
    """
    one = features[features["unique_id"].astype(str) == str(unique_id)]
    if one.empty:
        raise KeyError(f"no series {unique_id!r} in the feature table")
    frame = to_forecast_frame(one, target, list(regressors), fill="ffill" if regressors else None)
    return frame.drop(columns=["unique_id"]).reset_index(drop=True)
