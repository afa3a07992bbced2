"""int8 smoothing: the smoothed encoder computes the same function in fp32, and the int8 path uses it."""

from __future__ import annotations

import copy

import numpy as np
import torch

TEXTS = ["배송 빨라요 재구매할게요", "별로예요 환불했어요", "그냥 그래요", "ㅋㅋㅋ 완전 강추!!", "사이즈 한 치수 크게 주문하세요"]


def _model(tiny_model_dir):
    from nlp.scoring.scorer import Scorer

    return Scorer.load(tiny_model_dir, backend="torch").model


def test_smoothing_keeps_the_fp32_function(tiny_model_dir):
    from nlp.scoring.smoothing import SmoothedLinear, activation_max, smooth_linears

    model = _model(tiny_model_dir)
    stats = activation_max(model.encoder, model.tokenize, model, TEXTS)
    n_linear = sum(isinstance(m, torch.nn.Linear) for m in model.encoder.modules())
    assert len(stats) == n_linear and all((v >= 0).all() for v in stats.values())
    smoothed = copy.deepcopy(model)
    assert smooth_linears(smoothed.encoder, stats, alpha=0.9) == n_linear
    # q/k/v share one scale tensor; the attention output projection is folded into value (no multiply of its own)
    att = smoothed.encoder.encoder.layer[0].attention
    assert isinstance(att.self.query, SmoothedLinear) and att.self.query.inv_scale is att.self.key.inv_scale is att.self.value.inv_scale
    assert isinstance(att.output.dense, torch.nn.Linear) and not isinstance(att.output.dense, SmoothedLinear)
    assert not torch.equal(att.output.dense.weight, model.encoder.encoder.layer[0].attention.output.dense.weight)
    with torch.inference_mode():
        a = model(model.tokenize(TEXTS))
        b = smoothed(smoothed.tokenize(TEXTS))
    torch.testing.assert_close(a[0], b[0], atol=1e-4, rtol=1e-4)
    for task in a[1]:
        torch.testing.assert_close(a[1][task], b[1][task], atol=1e-4, rtol=1e-4)


def test_activation_max_ignores_padding(tiny_model_dir):
    from nlp.scoring.smoothing import activation_max

    model = _model(tiny_model_dir)
    alone = activation_max(model.encoder, model.tokenize, model, TEXTS[1:3], batch_size=1)
    padded = activation_max(model.encoder, model.tokenize, model, TEXTS[1:3], batch_size=2)  # the shorter text is padded in this batch
    for k in alone:
        torch.testing.assert_close(alone[k], padded[k], atol=1e-5, rtol=1e-5)


def test_calibration_texts_ship_with_the_package():
    from nlp.scoring.smoothing import calibration_texts

    texts = calibration_texts()
    assert len(texts) == 256 and all(t.strip() for t in texts)
    assert sum(any("가" <= c <= "힣" for c in t) for t in texts) >= 250


def test_int8_uses_the_smoothed_export_and_caches_it(tiny_model_dir, onnx_cache):
    from nlp.scoring.scorer import Scorer

    ref = Scorer.load(tiny_model_dir, backend="torch").predict(TEXTS)
    q = Scorer.load(tiny_model_dir, backend="onnx", quantize=True, recheck_margin=0.0)
    assert q._onnx.path.name.endswith(".sq1h.int8.onnx")
    assert sorted(p.suffix for p in onnx_cache.iterdir()) == [".onnx"]  # no fp32 graph and no leftover intermediate
    out = q.predict(TEXTS)
    for task in ("sentiment", "intent"):
        assert np.abs(out[task] - ref[task]).max() < 0.1
    mtime = q._onnx.path.stat().st_mtime_ns
    again = Scorer.load(tiny_model_dir, backend="onnx", quantize=True, recheck_margin=0.0)
    assert again._onnx.path == q._onnx.path and len(list(onnx_cache.iterdir())) == 1
    np.testing.assert_array_equal(again.predict(TEXTS)["sentiment"], out["sentiment"])
    assert again._onnx.path.stat().st_mtime_ns >= mtime
    rechecked = Scorer.load(tiny_model_dir, backend="onnx", quantize=True)  # the default re-check adds the fp32 graph
    assert rechecked._onnx.path == q._onnx.path and sorted(p.name for p in onnx_cache.iterdir()) == sorted([q._onnx.path.name, rechecked._onnx_fp32.path.name])


def test_export_restores_the_attention_implementation(tiny_model_dir):
    from nlp.scoring.onnx_backend import eager_attention

    model = _model(tiny_model_dir)
    model.encoder.set_attn_implementation("sdpa")
    with eager_attention(model):
        assert model.encoder.config._attn_implementation == "eager"
    assert model.encoder.config._attn_implementation == "sdpa"
