"""Rolling-origin backtest: do the text signals help forecast next-period review volume?

The target is ``n_reviews`` (review volume, the demand proxy) per product and period.
At each origin ``T`` (the end of a period), every model is trained only on what was known
then: training pairs are (features at ``t``, volume at ``t + h``) with ``t + h <= T``, and
the forecast for ``T + h`` uses the features at ``T``. This is the *direct* strategy (one
model per horizon), so the latest text signals feed every horizon without having to
forecast them first.

Models compared, on the same series, origins and horizons:

* ``seasonal_naive`` — the value one season earlier (``season_length``; the last value
  where the series is shorter than a season);
* ``naive`` — the last value (``y_T``);
* ``<model>`` — ridge on ``log1p`` volume (default, scikit-learn only) or LightGBM
  (Poisson objective, the ``forecast`` extra) on volume lags,
  rolling means, cumulative volume, age of the series and the calendar period;
* ``<model>+text`` — the same plus the text signals at ``T``: sentiment, negative/positive
  shares, net advocacy, intent rates (each as the value at ``T`` and the last known value).

Metrics per horizon: MASE (absolute error scaled by the series' in-sample one-step naive
MAE up to the origin; cases with a zero scale are left out and counted), sMAPE (in %,
``200 |y - ŷ| / (|y| + |ŷ|)``, 0 when both are 0) and MAE.

Example:
    >>> metrics = backtest(features, freq="M", horizons=(1, 2, 3))  # doctest: +SKIP
    >>> metrics.pivot(index="model", columns="horizon", values="mase")  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from nlp.periods import last_complete_period
from nlp.trends.features import _PERIOD_ALIAS, Freq, period_starts

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_TEXT_FEATURES",
    "SeriesSelection",
    "select_series",
    "last_complete_period",
    "backtest_forecasts",
    "score_forecasts",
    "backtest",
]

DEFAULT_TEXT_FEATURES: tuple[str, ...] = (
    "sentiment_mean",
    "sentiment_ewm",
    "share_negative",
    "share_positive",
    "net_advocacy",
    "intent_consider_rate",
    "intent_intent_rate",
    "intent_repurchase_rate",
    "intent_recommend_rate",
    "intent_avoid_rate",
)
_DEFAULT_SEASON = {"D": 7, "W": 52, "M": 12}
ModelName = Literal["lightgbm", "ridge"]


@dataclass
class SeriesSelection:
    """Which series a backtest uses, and why the others were left out.

    Attributes:
        ids: the series kept.
        rule: the selection rule in words.
        n_candidates: series in the input.
        excluded: reason → number of series left out for it (first failing reason counts).
    """

    ids: list[str]
    rule: str
    n_candidates: int
    excluded: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "n_candidates": self.n_candidates,
            "n_selected": len(self.ids),
            "excluded": self.excluded,
            "ids": self.ids,
        }


def select_series(
    features: pd.DataFrame,
    *,
    min_reviews: int = 30,
    max_reviews: int | None = None,
    min_active_periods: int = 6,
    min_length: int = 24,
) -> SeriesSelection:
    """Keep series with enough history to backtest, and (optionally) drop truncated ones.

    Args:
        features: a lag-0 feature table (series extended to a common end, see ``extend_to``).
        min_reviews: fewest reviews in total.
        max_reviews: leave out series with this many reviews or more. For the NSMC film
            corpus pass 100: the crawl kept only each film's 100 latest reviews, so those
            films' series are cut at the start; films with fewer have their whole history.
        min_active_periods: fewest periods with at least one review.
        min_length: fewest periods from the first review to the end.

    Example:
        >>> f = pd.DataFrame({"unique_id": ["a"] * 3 + ["b"] * 3, "ds": list(pd.date_range("2024-01-01", periods=3, freq="MS")) * 2,
        ...                   "n_reviews": [5, 0, 5, 1, 0, 0]})
        >>> s = select_series(f, min_reviews=5, min_active_periods=2, min_length=3)
        >>> s.ids, s.excluded
        (['a'], {'fewer than 5 reviews': 1})
    """
    per = features.groupby(features["unique_id"].astype(str), sort=True)["n_reviews"].agg(
        total="sum", active=lambda s: int((s > 0).sum()), length="size"
    )
    reasons: dict[str, int] = {}
    keep: list[str] = []
    for uid, r in per.iterrows():
        if max_reviews is not None and r["total"] >= max_reviews:
            why = f"{max_reviews}+ reviews (history possibly truncated)"
        elif r["total"] < min_reviews:
            why = f"fewer than {min_reviews} reviews"
        elif r["active"] < min_active_periods:
            why = f"fewer than {min_active_periods} periods with reviews"
        elif r["length"] < min_length:
            why = f"shorter than {min_length} periods"
        else:
            keep.append(str(uid))
            continue
        reasons[why] = reasons.get(why, 0) + 1
    parts = [
        f">= {min_reviews} reviews",
        f">= {min_active_periods} active periods",
        f">= {min_length} periods from first review to end",
    ]
    if max_reviews is not None:
        parts.insert(0, f"< {max_reviews} reviews (complete history)")
    return SeriesSelection(ids=keep, rule="series with " + ", ".join(parts), n_candidates=len(per), excluded=reasons)


def _design(features: pd.DataFrame, freq: Freq, n_lags: int, text_features: Sequence[str], active_window: int) -> pd.DataFrame:
    """Model inputs at each (series, period): everything known at the end of that period."""
    f = features.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    uid = f["unique_id"].astype(str).to_numpy()
    y = f["n_reviews"].astype(float)
    gy = y.groupby(uid, sort=False)
    d = pd.DataFrame({"unique_id": uid, "ds": f["ds"].to_numpy(), "y": y.to_numpy()})
    d["period"] = f["ds"].dt.to_period(_PERIOD_ALIAS[freq]).array.asi8
    base: list[str] = []
    for k in range(n_lags):
        d[f"y_lag{k}"] = gy.shift(k).fillna(0.0).to_numpy()  # no reviews before the first one
        base.append(f"y_lag{k}")
    for w in (3, 6, 12):
        d[f"y_mean{w}"] = gy.rolling(w, min_periods=1).mean().reset_index(level=0, drop=True).sort_index().to_numpy()
        base.append(f"y_mean{w}")
    d["age"] = gy.cumcount().to_numpy()
    d["log_cum_reviews"] = np.log1p(gy.cumsum().to_numpy())
    base += ["age", "log_cum_reviews"]
    if freq == "M":
        d["month"] = f["ds"].dt.month.to_numpy()
        base.append("month")
    elif freq == "W":
        d["week"] = f["ds"].dt.isocalendar().week.astype(int).to_numpy()
        base.append("week")
    text: list[str] = []
    for c in text_features:
        v = f[c].astype(float)
        d[c] = v.to_numpy()
        d[f"{c}_last"] = v.groupby(uid, sort=False).ffill().to_numpy()
        text += [c, f"{c}_last"]
    d["active"] = (gy.rolling(active_window, min_periods=1).sum().reset_index(level=0, drop=True).sort_index() > 0).to_numpy()
    # in-sample one-step naive MAE up to each period (the MASE scale), from past values only
    absdiff = (y - gy.shift(1)).abs()
    n_diff = absdiff.notna().astype(float).groupby(uid, sort=False).cumsum()
    d["mase_scale"] = (absdiff.fillna(0.0).groupby(uid, sort=False).cumsum() / n_diff.where(n_diff > 0)).to_numpy()
    d.attrs["base_features"] = base
    d.attrs["text_features"] = text
    return d


def _make_model(model: ModelName, random_state: int, n_jobs: int):
    if model == "lightgbm":
        try:
            import lightgbm as lgb
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "the lightgbm backtest model needs LightGBM: install `nlp-insight[forecast]` (or pass model='ridge')"
            ) from exc
        return lgb.LGBMRegressor(
            objective="poisson",
            n_estimators=300,
            learning_rate=0.05,
            num_leaves=15,
            min_child_samples=20,
            subsample=0.8,
            subsample_freq=1,
            colsample_bytree=0.8,
            random_state=random_state,
            n_jobs=n_jobs,
            verbose=-1,
        )
    if model == "ridge":
        from sklearn.compose import TransformedTargetRegressor
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import Ridge
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        # lags before a series starts and text means of empty periods are NaN: median-impute
        # (fitted on the training rows only) and add missing-value indicators
        imputer = SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True)
        pipe = make_pipeline(imputer, StandardScaler(), Ridge(alpha=1.0))
        return TransformedTargetRegressor(regressor=pipe, func=np.log1p, inverse_func=np.expm1)
    raise ValueError(f"model must be 'lightgbm' or 'ridge', got {model!r}")


def _fit_predict(
    model: ModelName, X_train: pd.DataFrame, y_train: np.ndarray, X_test: pd.DataFrame, random_state: int, n_jobs: int
) -> np.ndarray:
    est = _make_model(model, random_state, n_jobs)
    est.fit(X_train, y_train)
    return np.clip(est.predict(X_test), 0.0, None)


def backtest_forecasts(
    features: pd.DataFrame,
    *,
    freq: Freq = "M",
    horizons: Sequence[int] = (1, 2, 3),
    n_origins: int = 12,
    model: ModelName = "ridge",
    text_features: Sequence[str] = DEFAULT_TEXT_FEATURES,
    n_lags: int = 6,
    season_length: int | None = None,
    active_window: int = 6,
    min_history: int = 3,
    series: Sequence[str] | None = None,
    random_state: int = 0,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Forecasts of every model at every origin and horizon (one row per series × origin × horizon × model).

    Args:
        features: a lag-0 feature table with ``n_reviews`` and the text features, each
            series running to a common end (``build_features(..., extend_to=end)``).
        freq: the table's period length.
        horizons: periods ahead to forecast.
        n_origins: number of rolling origins: the last ones that leave room for the
            longest horizon before the end of the data, one period apart.
        model: ``ridge`` (on ``log1p`` volume) or ``lightgbm`` (Poisson objective).
        text_features: the text-signal columns added in the ``+text`` variant.
        n_lags: volume lags (``y_T``, ``y_{T-1}`` ...) used by both variants.
        season_length: of the seasonal-naive baseline (default: 12 for M, 52 for W, 7 for D).
        active_window: a series is forecast (and used for training) at an origin only if it
            had a review in the last ``active_window`` periods up to it: dormant catalogue
            items are trivially zero and would swamp the comparison.
        min_history: fewest periods of history at the origin.
        series: restrict to these ``unique_id`` (e.g. :func:`select_series` ``.ids``).
        random_state: seed of the model.
        n_jobs: threads for LightGBM.

    Returns:
        Columns ``unique_id``, ``origin`` (ds of the origin period), ``horizon``, ``ds``
        (target period), ``y``, ``model``, ``yhat``, ``mase_scale``.
    """
    hs = sorted({int(h) for h in horizons})
    if not hs or hs[0] < 1:
        raise ValueError(f"horizons must be positive integers, got {list(horizons)}")
    if n_origins < 1:
        raise ValueError(f"n_origins must be >= 1, got {n_origins}")
    missing = [c for c in ("unique_id", "ds", "n_reviews", *text_features) if c not in features.columns]
    if missing:
        raise ValueError(f"the feature table lacks {missing}; build it with nlp.trends.build_features from a scored table")
    m = season_length or _DEFAULT_SEASON[freq]
    f = features
    if series is not None:
        keep = set(map(str, series))
        f = f[f["unique_id"].astype(str).isin(keep)]
    if f.empty:
        raise ValueError("no series to backtest (the selection left none)")
    d = _design(f, freq, n_lags, text_features, active_window)
    base, text = d.attrs["base_features"], d.attrs["text_features"]
    uid = d["unique_id"].to_numpy()
    gy = d["y"].groupby(uid, sort=False)
    end = int(d["period"].max())
    origins = list(range(end - hs[-1] - n_origins + 1, end - hs[-1] + 1))
    eligible = d["active"] & (d["age"] >= min_history - 1)
    name = model
    out = []
    for h in hs:
        target = gy.shift(-h)
        lag_sn = m * math.ceil(h / m) - h  # seasonal naive: y at T + h - m*ceil(h/m)
        snaive = gy.shift(lag_sn).fillna(d["y"])
        for T in origins:
            train = eligible & (d["period"] <= T - h) & target.notna()
            test = eligible & (d["period"] == T) & target.notna()
            if not test.any():
                continue
            rows = d.loc[test, ["unique_id", "ds", "mase_scale"]].rename(columns={"ds": "origin"})
            rows["horizon"] = h
            rows["ds"] = period_starts(np.full(len(rows), T + h), freq)
            rows["y"] = target[test].to_numpy()
            preds = {"seasonal_naive": snaive[test].to_numpy(), "naive": d.loc[test, "y"].to_numpy()}
            if train.sum() < 20:
                logger.warning(
                    "origin %s, h=%d: only %d training rows; model skipped", rows["origin"].iloc[0], h, int(train.sum())
                )
            else:
                y_train = target[train].to_numpy()
                preds[name] = _fit_predict(model, d.loc[train, base], y_train, d.loc[test, base], random_state, n_jobs)
                preds[f"{name}+text"] = _fit_predict(
                    model, d.loc[train, base + text], y_train, d.loc[test, base + text], random_state, n_jobs
                )
            for mname, yhat in preds.items():
                r = rows.copy()
                r["model"] = mname
                r["yhat"] = yhat
                out.append(r)
        logger.info("backtest: horizon %d done (%d origins)", h, len(origins))
    if not out:
        raise ValueError(
            "no forecasts: no series was active at any origin; lower min_history= / raise active_window= or use more data"
        )
    res = pd.concat(out, ignore_index=True)
    return res[["unique_id", "origin", "horizon", "ds", "y", "model", "yhat", "mase_scale"]]


def score_forecasts(forecasts: pd.DataFrame) -> pd.DataFrame:
    """MASE, sMAPE (%) and MAE per model and horizon from :func:`backtest_forecasts` output.

    MASE is the mean over forecasts of ``|y - ŷ| / scale`` (scale = the series' in-sample
    one-step naive MAE up to the origin); forecasts with a zero scale are counted in
    ``n_mase_excluded``. sMAPE is ``200 |y - ŷ| / (|y| + |ŷ|)``, taken as 0 when both are 0;
    on intermittent counts it is dominated by the zero actuals (any positive forecast of a
    0 scores 200), so ``zero_actual_share`` is reported beside it.

    Example:
        >>> fc = pd.DataFrame({"unique_id": ["a", "a"], "origin": [0, 1], "horizon": [1, 1], "ds": [1, 2], "y": [2.0, 0.0],
        ...                    "model": ["naive", "naive"], "yhat": [1.0, 0.0], "mase_scale": [2.0, 1.0]})
        >>> score_forecasts(fc)[["model", "horizon", "mase", "smape", "mae"]].to_dict("records")
        [{'model': 'naive', 'horizon': 1, 'mase': 0.25, 'smape': 33.333333333333336, 'mae': 0.5}]
    """
    fc = forecasts.copy()
    err = (fc["y"] - fc["yhat"]).abs()
    den = fc["y"].abs() + fc["yhat"].abs()
    fc["smape"] = np.where(den > 0, 200.0 * err / den.where(den > 0), 0.0)
    ok = fc["mase_scale"] > 0
    fc["scaled"] = (err / fc["mase_scale"].where(ok)).astype(float)
    fc["abs_err"] = err
    fc["mase_ok"] = ok
    fc["zero_actual"] = (fc["y"] == 0).astype(float)
    grp = fc.groupby(["model", "horizon"], sort=False)
    res = grp.agg(
        mase=("scaled", "mean"),
        smape=("smape", "mean"),
        mae=("abs_err", "mean"),
        n_forecasts=("y", "size"),
        n_series=("unique_id", "nunique"),
        n_mase_excluded=("mase_ok", lambda s: int((~s).sum())),
        zero_actual_share=("zero_actual", "mean"),
    ).reset_index()
    order = {m: i for i, m in enumerate(dict.fromkeys(fc["model"]))}
    res["_order"] = res["model"].map(order)
    return res.sort_values(["horizon", "_order"]).drop(columns="_order").reset_index(drop=True)


def backtest(features: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """Run :func:`backtest_forecasts` (same arguments) and score it with :func:`score_forecasts`.

    Returns:
        One row per model and horizon: ``mase``, ``smape``, ``mae``, ``n_forecasts``,
        ``n_series``, ``n_mase_excluded``, ``zero_actual_share``.

    Example:
        >>> backtest(features, freq="M", horizons=(1, 2, 3), model="ridge")  # doctest: +SKIP
    """
    return score_forecasts(backtest_forecasts(features, **kwargs))
