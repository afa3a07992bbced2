"""On the NSMC film corpus (shared data, slow): the backtest beats the naive forecast on volume."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from nlp.trends import build_features
from nlp.trends.backtest import backtest, last_complete_period, select_series

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "nsmc_reviews.parquet"


@pytest.mark.slow
def test_film_volume_backtest_beats_naive():
    if not CORPUS.exists():
        pytest.skip(f"{CORPUS} not available")
    r = pd.read_parquet(CORPUS, columns=["review_id", "movie_id", "date", "rating"])
    n = r.groupby("movie_id")["review_id"].transform("size")
    r = r[(n >= 30) & (n < 100)]  # complete histories only (the crawl kept the 100 latest reviews)
    films = sorted(r["movie_id"].unique())[::4]
    r = r[r["movie_id"].isin(films)]
    scored = pd.DataFrame(
        {
            "id": r["review_id"].astype(str),
            "product_id": r["movie_id"],
            "created_at": pd.to_datetime(r["date"]),
            # stand-in scores (rating-derived), enough to exercise the text variant
            "sentiment_score": (r["rating"] - 5.5) / 4.5,
            "sentiment": pd.cut(r["rating"], [0, 4, 8, 10], labels=["negative", "neutral", "positive"]).astype(str),
            "intent": "none",
        }
    )
    end = last_complete_period(scored["created_at"], "M")
    f = build_features(scored, "M", extend_to=end)
    f = f[f["ds"] <= end]
    sel = select_series(f, min_reviews=30, min_active_periods=6, min_length=24)
    m = backtest(f, freq="M", horizons=(1, 3), n_origins=4, model="ridge", series=sel.ids).set_index(["model", "horizon"])
    for h in (1, 3):
        assert m.loc[("ridge", h), "mase"] < m.loc[("naive", h), "mase"]
        assert m.loc[("ridge", h), "mae"] < m.loc[("naive", h), "mae"]
