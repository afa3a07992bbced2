"""``nlp evaluate aspect-stars``: aspect scores against the customers' own aspect stars."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from nlp.aspects.stars import evaluate_aspect_stars, parse_star_columns, star_auc
from nlp.cli.main import app

runner = CliRunner()


def _delivery_table() -> pd.DataFrame:
    # a delivery export as the apps give it: overall stars plus taste / quantity / delivery stars,
    # one cell a crawler could not read
    return pd.DataFrame(
        {
            "text": [
                "맛있어요 양도 많고 배달도 빨라요",
                "맛은 있는데 양이 너무 적어요",
                "배달이 한시간 넘게 걸렸어요 다 식었어요",
                "너무 짜고 맛없어요",
                "양 많고 맛있어요",
                "잘 먹었습니다",
            ],
            "맛": [5, 5, 4, 1, 5, 5],
            "양": [5, 1, 4, 2, 5, 5],
            "배달": [5, 5, 1, 3, "별점X", 5],
            "rating": [5, 3, 1, 1, 5, 5],
            "store": ["s1", "s1", "s2", "s2", "s3", "s3"],
        }
    )


def test_star_auc_counts_ties_half_and_needs_both_sides():
    assert star_auc([0.5, 0.5], [5, 1])["auc"] == 0.5
    assert star_auc([-0.9, 0.9, 0.0], [5, 1, 3])["auc"] == 0.0  # the 3★ row is on neither side
    assert star_auc([0.9, 0.8], [5, 4]) == {"auc": None, "low": 0, "high": 1}


def test_parse_star_columns_rejects_malformed_pairs():
    assert parse_star_columns(["taste=맛", "delivery = 배달"]) == {"taste": "맛", "delivery": "배달"}
    with pytest.raises(ValueError, match="KEY=COLUMN"):
        parse_star_columns(["taste"])
    with pytest.raises(ValueError, match="no star column"):
        parse_star_columns([" , "])


def test_aspect_scores_separate_the_customers_aspect_stars():
    res = evaluate_aspect_stars(_delivery_table(), {"taste": "맛", "quantity": "양", "delivery": "배달", "any": "rating"}, domain="food", rules_only=True, by="store")
    taste, quantity, delivery = (res["pooled"][k] for k in ("taste", "quantity", "delivery"))
    assert taste["auc_mentioned"] == 1.0 and taste["mentioned_low"] == 1  # 맛없어요 (1★) below every 맛있어요 (5★)
    assert quantity["auc_mentioned"] == 1.0 and quantity["low"] == 2 and quantity["high"] == 3
    assert delivery["unrated"] == 1 and delivery["low"] == 1  # "별점X" is counted, not read as a star
    # 잘 먹었습니다 names no aspect: it counts against coverage and scores 0 in auc_all
    assert taste["coverage"] < 1.0 and taste["auc_all"] is not None
    assert res["pooled"]["any"]["auc_mentioned"] == 1.0
    assert set(res["by"]) == {"s1", "s2", "s3"} and res["by"]["s3"]["taste"]["auc_mentioned"] is None  # only 5★ there


def test_aspect_stars_errors_name_the_problem():
    df = _delivery_table()
    with pytest.raises(ValueError, match="lacks columns"):
        evaluate_aspect_stars(df, {"taste": "taste_stars"}, domain="food", rules_only=True)
    with pytest.raises(ValueError, match="unknown aspect keys"):
        evaluate_aspect_stars(df, {"flavour": "맛"}, domain="food", rules_only=True)
    with pytest.raises(ValueError, match="below high"):
        evaluate_aspect_stars(df, {"taste": "맛"}, domain="food", rules_only=True, low=5, high=5)


def test_evaluate_aspect_stars_cli(tmp_path, tiny_model_dir):
    src = tmp_path / "delivery.csv"
    _delivery_table().to_csv(src, index=False)
    out = tmp_path / "stars.json"
    res = runner.invoke(
        app, ["evaluate", "aspect-stars", "--data", str(src), "--stars", "taste=맛,quantity=양", "--stars", "delivery=배달", "--domain", "food",
              "--model", str(tiny_model_dir), "--json", str(out)]
    )
    assert res.exit_code == 0, res.output
    r = json.loads(out.read_text())
    assert set(r["pooled"]) == {"taste", "quantity", "delivery"} and r["pooled"]["delivery"]["unrated"] == 1
    assert "AUC" in res.output
    bad = runner.invoke(app, ["evaluate", "aspect-stars", "--data", str(src), "--stars", "taste", "--domain", "food", "--rules-only"])
    assert bad.exit_code == 2 and "KEY=COLUMN" in bad.output
