"""``nlp aspects``, ``nlp score --aspects`` and ``nlp evaluate aspects`` with the tiny scorer built in code."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from nlp.cli.main import app

runner = CliRunner()


def test_aspects_cli(tmp_path, korean_csv, tiny_model_dir):
    out = tmp_path / "aspects.parquet"
    summary = tmp_path / "summary.csv"
    res = runner.invoke(app, ["aspects", str(korean_csv), "-o", str(out), "--domain", "shopping", "--model", str(tiny_model_dir), "--summary", str(summary)])
    assert res.exit_code == 0, res.output
    rows = pd.read_parquet(out)
    assert {"id", "product_id", "created_at", "aspect", "aspect_label", "polarity", "score", "evidence", "start", "end"} <= set(rows.columns)
    assert "reviews with aspects" in res.output and "without" in res.output
    assert (tmp_path / "aspects.parquet.rejects.jsonl").exists()
    s = pd.read_csv(summary)
    assert {"product_id", "aspect", "share", "net", "net_low", "net_high", "evidence_ids"} <= set(s.columns)
    assert (tmp_path / "summary.periods.csv").exists()


def test_aspects_cli_auto_and_column_options(tmp_path, korean_frame, tiny_model_dir):
    src = tmp_path / "in.jsonl"
    korean_frame.rename(columns={"text": "body", "product_id": "sku"}).to_json(src, orient="records", lines=True, force_ascii=False)
    out = tmp_path / "aspects.csv"
    res = runner.invoke(app, ["aspects", str(src), "-o", str(out), "--text-col", "body", "--product-col", "sku", "--model", str(tiny_model_dir)])
    assert res.exit_code == 0, res.output
    rows = pd.read_csv(out, dtype=str)
    assert "sku" in rows.columns and len(rows) > 0 and "domains:" in res.output


def test_aspects_cli_errors(tmp_path, korean_csv):
    res = runner.invoke(app, ["aspects", str(korean_csv), "-o", str(tmp_path / "a.parquet"), "--domain", "hotel", "--rules-only"])
    assert res.exit_code == 2 and "unknown domain 'hotel'" in res.output
    bad = tmp_path / "tax.toml"
    bad.write_text("[domains.food.aspects.taste]\nterms = ['맛']", encoding="utf-8")
    res = runner.invoke(app, ["aspects", str(korean_csv), "-o", str(tmp_path / "a.parquet"), "--taxonomy", str(bad), "--rules-only"])
    assert res.exit_code == 2 and "missing label" in res.output


def test_score_with_aspects(tmp_path, korean_csv, tiny_model_dir):
    out = tmp_path / "scored.parquet"
    res = runner.invoke(app, ["score", str(korean_csv), "-o", str(out), "--model", str(tiny_model_dir), "--aspects", "--domain", "shopping"])
    assert res.exit_code == 0, res.output
    scored = pd.read_parquet(out)
    rows = pd.read_parquet(tmp_path / "scored.aspects.parquet")
    assert len(scored) == 10 and len(rows) > 0 and set(rows["id"]) <= set(scored["id"])


def test_score_with_aspects_checks_the_taxonomy_before_scoring(tmp_path, korean_csv, tiny_model_dir):
    bad = tmp_path / "mine.toml"
    bad.write_text("[domains.food.aspects.packaging]\nmode = 'extend'\nnegative = ['새다']\n", encoding="utf-8")
    out = tmp_path / "scored.parquet"
    res = runner.invoke(app, ["score", str(korean_csv), "-o", str(out), "--model", str(tiny_model_dir), "--aspects", "--taxonomy", str(bad)])
    assert res.exit_code != 0 and "reads '새다' alone as the noun" in res.output
    assert not out.exists()  # nothing was scored
    res = runner.invoke(app, ["score", str(korean_csv), "-o", str(out), "--model", str(tiny_model_dir), "--aspects", "--domain", "pets"])
    assert res.exit_code != 0 and "unknown aspect domain 'pets'" in res.output and not out.exists()


def test_evaluate_aspects_cli(tmp_path, tiny_model_dir):
    texts = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "taxonomy": ["food", "food", "lodging", "app"],
            "text": ["배달 빠르고 맛있어요", "맛은 있는데 양이 적어요", "위치는 좋은데 방음이 전혀 안돼요", "좋아요"],
        }
    )
    texts.to_csv(tmp_path / "texts.csv", index=False)
    g1 = "id,aspects,intent\na,delivery:+;taste:+,none\nb,taste:+;quantity:-,none\nc,location:+;noise:-,none\nd,,none\n"
    g2 = "id,aspects,intent\na,delivery:+;taste:+,none\nb,taste:+;quantity:-,none\nc,location:+;noise:-,none\nd,bugs:-,none\n"
    (tmp_path / "g1.csv").write_text(g1, encoding="utf-8")
    (tmp_path / "g2.csv").write_text(g2, encoding="utf-8")
    out = tmp_path / "eval.json"
    res = runner.invoke(
        app, ["evaluate", "aspects", "--gold", str(tmp_path / "g1.csv"), "--gold", str(tmp_path / "g2.csv"), "--texts", str(tmp_path / "texts.csv"),
              "--model", str(tiny_model_dir), "--json", str(out)]
    )
    assert res.exit_code == 0, res.output
    r = json.loads(out.read_text())
    ours = r["files"]["g1"]["systems"]["aspects"]
    assert ours["detection"]["micro"]["f1"] == 1.0  # every mention found, nothing else
    assert r["files"]["g1"]["mixed"]["n_reviews"] == 2 and "baseline" in r["files"]["g1"]["systems"]
    assert r["agreement"]["joint"]["f1"] < 1.0
    assert "annotator agreement" in res.output


def test_evaluate_aspects_bad_gold(tmp_path, tiny_model_dir):
    (tmp_path / "texts.csv").write_text("id,taxonomy,text\na,food,맛있어요\n", encoding="utf-8")
    (tmp_path / "g.csv").write_text("id,aspects\na,taste:good\n", encoding="utf-8")
    res = runner.invoke(app, ["evaluate", "aspects", "--gold", str(tmp_path / "g.csv"), "--texts", str(tmp_path / "texts.csv"), "--model", str(tiny_model_dir)])
    assert res.exit_code == 2 and "line 2" in res.output and "taste:good" in res.output
