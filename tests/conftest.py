"""Shared fixtures: small Korean tables, and a tiny scorer model built in code (no downloads)."""

from __future__ import annotations

import copy
import json
import socket
from pathlib import Path

import pandas as pd
import pytest

import nlp  # noqa: F401  (first: its offline switches must be in place before a test module imports onnxruntime)

KOREAN_ROWS = [
    ("1", "배송이 빨라서 좋아요. 재구매 의사 있습니다!", "p1", "2026-01-05", 5),
    ("2", "사이즈가 작아서 반품했어요 ㅠㅠ 비추", "p1", "2026-01-06", 1),
    ("3", "가성비 최고 강추합니다 #내돈내산 😊", "p2", "2026-01-12", 5),
    ("4", "재방문 의사 있어요. 조식이 맛있음", "p2", "2026-01-13", 4),
    ("5", "그냥 그래요", "p2", "2026-01-20", 3),
    ("6", "", "p1", "2026-01-21", None),
    ("7", "배송 빨라요!!!!! ㅋㅋㅋㅋㅋ", "p1", "2026-01-22", 5),
    ("8", "배송빨라요 ㅋㅋ", "p1", "2026-01-23", 5),
    ("9", "Great product, fast shipping", "p2", "2026-01-24", 5),
    ("10", "문의는 010-1234-5678 로 주세요", "p2", "2026-01-25", 3),
]


@pytest.fixture(scope="session", autouse=True)
def _private_onnx_cache(tmp_path_factory):
    """Tests export tiny graphs: keep them (and the cache pruning they trigger) out of the user's ONNX cache."""
    import os

    old = os.environ.get("NLP_ONNX_CACHE")
    os.environ["NLP_ONNX_CACHE"] = str(tmp_path_factory.mktemp("onnx-cache"))
    yield
    if old is None:
        os.environ.pop("NLP_ONNX_CACHE", None)
    else:
        os.environ["NLP_ONNX_CACHE"] = old


@pytest.fixture
def onnx_cache(tmp_path, monkeypatch) -> Path:
    """A per-test cache (``$NLP_CACHE``, and its ``onnx/`` for exported graphs); returns the graph directory."""
    monkeypatch.setenv("NLP_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("NLP_ONNX_CACHE", str(tmp_path / "cache" / "onnx"))
    return tmp_path / "cache" / "onnx"


@pytest.fixture
def korean_frame() -> pd.DataFrame:
    return pd.DataFrame(KOREAN_ROWS, columns=["id", "text", "product_id", "created_at", "rating"])


@pytest.fixture
def korean_csv(tmp_path, korean_frame) -> Path:
    p = tmp_path / "reviews.csv"
    korean_frame.to_csv(p, index=False)
    return p


def _build_tiny_base(root: Path) -> Path:
    """A 2-layer, 32-wide BertModel with a character Unigram tokenizer: enough to exercise every code path."""
    import torch
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    chars = sorted(set("".join(r[1] for r in KOREAN_ROWS) + "abcdefghijklmnopqrstuvwxyz0123456789:.!?#@ ㅋㅠ"))
    pieces = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)] + [("▁" + c if c != " " else "▁", -5.0) for c in chars] + [(c, -6.0) for c in chars if c != " "]
    seen, uniq = set(), []
    for p in pieces:
        if p[0] not in seen:
            seen.add(p[0])
            uniq.append(p)
    tok = Tokenizer(models.Unigram(uniq, unk_id=3, byte_fallback=False))
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tok.post_processor = processors.TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>", unk_token="<unk>", cls_token="<s>", sep_token="</s>")
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=len(uniq), hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64, max_position_embeddings=128, type_vocab_size=2, pad_token_id=1)
    model = BertModel(cfg, add_pooling_layer=False)
    base = root / "tiny-base"
    model.save_pretrained(base)
    fast.save_pretrained(base)
    return base


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A scorer model directory (sentiment via LoRA adapter + an extra intent head) over a tiny base."""
    import torch
    from safetensors.torch import save_file

    from nlp.artifacts.encoder import EncoderConfig, MultiTaskEncoder
    from nlp.scoring.scorer import INTENT_LABELS, SENTIMENT_LABELS

    root = tmp_path_factory.mktemp("tiny")
    base = _build_tiny_base(root)
    torch.manual_seed(0)
    model = MultiTaskEncoder(EncoderConfig(base=str(base), num_layers=2, max_length=32, tasks={"sentiment": SENTIMENT_LABELS}, lora_r=4, lora_alpha=8))
    model.add_lora()
    d = root / "model"
    model.save(d, extra_config={"extra_heads": {"intent": INTENT_LABELS}})
    head = torch.nn.Linear(32, len(INTENT_LABELS))
    save_file({k: v.contiguous() for k, v in head.state_dict().items()}, str(d / "head_intent.safetensors"))
    return d


@pytest.fixture
def tiny_model(tiny_model_dir, tmp_path) -> Path:
    """A per-test copy of the tiny model directory (tests may break it)."""
    import shutil

    d = tmp_path / "model"
    shutil.copytree(tiny_model_dir, d)
    return d


@pytest.fixture(scope="session")
def _tiny_scorer(tiny_model_dir):
    from nlp.scoring.scorer import Scorer

    return Scorer.load(tiny_model_dir, batch_size=4)


@pytest.fixture
def tiny_scorer(_tiny_scorer):
    return copy.deepcopy(_tiny_scorer)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a network connection fails the test."""

    def guard(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", guard)
    monkeypatch.setattr(socket, "create_connection", guard)
    yield


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
