"""Model cards: the committed cards are what the generator writes, and their metadata carries the evaluated figures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nlp.modeling.card import write_card

MODELS = Path(__file__).resolve().parents[2] / "models"
SHIPPED = sorted(p.parent for p in MODELS.glob("*/card.json"))


@pytest.mark.parametrize("model_dir", SHIPPED, ids=lambda p: p.name)
def test_committed_card_is_the_generated_one(model_dir, tmp_path):
    copy = tmp_path / model_dir.name
    copy.mkdir()
    for f in ("card.json", "config.json"):
        shutil.copy(model_dir / f, copy / f)
    shutil.copytree(model_dir / "eval", copy / "eval")
    assert write_card(copy).read_text() == (model_dir / "README.md").read_text(), f"regenerate: python -m nlp.modeling.card {model_dir}"


@pytest.mark.parametrize("model_dir", SHIPPED, ids=lambda p: p.name)
def test_card_metadata_holds_the_blend_figures(model_dir):
    yaml = pytest.importorskip("yaml")
    text = (model_dir / "README.md").read_text()
    assert text.startswith("---\n")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["language"] == ["ko"] and meta["license"] == "apache-2.0" and meta["pipeline_tag"] == "text-classification"
    assert meta["base_model"] == "intfloat/multilingual-e5-small"
    sentiment = json.loads((model_dir / "eval" / "sentiment.json").read_text())["sets"]
    intent = json.loads((model_dir / "eval" / "intent.json").read_text())["systems"]
    expected = [
        {"accuracy": sentiment["films_heldout"]["blend"]["accuracy"], "ece": sentiment["films_heldout"]["blend"]["ece"]},
        {k: sentiment["out_of_domain"]["blend"][m] for k, m in (("f1", "macro_f1"), ("accuracy", "accuracy"), ("ece", "ece"))},
        {"f1": intent["blend"]["macro_f1"], "accuracy": intent["blend"]["accuracy"]},
    ]
    results = meta["model-index"][0]["results"]
    assert len(results) == len(expected)
    for result, want in zip(results, expected):
        got = {m["type"]: m["value"] for m in result["metrics"]}
        assert got == {k: round(v, 3) for k, v in want.items()}
