"""Distillation into fewer layers on the tiny model: the student's start, training, shared sparse models."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
import torch

from nlp.artifacts.sparse import CharTfidfClassifier
from nlp.modeling.distil import distil, student_from_teacher
from nlp.modeling.sentiment import SentimentSource
from nlp.modeling.train import TrainConfig
from nlp.scoring.scorer import INTENT_LABELS, ModelError, Scorer


def _teacher(tiny_model_dir, root):
    """The tiny model, beside a fitted sentiment char TF-IDF model."""
    t = root / "teacher"
    shutil.copytree(tiny_model_dir, t)
    CharTfidfClassifier(max_features=500).fit(["좋아요 최고", "별로예요", "그냥 그래요"] * 3, ["positive", "negative", "neutral"] * 3).save(t, prefix="sentiment_")
    return t


def test_student_starts_from_the_teachers_bottom_layers(tiny_model_dir):
    from safetensors.torch import load_file

    student = student_from_teacher(tiny_model_dir, layers=1)
    assert student.config.num_layers == 1 and len(student.encoder.base_model.model.encoder.layer) == 1
    assert set(student.heads) == {"sentiment", "intent"}  # the extra intent head comes along
    teacher = load_file(str(tiny_model_dir / "adapter.safetensors"))
    mine = student.trainable_state()
    layer0 = [k for k in teacher if ".layer.0." in k]
    assert layer0 and all(torch.equal(teacher[k], mine[k]) for k in layer0)
    assert not any(".layer.1." in k for k in mine)
    head = load_file(str(tiny_model_dir / "head_intent.safetensors"))
    assert torch.equal(student.heads["intent"].weight, head["weight"])


def test_student_needs_fewer_layers(tiny_model_dir):
    with pytest.raises(ValueError, match="fewer layers"):
        student_from_teacher(tiny_model_dir, layers=2)


def test_distil_trains_a_student_that_shares_the_teachers_sparse_model(tiny_model_dir, tmp_path):
    teacher = _teacher(tiny_model_dir, tmp_path)
    data = tmp_path / "sent.csv"
    pd.DataFrame({"id": [f"r{i}" for i in range(12)], "text": ["좋아요 최고", "별로예요 최악", "그냥 그래요"] * 4, "label": ["positive", "negative", "neutral"] * 4}).to_csv(data, index=False)
    gold = tmp_path / "gold"
    gold.mkdir()
    pd.DataFrame(
        {"id": ["a", "b", "c", "d"], "source": "x", "domain": "d", "channel": "review", "text": ["또 살게요", "환불했어요", "사야겠다", "별로"], "label": ["repurchase", "avoid", "intent", "none"], "split": ["train", "train", "dev", "test"]}
    ).to_csv(gold / "gold.csv", index=False)
    src = SentimentSource(path=str(data), label_col="label", rating_col=None, product_col=None)
    extra = tmp_path / "unlabelled.csv"
    pd.DataFrame({"text": ["장바구니 담았어요", "좋아요 최고", None, "반품 요청합니다"]}).to_csv(extra, index=False)  # one already labelled, one empty
    out = distil(
        teacher, tmp_path / "student", tmp_path / "run", [src], layers=1, gold_dir=gold, train_config=TrainConfig(batch_size=4, epochs=1.0, threads=1), unlabelled=[str(extra)]
    )
    assert json.loads((out / "training_data.json").read_text())["unlabelled"]["texts"] == 2
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["num_layers"] == 1 and cfg["tasks"]["intent"] == list(INTENT_LABELS)
    assert (out / cfg["sparse_from"]).resolve() == teacher.resolve()
    assert (tmp_path / "run" / "teacher_probs.npz").exists()
    s = Scorer.load(out, backend="torch")
    assert "sentiment" in s.sparse  # the teacher's, by reference
    p = s.predict(["좋아요 최고"])
    assert p["sentiment"].shape == (1, 3) and p["intent"].shape == (1, len(INTENT_LABELS))
    # the student's weights moved away from the teacher's start
    start = student_from_teacher(teacher, 1).trainable_state()
    from safetensors.torch import load_file

    saved = load_file(str(out / "adapter.safetensors"))
    assert any(not torch.equal(saved[k], start[k]) for k in saved)
    # a student moved away from its teacher says where the sparse models were expected
    moved = tmp_path / "elsewhere" / "student"
    shutil.copytree(out, moved)
    with pytest.raises(ModelError, match="sparse_from"):
        Scorer.load(moved, backend="torch")


def test_refitting_a_students_blends_keeps_the_shared_char_models(tiny_model_dir, tmp_path):
    from safetensors.numpy import load_file
    from typer.testing import CliRunner

    from nlp.cli.main import app

    teacher = _teacher(tiny_model_dir, tmp_path)
    CharTfidfClassifier(max_features=500).fit(["또 살게요", "환불했어요", "사야겠다", "별로", "살까 고민", "강추해요"] * 3, INTENT_LABELS[::-1] * 3).save(teacher, prefix="intent_")
    student = tmp_path / "student"
    student_from_teacher(teacher, 1).save(student)
    cfg = json.loads((student / "config.json").read_text())
    (student / "config.json").write_text(json.dumps({**cfg, "sparse_from": "../teacher"}))
    gold = tmp_path / "gold"
    gold.mkdir()
    pd.DataFrame(
        {"id": list("abcdef"), "source": "x", "domain": "d", "channel": "review", "text": ["또 살게요", "환불했어요", "사야겠다", "별로", "살까 고민", "강추해요"], "label": INTENT_LABELS[::-1], "split": "dev"}
    ).to_csv(gold / "gold.csv", index=False)
    before = (teacher / "intent_sparse.safetensors").read_bytes()
    r = CliRunner().invoke(app, ["train", "blend", "--model", str(student), "--skip-sentiment", "--gold", str(gold)])
    assert r.exit_code == 0, r.output
    assert not list(student.glob("intent_sparse*"))  # no private copy: the teacher's models stay the ones in use
    assert (teacher / "intent_sparse.safetensors").read_bytes() == before
    assert any(k.startswith("intent") for k in load_file(str(student / "blend.safetensors")))
