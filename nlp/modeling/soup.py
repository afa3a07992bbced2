"""Model soups: average fine-tuned runs in weight space, so one model (one forward pass) carries them all.

Wortsman et al. (2022, "Model soups") average the weights of several fine-tunings of one
pre-trained model; the average is often better than each run and costs nothing at inference.
Here every run is a LoRA adapter plus linear heads over the same base. The soup is the exact
average of the runs' weight *updates*: for each adapted matrix, ``mean_i(s_i · B_i A_i)`` is
written as one LoRA of rank ``Σ r_i`` by stacking the ``A_i`` and scaling the ``B_i``
(``[s_1 B_1 … s_n B_n] / (n·s) · [A_1; …; A_n]``, with ``s = alpha / r`` of the soup). The
heads (and extra ``head_<task>.safetensors`` files) are averaged. Nothing else is copied: the
blends and char TF-IDF models are refitted on the soup (``nlp train blend``).

    nlp train soup runs/N runs/M runs/M4 -o models/soup
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import torch

from nlp.artifacts.encoder import ADAPTER_NAME, CONFIG_NAME

logger = logging.getLogger(__name__)

__all__ = ["soup"]

# what must be equal for the average to mean anything
_SAME = ("base", "num_layers", "max_length", "tasks", "prefix", "extra_heads")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def soup(models: list[str | Path], output: str | Path, weights: list[float] | None = None, half: bool = False) -> Path:
    """Write the weight-space average of fine-tuned model directories to ``output``.

    Args:
        models: two or more directories written by ``nlp train sentiment|intent`` (LoRA runs of
            one base, with the same tasks, labels, layers, length and prefix).
        output: directory for the soup (``adapter.safetensors``, ``config.json``, averaged
            ``head_<task>.safetensors``); blends are not copied: refit them on the soup.
        weights: one weight per model (normalised to sum 1); default uniform.
        half: store the LoRA factors as float16 (half the file; the rank grows with every run
            added). Heads stay float32. Loading casts back to float32.

    Returns:
        The output directory.

    Raises:
        ValueError: fewer than two models, or models that differ in what the average needs equal
            (the message names the setting and the two values), or a full fine-tune (``lora_r`` 0)
            mixed with LoRA runs.
    """
    from safetensors.torch import load_file, save_file

    dirs = [Path(m) for m in models]
    if len(dirs) < 2:
        raise ValueError(f"a soup needs at least two models, got {len(dirs)}")
    for d in dirs:
        for name in (CONFIG_NAME, ADAPTER_NAME):
            if not (d / name).exists():
                raise FileNotFoundError(f"{d} has no {name}: pass model directories written by `nlp train sentiment|intent`")
    w = [1.0] * len(dirs) if weights is None else [float(x) for x in weights]
    if len(w) != len(dirs) or min(w) < 0 or sum(w) <= 0:
        raise ValueError(f"weights must be {len(dirs)} non-negative numbers with a positive sum, got {weights}")
    w = [x / sum(w) for x in w]
    configs = [json.loads((d / CONFIG_NAME).read_text()) for d in dirs]
    for key in _SAME:
        for d, cfg in zip(dirs[1:], configs[1:]):
            if cfg.get(key) != configs[0].get(key):
                raise ValueError(
                    f"{dirs[0]} and {d} differ in {key!r} ({configs[0].get(key)!r} vs {cfg.get(key)!r}): only runs of one set-up can be averaged"
                )
    data = [json.loads((d / "training_data.json").read_text()) if (d / "training_data.json").exists() else {} for d in dirs]
    splits = {str(d): t.get("split_seed") for d, t in zip(dirs, data) if isinstance(t, dict) and t.get("split_seed") is not None}
    if len(set(splits.values())) > 1:
        raise ValueError(
            f"the runs held out different rows (split seeds {splits}): each has trained on rows the others keep for dev and "
            "calibration, so the soup's figures would leak; average runs trained with one --split-seed"
        )
    ranks = [int(c.get("lora_r") or 0) for c in configs]
    if any(ranks) and not all(ranks):
        raise ValueError(f"cannot average LoRA runs with full fine-tunes (lora_r per model: {ranks})")
    states = [load_file(str(d / ADAPTER_NAME)) for d in dirs]
    for d, st in zip(dirs[1:], states[1:]):
        if set(st) != set(states[0]):
            diff = sorted(set(st) ^ set(states[0]))[:3]
            raise ValueError(f"{dirs[0]} and {d} hold different tensors (e.g. {diff}): only runs of one set-up can be averaged")

    out_cfg = dict(configs[0])
    out_state: dict[str, torch.Tensor] = {}
    if all(ranks):
        scales = [float(c["lora_alpha"]) / r for c, r in zip(configs, ranks)]
        r_new = sum(ranks)
        s_new = scales[0]
        out_cfg["lora_r"] = r_new
        alpha = s_new * r_new
        out_cfg["lora_alpha"] = int(alpha) if float(alpha).is_integer() else alpha
        for key in states[0]:
            if key.endswith("lora_A.weight"):
                out_state[key] = torch.cat([st[key].float() for st in states], dim=0)
            elif key.endswith("lora_B.weight"):
                out_state[key] = torch.cat([st[key].float() * (wi * si / s_new) for st, wi, si in zip(states, w, scales)], dim=1)
            elif "lora_" in key:
                raise ValueError(f"unsupported adapter tensor {key!r} (only lora_A/lora_B and heads can be averaged)")
            else:
                out_state[key] = sum(st[key].float() * wi for st, wi in zip(states, w))
    else:
        for key in states[0]:
            out_state[key] = sum(st[key].float() * wi for st, wi in zip(states, w))

    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    if half:
        out_state = {k: (v.half() if "lora_" in k else v) for k, v in out_state.items()}
    save_file({k: v.contiguous() for k, v in out_state.items()}, str(out / ADAPTER_NAME))
    for task in configs[0].get("extra_heads") or {}:
        heads = [load_file(str(d / f"head_{task}.safetensors")) for d in dirs]
        save_file(
            {k: sum(h[k].float() * wi for h, wi in zip(heads, w)).contiguous() for k in heads[0]},
            str(out / f"head_{task}.safetensors"),
        )
    out_cfg["soup"] = [
        {"model": str(d), "weight": round(wi, 6), "adapter_sha256": _sha256(d / ADAPTER_NAME)} for d, wi in zip(dirs, w)
    ]
    (out / CONFIG_NAME).write_text(json.dumps(out_cfg, ensure_ascii=False, indent=2))
    soup_of = [{"model": str(d), "training_data": t or None} for d, t in zip(dirs, data)]
    record: dict = {"soup_of": soup_of}
    if splits:
        record["split_seed"] = next(iter(splits.values()))
    (out / "training_data.json").write_text(json.dumps(record, ensure_ascii=False, indent=2))
    logger.info("soup of %d models written to %s (LoRA rank %s)", len(dirs), out, out_cfg.get("lora_r"))
    return out
