"""What is committed under models/ stays small and pickle-free (the project's rule for shipped artifacts)."""

from __future__ import annotations

import json
from pathlib import Path

MODELS = Path(__file__).resolve().parents[2] / "models"
LIMIT_BYTES = 20_000_000


def test_models_folder_stays_under_20_mb():
    total = sum(f.stat().st_size for f in MODELS.rglob("*") if f.is_file())
    assert total <= LIMIT_BYTES, f"models/ holds {total / 1e6:.1f} MB; the limit is 20 MB (commit adapters and heads only)"


def test_models_hold_no_pickles_and_every_model_has_a_card():
    bad = [f for f in MODELS.rglob("*") if f.suffix in {".pkl", ".pickle", ".pt", ".pth", ".bin", ".joblib"}]
    assert not bad, f"pickle-based files under models/: {bad}"
    for cfg in MODELS.glob("*/config.json"):
        d = cfg.parent
        assert (d / "README.md").exists(), f"{d} has no model card"
        assert (d / "adapter.safetensors").exists(), f"{d} has no safetensors adapter"
        assert json.loads(cfg.read_text()).get("tasks"), f"{cfg} names no tasks"
