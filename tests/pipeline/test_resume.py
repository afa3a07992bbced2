"""`nlp run --resume` after an interruption in any stage: every output is there and run.json tells the truth."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest
from typer.testing import CliRunner

from nlp.cli.main import app
from nlp.io.interrupt import RunInterrupted
from nlp.pipeline import DEMO_CORPUS, run

runner = CliRunner()


@pytest.fixture
def small_demo(tmp_path):
    src = tmp_path / "in.csv"
    pd.read_csv(DEMO_CORPUS, dtype=str).head(200).to_csv(src, index=False)
    return src


def _args(src, out, tiny_model):
    return ["run", str(src), "-o", str(out), "--model", str(tiny_model), "--topics-model", str(tiny_model), "--min-topic-size", "10"]


@pytest.mark.slow  # real processes killed mid-run; CI runs it explicitly (.ci/run)
def test_resume_after_a_kill_while_topics_were_written(tmp_path, small_demo, tiny_model, monkeypatch):
    import nlp.topics.table as topics_mod

    out = tmp_path / "out"

    def killed(*a, **k):
        raise KeyboardInterrupt  # after the topic tables were renamed in, before the model was

    monkeypatch.setattr(topics_mod, "replace_dir", killed)
    with pytest.raises(RunInterrupted) as exc:
        run(small_demo, out, model_dir=tiny_model, topics_model=tiny_model, min_topic_size=10)
    assert "score" in str(exc.value) and "resume=True" in str(exc.value)
    info = json.loads((out / "run.json").read_text())
    assert list(info["stages"]) == ["score", "aspects"] and info["complete"] is False and info["input_rows"] == 200
    assert (out / "topics" / "topics.parquet").exists() and not (out / "topics" / "model").exists()
    scored_before = (out / "scored.parquet").read_bytes()

    monkeypatch.undo()
    res = runner.invoke(app, _args(small_demo, out, tiny_model) + ["--resume"])
    assert res.exit_code == 0, res.output
    for name in ("doc_topics.parquet", "topics.parquet", "topics_by_product.parquet", "topics_by_period.parquet"):
        assert (out / "topics" / name).exists(), name
    assert (out / "topics" / "model").is_dir() and (out / "trends.parquet").exists() and (out / "report.html").exists()
    assert (out / "scored.parquet").read_bytes() == scored_before  # the finished stage was kept
    info = json.loads((out / "run.json").read_text())
    assert info["complete"] is True and list(info["stages"]) == ["score", "aspects", "topics", "trends", "report"]
    assert info["input_rows"] == info["scored_rows"] + info["rejected_rows"] == 200
    assert all(all(os.path.exists(p) for p in s["outputs"]) for s in info["stages"].values())
    assert not list(out.rglob("*.partial")) and not list(tmp_path.glob("*.lock"))


def test_resume_redoes_a_stage_whose_output_is_gone_and_those_after_it(tmp_path, small_demo, tiny_model):
    out = tmp_path / "out"
    run(small_demo, out, model_dir=tiny_model, topics_model=tiny_model, min_topic_size=10)
    topics_before = (out / "topics" / "doc_topics.parquet").stat().st_mtime_ns
    report_before = (out / "report.html").stat().st_mtime_ns
    (out / "trends.parquet").unlink()
    res = run(small_demo, out, model_dir=tiny_model, topics_model=tiny_model, min_topic_size=10, resume=True)
    assert (out / "trends.parquet").exists()
    assert (out / "topics" / "doc_topics.parquet").stat().st_mtime_ns == topics_before  # kept
    assert (out / "report.html").stat().st_mtime_ns != report_before  # after a redone stage: redone
    assert res.input_rows == 200 and res.complete


def test_resume_with_another_topic_setting_keeps_scoring_and_redoes_topics(tmp_path, small_demo, tiny_model):
    out = tmp_path / "out"
    run(small_demo, out, model_dir=tiny_model, topics_model=tiny_model, min_topic_size=10)
    scored_before = (out / "scored.parquet").stat().st_mtime_ns
    topics_before = (out / "topics" / "doc_topics.parquet").stat().st_mtime_ns
    res = runner.invoke(app, _args(small_demo, out, tiny_model) + ["--resume", "--seed", "7"])
    assert res.exit_code == 0, res.output
    assert (out / "scored.parquet").stat().st_mtime_ns == scored_before
    assert (out / "topics" / "doc_topics.parquet").stat().st_mtime_ns != topics_before
    assert json.loads((out / "run.json").read_text())["stages"]["topics"]["settings"]["seed"] == 7
