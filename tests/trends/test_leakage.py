"""Features at ``ds`` use only rows dated before the end of that period; ``lag`` shifts them exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nlp.trends import build_features
from tests.trends.conftest import make_scored

_STEP = {"D": pd.DateOffset(days=1), "W": pd.DateOffset(weeks=1), "M": pd.DateOffset(months=1)}
_CUTOFF = {"D": "2024-03-15", "W": "2024-03-18", "M": "2024-04-01"}  # period boundaries (a Monday for W)


def _perturb_after(df: pd.DataFrame, doc_topics: pd.DataFrame, cutoff: pd.Timestamp, seed: int = 5):
    """Change, delete and add rows dated on or after ``cutoff``; rows before it stay as they are."""
    rng = np.random.default_rng(seed)
    times = pd.to_datetime(df["created_at"])
    late = times >= cutoff
    out = df.copy()
    out.loc[late, "sentiment_score"] = -1.0
    out.loc[late, "sentiment"] = "negative"
    out.loc[late, "intent"] = "avoid"
    out.loc[late, "rating"] = 1
    drop = out.index[late][::3]
    out = out.drop(index=drop)
    extra = make_scored(n=80, products=("A", "B", "Z"), start=str(cutoff.date()), days=30, seed=seed)
    extra["id"] = "new" + extra["id"]
    out = pd.concat([out, extra], ignore_index=True)
    dt = doc_topics[doc_topics["id"].isin(out["id"])].copy()
    dt.loc[dt["id"].isin(df.loc[late, "id"]), "topic"] = 3
    dt = pd.concat(
        [dt, pd.DataFrame({"id": extra["id"], "topic": rng.choice([2, 3], len(extra)), "topic_prob": 0.9})], ignore_index=True
    )
    return out, dt


@pytest.mark.parametrize("freq", ["D", "W", "M"])
@pytest.mark.parametrize("lag", [0, 2])
def test_rows_after_a_period_end_do_not_change_features_up_to_it(scored, doc_topics, freq, lag):
    cutoff = pd.Timestamp(_CUTOFF[freq])
    kw = dict(doc_topics=doc_topics, top_topics=10, min_volume=2, window=4, min_periods=2, lag=lag)
    before = build_features(scored, freq, **kw)
    changed, changed_topics = _perturb_after(scored, doc_topics, cutoff)
    kw["doc_topics"] = changed_topics
    after = build_features(changed, freq, **kw)

    # with lag K, rows dated < cutoff determine every feature up to K periods later
    horizon = cutoff + lag * _STEP[freq]
    keep_b = before[before["ds"] < horizon].reset_index(drop=True)
    keep_a = after[(after["ds"] < horizon) & after["unique_id"].isin(before["unique_id"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(keep_b, keep_a, check_exact=True)
    # and the perturbation did change the later periods (the test can fail)
    late_b = before[before["ds"] >= horizon].set_index(["unique_id", "ds"])
    late_a = after.set_index(["unique_id", "ds"]).reindex(late_b.index)
    assert not late_b["sentiment_mean"].equals(late_a["sentiment_mean"])


def test_z_scores_exclude_their_own_period(scored):
    # doubling the volume of the last period changes its own z-score but no baseline of earlier periods
    f = build_features(scored, "W", min_volume=1, window=4, min_periods=2)
    last_ds = f["ds"].max()
    late = pd.to_datetime(scored["created_at"]) >= last_ds
    more = pd.concat([scored, scored[late].assign(id=lambda d: "dup" + d["id"])], ignore_index=True)
    g = build_features(more, "W", min_volume=1, window=4, min_periods=2)
    early = f["ds"] < last_ds
    pd.testing.assert_frame_equal(f[early].reset_index(drop=True), g[early.to_numpy()].reset_index(drop=True))
    assert (g.loc[~early.to_numpy(), "volume_z"].to_numpy() > f.loc[~early, "volume_z"].to_numpy()).all()


@pytest.mark.parametrize("freq,lag", [("W", 1), ("M", 3), ("D", 2)])
def test_lag_shifts_every_feature_exactly(scored, doc_topics, freq, lag):
    kw = dict(doc_topics=doc_topics, top_topics=3, min_volume=2, window=4, min_periods=2)
    base = build_features(scored, freq, **kw)
    lagged = build_features(scored, freq, lag=lag, **kw)
    assert list(lagged.columns) == list(base.columns)
    step = _STEP[freq]
    for uid, b in base.groupby("unique_id"):
        lg = lagged[lagged["unique_id"] == uid].reset_index(drop=True)
        # same start, K more periods at the end
        assert lg["ds"].iloc[0] == b["ds"].iloc[0]
        assert lg["ds"].iloc[-1] == b["ds"].iloc[-1] + lag * step
        assert len(lg) == len(b) + lag
        feats = [c for c in base.columns if c not in ("unique_id", "ds")]
        shifted = lg.iloc[lag:].reset_index(drop=True)
        src = b.reset_index(drop=True)
        assert (shifted["ds"] == src["ds"] + lag * step).all()
        for c in feats:
            if c.startswith("anomaly_") or c == "emerging_topics":
                assert shifted[c].tolist() == src[c].tolist(), c
            else:
                np.testing.assert_array_equal(shifted[c].to_numpy(dtype=float), src[c].to_numpy(dtype=float), err_msg=c)
        head = lg.iloc[:lag]
        assert head["n_reviews"].isna().all() and head["sentiment_mean"].isna().all()
        assert not head["anomaly_volume_spike"].any() and (head["emerging_topics"] == "").all()
