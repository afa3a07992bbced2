"""Figures against customers' stars: the label rule and the per-domain report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nlp.modeling.rated_eval import labels_from_ratings, rated_report


@pytest.mark.parametrize(
    ("rating", "scale", "label"),
    [(1, 5, "negative"), (2, 5, "negative"), (3, 5, "neutral"), (4, 5, "positive"), (4, 10, "negative"), (7.5, 10, "neutral"), (8, 10, "positive"), (1, 4, "negative"), (3, 4, "neutral"), (4, 4, "positive")],
)
def test_label_rule_follows_the_datasheet(rating, scale, label):
    assert labels_from_ratings(pd.Series([float(rating)]), pd.Series([scale]))[0] == label


def _scored(labels, scores):
    probs = {"negative": [], "neutral": [], "positive": []}
    for lab in labels:
        for k in probs:
            probs[k].append(np.nan if lab is None else (0.8 if k == lab else 0.1))
    return pd.DataFrame({"sentiment": labels, "sentiment_score": scores, **{f"sentiment_{k}": v for k, v in probs.items()}})


def test_report_counts_unscored_rows_as_misses_and_splits_domains():
    gold = pd.Series(["negative", "negative", "positive", "positive", "neutral", "negative"])
    scored = _scored(["negative", "positive", "positive", None, "neutral", "negative"], [-0.9, 0.5, 0.9, np.nan, 0.0, -0.4])
    groups = pd.Series(["a", "a", "a", "b", "b", "b"])
    res = rated_report(scored, gold, groups)
    pooled = res["pooled"]
    assert pooled["n"] == 6 and pooled["n_negative"] == 3 and pooled["unscored"] == 1
    # negatives predicted: rows 0 and 5, both right; gold negatives: 0, 1, 5
    assert pooled["negative_precision"] == pytest.approx(1.0)
    assert pooled["negative_recall"] == pytest.approx(2 / 3)
    # binary over rows 0,1,2,3,5: pred neg,pos,pos,none,neg vs gold neg,neg,pos,pos,neg
    assert 0 < pooled["binary_macro_f1"] < 1
    assert set(res["by_group"]) == {"a", "b"}
    assert res["by_group"]["b"]["n"] == 3


def test_a_loaded_scorer_is_evaluated_as_its_model_directory(tiny_model_dir, tmp_path):
    from nlp.modeling.rated_eval import evaluate_rated
    from nlp.scoring import Scorer

    data = tmp_path / "rated.csv"
    pd.DataFrame({"id": [f"r{i}" for i in range(6)], "text": ["좋아요", "별로예요", "그냥 그래요", "최고", "환불했어요", "괜찮아요"],
                  "rating": [5, 1, 3, 5, 1, 4]}).to_csv(data, index=False)
    by_dir = evaluate_rated(data, tiny_model_dir, backend="torch")
    given = evaluate_rated(data, scorer=Scorer.load(tiny_model_dir, backend="torch"))
    assert given["pooled"] == pytest.approx(by_dir["pooled"], nan_ok=True)
    assert given["model"] == "a given scorer" and by_dir["model"] == str(tiny_model_dir)
