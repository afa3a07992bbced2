"""Activation smoothing before int8 (SmoothQuant, Xiao et al. 2023): fewer int8 errors, same fp32 function.

Dynamic int8 quantises each activation tensor with one scale. A few input channels of the
encoder's linear layers carry values tens of times larger than the median channel, so that
one scale leaves the other channels few int8 steps. Smoothing divides each input channel
``j`` by ``s_j = max|X_j|^α / max|W_{:,j}|^(1-α)`` and multiplies the weight's column ``j``
by ``s_j``. In fp32 the layer computes the same function; after int8 the outliers sit in the
weights, which are quantised per output channel.

``α = 0.8`` was chosen on the development sets (how, and what the other values gave:
docs/decisions.md). The activation maxima come from 256 team-written texts of many domains
shipped in ``resources/int8_calibration.txt``, never from an evaluation set.
"""

from __future__ import annotations

from importlib import resources

import torch
from torch import nn

from nlp.scoring.onnx_backend import SMOOTH_VERSION  # defined there, so graph file names need no torch

__all__ = ["SmoothedLinear", "activation_max", "smooth_linears", "calibration_texts", "smooth_encoder", "SMOOTH_ALPHA", "SMOOTH_VERSION"]

SMOOTH_ALPHA = 0.8
_CLAMP = (1e-2, 1e2)


class SmoothedLinear(nn.Module):
    """``linear(x)`` computed as ``(linear.weight * s) @ (x / s)``: the division is a per-channel multiply."""

    def __init__(self, linear: nn.Linear, s: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("inv_scale", (1.0 / s).to(linear.weight.dtype))
        self.linear = nn.Linear(linear.in_features, linear.out_features, bias=linear.bias is not None)
        with torch.no_grad():
            self.linear.weight.copy_(linear.weight * s[None, :].to(linear.weight.dtype))
            if linear.bias is not None:
                self.linear.bias.copy_(linear.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x * self.inv_scale)


def calibration_texts() -> list[str]:
    """The shipped calibration texts (normalised as the scorer normalises its input)."""
    from nlp.text.normalize import normalize

    raw = resources.files("nlp.scoring").joinpath("resources/int8_calibration.txt").read_text(encoding="utf-8")
    lines = raw.splitlines()[1:]  # the first line describes the file; texts may start with '#' (hashtags)
    return normalize([line for line in lines if line.strip()])


def activation_max(module: nn.Module, tokenize, forward, texts: list[str], batch_size: int = 32) -> dict[str, torch.Tensor]:
    """Per input channel, the largest absolute input each ``nn.Linear`` inside ``module`` saw (padding excluded).

    ``tokenize(texts)`` returns a batch with an ``attention_mask``; ``forward(batch)`` runs it
    through ``module``. Keys are the linear layers' names relative to ``module``.
    """
    stats: dict[str, torch.Tensor] = {}
    mask_holder: dict[str, torch.Tensor] = {}
    hooks = []

    def hook_for(name):
        def hook(_mod, inp, _out):
            x = inp[0].detach().abs()
            m = mask_holder["mask"]
            if x.dim() == 3 and x.shape[:2] == m.shape:
                x = x * m.unsqueeze(-1).to(x.dtype)  # padded positions do not count
            x = x.reshape(-1, x.shape[-1]).amax(0)
            stats[name] = torch.maximum(stats[name], x) if name in stats else x

        return hook

    for name, mod in module.named_modules():
        if isinstance(mod, nn.Linear):
            hooks.append(mod.register_forward_hook(hook_for(name)))
    try:
        with torch.inference_mode():
            for i in range(0, len(texts), batch_size):
                batch = tokenize(texts[i : i + batch_size])
                mask_holder["mask"] = batch["attention_mask"]
                forward(batch)
    finally:
        for h in hooks:
            h.remove()
    return stats


def _scale(act: torch.Tensor, *linears: nn.Linear, alpha: float) -> torch.Tensor:
    a = act.float().clamp(min=1e-5)
    w = torch.stack([lin.weight.detach().abs().amax(0).float() for lin in linears]).amax(0).clamp(min=1e-5)
    return (a.pow(alpha) / w.pow(1 - alpha)).clamp(*_CLAMP)


def smooth_linears(module: nn.Module, stats: dict[str, torch.Tensor], alpha: float = SMOOTH_ALPHA) -> int:
    """Smooth, in place, every ``nn.Linear`` inside ``module`` that has statistics; returns how many.

    BERT-family attention (a module with ``query``/``key``/``value`` whose parent has
    ``output.dense``) is smoothed without extra work at run time where the algebra allows:
    - query, key and value read the same input, so they share one scale and one multiply
      (ONNX Runtime merges the three identical nodes);
    - the attention output projection reads softmax-weighted values, so its scale is folded
      into the value projection's output channels instead of a multiply.
    Every other linear layer gets its own multiply (:class:`SmoothedLinear`).
    """
    enc = module
    done: set[str] = set()
    modules = dict(enc.named_modules())
    for name, mod in modules.items():
        q, k, v = (getattr(mod, a, None) for a in ("query", "key", "value"))
        if not all(isinstance(x, nn.Linear) for x in (q, k, v)):
            continue
        prefix = f"{name}." if name else ""
        names = [prefix + a for a in ("query", "key", "value")]
        if not all(n in stats for n in names):
            continue
        s = _scale(torch.stack([stats[n] for n in names]).amax(0), q, k, v, alpha=alpha)
        shared = [SmoothedLinear(x, s) for x in (q, k, v)]
        for sm in shared[1:]:
            sm.inv_scale = shared[0].inv_scale  # one tensor: the export has one initializer and three identical multiplies
        for attr, sm in zip(("query", "key", "value"), shared):
            setattr(mod, attr, sm)
        done.update(names)
        parent_name = name.rsplit(".", 1)[0] if "." in name else ""
        out = getattr(getattr(modules.get(parent_name), "output", None), "dense", None)
        out_name = f"{parent_name}.output.dense" if parent_name else "output.dense"
        if isinstance(out, nn.Linear) and out_name in stats and out.in_features == v.out_features:
            s_o = _scale(stats[out_name], out, alpha=alpha)
            vl = shared[2].linear  # value channels / s_o, output columns * s_o: the same function
            with torch.no_grad():
                vl.weight.div_(s_o[:, None])
                if vl.bias is not None:
                    vl.bias.div_(s_o)
                out.weight.mul_(s_o[None, :])
            done.add(out_name)
    for parent_name, parent in list(enc.named_modules()):
        for child_name, child in list(parent.named_children()):
            full = f"{parent_name}.{child_name}" if parent_name else child_name
            if isinstance(child, nn.Linear) and full in stats and full not in done:
                setattr(parent, child_name, SmoothedLinear(child, _scale(stats[full], child, alpha=alpha)))
                done.add(full)
    return len(done)


def smooth_encoder(module: nn.Module, tokenize, forward, texts: list[str] | None = None, alpha: float = SMOOTH_ALPHA) -> int:
    """Calibrate on ``texts`` (default: the shipped ones) and smooth ``module`` in place, for an int8 export.

    In place because the fp32 function does not change (torch outputs stay within float
    rounding), and a copy of the weights had pushed the first, cold-cache ``nlp run`` past 4 GB
    peak RSS. Arguments as :func:`activation_max`; returns how many linear layers were smoothed.
    """
    stats = activation_max(module, tokenize, forward, texts if texts is not None else calibration_texts())
    return smooth_linears(module, stats, alpha)
