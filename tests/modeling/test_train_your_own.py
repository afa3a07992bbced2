"""The README's "Train your own" commands, end to end through the CLI, on the tiny base built in code."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from nlp.cli.main import app

POS = ["배송 빠르고 좋아요", "최고예요 또 살게요", "품질 만족합니다", "예뻐요 추천해요"]
NEG = ["별로예요 환불했어요", "최악이에요 다시는 안 사요", "불량이 왔어요", "냄새나요 실망"]
MID = ["그냥 그래요", "보통이에요", "무난해요", "가격만큼이에요"]


def _invoke(args):
    res = CliRunner().invoke(app, [str(a) for a in args])
    assert res.exit_code == 0, res.output
    return res


def test_train_your_own_base_intent_soup_blend_score(tiny_model_dir, tmp_path):
    base = json.loads((tiny_model_dir / "config.json").read_text())["base"]  # a plain HF encoder directory, as --base takes
    rows = [(t, 5) for t in POS] + [(t, 1) for t in NEG] + [(t, 3) for t in MID]
    reviews = pd.DataFrame(
        {
            "id": [f"r{i}" for i in range(len(rows) * 3)],
            "text": [t for t, _ in rows] * 3,
            "stars": [s for _, s in rows] * 3,
            "product_id": [f"p{i}" for i in range(len(rows) * 3)],
        }
    )
    csv = tmp_path / "my_reviews.csv"
    reviews.to_csv(csv, index=False)
    spec = f"{csv}:rating_col=stars,rating_scale=5,dev_share=0.25"
    gold = tmp_path / "gold"
    gold.mkdir()
    texts = ["또 살게요", "환불했어요", "사야겠다", "별로", "고민 중이에요", "친구한테 추천", "재구매 각", "살까 말까"]
    labels = ["repurchase", "avoid", "intent", "none", "consider", "recommend", "repurchase", "consider"]
    pd.DataFrame(
        {
            "id": [f"g{i}" for i in range(16)],
            "source": "x",
            "domain": "d",
            "channel": "review",
            "text": texts * 2,
            "label": labels * 2,
            "split": ["train"] * 8 + ["dev"] * 4 + ["test"] * 4,
        }
    ).to_csv(gold / "gold.csv", index=False)
    common = ["--batch-size", 8, "--epochs", 1, "--threads", 1, "--no-blend"]
    _invoke(["train", "sentiment", "--base", base, "--layers", 2, "-o", tmp_path / "s1", "--data", spec, "--films", "", *common])
    for name, seed in (("s2", 13), ("s2b", 14)):
        _invoke(
            [
                "train",
                "intent",
                "--init-from",
                tmp_path / "s1",
                "-o",
                tmp_path / name,
                "--gold",
                gold,
                "--data",
                spec,
                "--seed",
                seed,
                # no shared corpora: the test uses only what it builds (the defaults read NSMC beside the checkout)
                "--silver-from",
                "",
                "--films",
                "",
                *common,
            ]
        )
    run_b = json.loads((tmp_path / "s2b" / "training_data.json").read_text())
    assert (run_b["split_seed"], run_b["train_seed"]) == (13, 14)  # --seed moves the training randomness, not the held-out rows
    _invoke(["train", "soup", tmp_path / "s2", tmp_path / "s2b", "-o", tmp_path / "soup"])
    _invoke(["train", "blend", "--model", tmp_path / "soup", "--sparse-data", spec, "--gold", gold, "--films", ""])
    cfg = json.loads((tmp_path / "soup" / "config.json").read_text())
    assert cfg["base"] == base and cfg["lora_r"] == 2 * 16 and len(cfg["soup"]) == 2
    _invoke(["score", csv, "-o", tmp_path / "scored.csv", "--model", tmp_path / "soup"])
    scored = pd.read_csv(tmp_path / "scored.csv")
    assert len(scored) == len(reviews)
    assert {"sentiment", "sentiment_score", "intent", "intent_consider"} <= set(scored.columns)
    assert scored["sentiment"].isin(["negative", "neutral", "positive"]).all()


def test_blend_without_calibration_rows_says_what_to_give(tmp_path):
    import pytest

    from nlp.modeling.sentiment import SentimentSource, _calibration_set

    csv = tmp_path / "r.csv"
    pd.DataFrame({"text": POS + NEG, "stars": [5] * 4 + [1] * 4, "product_id": "p"}).to_csv(csv, index=False)
    with pytest.raises(ValueError, match="no rows to calibrate the sentiment blend.*--films"):
        _calibration_set([SentimentSource(path=str(csv), rating_col="stars", rating_scale=5, dev_share=0.0)], None, 13)
