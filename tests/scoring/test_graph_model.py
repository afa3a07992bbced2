"""A scorer loaded from its cached ONNX graphs alone (no torch model) scores exactly as one loaded with it."""

from __future__ import annotations

import sys

import numpy as np
import pytest

pytest.importorskip("onnxruntime")

LONG = "배송은 빨랐어요. " * 40 + "그런데 포장이 엉망이라 실망했습니다."
TEXTS = ["배송 빨라요 재구매할게요", "별로예요 환불했어요", "그냥 그래요", "ㅋㅋㅋ 완전 강추!!", "", "  ", LONG, "Good 👍 最高", "ㅇㅇㅇㅇ"]


def _pair(model_dir, **kw):
    from nlp.scoring.scorer import Scorer

    first = Scorer.load(model_dir, backend="onnx", **kw)  # exports the graphs (torch model)
    second = Scorer.load(model_dir, backend="onnx", **kw)  # finds them cached
    return first, second


@pytest.mark.parametrize("quantize", [False, True])
def test_graph_model_scores_as_the_torch_model(tiny_model_dir, onnx_cache, quantize):
    from nlp.scoring.graph_model import GraphModel

    full, lean = _pair(tiny_model_dir, quantize=quantize)
    assert not isinstance(full.model, GraphModel) and isinstance(lean.model, GraphModel)
    assert list(lean.model.heads) == list(full.model.heads) == ["sentiment", "intent"]
    assert lean.tasks == full.tasks and lean._onnx.path == full._onnx.path
    assert lean.model.encoder.config.hidden_size == full.model.encoder.config.hidden_size
    a = full.predict(TEXTS, want_embeddings=True)
    b = lean.predict(TEXTS, want_embeddings=True)
    assert set(a) == set(b)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


def test_graph_model_tokenises_as_the_torch_model(tiny_model_dir, onnx_cache):
    full, lean = _pair(tiny_model_dir)
    assert lean.model.encode_ids(TEXTS) == full.model.encode_ids(TEXTS)
    assert any(len(x) == full.model.config.max_length for x in full.model.encode_ids(TEXTS))  # the long text is cut
    assert lean.windows(TEXTS) == full.windows(TEXTS)
    assert lean.token_lengths(TEXTS) == full.token_lengths(TEXTS)
    batch = [lean.model.encode_ids(TEXTS[:3])]
    for k, v in full.model.pad_ids(batch[0]).items():
        np.testing.assert_array_equal(lean.model.pad_ids(batch[0])[k], v)


def test_graph_model_needs_every_graph_it_will_run(tiny_model_dir, onnx_cache):
    from nlp.scoring.graph_model import GraphModel
    from nlp.scoring.scorer import Scorer

    Scorer.load(tiny_model_dir, backend="onnx")  # the fp32 graph only
    q = Scorer.load(tiny_model_dir, backend="onnx", quantize=True)  # int8 missing: the torch model exports it
    assert not isinstance(q.model, GraphModel)
    assert isinstance(Scorer.load(tiny_model_dir, backend="onnx", quantize=True).model, GraphModel)
    assert not isinstance(Scorer.load(tiny_model_dir, backend="torch").model, GraphModel)


def test_torch_on_request_and_export_from_a_graph_model(tiny_model_dir, onnx_cache, monkeypatch):
    from nlp.scoring.graph_model import GraphModel
    from nlp.scoring.onnx_backend import OnnxEncoder, onnx_cache_dir
    from nlp.scoring.scorer import Scorer

    full, lean = _pair(tiny_model_dir)
    monkeypatch.setenv("NLP_LOAD_TORCH", "1")
    assert not isinstance(Scorer.load(tiny_model_dir, backend="onnx").model, GraphModel)
    for f in onnx_cache.glob("*.onnx"):
        f.unlink()
    again = OnnxEncoder(lean.model, onnx_cache_dir(), "another-key", int8=False)  # not cached: builds the torch model to export
    assert again.path.is_file()
    out = next(again.map([lean.model.pad_ids(lean.model.encode_ids(TEXTS[:2]))]))[1]["sentiment"]
    ref = next(full._onnx.map([full.model.pad_ids(full.model.encode_ids(TEXTS[:2]))]))[1]["sentiment"]
    np.testing.assert_allclose(out, ref, atol=1e-6)


def test_cached_scorer_loads_without_torch(tiny_model_dir, onnx_cache, tmp_path):
    import json
    import os
    import subprocess

    _pair(tiny_model_dir, quantize=True)
    code = (
        "import sys, json; from nlp.scoring.scorer import Scorer; "
        f"s = Scorer.load({str(tiny_model_dir)!r}, backend='onnx', quantize=True); p = s.predict(['배송 빨라요']); "
        "print(json.dumps({'graph': type(s.model).__name__, 'torch': 'torch' in sys.modules, 'transformers': 'transformers' in sys.modules}))"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ}, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    got = json.loads(res.stdout.strip().splitlines()[-1])
    assert got == {"graph": "GraphModel", "torch": False, "transformers": False}
