"""Sentence embeddings on ONNX Runtime for the directories :mod:`nlp.topics.st_format` writes."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlp.topics.st_format import EXPORT_MARKER, SBERT_CONFIG_NAME, ST_CONFIG_NAME, ST_DIR_VERSION, hidden_size

logger = logging.getLogger(__name__)

__all__ = ["OnnxSentenceEmbedder"]

class OnnxSentenceEmbedder:
    """A directory written by :func:`write_sentence_transformer`, run on ONNX Runtime.

    Gives what ``SentenceTransformer(path).encode`` gives (same prompt, truncation and mean
    pooling over every token, prompt included) at about twice the speed on CPU; texts are
    batched by token count, so a batch carries almost no padding. The graph (encoder + mean
    pooling) is exported once and cached beside the scorer's (``$NLP_CACHE/onnx``).

    Args:
        st_dir: the sentence-transformers directory (it must carry the export marker).
        int8: run the dynamically quantised graph.
        threads: intra-op threads (default: all cores).
    """

    def __init__(self, st_dir: str | Path, int8: bool = False, threads: int | None = None) -> None:
        from transformers import AutoTokenizer

        from nlp.scoring.onnx_backend import EXPORT_VERSION, cached_graph, make_session, onnx_cache_dir, workers

        d = Path(st_dir)
        marker = json.loads((d / EXPORT_MARKER).read_text(encoding="utf-8"))
        self.max_seq_length = int(marker["max_seq_length"])
        self.normalize = bool(marker["normalize"])
        st_cfg = json.loads((d / ST_CONFIG_NAME).read_text(encoding="utf-8"))
        self.prompts = dict(st_cfg.get("prompts", {}))
        self.default_prompt = self.prompts.get(st_cfg.get("default_prompt_name") or "", "")
        self.tokenizer = AutoTokenizer.from_pretrained(str(d), local_files_only=True)
        self._dim = hidden_size(d)
        h = hashlib.sha256(f"st{ST_DIR_VERSION}:e{EXPORT_VERSION}:{marker['source']}".encode())
        for f in sorted(d.iterdir()):  # the weights by size and time (hashing 0.5 GB on every load costs seconds)
            if f.is_file():
                st = f.stat()
                h.update(f"{f.name}:{st.st_size}:{int(st.st_mtime)}".encode())
        from nlp.scoring.smoothing import SMOOTH_VERSION

        self.path = cached_graph(
            onnx_cache_dir(), "st-" + h.hexdigest()[:20], lambda out: self._export(d, out), int8,
            export_for_int8=lambda out: self._export(d, out, smooth=True), variant=f"sq{SMOOTH_VERSION}",
        )
        self.session = make_session(self.path, threads)
        self.workers = workers(threads)

    def _export(self, d: Path, out: Path, smooth: bool = False) -> None:
        import torch
        from transformers import AutoModel

        from nlp.scoring.onnx_backend import export_onnx

        logger.info("exporting the topic encoder to ONNX (once per model%s): %s", ", smoothed for int8" if smooth else "", out)
        args = json.loads((d / SBERT_CONFIG_NAME).read_text(encoding="utf-8")).get("model_args", {})
        from nlp.artifacts.hf import quiet_hf_loading

        with quiet_hf_loading():
            encoder = AutoModel.from_pretrained(str(d), local_files_only=True, **args).eval()
        if smooth:
            self._smooth(encoder)

        class Graph(torch.nn.Module):  # token ids + mask → mean over the unmasked tokens
            def __init__(self):
                super().__init__()
                self.m = encoder

            def forward(self, input_ids, attention_mask):
                hidden = self.m(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
                mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
                return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

        sample = self.tokenizer(["배송 빨라요", "두 번 보세요 강추합니다"], padding=True, return_tensors="pt")
        export_onnx(Graph(), sample, out, ["embedding"])

    def _smooth(self, encoder) -> None:
        """SmoothQuant the encoder in place before the int8 export (as the scorer's, :mod:`nlp.scoring.smoothing`)."""
        from nlp.scoring.smoothing import smooth_encoder

        def tokenize(texts):
            return self.tokenizer([self.default_prompt + t for t in texts], padding=True, truncation=True, max_length=self.max_seq_length, return_tensors="pt")

        smooth_encoder(encoder, tokenize, lambda b: encoder(input_ids=b["input_ids"], attention_mask=b["attention_mask"]))

    def get_sentence_embedding_dimension(self) -> int:
        return self._dim

    def encode(
        self,
        sentences: str | Sequence[str],
        batch_size: int = 16,
        show_progress_bar: bool = False,
        prompt_name: str | None = None,
        prompt: str | None = None,
        normalize_embeddings: bool = False,
        **_: Any,
    ) -> np.ndarray:
        """Embeddings as ``SentenceTransformer.encode`` returns them (numpy; 1-D for one string).

        Batches of 16 token-sorted texts by default (why: docs/benchmarks.md, topic encoder).
        """
        from tqdm.auto import tqdm

        from nlp.scoring.onnx_backend import run_batches

        single = isinstance(sentences, str)
        texts = [sentences] if single else list(sentences)
        if prompt is None:
            prompt = self.prompts[prompt_name] if prompt_name is not None else self.default_prompt
        ids = self.tokenizer([prompt + t for t in texts], truncation=True, max_length=self.max_seq_length)["input_ids"]
        order = np.argsort([len(x) for x in ids], kind="stable")
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        groups = [order[start : start + batch_size] for start in range(0, len(texts), batch_size)]

        def feed(idx):
            batch = self.tokenizer.pad({"input_ids": [ids[i] for i in idx]}, return_tensors="np")
            return {k: batch[k].astype(np.int64) for k in ("input_ids", "attention_mask")}

        results = run_batches(self.session, (feed(idx) for idx in groups), self.workers)
        for idx, (pooled,) in tqdm(zip(groups, results), total=len(groups), disable=not show_progress_bar, desc="embed", mininterval=2):
            out[idx] = pooled
        if self.normalize or normalize_embeddings:
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out[0] if single else out
