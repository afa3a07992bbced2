"""The built wheel works outside the checkout: shipped models and demo corpus are package data.

Slow (builds a wheel and loads the shipped model); CI runs it explicitly after the default suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_scores_from_any_directory(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(ROOT), "-w", str(wheels)], check=True, cwd=tmp_path)
    site = tmp_path / "site"
    (whl,) = wheels.glob("*.whl")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(whl)], check=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "in.csv").write_text("id,text\n1,배송 빠르고 좋아요\n2,최악이에요 환불했어요\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("NLP_MODEL", "NLP_FAST_MODEL", "PYTHONPATH")}
    env["PYTHONPATH"] = str(site)  # the installed copy, not the checkout
    probe = "import nlp.resources as r; print(r.__file__); print(r.shipped_models_dir()); print(r.demo_corpus())"
    where = subprocess.run([sys.executable, "-c", probe], check=True, cwd=work, env=env, capture_output=True, text=True).stdout.split()
    assert all(p.startswith(str(site)) for p in where), where
    assert Path(where[2]).is_file()
    cmd = [sys.executable, "-c", "from nlp.cli.main import main; main()", "score", "in.csv", "-o", "out.csv", "--int8"]
    r = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    out = pd.read_csv(work / "out.csv")
    assert out["sentiment"].tolist() == ["positive", "negative"]
