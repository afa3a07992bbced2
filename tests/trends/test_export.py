"""The feature table loads into StatsForecast / MLForecast (real fits on tiny series)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nlp.trends import build_features
from nlp.trends.export import PANDAS_FREQ, covariate_columns, to_forecast_frame, to_prophet
from tests.trends.conftest import make_scored


@pytest.fixture(scope="module")
def monthly():
    scored = make_scored(n=900, products=("A", "B"), start="2022-01-01", days=700, seed=3)
    return scored, build_features(scored, "M")


def test_to_forecast_frame_is_numeric_and_never_fills_from_the_future(monthly):
    _, f = monthly
    fr = to_forecast_frame(f, covariates=None)
    assert list(fr.columns[:3]) == ["unique_id", "ds", "y"]
    assert "emerging_topics" not in fr.columns and "n_reviews" not in fr.columns
    assert set(covariate_columns(f)) == set(fr.columns[3:])
    assert all(fr[c].dtype == float for c in fr.columns[2:])
    g = f.copy()
    g.loc[g.index[3], "sentiment_mean"] = np.nan
    filled = to_forecast_frame(g, covariates=["sentiment_mean"], fill="ffill")
    assert filled.loc[3, "sentiment_mean"] == g.loc[2, "sentiment_mean"]  # last known value, not the next
    with pytest.raises(KeyError, match="nope"):
        to_forecast_frame(f, covariates=["nope"])
    p = to_prophet(f, "B", regressors=["net_advocacy"])
    assert list(p.columns) == ["ds", "y", "net_advocacy"] and p["net_advocacy"].notna().all()


def test_statsforecast_fits_on_the_table(monthly):
    sf_mod = pytest.importorskip("statsforecast")
    from statsforecast.models import AutoARIMA, AutoETS, Naive

    scored, f = monthly
    sf = sf_mod.StatsForecast(models=[Naive(), AutoETS(season_length=1)], freq=PANDAS_FREQ["M"])
    fc = sf.forecast(df=to_forecast_frame(f, covariates=[]), h=2)
    assert len(fc) == 4 and fc["Naive"].notna().all()
    last = f.groupby("unique_id")["n_reviews"].last().astype(float)
    assert fc.groupby("unique_id")["Naive"].first().to_dict() == last.to_dict()

    # exogenous: features lagged by the horizon are known for the forecast periods
    lagged = build_features(scored, "M", lag=2)
    cov = ["sentiment_mean", "net_advocacy"]
    both = f[["unique_id", "ds", "n_reviews"]].merge(lagged[["unique_id", "ds", *cov]], on=["unique_id", "ds"], how="right")
    hist = to_forecast_frame(both[both["n_reviews"].notna()], covariates=cov, fill="ffill")
    fut = to_forecast_frame(both[both["n_reviews"].isna()], covariates=cov, fill="ffill").drop(columns="y")
    assert len(fut) == 4  # 2 future periods per product, from --lag 2
    fc2 = sf_mod.StatsForecast(models=[AutoARIMA()], freq="MS").forecast(df=hist, h=2, X_df=fut)
    assert fc2["AutoARIMA"].notna().all()


def test_mlforecast_fits_on_the_table_as_is(monthly):
    pytest.importorskip("mlforecast")
    lgb = pytest.importorskip("lightgbm")
    from mlforecast import MLForecast
    from sklearn.linear_model import LinearRegression

    scored, f = monthly
    # the table as written, target named by target_col; static features none, the rest dynamic
    cols = ["unique_id", "ds", "n_reviews", "sentiment_ewm", "volume_z", "anomaly_volume_spike"]
    table = f[cols].copy()
    mlf = MLForecast(
        models={"lgb": lgb.LGBMRegressor(n_estimators=10, min_child_samples=2, verbose=-1, n_jobs=1)}, freq="MS", lags=[1, 2]
    )
    mlf.fit(table, target_col="n_reviews", static_features=[])
    assert set(mlf.models_) == {"lgb"}

    lagged = build_features(scored, "M", lag=1)
    cov = ["sentiment_mean", "net_advocacy", "share_negative"]
    both = f[["unique_id", "ds", "n_reviews"]].merge(lagged[["unique_id", "ds", *cov]], on=["unique_id", "ds"], how="right")
    hist = to_forecast_frame(both[both["n_reviews"].notna()], covariates=cov, fill="ffill")
    fut = to_forecast_frame(both[both["n_reviews"].isna()], covariates=cov, fill="ffill").drop(columns="y")
    mlf2 = MLForecast(models=[LinearRegression()], freq="MS", lags=[1, 2])
    mlf2.fit(hist, static_features=[])
    pred = mlf2.predict(1, X_df=fut)
    assert len(pred) == 2 and pred["LinearRegression"].notna().all()


def test_forecast_frame_runs_statsforecast_with_a_short_series_and_a_partial_month():
    """A real export has products with a few months and a half-counted last month; the README snippet must run on it."""
    sf = pytest.importorskip("statsforecast")
    from statsforecast.models import AutoETS, Naive

    from nlp.trends.export import MIN_PERIODS_AUTOETS, to_forecast_frame

    long = pd.DataFrame({"unique_id": "long", "ds": pd.date_range("2023-01-01", periods=12, freq="MS"), "n_reviews": range(10, 22)})
    short = pd.DataFrame({"unique_id": "short", "ds": pd.date_range("2023-10-01", periods=3, freq="MS"), "n_reviews": [4, 5, 6]})
    f = pd.concat([long, short], ignore_index=True)
    f["period_complete"] = True
    f.loc[f.index[11], "period_complete"] = False  # the long series' last month is partial
    frame = to_forecast_frame(f, covariates=[], min_length=MIN_PERIODS_AUTOETS)
    assert set(frame["unique_id"]) == {"long"} and len(frame) == 11
    out = sf.StatsForecast(models=[Naive(), AutoETS()], freq="MS").forecast(df=frame, h=2)
    assert len(out) == 2
