from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nlp.trends.backtest import (
    DEFAULT_TEXT_FEATURES,
    backtest,
    backtest_forecasts,
    last_complete_period,
    score_forecasts,
    select_series,
)


def _features(n_series: int = 12, months: int = 30, seed: int = 0) -> pd.DataFrame:
    """A lag-0 feature table: launch-and-decay volume per product, text signals that lead it a little."""
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n_series):
        start = i % 5
        ds = pd.date_range("2020-01-01", periods=months, freq="MS")[start:]
        age = np.arange(len(ds))
        mood = rng.uniform(-1, 1)
        lam = 12 * np.exp(-age / 6) * (1.5 + mood) + 0.5
        y = rng.poisson(lam)
        f = pd.DataFrame({"unique_id": f"p{i:02d}", "ds": ds, "n_reviews": y})
        for c in DEFAULT_TEXT_FEATURES:
            f[c] = np.where(y > 0, mood + rng.normal(0, 0.1, len(ds)), np.nan)
        f["sentiment_ewm"] = mood
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def test_select_series_says_why():
    f = _features()
    f.loc[f["unique_id"] == "p00", "n_reviews"] = 0
    f.loc[(f["unique_id"] == "p00") & (f["ds"] == "2020-01-01"), "n_reviews"] = 5000
    s = select_series(f, min_reviews=10, max_reviews=5000, min_active_periods=3, min_length=27)
    assert "p00" not in s.ids and s.excluded["5000+ reviews (history possibly truncated)"] == 1
    assert s.excluded["shorter than 27 periods"] == sum(1 for i in range(1, 12) if i % 5 > 3)
    assert "complete history" in s.rule and s.n_candidates == 12
    assert len(s.ids) + sum(s.excluded.values()) == 12


@pytest.mark.parametrize(
    "last,freq,expect",
    [
        ("2015-08-27", "M", "2015-07-01"),
        ("2015-08-31 10:00", "M", "2015-08-01"),
        ("2015-08-29", "W", "2015-08-17"),
        ("2015-08-30", "W", "2015-08-24"),
        ("2015-08-27", "D", "2015-08-27"),
    ],
)
def test_last_complete_period(last, freq, expect):
    assert last_complete_period(pd.Series(pd.to_datetime(["2015-01-01", last], format="mixed")), freq) == pd.Timestamp(expect)


def test_backtest_forecasts_shape_and_baselines():
    f = _features()
    fc = backtest_forecasts(f, freq="M", horizons=(1, 2), n_origins=3, model="ridge", season_length=12, active_window=30)
    assert set(fc["model"]) == {"seasonal_naive", "naive", "ridge", "ridge+text"}
    assert sorted(fc["origin"].unique()) == list(pd.date_range("2022-02-01", periods=3, freq="MS"))
    assert all(d == o + pd.DateOffset(months=int(h)) for d, o, h in zip(fc["ds"], fc["origin"], fc["horizon"], strict=True))
    y = f.set_index(["unique_id", "ds"])["n_reviews"]
    naive = fc[fc["model"] == "naive"]
    assert (naive["yhat"].to_numpy() == y.loc[list(zip(naive["unique_id"], naive["origin"], strict=True))].to_numpy()).all()
    assert (naive["y"].to_numpy() == y.loc[list(zip(naive["unique_id"], naive["ds"], strict=True))].to_numpy()).all()
    sn = fc[(fc["model"] == "seasonal_naive") & (fc["horizon"] == 1)]
    src = list(zip(sn["unique_id"], sn["ds"] - pd.DateOffset(months=12), strict=True))
    assert (sn["yhat"].to_numpy() == y.loc[src].to_numpy()).all()
    assert (fc["yhat"] >= 0).all()


def test_forecasts_use_nothing_after_the_origin():
    f = _features()
    kw = dict(freq="M", horizons=(1, 3), n_origins=1, model="lightgbm", active_window=30)
    fc = backtest_forecasts(f, **kw)
    origin = fc["origin"].iloc[0]
    g = f.copy()
    late = g["ds"] > origin
    g.loc[late, "n_reviews"] = g.loc[late, "n_reviews"] * 3 + 7
    for c in DEFAULT_TEXT_FEATURES:
        g.loc[late, c] = -5.0
    fc2 = backtest_forecasts(g, **kw)
    np.testing.assert_array_equal(fc["yhat"].to_numpy(), fc2["yhat"].to_numpy())
    assert not np.array_equal(fc["y"].to_numpy(), fc2["y"].to_numpy())  # the actuals did change


def test_score_forecasts_definitions():
    fc = pd.DataFrame(
        {
            "unique_id": ["a", "a", "b", "b"],
            "origin": [0, 1, 0, 1],
            "horizon": [1, 1, 1, 1],
            "ds": [1, 2, 1, 2],
            "y": [4.0, 0.0, 2.0, 1.0],
            "model": ["m"] * 4,
            "yhat": [2.0, 0.0, 2.0, 3.0],
            "mase_scale": [2.0, 1.0, 0.0, 4.0],
        }
    )
    r = score_forecasts(fc).iloc[0]
    assert r["mase"] == pytest.approx((2 / 2 + 0 / 1 + 2 / 4) / 3)  # the zero-scale case is left out
    assert r["n_mase_excluded"] == 1
    assert r["smape"] == pytest.approx((200 * 2 / 6 + 0 + 0 + 200 * 2 / 4) / 4)  # 0 vs 0 counts as 0
    assert r["mae"] == 1.0 and r["n_forecasts"] == 4 and r["n_series"] == 2 and r["zero_actual_share"] == 0.25


def test_backtest_metrics_table():
    m = backtest(_features(), freq="M", horizons=(1, 2, 3), n_origins=2, model="ridge", active_window=30)
    assert list(m["horizon"]) == [1] * 4 + [2] * 4 + [3] * 4
    assert list(m["model"][:4]) == ["seasonal_naive", "naive", "ridge", "ridge+text"]
    assert m[["mase", "smape", "mae"]].notna().all().all()
    with pytest.raises(ValueError, match="lacks"):
        backtest(_features().drop(columns=["net_advocacy"]), freq="M")
