"""Fine-tuning loop shared by every task: soft targets, length buckets, resumable checkpoints.

Each example carries a text and, per task, a probability vector over that task's labels
(a one-hot label is the special case; rating-aware targets spread mass over neighbours)
or ``None`` when the example says nothing about the task. The loss is the cross-entropy
against those targets, summed over the tasks present.

Checkpoints (adapter + optimiser state as safetensors, a JSON of the step) are written
every ``checkpoint_every`` steps into ``run_dir``; calling :func:`train` again with the
same ``run_dir`` resumes where it stopped, with the same batch order.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from nlp.artifacts.encoder import MultiTaskEncoder

logger = logging.getLogger(__name__)

__all__ = ["TrainConfig", "train", "length_buckets"]


@dataclass
class TrainConfig:
    """Optimisation settings.

    Attributes:
        batch_size: examples per step.
        lr: peak learning rate (LoRA likes ~1e-3; full fine-tuning ~5e-5).
        epochs: passes over the data (fractions allowed; the schedule follows the planned steps).
        warmup: share of steps with a linear warm-up.
        max_minutes: stop cleanly (checkpoint first) after this much wall time.
        checkpoint_every: steps between checkpoints.
        threads: torch intra-op threads.
        seed: data order and initialisation.
        device: ``cpu``, ``cuda`` or ``auto`` (cuda when available). On cuda the forward pass
            runs under bf16 autocast; checkpoints and the saved model are the same either way.
    """

    batch_size: int = 32
    lr: float = 1e-3
    head_lr: float = 3e-3
    epochs: float = 1.0
    warmup: float = 0.04
    weight_decay: float = 0.01
    max_minutes: float | None = None
    checkpoint_every: int = 250
    threads: int | None = None
    seed: int = 13
    device: str = "cpu"

    def __post_init__(self) -> None:
        if self.device not in ("cpu", "cuda", "auto"):
            raise ValueError(f"device must be cpu, cuda or auto, got {self.device!r}")
        if self.batch_size < 1 or self.lr <= 0 or self.epochs <= 0:
            raise ValueError(f"batch_size, lr and epochs must be positive: {self}")


def length_buckets(lengths: list[int], batch_size: int, seed: int, pool: int = 50) -> list[list[int]]:
    """Batches of similar length (less padding), in a shuffled but reproducible order.

    Example:
        >>> batches = length_buckets([5, 50, 6, 49], batch_size=2, seed=0)
        >>> sorted(sorted(b) for b in batches)
        [[0, 2], [1, 3]]
    """
    rng = random.Random(seed)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    batches: list[list[int]] = []
    chunk = batch_size * pool
    for start in range(0, len(order), chunk):
        part = sorted(order[start : start + chunk], key=lambda i: lengths[i])
        batches += [part[i : i + batch_size] for i in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


def _save_checkpoint(run_dir: Path, model: MultiTaskEncoder, opt: torch.optim.Optimizer, step: int) -> None:
    from safetensors.torch import save_file

    tmp = run_dir / "checkpoint.partial"
    tmp.mkdir(parents=True, exist_ok=True)
    save_file(model.trainable_state(), str(tmp / "adapter.safetensors"))
    opt_state = {}
    for i, st in opt.state_dict()["state"].items():
        for k, v in st.items():
            if torch.is_tensor(v):
                opt_state[f"{i}.{k}"] = v.detach().contiguous().cpu()
    save_file(opt_state, str(tmp / "optimizer.safetensors"))
    (tmp / "state.json").write_text(json.dumps({"step": step}))
    final = run_dir / "checkpoint"
    if final.exists():
        import shutil

        shutil.rmtree(final)
    tmp.rename(final)


def _load_checkpoint(run_dir: Path, model: MultiTaskEncoder, opt: torch.optim.Optimizer) -> int:
    from safetensors.torch import load_file

    ck = run_dir / "checkpoint"
    if not (ck / "state.json").exists():
        return 0
    model.load_trainable_state(load_file(str(ck / "adapter.safetensors")))
    device = next(model.parameters()).device
    saved = load_file(str(ck / "optimizer.safetensors"), device=str(device))
    sd = opt.state_dict()
    for key, v in saved.items():
        i, k = key.split(".", 1)
        sd["state"].setdefault(int(i), {})[k] = v
    opt.load_state_dict(sd)
    step = json.loads((ck / "state.json").read_text())["step"]
    logger.info("resumed from %s at step %d", ck, step)
    return step


def train(
    model: MultiTaskEncoder,
    texts: list[str],
    targets: dict[str, np.ndarray],
    run_dir: str | Path,
    config: TrainConfig | None = None,
    show_progress_bar: bool | None = None,
) -> MultiTaskEncoder:
    """Fine-tune ``model`` in place and return it.

    Args:
        model: a :class:`MultiTaskEncoder` (LoRA is added here if its config asks for it).
        texts: normalised texts.
        targets: task → array ``(n, n_labels)`` of target probabilities; rows of NaN mean
            "no label for this task".
        run_dir: checkpoints go here; an existing checkpoint is resumed.
        config: optimisation settings.
        show_progress_bar: defaults to on when logging at INFO or below.
    """
    cfg = config or TrainConfig()
    run = Path(run_dir)
    run.mkdir(parents=True, exist_ok=True)
    (run / "train_config.json").write_text(json.dumps(asdict(cfg), indent=2))
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    for task, arr in targets.items():
        if task not in model.heads:
            raise ValueError(f"targets for unknown task {task!r}; the model has {list(model.heads)}")
        if len(arr) != len(texts):
            raise ValueError(f"{task}: {len(arr)} targets for {len(texts)} texts")
    if model.config.lora_r and not model._lora:
        model.add_lora()
    device = _resolve_device(cfg.device)
    model.to(device)
    enc_params = [p for p in model.encoder.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(
        [{"params": enc_params, "lr": cfg.lr}, {"params": list(model.heads.parameters()), "lr": cfg.head_lr}],
        weight_decay=cfg.weight_decay,
    )
    lengths = [len(t) for t in texts]
    n_epochs = math.ceil(cfg.epochs)
    plan: list[list[int]] = []
    for e in range(n_epochs):
        plan += length_buckets(lengths, cfg.batch_size, cfg.seed + e)
    total = int(len(plan) * cfg.epochs / n_epochs)
    plan = plan[:total]
    warm = max(1, int(cfg.warmup * total))
    peaks = [g["lr"] for g in opt.param_groups]

    def lr_at(step: int) -> float:
        if step < warm:
            return (step + 1) / warm
        return max(0.0, 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm))))

    start = _load_checkpoint(run, model, opt)
    if show_progress_bar is None:
        show_progress_bar = logger.getEffectiveLevel() <= logging.INFO
    from tqdm.auto import tqdm

    bar = tqdm(total=total, initial=start, disable=not show_progress_bar, desc="train", mininterval=5)
    tgt = {t: torch.from_numpy(np.asarray(a, dtype=np.float32)).to(device) for t, a in targets.items()}
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if device.type == "cuda" else contextlib.nullcontext()
    model.train()
    t0 = time.time()
    ema = None
    for step in range(start, total):
        idx = plan[step]
        torch.manual_seed(cfg.seed * 100_003 + step)  # dropout depends on the step only: a resumed run matches
        batch = {k: v.to(device) for k, v in model.tokenize([texts[i] for i in idx]).items()}
        for g, peak in zip(opt.param_groups, peaks):
            g["lr"] = peak * lr_at(step)
        with autocast:
            _, logits = model(batch)
        loss = torch.zeros((), device=device)
        rows = torch.as_tensor(idx, device=device)
        for task, out in logits.items():
            y = tgt[task][rows]
            keep = ~torch.isnan(y).any(dim=1)
            if keep.any():
                logp = torch.log_softmax(out[keep].float(), dim=-1)
                loss = loss + -(y[keep] * logp).sum(dim=1).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for g in opt.param_groups for p in g["params"]], 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
        bar.update(1)
        bar.set_postfix(loss=f"{ema:.4f}", refresh=False)
        done = step + 1
        if done % cfg.checkpoint_every == 0 or done == total:
            _save_checkpoint(run, model, opt, done)
            logger.info("step %d/%d loss %.4f (%.1f min)", done, total, ema, (time.time() - t0) / 60)
        if cfg.max_minutes and (time.time() - t0) / 60 > cfg.max_minutes:
            _save_checkpoint(run, model, opt, done)
            logger.warning("stopped at step %d/%d after %.0f minutes (max_minutes)", done, total, cfg.max_minutes)
            break
    bar.close()
    model.to("cpu")
    model.eval()
    return model


def _resolve_device(name: str) -> torch.device:
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("device='cuda' was asked for but torch sees no CUDA device; use device='cpu'")
    return torch.device(name)
