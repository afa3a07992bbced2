"""Sentiment training data: label mapping from ratings, film-disjoint splits.

Label mapping (documented in the model card):

* NSMC convention, used for the headline film accuracy: ratings 9–10 positive,
  1–4 negative, 5–8 left out, classes balanced.
* Training targets are rating-aware: every 1–10 rating contributes a probability vector
  over (negative, neutral, positive), so middling ratings teach the ``neutral``/mixed
  outcome instead of being thrown away (:data:`RATING_TARGETS`). 1–5 star ratings are
  mapped onto the 10-point scale first (star × 2).
* Tables with an explicit ``label`` column (negative/neutral/positive) use it one-hot.

``neutral`` at prediction time is the argmax of the three-way head, so a review whose
evidence is balanced (a clear praise plus a clear complaint) lands there.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from nlp.schema import SENTIMENT_LABELS

__all__ = ["SENTIMENT_LABELS", "RATING_TARGETS", "rating_targets", "label_targets", "film_split", "nsmc_binary"]


# P(negative), P(neutral), P(positive) for each 10-point rating.
RATING_TARGETS: dict[int, tuple[float, float, float]] = {
    1: (1.00, 0.00, 0.00),
    2: (0.95, 0.05, 0.00),
    3: (0.90, 0.10, 0.00),
    4: (0.75, 0.25, 0.00),
    5: (0.40, 0.50, 0.10),
    6: (0.20, 0.60, 0.20),
    7: (0.05, 0.55, 0.40),
    8: (0.00, 0.30, 0.70),
    9: (0.00, 0.05, 0.95),
    10: (0.00, 0.00, 1.00),
}


def rating_targets(ratings: pd.Series, scale: int = 10) -> np.ndarray:
    """Target probabilities for each rating (``scale`` 10 or 5; 5-star ratings are doubled)."""
    r = pd.to_numeric(pd.Series(ratings), errors="coerce")
    if scale == 5:
        r = r * 2
    r = r.round().clip(1, 10)
    out = np.full((len(r), 3), np.nan, dtype=np.float32)
    for i, v in enumerate(r.to_numpy()):
        if not np.isnan(v):
            out[i] = RATING_TARGETS[int(v)]
    return out


def label_targets(labels: pd.Series, label_list: list[str]) -> np.ndarray:
    """One-hot targets; unknown or missing labels give a NaN row (ignored in training)."""
    out = np.full((len(labels), len(label_list)), np.nan, dtype=np.float32)
    pos = {lab: i for i, lab in enumerate(label_list)}
    for i, lab in enumerate(labels.astype("string").fillna("").str.strip().str.lower()):
        if lab in pos:
            out[i] = 0.0
            out[i, pos[lab]] = 1.0
    return out


def _bucket(key: object, seed: int) -> float:
    h = hashlib.sha1(f"{seed}:{key}".encode()).hexdigest()
    return int(h[:8], 16) / 0xFFFFFFFF


def film_split(products: pd.Series, dev_share: float = 0.1, seed: int = 13) -> np.ndarray:
    """Boolean mask of rows whose product falls in the held-out share (no product on both sides).

    Example:
        >>> mask = film_split(pd.Series([1, 1, 2, 3]), dev_share=0.5)
        >>> bool(mask[0]) == bool(mask[1])
        True
    """
    keys = products.astype("string").fillna("")
    uniq = {k: _bucket(k, seed) < dev_share for k in keys.unique()}
    return keys.map(uniq).to_numpy(dtype=bool)


def nsmc_binary(df: pd.DataFrame, rating_col: str = "rating", n: int | None = None, seed: int = 13) -> pd.DataFrame:
    """NSMC labelling: 9–10 positive, 1–4 negative, 5–8 dropped, classes balanced."""
    r = pd.to_numeric(df[rating_col], errors="coerce")
    pos = df[r >= 9]
    neg = df[r <= 4]
    k = min(len(pos), len(neg)) if n is None else min(len(pos), len(neg), n // 2)
    out = pd.concat([pos.sample(k, random_state=seed).assign(label="positive"), neg.sample(k, random_state=seed).assign(label="negative")])
    return out.sample(frac=1.0, random_state=seed).reset_index(drop=True)
