"""The project's encoder as a sentence-transformers directory, and reuse of precomputed embeddings."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nlp.topics.embedder import (
    MODULES_NAME,
    ProjectEmbedder,
    resolve_sentence_transformer,
    write_sentence_transformer,
)

TEXTS = ["배송이 빨라서 좋아요", "사이즈가 작아서 반품했어요 ㅠㅠ", "조식이 맛있음"]


class Counting:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts, **kwargs):
        self.seen.extend(texts)
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)


def test_remembered_embeddings_are_not_recomputed() -> None:
    backend = Counting()
    emb = ProjectEmbedder(backend)
    pre = np.array([[9.0, 9.0], [8.0, 8.0]], dtype=np.float32)
    emb.remember(TEXTS[:2], pre)
    out = emb.encode(TEXTS)
    np.testing.assert_array_equal(out[:2], pre)
    assert backend.seen == [TEXTS[2]]
    assert emb.encode(TEXTS[2]).shape == (2,)  # a string gives one vector
    assert backend.seen == [TEXTS[2]] and emb.computed_ == 1
    with pytest.raises(ValueError, match="one embedding row per text"):
        emb.remember(TEXTS, pre)


def test_injected_embedder_has_no_directory() -> None:
    emb = ProjectEmbedder(Counting())
    assert emb.model_path is None and emb.existing_model_path() is None and emb.source == "<injected>"


def test_bad_model_directories(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        resolve_sentence_transformer(tmp_path / "nope", cache_dir=tmp_path)
    (tmp_path / "junk").mkdir()
    with pytest.raises(ValueError, match="not a model directory"):
        resolve_sentence_transformer(tmp_path / "junk", cache_dir=tmp_path)


def _base_dir(tiny_model_dir: Path) -> Path:
    return Path(json.loads((tiny_model_dir / "config.json").read_text())["base"])


def test_written_directory_layout(tiny_model_dir, tmp_path) -> None:
    st = write_sentence_transformer(_base_dir(tiny_model_dir), tmp_path / "st", normalize=True)
    modules = json.loads((st / MODULES_NAME).read_text())
    assert [m["path"] for m in modules] == ["", "1_Pooling", "2_Normalize"]
    pooling = json.loads((st / "1_Pooling" / "config.json").read_text())
    assert pooling["pooling_mode_mean_tokens"] and pooling["word_embedding_dimension"] == 32
    prompts = json.loads((st / "config_sentence_transformers.json").read_text())
    assert prompts["prompts"]["passage"] == "passage: " and prompts["default_prompt_name"] == "passage"
    # weights are linked to the HF directory, not copied
    assert (st / "model.safetensors").resolve() == (_base_dir(tiny_model_dir) / "model.safetensors").resolve()


def test_scorer_model_as_sentence_transformer(tiny_model_dir, tmp_path, onnx_cache, no_network) -> None:
    """What scoring hands over equals what SentenceTransformer(path) computes: same prefix, length, pooling."""
    from sentence_transformers import SentenceTransformer

    from nlp.scoring.scorer import Scorer

    st_dir = resolve_sentence_transformer(tiny_model_dir)
    assert st_dir.is_relative_to(tmp_path / "cache") and (st_dir / MODULES_NAME).is_file()
    assert resolve_sentence_transformer(st_dir) == st_dir  # a sentence-transformers directory passes through
    ours = SentenceTransformer(str(st_dir), device="cpu").encode(TEXTS)
    scorer = Scorer.load(tiny_model_dir, batch_size=2).predict(TEXTS, want_embeddings=True)["embeddings"]
    np.testing.assert_allclose(ours, scorer, atol=1e-4)

    emb = ProjectEmbedder(tiny_model_dir)
    assert emb.existing_model_path() == st_dir
    np.testing.assert_allclose(emb.encode(TEXTS), scorer, atol=1e-4)
    assert emb.dimension == 32


def test_onnx_embedder_matches_sentence_transformers(tiny_model_dir, tmp_path, onnx_cache, no_network) -> None:
    """The ONNX Runtime path gives SentenceTransformer's embeddings: prompts, truncation, batches of mixed length."""
    pytest.importorskip("onnxruntime")
    from sentence_transformers import SentenceTransformer

    from nlp.topics.embedder import OnnxSentenceEmbedder

    st_dir = write_sentence_transformer(_base_dir(tiny_model_dir), tmp_path / "st", max_seq_length=12)
    texts = TEXTS + ["아주 긴 리뷰 " * 20, "ㅋ"]  # one text is cut at 12 tokens
    ref = SentenceTransformer(str(st_dir), device="cpu")
    onnx = ProjectEmbedder(st_dir, backend="onnx", batch_size=2)
    np.testing.assert_allclose(onnx.encode(texts), ref.encode(texts), atol=1e-5)
    assert isinstance(onnx._backend, OnnxSentenceEmbedder)
    np.testing.assert_allclose(onnx._backend.encode(texts, prompt_name="query"), ref.encode(texts, prompt_name="query"), atol=1e-5)
    assert onnx._backend.encode(TEXTS[0]).shape == (32,) and onnx.dimension == 32
    graphs = sorted((tmp_path / "cache" / "onnx").glob("*.onnx"))
    assert len(graphs) == 1
    ProjectEmbedder(st_dir, backend="onnx").encode(TEXTS)  # a second load reuses the exported graph
    assert sorted((tmp_path / "cache" / "onnx").glob("*.onnx")) == graphs
    q_emb = ProjectEmbedder(st_dir, backend="onnx", int8=True)
    q = q_emb.encode(TEXTS)
    assert q_emb._backend.path.name.endswith(".sq1.int8.onnx")  # quantised from the smoothed export
    assert len(list((tmp_path / "cache" / "onnx").glob("*.onnx"))) == 2  # fp32 + int8, no intermediate left
    cos = (q * ref.encode(TEXTS)).sum(1) / np.linalg.norm(q, axis=1) / np.linalg.norm(ref.encode(TEXTS), axis=1)
    assert cos.min() > 0.9


def test_topic_encoder_smoothing_keeps_the_fp32_embeddings(tiny_model_dir, tmp_path) -> None:
    """The in-place smoothing before the int8 export changes no fp32 embedding."""
    import torch
    from transformers import AutoModel

    from nlp.topics.embedder import OnnxSentenceEmbedder

    st_dir = write_sentence_transformer(_base_dir(tiny_model_dir), tmp_path / "st", max_seq_length=12)
    emb = OnnxSentenceEmbedder.__new__(OnnxSentenceEmbedder)
    from transformers import AutoTokenizer

    emb.tokenizer, emb.default_prompt, emb.max_seq_length = AutoTokenizer.from_pretrained(str(st_dir)), "passage: ", 12
    enc = AutoModel.from_pretrained(str(st_dir)).eval()
    batch = emb.tokenizer(TEXTS, padding=True, return_tensors="pt")
    with torch.inference_mode():
        before = enc(**batch).last_hidden_state
    emb._smooth(enc)
    with torch.inference_mode():
        after = enc(**batch).last_hidden_state
    assert any(type(m).__name__ == "SmoothedLinear" for m in enc.modules())
    torch.testing.assert_close(before, after, atol=1e-4, rtol=1e-4)


def test_embedder_backend_choice(tiny_model_dir, tmp_path, onnx_cache) -> None:
    from sentence_transformers import SentenceTransformer

    st_dir = write_sentence_transformer(_base_dir(tiny_model_dir), tmp_path / "st")
    with pytest.raises(ValueError, match="backend must be"):
        ProjectEmbedder(st_dir, backend="tensorrt")
    torch_emb = ProjectEmbedder(st_dir, backend="torch")
    torch_emb.encode(TEXTS)
    assert isinstance(torch_emb._backend, SentenceTransformer)
    # a directory this project did not write (no export marker) runs on sentence-transformers
    (st_dir / "nlp_insight_export.json").unlink()
    auto = ProjectEmbedder(st_dir)
    auto.encode(TEXTS)
    assert isinstance(auto._backend, SentenceTransformer)
    with pytest.raises(ValueError, match="foreign sentence-transformers directory"):
        ProjectEmbedder(st_dir, backend="onnx").encode(TEXTS)


def test_max_tokens_reads_the_opening_of_long_texts(tiny_model_dir, tmp_path, onnx_cache) -> None:
    """``max_tokens`` truncates like a model written with that length, on both backends; never above the model's own."""
    pytest.importorskip("onnxruntime")
    from sentence_transformers import SentenceTransformer

    long_dir = write_sentence_transformer(_base_dir(tiny_model_dir), tmp_path / "st", max_seq_length=64)
    short_dir = write_sentence_transformer(_base_dir(tiny_model_dir), tmp_path / "st12", max_seq_length=12)
    texts = TEXTS + ["아주 긴 리뷰 " * 20]
    ref = SentenceTransformer(str(short_dir), device="cpu").encode(texts)
    for backend in ("onnx", "torch"):
        capped = ProjectEmbedder(long_dir, backend=backend, max_tokens=12)
        np.testing.assert_allclose(capped.encode(texts), ref, atol=1e-5)
        assert capped._backend.max_seq_length == 12
    full = ProjectEmbedder(long_dir, backend="onnx", max_tokens=512)
    full.encode(texts[:1])
    assert full._backend.max_seq_length == 64  # the model's own limit stays the ceiling
    assert not np.allclose(full.encode(texts)[-1], ref[-1], atol=1e-3)  # the long text reads further
    with pytest.raises(ValueError, match="max_tokens"):
        ProjectEmbedder(long_dir, max_tokens=2)
