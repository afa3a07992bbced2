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
from dataclasses import asdict
from pathlib import Path

import torch
from torch import nn

from nlp.artifacts.config import ADAPTER_NAME, CONFIG_NAME, DEFAULT_BASE, EncoderConfig, resolve_base
from nlp.artifacts.tokens import TokenIds

logger = logging.getLogger(__name__)

__all__ = ["EncoderConfig", "MultiTaskEncoder", "resolve_base", "DEFAULT_BASE", "CONFIG_NAME", "ADAPTER_NAME"]

_LORA_TARGETS = ["query", "key", "value", "dense"]


class MultiTaskEncoder(TokenIds, nn.Module):
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
            from nlp.artifacts.hf import quiet_hf_loading

            path = resolve_base(config.base)
            # keeping fewer layers than the base has is intended: no "unexpected keys" report, no load bars
            with quiet_hf_loading():
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
