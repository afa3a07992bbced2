"""Scoring end to end with a tiny model built in code: columns, accounting, resume, repeatability, safety."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from nlp.cli.main import app
from nlp.scoring.scorer import INTENT_LABELS, ModelError, Scorer
from nlp.scoring.table import score_table
from tests.conftest import read_jsonl

runner = CliRunner()


def test_score_columns_and_flags(tmp_path, korean_csv, tiny_scorer):
    out = tmp_path / "scored.parquet"
    stats = score_table(korean_csv, out, scorer=tiny_scorer)
    assert stats.input_rows == stats.output_rows + stats.rejected_rows == 10
    df = pd.read_parquet(out)
    for col in ["sentiment", "sentiment_score", "intent", "flags"] + [f"intent_{lab}" for lab in INTENT_LABELS]:
        assert col in df.columns
    live = df[df["flags"] != "empty"]
    assert live["sentiment"].isin(["negative", "neutral", "positive"]).all()
    assert live["sentiment_score"].between(-1, 1).all()
    assert np.allclose(live[[f"intent_{lab}" for lab in INTENT_LABELS]].sum(axis=1), 1, atol=1e-3)
    empty = df[df["id"] == "6"].iloc[0]
    assert pd.isna(empty["sentiment"]) and "empty" in empty["flags"]
    phone = df[df["id"] == "10"].iloc[0]
    assert "pii_masked" in phone["flags"] and "010-1234-5678" not in phone["text"]


def test_same_input_same_output(tmp_path, korean_csv, tiny_scorer):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    score_table(korean_csv, a, scorer=tiny_scorer, chunk_size=3)
    score_table(korean_csv, b, scorer=tiny_scorer, chunk_size=3)
    assert a.read_bytes() == b.read_bytes()


def test_chunks_prepared_ahead_match_one_chunk(tmp_path, tiny_scorer):
    # chunk k+1's text stage runs on a thread while chunk k is scored: flags that depend on
    # earlier chunks (duplicates) and every score must equal a single-chunk run
    texts = ["배송 빨라요", "재구매할게요", "배송 빨라요", "별로예요 환불", "", "재구매할게요", "사이즈 추천해 주세요"]
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": [1, 2, 1, 4, 5, 6, 7], "text": texts}).to_csv(src, index=False)
    one = pd.read_parquet(score_table(src, tmp_path / "one.parquet", scorer=tiny_scorer, chunk_size=100).output)
    many = pd.read_parquet(score_table(src, tmp_path / "many.parquet", scorer=tiny_scorer, chunk_size=2).output)
    pd.testing.assert_frame_equal(one, many)
    assert "duplicate" in many["flags"].iloc[2]


def test_token_ids_must_match_texts(tiny_scorer):
    ids = tiny_scorer.model.encode_ids(["좋아요"])
    with pytest.raises(ValueError, match="token_ids has 1 rows for 2 texts"):
        tiny_scorer.predict(["좋아요", "별로"], token_ids=ids)
    np.testing.assert_allclose(tiny_scorer.predict(["좋아요"], token_ids=ids)["sentiment"], tiny_scorer.predict(["좋아요"])["sentiment"])


def test_resume_after_interruption_gives_identical_rows(tmp_path, korean_csv, tiny_scorer, monkeypatch):
    full = tmp_path / "full.parquet"
    score_table(korean_csv, full, scorer=tiny_scorer, chunk_size=3)
    out = tmp_path / "resumed.parquet"
    import nlp.scoring.table as mod

    real = mod.score_frame
    calls = {"n": 0}

    def dying(*a, **k):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # killed in the middle of the third chunk
        return real(*a, **k)

    monkeypatch.setattr(mod, "score_frame", dying)
    with pytest.raises(KeyboardInterrupt):
        score_table(korean_csv, out, scorer=tiny_scorer, chunk_size=3)
    assert not out.exists()  # never a half-written file under the final name
    monkeypatch.setattr(mod, "score_frame", real)
    stats = score_table(korean_csv, out, scorer=tiny_scorer, chunk_size=3, resume=True)
    assert stats.output_rows == 10
    pd.testing.assert_frame_equal(pd.read_parquet(out), pd.read_parquet(full))


@pytest.mark.parametrize("state", [None, "", '{"version": 1, "inp'])
def test_resume_after_a_kill_before_any_part_starts_over(tmp_path, korean_csv, tiny_scorer, state):
    """Killed after the parts folder was made but before its state was (fully) written: nothing to keep, so start over."""
    out = tmp_path / "o.parquet"
    parts = tmp_path / "o.parquet.parts"
    parts.mkdir()
    if state is not None:
        (parts / "state.json").write_text(state)
    stats = score_table(korean_csv, out, scorer=tiny_scorer, resume=True)
    fresh = score_table(korean_csv, tmp_path / "fresh.parquet", scorer=tiny_scorer)
    assert stats.output_rows == fresh.output_rows
    pd.testing.assert_frame_equal(pd.read_parquet(out), pd.read_parquet(tmp_path / "fresh.parquet"))


def test_resume_without_state_but_with_parts_refuses(tmp_path, korean_csv, tiny_scorer):
    """Finished parts whose settings cannot be read are not silently mixed into a new run."""
    parts = tmp_path / "o.parquet.parts"
    parts.mkdir()
    (parts / "part-00000.parquet").write_bytes(b"")
    with pytest.raises(ValueError, match="cannot resume"):
        score_table(korean_csv, tmp_path / "o.parquet", scorer=tiny_scorer, resume=True)


def test_resume_refuses_other_settings(tmp_path, korean_csv, tiny_scorer):
    out = tmp_path / "o.parquet"
    parts = tmp_path / "o.parquet.parts"
    parts.mkdir()
    (parts / "state.json").write_text(json.dumps({"chunk_size": 1}))
    with pytest.raises(ValueError, match="cannot resume"):
        score_table(korean_csv, out, scorer=tiny_scorer, resume=True)


def test_bad_rows_rejected_or_flagged(tmp_path, tiny_scorer):
    src = tmp_path / "bad.jsonl"
    lines = [
        {"id": "a", "text": "정상 리뷰 좋아요"},
        {"id": "a", "text": "아이디 중복"},
        {"id": None, "text": "아이디 없음"},
        {"id": "b", "text": None},
        {"id": "c", "text": "   "},
        {"id": "d", "text": "😊😊"},
        {"id": "e", "text": "가나다 " * 10_000},
        {"id": "f", "text": "This is English only"},
    ]
    body = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines[:4]) + '\n{"id": "broken", "text": \n' + "\n".join(json.dumps(x, ensure_ascii=False) for x in lines[4:]) + "\n"
    src.write_text(body, encoding="utf-8")
    out = tmp_path / "o.csv"
    stats = score_table(src, out, scorer=tiny_scorer)
    assert stats.input_rows == 9 and stats.output_rows == 8 and stats.rejected_rows == 1
    df = pd.read_csv(out, dtype=str, keep_default_na=False)
    flags = df["flags"].tolist()
    assert "duplicate_id" in flags[1]
    assert df["id"].iloc[2].startswith("r2-")
    assert "empty" in flags[3] and "empty" in flags[4]
    assert flags[5] == "filler" and df["sentiment"].iloc[5] == ""  # emoji only: no word to score
    assert "truncated" in flags[6]  # over 5,000 characters
    assert "non_korean" in flags[7]
    rej = read_jsonl(str(out) + ".rejects.jsonl")
    assert rej[0]["row"] == 4 and "invalid JSON" in rej[0]["reason"]


def test_scoring_needs_no_network(tmp_path, korean_csv, tiny_model, no_network):
    out = tmp_path / "o.parquet"
    stats = score_table(korean_csv, out, model_dir=tiny_model)
    assert stats.output_rows == 10


def test_missing_and_corrupt_model_dirs(tmp_path, tiny_model):
    with pytest.raises(ModelError, match="not found"):
        Scorer.load(tmp_path / "nope")
    (tiny_model / "adapter.safetensors").write_bytes(b"garbage")
    with pytest.raises(ModelError, match="corrupt"):
        Scorer.load(tiny_model)


def test_cli_errors_are_one_line(tmp_path, korean_csv):
    res = runner.invoke(app, ["score", str(korean_csv), "-o", str(tmp_path / "o.csv"), "--model", str(tmp_path / "missing")])
    assert res.exit_code == 2
    assert "not found" in res.output and "--model" in res.output and "Traceback" not in res.output


def test_cli_score_with_embeddings(tmp_path, korean_csv, tiny_model):
    out, emb = tmp_path / "o.parquet", tmp_path / "emb.npy"
    res = runner.invoke(app, ["score", str(korean_csv), "-o", str(out), "--model", str(tiny_model), "--embeddings", str(emb)])
    assert res.exit_code == 0, res.output
    assert np.load(emb).shape == (10, 32)


@pytest.mark.skipif(sys.platform != "linux", reason="uses SIGKILL")
@pytest.mark.slow  # real processes killed mid-run; CI runs it explicitly (.ci/run)
def test_sigkill_then_resume(tmp_path, tiny_model):
    """A real process killed with SIGKILL mid-run, then --resume: same rows as an uninterrupted run."""
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": range(400), "text": [f"리뷰 번호 {i} 배송 빨라요" for i in range(400)]}).to_csv(src, index=False)
    full = tmp_path / "full.csv"
    base = [sys.executable, "-m", "nlp.cli.main", "score", str(src), "--model", str(tiny_model), "--chunk-size", "20", "--threads", "1"]
    subprocess.run(base + ["-o", str(full)], check=True, capture_output=True)
    out = tmp_path / "out.csv"
    proc = subprocess.Popen(base + ["-o", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parts = tmp_path / "out.csv.parts"
    import time

    deadline = time.time() + 60
    while time.time() < deadline and len(list(parts.glob("part-*.parquet"))) < 3:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not out.exists()
    subprocess.run(base + ["-o", str(out), "--resume"], check=True, capture_output=True)
    assert out.read_bytes() == full.read_bytes()


def test_cli_score_from_stdin(tmp_path, tiny_model):
    body = '{"id": "a", "text": "배송 빨라요"}\n{"id": "b", "text": "별로예요"}\n'
    out = tmp_path / "o.jsonl"
    res = runner.invoke(app, ["score", "-", "-o", str(out), "--model", str(tiny_model)], input=body)
    assert res.exit_code == 0, res.output
    assert [r["id"] for r in read_jsonl(out)] == ["a", "b"]


def test_run_resume_keeps_finished_stages(tmp_path, tiny_model):
    from nlp.pipeline import DEMO_CORPUS, run

    src = tmp_path / "in.csv"
    pd.read_csv(DEMO_CORPUS, dtype=str).head(200).to_csv(src, index=False)
    out = tmp_path / "out"
    first = run(src, out, model_dir=tiny_model, topics_model=tiny_model, min_topic_size=10)
    before = (out / "scored.parquet").read_bytes()
    second = run(src, out, model_dir=tiny_model, topics_model=tiny_model, min_topic_size=10, resume=True)
    assert (out / "scored.parquet").read_bytes() == before
    assert second.scored_rows == first.scored_rows == 200


def test_cli_fast_uses_the_fast_model_on_int8(tmp_path, korean_csv, tiny_model, monkeypatch):
    from nlp.scoring.scorer import fast_model_dir, resolve_fast

    monkeypatch.setenv("NLP_FAST_MODEL", str(tiny_model))
    assert fast_model_dir() == tiny_model
    assert resolve_fast(True, None, None) == (tiny_model, True, 0.0)  # no fp32 re-check: speed first
    assert resolve_fast(True, None, None, 0.05) == (tiny_model, True, 0.05)  # unless asked for
    assert resolve_fast(False, None, None) == (None, True, None)  # int8 by default
    assert resolve_fast(False, None, False) == (None, False, None)
    with pytest.raises(ValueError, match="drop quantize=False"):
        resolve_fast(True, None, False)
    out = tmp_path / "o.parquet"
    res = runner.invoke(app, ["score", str(korean_csv), "-o", str(out), "--fast"])
    assert res.exit_code == 0, res.output
    assert len(pd.read_parquet(out)) == 10 and "intent_avoid" in pd.read_parquet(out)
    res = runner.invoke(app, ["score", str(korean_csv), "-o", str(out), "--fast", "--model", str(tiny_model)])
    assert res.exit_code == 2 and "--fast picks the shipped fast model" in res.output


def test_cli_error_text_is_not_read_as_markup(tmp_path, korean_csv):
    res = runner.invoke(app, ["score", str(korean_csv), "-o", str(tmp_path / "o.csv"), "--fp32", "--recheck", "0.05"])  # fp32: nothing to re-check
    assert res.exit_code == 2 and "nlp-insight[model]" in res.output


def test_cli_recheck_defaults(tmp_path, korean_csv, monkeypatch):
    # --int8 keeps the scorer's default fp32 re-check (None), --fast turns it off, --recheck overrides both
    import nlp.scoring.table as mod

    seen = []
    monkeypatch.setattr(mod, "score_table", lambda *a, **k: seen.append((k["quantize"], k["recheck"])) or mod.TableStats())
    for args in ([], ["--int8"], ["--fp32"], ["--fast"], ["--int8", "--recheck", "0"], ["--fast", "--recheck", "0.1"]):
        res = runner.invoke(app, ["score", str(korean_csv), "-o", str(tmp_path / "o.parquet"), *args])
        assert res.exit_code == 0, res.output
    assert seen == [(True, None), (True, None), (False, None), (True, 0.0), (True, 0.0), (True, 0.1)]
    res = runner.invoke(app, ["score", str(korean_csv), "-o", str(tmp_path / "o.parquet"), "--fast", "--fp32"])
    assert res.exit_code == 2 and "drop --fp32" in res.output


def test_int8_is_the_default_precision_everywhere(tmp_path, korean_csv, tiny_model, monkeypatch):
    """nlp score, nlp run, score_table, run() and nlp.score() all default to int8 with its fp32 re-check."""
    import inspect

    import nlp.pipeline
    import nlp.scoring.table as mod
    from nlp.scoring.api import score

    assert inspect.signature(mod.score_table).parameters["quantize"].default is True
    assert inspect.signature(nlp.pipeline.run).parameters["quantize"].default is True
    assert inspect.signature(score).parameters["int8"].default is True
    loaded = []
    real = mod.Scorer.load
    monkeypatch.setattr(mod.Scorer, "load", lambda *a, **k: loaded.append(k) or real(*a, **k))
    stats = score_table(korean_csv, tmp_path / "o.parquet", model_dir=tiny_model, backend="onnx")
    assert stats.output_rows == 10 and loaded[0]["quantize"] is True and loaded[0]["recheck_margin"] is None
    runs = []
    monkeypatch.setattr(nlp.pipeline, "run", lambda *a, **k: runs.append(k["quantize"]) or (_ for _ in ()).throw(ValueError("stop")))
    for args in ([], ["--fp32"], ["--int8"]):
        runner.invoke(app, ["run", str(korean_csv), "-o", str(tmp_path / "run"), *args])
    assert runs == [True, False, True]


def test_cli_rating_scale(tmp_path, tiny_model):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": ["a", "b", "c"], "text": ["사이즈 딱 맞아요", "배송이 늦어요", "포장이 꼼꼼해요"], "rating": [5, 0, 7]}).to_csv(src, index=False)
    out = tmp_path / "o.parquet"
    res = runner.invoke(app, ["score", str(src), "-o", str(out), "--model", str(tiny_model), "--fp32"])
    assert res.exit_code == 0, res.output
    assert pd.read_parquet(out)["flags"].tolist() == ["", "rating_invalid", ""]  # a 7: the scale is 1-10
    res = runner.invoke(app, ["score", str(src), "-o", str(out), "--model", str(tiny_model), "--fp32", "--rating-scale", "5"])
    assert res.exit_code == 0, res.output
    assert pd.read_parquet(out)["flags"].tolist() == ["", "rating_invalid", "rating_invalid"]
    res = runner.invoke(app, ["score", str(src), "-o", str(out), "--model", str(tiny_model), "--rating-scale", "five"])
    assert res.exit_code == 2 and "--rating-scale must be" in res.output


def test_filler_rows_get_null_scores_like_empty_ones(tmp_path, tiny_scorer):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": ["a", "b", "c", "d", "e"], "text": ["ㅇㅇㅇㅇㅇ", "!!!!!", "^^", "굿", "최고"]}).to_csv(src, index=False)
    df = pd.read_parquet(score_table(src, tmp_path / "o.parquet", scorer=tiny_scorer).output)
    assert df["flags"].tolist() == ["filler", "filler", "filler", "generic", "generic"]
    assert df["sentiment"].isna().tolist() == [True, True, True, False, False]
    assert df[["sentiment_score", "intent_none"]].iloc[:3].isna().all().all()


def test_intent_rules_switch(tmp_path, tiny_model, monkeypatch):
    """--no-intent-rules keeps the model's own intent; by default a stated won't-return makes it avoid, everywhere."""
    import nlp.pipeline

    src = tmp_path / "in.csv"
    texts = ["다시는 안 사요 환불했어요", "배송 빨라요"]
    pd.DataFrame({"id": ["a", "b"], "text": texts}).to_csv(src, index=False)
    got = {}
    for flag in ("--intent-rules", "--no-intent-rules"):
        out = tmp_path / f"{flag}.parquet"
        res = runner.invoke(app, ["score", str(src), "-o", str(out), "--model", str(tiny_model), "--fp32", flag])
        assert res.exit_code == 0, res.output
        got[flag] = pd.read_parquet(out)
    raw = Scorer.load(tiny_model, intent_rules=False).predict(texts)["intent"]
    avoid = INTENT_LABELS.index("avoid")
    assert got["--intent-rules"]["intent"].iloc[0] == "avoid" and got["--intent-rules"]["intent_avoid"].iloc[0] >= 0.6
    assert np.allclose(got["--no-intent-rules"]["intent_avoid"].to_numpy(), raw[:, avoid], atol=1e-4)  # written to 4 decimals
    assert raw[0, avoid] < 0.6  # the tiny model alone does not say avoid: the rule did
    # nlp run passes it on
    runs = []
    monkeypatch.setattr(nlp.pipeline, "run", lambda *a, **k: runs.append(k["intent_rules"]) or (_ for _ in ()).throw(ValueError("stop")))
    for args in ([], ["--no-intent-rules"]):
        runner.invoke(app, ["run", str(src), "-o", str(tmp_path / "run"), *args])
    assert runs == [True, False]
