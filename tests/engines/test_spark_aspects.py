"""``nlp aspects --engine spark`` against ``nlp aspects``: the same aspect rows, in the same order, and the same rejects."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from nlp.cli.main import app
from nlp.pipeline import DEMO_CORPUS
from tests.engines.test_spark_run import same_frame

runner = CliRunner()


def test_aspects_on_spark_match_local(tmp_path, spark, tiny_model):
    demo = pd.read_csv(DEMO_CORPUS, dtype=str)
    part = demo[demo["product_id"].isin(demo["product_id"].unique()[:5])].head(300).copy()
    part.iloc[::3, part.columns.get_loc("product_id")] = None  # rows without a product: the "" product, as locally
    src = tmp_path / "reviews.csv"
    part.to_csv(src, index=False)
    with src.open("a", encoding="utf-8") as f:  # a row with too many fields: rejected by both engines
        f.write('x1,"배송이 빨라요",a,b,c,d,e,f,g,h,i,j\n')
    common = [str(src), "--model", str(tiny_model)]
    res = runner.invoke(app, ["aspects", *common, "-o", str(tmp_path / "local.parquet")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["aspects", *common, "-o", str(tmp_path / "spark.parquet"), "--engine", "spark", "--spark-master", "local[2]"])
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert "301 rows in (1 rejected)" in said
    local, remote = pd.read_parquet(tmp_path / "local.parquet"), pd.read_parquet(tmp_path / "spark.parquet")
    assert len(local) > 30 and local["product_id"].isna().any()
    same_frame(local, remote)
    parts = sorted((tmp_path / "spark.parquet.rejects.jsonl").glob("part-*"))
    rejects = pd.concat([pd.read_json(p, lines=True) for p in parts if p.stat().st_size], ignore_index=True)
    assert len(rejects) == 1 and "fields" in rejects["reason"].iloc[0]


def test_summary_is_refused_on_spark(tmp_path):
    res = runner.invoke(app, ["aspects", "x.csv", "-o", str(tmp_path / "a.parquet"), "--engine", "spark", "--summary", str(tmp_path / "s.parquet")])
    assert res.exit_code == 2 and "--engine local" in res.output
