from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from nlp.cli.main import app
from tests.trends.conftest import make_scored

runner = CliRunner()


def test_trends_writes_features_and_rejects(tmp_path, scored):
    df = scored.copy()
    df.loc[2, "product_id"] = None
    df.loc[4, "created_at"] = "someday"
    src = tmp_path / "scored.parquet"
    df.to_parquet(src)
    out = tmp_path / "trends.parquet"
    res = runner.invoke(app, ["trends", str(src), "-o", str(out), "--freq", "M", "--min-volume", "3"])
    assert res.exit_code == 0, res.output
    f = pd.read_parquet(out)
    assert {"unique_id", "ds", "n_reviews", "sentiment_mean", "net_advocacy", "volume_z", "anomaly_negative_spike"} <= set(
        f.columns
    )
    rejects = [json.loads(line) for line in (tmp_path / "trends.parquet.rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["row"]) for r in rejects] == [("r2", 2), ("r4", 4)]
    assert "missing product" in rejects[0]["reason"] and "unparseable date" in rejects[1]["reason"]
    assert int(f["n_reviews"].sum()) + len(rejects) == len(df)
    assert "2 rows without a product or a parseable date" in res.output


def test_trends_csv_input_mapped_columns_and_topics(tmp_path, scored, doc_topics):
    src = tmp_path / "scored.csv"
    scored.rename(columns={"product_id": "sku", "created_at": "date"}).to_csv(src, index=False)
    topics = tmp_path / "topics"
    topics.mkdir()
    doc_topics.to_parquet(topics / "doc_topics.parquet")
    pd.DataFrame({"topic": [0, 1, 2, 3], "size": [1, 1, 1, 1], "label": ["a", "b", "c", "d"]}).to_parquet(
        topics / "topics.parquet"
    )
    out = tmp_path / "trends.csv"
    args = [
        "trends",
        str(src),
        "-o",
        str(out),
        "--product-col",
        "sku",
        "--time-col",
        "date",
        "--topics",
        str(topics),
        "--top-topics",
        "2",
        "--freq",
        "w",
    ]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    f = pd.read_csv(out)
    assert len([c for c in f.columns if c.endswith("_share") and c.startswith("topic_")]) == 2
    assert not (tmp_path / "trends.csv.rejects.jsonl").exists()
    res2 = runner.invoke(
        app,
        [
            "trends",
            str(src),
            "-o",
            str(tmp_path / "t.jsonl"),
            "--product-col",
            "sku",
            "--time-col",
            "date",
            "--topics",
            str(topics),
            "--by-topic",
            "--lag",
            "1",
        ],
    )
    assert res2.exit_code == 0, res2.output
    t = pd.read_json(tmp_path / "t.jsonl", lines=True)
    assert set(t["topic_label"]) == {"a", "b", "c", "d"}


@pytest.mark.parametrize("column,option", [("product_id", "--product-col"), ("created_at", "--time-col")])
def test_missing_product_or_time_column_is_a_clear_error(tmp_path, scored, column, option):
    src = tmp_path / "scored.parquet"
    scored.drop(columns=[column]).to_parquet(src)
    out = tmp_path / "trends.parquet"
    res = runner.invoke(app, ["trends", str(src), "-o", str(out)])
    assert res.exit_code == 2
    assert f"'{column}'" in res.output and option in res.output
    assert "Traceback" not in res.output
    assert not out.exists()


def test_by_topic_needs_topics(tmp_path, scored):
    src = tmp_path / "scored.parquet"
    scored.to_parquet(src)
    res = runner.invoke(app, ["trends", str(src), "-o", str(tmp_path / "t.parquet"), "--by-topic"])
    assert res.exit_code == 2 and "--topics" in res.output


def test_evaluate_trends_backtest(tmp_path):
    scored = make_scored(n=1500, products=("A", "B", "C", "D"), start="2020-01-01", days=900, seed=2)
    src = tmp_path / "scored.parquet"
    scored.to_parquet(src)
    report = tmp_path / "bt.json"
    res = runner.invoke(
        app,
        [
            "evaluate",
            "trends",
            str(src),
            "--freq",
            "M",
            "--horizons",
            "1,2",
            "--origins",
            "2",
            "--model",
            "ridge",
            "--min-length",
            "20",
            "-o",
            str(report),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "using 4 of 4 products" in res.output
    rep = json.loads(report.read_text(encoding="utf-8"))
    assert rep["selection"]["ids"] == ["A", "B", "C", "D"]
    assert rep["end"] == "2022-05-01" and rep["horizons"] == [1, 2] and len(rep["origins"]) == 2
    models = {(m["model"], m["horizon"]) for m in rep["metrics"]}
    assert models == {(m, h) for m in ("seasonal_naive", "naive", "ridge", "ridge+text") for h in (1, 2)}
    assert rep["score_columns"].startswith("from the input")
    bad = runner.invoke(app, ["evaluate", "trends", str(src), "--horizons", "x"])
    assert bad.exit_code == 2
