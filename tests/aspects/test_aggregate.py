"""Aggregates: Wilson intervals, per product × aspect (× period) summaries, and the trend columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nlp.aspects import aggregate, period_start, trend_columns, wilson_interval


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [(8, 10, 0.4902, 0.9433), (0, 5, 0.0, 0.4345), (5, 5, 0.5655, 1.0), (50, 100, 0.4038, 0.5962), (1, 1, 0.2065, 1.0)],
)
def test_wilson_interval(k, n, low, high):
    lo, hi = wilson_interval(k, n)
    assert lo == pytest.approx(low, abs=1e-4) and hi == pytest.approx(high, abs=1e-4)


def test_wilson_interval_vectorised_and_empty():
    lo, hi = wilson_interval(np.array([8, 0]), np.array([10, 0]))
    assert lo[0] == pytest.approx(0.4902, abs=1e-4) and np.isnan(lo[1]) and np.isnan(hi[1])


def _rows():
    return pd.DataFrame(
        {
            "id": ["1", "2", "3", "4", "5", "1", "6"],
            "product_id": ["p", "p", "p", "p", "p", "p", "q"],
            "created_at": ["2026-01-05", "2026-01-06", "2026-01-07", "2026-01-12", "2026-01-13", "2026-01-05", "2026-01-05"],
            "aspect": ["noise", "noise", "noise", "noise", "noise", "staff", "noise"],
            "aspect_label": ["소음"] * 5 + ["직원", "소음"],
            "polarity": ["positive", "positive", "positive", "neutral", "negative", "positive", "negative"],
            "score": [0.9, 0.5, 0.7, 0.0, -0.8, 0.6, -0.9],
            "mentions": [1, 2, 1, 1, 1, 1, 1],
        }
    )


def _reviews():
    ids = [str(i) for i in range(1, 11)]
    return pd.DataFrame(
        {
            "id": ids,
            "product_id": ["p"] * 8 + ["q"] * 2,
            "created_at": ["2026-01-05", "2026-01-06", "2026-01-07", "2026-01-12", "2026-01-13", "2026-01-05", "2026-01-14", "2026-01-15", "2026-01-05", "2026-01-06"],
        }
    )


def test_by_product():
    s = aggregate(_rows(), _reviews(), freq=None)
    assert s.by_period is None
    r = s.by_product.set_index(["product_id", "aspect"]).loc[("p", "noise")]
    assert r["n_reviews"] == 8 and r["reviews"] == 5 and r["mentions"] == 6
    assert r["share"] == pytest.approx(5 / 8)
    lo, hi = wilson_interval(5, 8)
    assert (r["share_low"], r["share_high"]) == pytest.approx((lo, hi))
    assert (r["positive"], r["neutral"], r["negative"]) == (3, 1, 1)
    assert r["net"] == pytest.approx((3 - 1) / 5)
    lo, hi = wilson_interval(3.5, 5)  # positive 1, neutral 1/2, negative 0
    assert (r["net_low"], r["net_high"]) == pytest.approx((2 * lo - 1, 2 * hi - 1))
    assert r["net_low"] < r["net"] < r["net_high"]
    assert r["positive_ids"] == ["1", "3", "2"] and r["negative_ids"] == ["5"] and r["evidence_ids"] == ["1", "3", "2"]
    q = s.by_product.set_index(["product_id", "aspect"]).loc[("q", "noise")]
    assert q["net"] == -1 and q["evidence_ids"] == ["6"]


def test_by_period_weeks():
    s = aggregate(_rows(), _reviews(), freq="W")
    w = s.by_period[(s.by_period["product_id"] == "p") & (s.by_period["aspect"] == "noise")].set_index("period")
    first, second = pd.Timestamp("2026-01-05"), pd.Timestamp("2026-01-12")
    assert w.loc[first, "reviews"] == 3 and w.loc[first, "n_reviews"] == 4
    assert w.loc[second, "reviews"] == 2 and w.loc[second, "n_reviews"] == 4 and w.loc[second, "net"] == pytest.approx(-0.5)


def test_without_reviews_share_is_unknown():
    s = aggregate(_rows(), freq=None)
    assert s.by_product["share"].isna().all() and (s.by_product["reviews"] > 0).all()


def test_period_start():
    got = period_start(pd.Series(["2026-01-07 13:00", "2026-01-11", "bad", None]), "W")
    assert got.iloc[0] == pd.Timestamp("2026-01-05") and got.iloc[1] == pd.Timestamp("2026-01-05") and got.iloc[2:].isna().all()
    assert period_start(pd.Series(["2026-02-17"]), "M").iloc[0] == pd.Timestamp("2026-02-01")
    with pytest.raises(ValueError, match="freq must be D, W or M"):
        period_start(pd.Series(["2026-01-01"]), "Q")


def test_trend_columns():
    t = trend_columns(_rows(), _reviews(), freq="W", keys=["noise", "staff", "price"]).set_index(["unique_id", "ds"])
    row = t.loc[("p", pd.Timestamp("2026-01-05"))]
    assert row["aspect_noise_share"] == pytest.approx(3 / 4) and row["aspect_noise_net"] == pytest.approx(1.0)
    assert row["aspect_staff_share"] == pytest.approx(1 / 4) and row["aspect_price_share"] == 0 and np.isnan(row["aspect_price_net"])
    row = t.loc[("p", pd.Timestamp("2026-01-12"))]
    assert row["aspect_noise_share"] == pytest.approx(2 / 4) and row["aspect_noise_net"] == pytest.approx(-0.5)
    assert len(t) == 3  # p: two weeks, q: one


def test_trend_columns_need_product_and_time():
    with pytest.raises(ValueError, match="needs the review table's time column 'created_at'"):
        trend_columns(_rows(), _reviews().drop(columns=["created_at"]))
