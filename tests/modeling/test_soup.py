"""Model soups: the average of LoRA runs is exact in weight space and loads as a normal model."""

from __future__ import annotations

import json
import shutil

import pytest
import torch


def _randomise(model_dir, seed):
    """Give a copy of the tiny model non-zero LoRA updates and different heads (a fresh LoRA has B = 0)."""
    from safetensors.torch import load_file, save_file

    g = torch.Generator().manual_seed(seed)
    st = load_file(str(model_dir / "adapter.safetensors"))
    save_file(
        {k: (torch.randn(v.shape, generator=g) * 0.1).contiguous() for k, v in st.items()}, str(model_dir / "adapter.safetensors")
    )
    head = load_file(str(model_dir / "head_intent.safetensors"))
    save_file(
        {k: torch.randn(v.shape, generator=g).contiguous() for k, v in head.items()}, str(model_dir / "head_intent.safetensors")
    )


def _merged(model_dir):
    from nlp.artifacts.encoder import MultiTaskEncoder

    model, raw = MultiTaskEncoder.load(model_dir)
    model.load_extra_heads(model_dir, raw.get("extra_heads") or {})
    return {k: v.clone() for k, v in model.state_dict().items()}


@pytest.fixture
def runs(tiny_model_dir, tmp_path):
    dirs = []
    for i in range(3):
        d = tmp_path / f"run{i}"
        shutil.copytree(tiny_model_dir, d)
        _randomise(d, i)
        dirs.append(d)
    return dirs


def test_soup_is_the_exact_average_of_the_merged_runs(runs, tmp_path):
    from nlp.modeling.soup import soup

    out = soup(runs, tmp_path / "soup")
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["lora_r"] == 3 * 4 and cfg["lora_alpha"] / cfg["lora_r"] == 2.0
    assert [s["weight"] for s in cfg["soup"]] == pytest.approx([1 / 3] * 3)
    merged = [_merged(d) for d in runs]
    got = _merged(out)
    assert set(got) == set(merged[0])
    for k, v in got.items():
        want = sum(m[k] for m in merged) / 3
        assert torch.allclose(v, want, atol=1e-5), k
    # the soup is not simply one of its runs
    assert not torch.allclose(got["heads.sentiment.weight"], merged[0]["heads.sentiment.weight"])


def test_soup_weights_and_scorer_load(runs, tmp_path):
    from nlp.modeling.soup import soup
    from nlp.scoring.scorer import Scorer

    out = soup(runs[:2], tmp_path / "soup", weights=[3, 1])
    merged = [_merged(d) for d in runs[:2]]
    got = _merged(out)
    k = "heads.intent.weight"
    assert torch.allclose(got[k], 0.75 * merged[0][k] + 0.25 * merged[1][k], atol=1e-6)
    scores = Scorer.load(out, batch_size=4).predict(["배송 빨라요", "별로예요"])
    assert len(scores["sentiment"]) == 2


def test_soup_refuses_runs_of_different_set_ups(runs, tmp_path):
    from nlp.modeling.soup import soup

    cfg = json.loads((runs[1] / "config.json").read_text())
    cfg["num_layers"] = 1
    (runs[1] / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ValueError, match="num_layers"):
        soup(runs, tmp_path / "soup")
    with pytest.raises(ValueError, match="at least two"):
        soup(runs[:1], tmp_path / "soup")
    with pytest.raises(FileNotFoundError, match="no config.json"):
        soup([runs[0], tmp_path], tmp_path / "soup")


def test_cli_train_soup(runs, tmp_path):
    from typer.testing import CliRunner

    from nlp.cli.main import app

    res = CliRunner().invoke(app, ["train", "soup", str(runs[0]), str(runs[2]), "-o", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "s" / "adapter.safetensors").exists() and (tmp_path / "s" / "head_intent.safetensors").exists()


def test_soup_half_stores_float16_factors_close_to_the_exact_soup(runs, tmp_path):
    from safetensors.torch import load_file

    from nlp.modeling.soup import soup

    exact = _merged(soup(runs, tmp_path / "exact"))
    out = soup(runs, tmp_path / "half", half=True)
    st = load_file(str(out / "adapter.safetensors"))
    assert {v.dtype for k, v in st.items() if "lora_" in k} == {torch.float16}
    assert {v.dtype for k, v in st.items() if k.startswith("heads.")} == {torch.float32}
    got = _merged(out)
    for k, v in got.items():
        assert v.dtype == torch.float32
        assert torch.allclose(v, exact[k], atol=1e-3), k


def test_soup_refuses_runs_that_held_out_different_rows(runs, tmp_path):
    from nlp.modeling.soup import soup

    for d, split in zip(runs, (13, 14, 13)):
        (d / "training_data.json").write_text(json.dumps({"split_seed": split, "train_seed": 1}))
    with pytest.raises(ValueError, match="split seeds"):
        soup(runs, tmp_path / "soup")
    out = soup([runs[0], runs[2]], tmp_path / "ok")
    assert json.loads((out / "training_data.json").read_text())["split_seed"] == 13
