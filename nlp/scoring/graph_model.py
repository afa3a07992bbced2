"""A scorer model read from its exported ONNX graphs alone: config, tokenizer and head names, no torch.

Scoring on ONNX Runtime reads three things of the model: its config (prefix, length, tasks), the
tokenizer, and the exported graph. Building the torch model besides (transformers, the base
weights, LoRA folded in) took most of a scorer's start-up (7.7 s against 3.3 s without it in a
fresh process on the 2-core development machine, ``python bench/bench_load.py``), paid by every
``nlp score`` and every Spark Python worker, and
~0.5 GB that stayed resident unused. :class:`GraphModel` stands in for the torch model when the
graphs the scorer will run are already in the cache (``$NLP_CACHE/onnx``); a scorer loaded
either way gives the same ids, batches and scores (``tests/scoring/test_graph_model.py``).

The graphs are keyed by a hash of the model directory's files and the base checkpoint
(:func:`~nlp.scoring.onnx_backend.model_key`), so a graph in the cache is the export of exactly
this model. When one is missing, :meth:`GraphModel.full` builds the torch model to export it.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from types import SimpleNamespace

from nlp.artifacts.config import EncoderConfig
from nlp.artifacts.tokens import TokenIds

__all__ = ["GraphModel", "GraphTokenizer", "graph_tokenizer_files"]

TOKENIZER_FILE = "tokenizer.json"
TOKENIZER_CONFIG = "tokenizer_config.json"


def _token_text(value) -> str | None:
    """A special token as tokenizer_config.json writes it: a string, or a dict with ``content``."""
    if isinstance(value, dict):
        return value.get("content")
    return value


def graph_tokenizer_files(base_dir: Path | None) -> bool:
    """Whether ``base_dir`` has what :class:`GraphTokenizer` reads: ``tokenizer.json`` and a pad token it knows."""
    if base_dir is None or not (Path(base_dir) / TOKENIZER_FILE).is_file():
        return False
    cfg_path = Path(base_dir) / TOKENIZER_CONFIG
    try:
        cfg = json.loads(cfg_path.read_text()) if cfg_path.is_file() else {}
    except (OSError, json.JSONDecodeError):
        return False
    return _token_text(cfg.get("pad_token")) is not None


class GraphTokenizer:
    """The base model's fast tokenizer from its ``tokenizer.json``, with the few attributes the scorer reads.

    ``padding_side``, ``truncation_side`` and ``pad_token_id`` come from ``tokenizer_config.json``
    (right and right when unset, as Hugging Face's defaults). Calling it tokenises without
    truncation, as the Hugging Face tokenizer does with ``truncation=False``.
    """

    def __init__(self, base_dir: Path) -> None:
        from tokenizers import Tokenizer

        base_dir = Path(base_dir)
        cfg_path = base_dir / TOKENIZER_CONFIG
        cfg = json.loads(cfg_path.read_text()) if cfg_path.is_file() else {}
        self._tok = Tokenizer.from_file(str(base_dir / TOKENIZER_FILE))
        self._tok.no_padding()
        self._lock = threading.Lock()
        self.padding_side = cfg.get("padding_side", "right")
        self.truncation_side = cfg.get("truncation_side", "right")
        pad = _token_text(cfg.get("pad_token"))
        self.pad_token_id = self._tok.token_to_id(pad) if pad is not None else None
        if self.pad_token_id is None:
            raise ValueError(f"{base_dir / TOKENIZER_FILE} has no pad token {pad!r}")

    def __deepcopy__(self, memo):  # read-only but for the truncation setting, which the lock guards: copies share it
        return self

    @property
    def backend_tokenizer(self):
        return self._tok

    def encode(self, texts: list[str], max_length: int | None, add_special_tokens: bool = True) -> list[list[int]]:
        """Token ids per text, cut to ``max_length`` tokens (``None``: not cut), on the one parsed tokenizer."""
        with self._lock:  # truncation is a setting of the shared tokenizer
            if max_length is None:
                self._tok.no_truncation()
            else:
                self._tok.enable_truncation(max_length, strategy="longest_first", direction=self.truncation_side)
            return [e.ids for e in self._tok.encode_batch(texts, add_special_tokens=add_special_tokens)]

    def __call__(self, texts: list[str], add_special_tokens: bool = True, truncation: bool = False, **_) -> dict[str, list[list[int]]]:
        if truncation:
            raise ValueError("GraphTokenizer tokenises without truncation; GraphModel.encode_ids truncates")
        return {"input_ids": self.encode(list(texts), None, add_special_tokens)}


class GraphModel(TokenIds):
    """The parts of :class:`~nlp.artifacts.encoder.MultiTaskEncoder` that scoring on ONNX Runtime reads.

    Args:
        config: the model's :class:`~nlp.artifacts.config.EncoderConfig`, its tasks including the extra heads.
        base_dir: the base checkpoint's directory (tokenizer and ``config.json``).
        model_dir: the model directory, for :meth:`full`.
        base: the base override the scorer was loaded with, for :meth:`full`.
    """

    lean = True

    def __init__(self, config: EncoderConfig, base_dir: Path, model_dir: Path, base: str | None = None) -> None:
        self.config = config
        self.tokenizer = GraphTokenizer(base_dir)
        self.heads = {t: None for t in config.tasks}  # the graph's outputs, in the torch model's head order
        hidden = json.loads((Path(base_dir) / "config.json").read_text()).get("hidden_size")
        self.encoder = SimpleNamespace(config=SimpleNamespace(hidden_size=hidden))
        self._model_dir = Path(model_dir)
        self._base = base
        self._full = None

    def encode_ids(self, texts: list[str]) -> list[list[int]]:
        pre = self.config.prefix
        return self.tokenizer.encode([pre + t for t in texts], self.config.max_length)

    def full(self):
        """The torch model (built once, on demand): to export a graph that is not in the cache."""
        if self._full is None:
            from nlp.artifacts.encoder import MultiTaskEncoder

            raw = json.loads((self._model_dir / "config.json").read_text())
            model, _ = MultiTaskEncoder.load(self._model_dir, base=self._base)
            model.load_extra_heads(self._model_dir, raw.get("extra_heads", {}))
            self._full = model
        return self._full
