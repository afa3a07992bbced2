"""Small hand-made scored tables for the trends tests (built in code, no corpus needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

INTENTS = ["none", "consider", "intent", "repurchase", "recommend", "avoid"]


def make_scored(n: int = 300, products=("A", "B", "C"), start="2024-01-01", days: int = 180, seed: int = 0) -> pd.DataFrame:
    """A scored table like `nlp score` writes, with dyadic scores (exact in floating point)."""
    rng = np.random.default_rng(seed)
    score = rng.integers(-4, 5, n) / 4.0  # multiples of 0.25: sums and means are exact
    df = pd.DataFrame(
        {
            "id": [f"r{i}" for i in range(n)],
            "text": ["좋아요"] * n,
            "product_id": rng.choice(list(products), n),
            "created_at": (pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, days * 24, n), unit="h")).strftime(
                "%Y-%m-%d %H:%M"
            ),
            "rating": rng.integers(1, 11, n),
            "sentiment": np.where(score < 0, "negative", np.where(score > 0, "positive", "neutral")),
            "sentiment_score": score,
            "intent": rng.choice(INTENTS, n),
        }
    )
    for lab in INTENTS:
        df[f"intent_{lab}"] = (df["intent"] == lab).astype(float)
    df["flags"] = ""
    return df


@pytest.fixture
def scored() -> pd.DataFrame:
    return make_scored()


@pytest.fixture
def doc_topics(scored) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame({"id": scored["id"], "topic": rng.choice([-1, 0, 1, 2, 3], len(scored)), "topic_prob": 0.5})
