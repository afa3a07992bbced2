"""ONNX Runtime backend: the same scores as eager torch, a cached export, a working int8 path."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("onnxruntime")

TEXTS = ["배송 빨라요 재구매할게요", "별로예요 환불했어요", "그냥 그래요", "ㅋㅋㅋ 완전 강추!!", ""]


def test_onnx_matches_torch(tiny_model_dir, onnx_cache):
    from nlp.scoring.scorer import Scorer

    torch_s = Scorer.load(tiny_model_dir, backend="torch")
    onnx_s = Scorer.load(tiny_model_dir, backend="onnx")
    assert torch_s.backend == "torch" and onnx_s.backend == "onnx"
    a = torch_s.predict(TEXTS, want_embeddings=True)
    b = onnx_s.predict(TEXTS, want_embeddings=True)
    assert set(a) == set(b) == {"sentiment", "intent", "embeddings"}
    for k in a:
        np.testing.assert_allclose(a[k], b[k], atol=1e-4)
    assert len(list(onnx_cache.glob("*.onnx"))) == 1


def test_onnx_export_is_cached_and_keyed_by_weights(tiny_model, onnx_cache):
    from safetensors.torch import load_file, save_file

    from nlp.scoring.scorer import Scorer

    Scorer.load(tiny_model, backend="onnx")
    first = sorted(p.name for p in onnx_cache.glob("*.onnx"))
    Scorer.load(tiny_model, backend="onnx")
    assert sorted(p.name for p in onnx_cache.glob("*.onnx")) == first  # reused, not re-exported
    w = load_file(str(tiny_model / "head_intent.safetensors"))
    w["bias"] = w["bias"] + 1.0
    save_file(w, str(tiny_model / "head_intent.safetensors"))
    s = Scorer.load(tiny_model, backend="onnx")
    assert len(list(onnx_cache.glob("*.onnx"))) == 2  # changed weights → a new export
    ref = Scorer.load(tiny_model, backend="torch").predict(TEXTS)["intent"]
    np.testing.assert_allclose(s.predict(TEXTS)["intent"], ref, atol=1e-4)


def test_onnx_int8_runs_and_stays_close(tiny_model_dir, onnx_cache):
    from nlp.scoring.scorer import Scorer

    ref = Scorer.load(tiny_model_dir, backend="torch").predict(TEXTS)
    q = Scorer.load(tiny_model_dir, backend="onnx", quantize=True)
    out = q.predict(TEXTS)
    assert q.quantized and q._onnx.path.name.endswith(".int8.onnx")
    for task in ("sentiment", "intent"):
        np.testing.assert_allclose(out[task].sum(axis=1), 1.0, atol=1e-5)
        assert np.abs(out[task] - ref[task]).max() < 0.1


def test_int8_graph_keeps_the_heads_fp32(tiny_model_dir, onnx_cache):
    import onnx

    from nlp.scoring.scorer import Scorer

    q = Scorer.load(tiny_model_dir, backend="onnx", quantize=True)
    nodes = onnx.load(str(q._onnx.path), load_external_data=False).graph.node
    quantized = [n.name for n in nodes if n.op_type == "MatMulInteger"]
    assert quantized and all("/encoder/" in name for name in quantized)  # the encoder is int8, the heads are not
    assert any(n.op_type in ("MatMul", "Gemm") and n.name.startswith("/intent/") for n in nodes)


def test_recheck_rescores_close_calls_in_fp32(tiny_model_dir, onnx_cache):
    from nlp.scoring.scorer import Scorer

    fp32 = Scorer.load(tiny_model_dir, backend="onnx").predict(TEXTS, want_embeddings=True)
    plain = Scorer.load(tiny_model_dir, backend="onnx", quantize=True, recheck_margin=0.0).predict(TEXTS)
    every = Scorer.load(tiny_model_dir, backend="onnx", quantize=True, recheck_margin=0.99)  # every text is a close call
    out = every.predict(TEXTS, want_embeddings=True)
    for key in ("sentiment", "intent", "embeddings"):
        np.testing.assert_allclose(out[key], fp32[key], atol=1e-5)
    assert max(np.abs(plain[t] - fp32[t]).max() for t in ("sentiment", "intent")) > 1e-5  # without it, int8 differs
    some = Scorer.load(tiny_model_dir, backend="onnx", quantize=True, recheck_margin=0.05).predict(TEXTS)
    for task in ("sentiment", "intent"):
        top2 = np.sort(plain[task], axis=1)[:, -2:]
        close = (top2[:, 1] - top2[:, 0]) < 0.05
        np.testing.assert_allclose(some[task][close], fp32[task][close], atol=1e-5)


def test_recheck_can_watch_one_task(tiny_model_dir, onnx_cache):
    from nlp.scoring.scorer import Scorer

    # the margins are the models' own: the avoid rules act after the re-check, so they are off here
    fp32 = Scorer.load(tiny_model_dir, backend="onnx", intent_rules=False).predict(TEXTS)
    plain = Scorer.load(tiny_model_dir, backend="onnx", quantize=True, recheck_margin=0.0, intent_rules=False).predict(TEXTS)
    out = Scorer.load(tiny_model_dir, backend="onnx", quantize=True, recheck_margin=0.05, recheck_tasks=("intent",), intent_rules=False).predict(TEXTS)
    top2 = np.sort(plain["intent"], axis=1)[:, -2:]
    close = (top2[:, 1] - top2[:, 0]) < 0.05
    for task in ("sentiment", "intent"):  # a close intent call re-scores the whole text; the others keep their int8 scores
        np.testing.assert_allclose(out[task][close], fp32[task][close], atol=1e-5)
        np.testing.assert_allclose(out[task][~close], plain[task][~close], atol=1e-6)


def test_int8_rechecks_intent_by_default(tiny_model_dir, onnx_cache):
    from nlp.scoring.scorer import RECHECK_MARGIN, Scorer

    q = Scorer.load(tiny_model_dir, backend="onnx", quantize=True)
    assert (q.recheck_margin, q.recheck_tasks) == (RECHECK_MARGIN, ("intent",))
    assert Scorer.load(tiny_model_dir, backend="onnx").recheck_margin == 0  # fp32 has nothing to re-check
    assert Scorer.load(tiny_model_dir, backend="onnx", quantize=True, recheck_margin=0.0)._onnx_fp32 is None


def test_recheck_on_a_task_the_scorer_lacks_does_nothing(tiny_model_dir, onnx_cache):
    from nlp.scoring.scorer import Scorer

    plain = Scorer.load(tiny_model_dir, backend="onnx", quantize=True, recheck_margin=0.0).predict(TEXTS)
    s = Scorer.load(tiny_model_dir, backend="onnx", quantize=True, recheck_margin=0.99, recheck_tasks=("intent",))
    del s.model.heads["intent"], s.tasks["intent"]  # as bench_score.py --sentiment-only does
    np.testing.assert_array_equal(s.predict(TEXTS)["sentiment"], plain["sentiment"])


def test_recheck_needs_int8_on_onnx(tiny_model_dir, onnx_cache):
    from nlp.scoring.scorer import Scorer

    with pytest.raises(ValueError, match="needs quantize=True"):
        Scorer.load(tiny_model_dir, backend="onnx", recheck_margin=0.05)
    with pytest.raises(ValueError, match=r"margin in \[0, 1\)"):
        Scorer.load(tiny_model_dir, backend="onnx", quantize=True, recheck_margin=1.5)


def test_unknown_backend_is_a_clear_error(tiny_model_dir):
    from nlp.scoring.scorer import Scorer

    with pytest.raises(ValueError, match="backend must be"):
        Scorer.load(tiny_model_dir, backend="tensorrt")


def test_dropped_head_is_not_scored(tiny_model_dir, onnx_cache):
    from nlp.scoring.scorer import Scorer

    s = Scorer.load(tiny_model_dir, backend="onnx")
    del s.model.heads["intent"]
    s.tasks.pop("intent")
    assert set(s.predict(TEXTS)) == {"sentiment"}


def test_prune_cache_keeps_the_most_recent_models(tmp_path):
    import os

    from nlp.scoring.onnx_backend import prune_cache

    for i, key in enumerate(["old", "mid", "new", "cur"]):
        for name in (f"{key}.onnx", f"{key}.int8.onnx"):
            (tmp_path / name).write_bytes(b"x")
            os.utime(tmp_path / name, (1000 + i, 1000 + i))
    os.utime(tmp_path / "cur.onnx", (1, 1))  # oldest on disk, but in use
    os.utime(tmp_path / "cur.int8.onnx", (1, 1))
    gone = prune_cache(tmp_path, keep=2, current="cur")
    assert sorted(p.name for p in gone) == ["old.int8.onnx", "old.onnx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cur.int8.onnx", "cur.onnx", "mid.int8.onnx", "mid.onnx", "new.int8.onnx", "new.onnx"]


def test_run_batches_keeps_order_with_several_workers():
    import random
    import time

    from nlp.scoring.onnx_backend import run_batches

    class SlowSession:  # finishes calls out of order
        def __init__(self):
            self.calls = 0

        def run(self, _, feed):
            self.calls += 1
            time.sleep(random.random() / 200)
            return [feed["x"] * 2]

    feeds = [{"x": np.array([i])} for i in range(40)]
    for n_workers in (1, 3):
        session = SlowSession()
        out = [r[0][0] for r in run_batches(session, iter(feeds), n_workers)]
        assert out == [2 * i for i in range(40)] and session.calls == 40


def test_onnx_scores_do_not_depend_on_threads(tiny_model_dir, onnx_cache):
    import torch

    from nlp.scoring.scorer import Scorer

    texts = TEXTS * 7  # several batches of 4
    before = torch.get_num_threads()
    try:
        one = Scorer.load(tiny_model_dir, backend="onnx", threads=1, batch_size=4).predict(texts)
        two = Scorer.load(tiny_model_dir, backend="onnx", threads=2, batch_size=4).predict(texts)
    finally:
        torch.set_num_threads(before)  # the scorer sets torch's threads process-wide
    for task in one:
        np.testing.assert_array_equal(one[task], two[task])


def test_a_cascade_gives_its_close_calls_to_the_second_scorer(tiny_model_dir, onnx_cache):
    from nlp.scoring.scorer import Scorer

    def first():  # plain int8: differs from fp32 (above)
        return Scorer.load(tiny_model_dir, backend="onnx", quantize=True, recheck_margin=0.0, intent_rules=False)

    second = Scorer.load(tiny_model_dir, backend="onnx", intent_rules=False)
    plain, fp32 = first().predict(TEXTS), second.predict(TEXTS, want_embeddings=True)
    every = first().with_cascade(second, 1.0).predict(TEXTS, want_embeddings=False)
    for task in ("sentiment", "intent"):
        np.testing.assert_allclose(every[task], fp32[task], atol=1e-5)
    margin = np.min([np.diff(np.sort(plain[t], axis=1)[:, -2:], axis=1)[:, 0] for t in ("sentiment", "intent")], axis=0)
    cut = float(np.sort(margin)[len(margin) // 2])  # the tiny model is unsure of everything: cut at its median margin
    some = first().with_cascade(second, cut).predict(TEXTS)
    close = margin < cut
    assert close.any() and not close.all()  # both kinds of text are in the test
    for task in ("sentiment", "intent"):  # a close call in either task: the second scorer's reading, else the first's
        np.testing.assert_allclose(some[task][close], fp32[task][close], atol=1e-5)
        np.testing.assert_allclose(some[task][~close], plain[task][~close], atol=1e-6)
    # embeddings are never mixed from two models: a call that asks for them is the second scorer's
    np.testing.assert_allclose(first().with_cascade(second, 0.05).predict(TEXTS, want_embeddings=True)["embeddings"], fp32["embeddings"], atol=1e-5)
    odd = Scorer.load(tiny_model_dir, backend="onnx")
    odd.tasks = {"sentiment": odd.tasks["sentiment"]}
    with pytest.raises(ValueError, match="same tasks"):
        first().with_cascade(odd, 0.1)
