"""`nlp tokenize --mask-pii` masks the raw text and the other columns too, not only text_normalized."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from nlp.cli.main import app

runner = CliRunner()


def test_tokenize_mask_pii_masks_what_it_writes(tmp_path, monkeypatch):
    monkeypatch.setenv("NLP_PII_KEY", "test")
    src = tmp_path / "in.csv"
    pd.DataFrame(
        {
            "id": ["tel-010-2222-3333", "2"],
            "text": ["문의 ０１０－７７７７－８８８８ 주세요", "좋아요"],
            "contact": ["me@example.com", ""],
        }
    ).to_csv(src, index=False)
    out = tmp_path / "tok.parquet"
    res = runner.invoke(app, ["tokenize", str(src), "-o", str(out), "--mask-pii"])
    assert res.exit_code == 0, res.output
    df = pd.read_parquet(out)
    assert df["text"].tolist() == ["문의 [전화번호] 주세요", "좋아요"]
    assert df["text_normalized"].iloc[0] == "문의 [전화번호] 주세요"
    assert df["id"].iloc[0].startswith("tel-[phone:") and df["contact"].iloc[0].startswith("[email:")
    assert df["flags"].tolist() == ["pii_masked", "generic"]
    assert not any("７７７７" in str(t) for t in df["tokens"].iloc[0])
    plain = tmp_path / "plain.parquet"
    assert runner.invoke(app, ["tokenize", str(src), "-o", str(plain)]).exit_code == 0
    assert pd.read_parquet(plain)["id"].iloc[0] == "tel-010-2222-3333"  # masking is asked for, not the default
