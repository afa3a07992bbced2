from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from nlp.cli.main import app
from tests.conftest import read_jsonl

runner = CliRunner()


def test_tokenize_demo_like_file(tmp_path, korean_csv):
    out = tmp_path / "tok.parquet"
    res = runner.invoke(app, ["tokenize", str(korean_csv), "-o", str(out)])
    assert res.exit_code == 0, res.output
    df = pd.read_parquet(out)
    assert len(df) == 10
    first = list(df.loc[0, "tokens"])
    assert "배송/NNG" in first and "재구매/NNG" in first
    assert list(df.loc[0, "sentences"]) == ["배송이 빨라서 좋아요.", "재구매 의사 있습니다!"]
    flags = dict(zip(df["id"], df["flags"]))
    assert flags["6"] == "empty" and flags["8"] == "duplicate" and flags["9"] == "non_korean"


def test_cp949_and_bom_give_identical_output(tmp_path, korean_frame):
    outs = []
    for enc in ("cp949", "utf-8-sig"):
        src = tmp_path / f"in-{enc}.csv"
        src.write_bytes(korean_frame.to_csv(index=False).replace("😊", "").encode(enc))
        out = tmp_path / f"out-{enc}.csv"
        res = runner.invoke(app, ["tokenize", str(src), "-o", str(out)])
        assert res.exit_code == 0, res.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_missing_text_column_is_one_line_error(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("review,stars\n좋아요,5\n", encoding="utf-8")
    res = runner.invoke(app, ["tokenize", str(src), "-o", str(tmp_path / "o.csv")])
    assert res.exit_code == 2
    assert "'text'" in res.output and "--text-col" in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "o.csv").exists()
    ok = runner.invoke(app, ["tokenize", str(src), "-o", str(tmp_path / "o.csv"), "--text-col", "review"])
    assert ok.exit_code == 0, ok.output


def test_every_row_accounted_for(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "좋아요"}\n{"id": "b", "text": \n{"id": "a", "text": ""}\n', encoding="utf-8")
    out = tmp_path / "o.jsonl"
    res = runner.invoke(app, ["tokenize", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    rows = read_jsonl(out)
    rejects = read_jsonl(str(out) + ".rejects.jsonl")
    assert len(rows) + len(rejects) == 3
    assert rejects[0]["row"] == 1 and "invalid JSON" in rejects[0]["reason"]
    assert rows[1]["flags"] == "empty|duplicate_id"


def test_unknown_option_rejected(tmp_path, korean_csv):
    res = runner.invoke(app, ["tokenize", str(korean_csv), "-o", str(tmp_path / "o.csv"), "--txt-col", "x"])
    assert res.exit_code != 0
    assert "No such option" in res.output or "--txt-col" in res.output
