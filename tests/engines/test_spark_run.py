"""``nlp run --engine spark`` against ``nlp run``: the same scored rows, aspect rows, topics, topic summaries and trend features."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from nlp.cli.main import app
from nlp.pipeline import DEMO_CORPUS

runner = CliRunner()


def same_frame(a: pd.DataFrame, b: pd.DataFrame, tol: float = 1e-6) -> None:
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    for col in a.columns:
        x, y = a[col], b[col]
        if pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x):
            xv, yv = x.to_numpy(dtype=float), y.to_numpy(dtype=float)
            assert (np.isnan(xv) == np.isnan(yv)).all(), col
            assert np.nanmax(np.abs(xv - yv), initial=0) <= tol, col
        else:
            assert (x.isna().to_numpy() == y.isna().to_numpy()).all(), col
            assert [str(v) for v in x.dropna()] == [str(v) for v in y.dropna()], col


def test_run_on_spark_matches_local(tmp_path, spark, tiny_model):
    src = tmp_path / "slice.csv"
    demo = pd.read_csv(DEMO_CORPUS, dtype=str)
    demo[demo["product_id"].isin(demo["product_id"].unique()[:4])].to_csv(src, index=False)
    common = [str(src), "--model", str(tiny_model), "--topics-model", str(tiny_model), "--min-topic-size", "10"]
    res = runner.invoke(app, ["run", *common, "-o", str(tmp_path / "local")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["run", *common, "-o", str(tmp_path / "spark"), "--engine", "spark", "--spark-master", "local[2]"])
    assert res.exit_code == 0, res.output
    local, remote = tmp_path / "local", tmp_path / "spark"
    same_frame(pd.read_parquet(local / "scored.parquet"), pd.read_parquet(remote / "scored.parquet"), tol=1e-5)
    # 400 texts < the fit sample: the driver fits on every text, in table order, as nlp topics does
    same_frame(pd.read_parquet(local / "topics" / "doc_topics.parquet"), pd.read_parquet(remote / "topics" / "doc_topics.parquet"))
    for name in ("topics.parquet", "topics_by_product.parquet", "topics_by_period.parquet"):
        same_frame(pd.read_parquet(local / "topics" / name), pd.read_parquet(remote / "topics" / name))
    # product names are kept out of topic keywords and labels on both engines
    names = [json.loads((d / "topics" / "model" / "nlp_topics.json").read_text())["params"]["names"] for d in (local, remote)]
    assert names[0] == names[1] and len(names[0]) == 4
    a_local, a_remote = pd.read_parquet(local / "aspects.parquet"), pd.read_parquet(remote / "aspects.parquet")
    assert len(a_local) > 50
    same_frame(a_local, a_remote)
    trends_local = pd.read_parquet(local / "trends.parquet")
    assert any(c.startswith("aspect_") and c.endswith("_share") for c in trends_local.columns)
    same_frame(trends_local, pd.read_parquet(remote / "trends.parquet"))
    info = json.loads((remote / "run.json").read_text())
    assert info["scored_rows"] + info["rejected_rows"] == info["input_rows"] == 400
    assert "report" not in info["skipped"]
    # the report built from Spark aggregates states the same findings, with the same evidence, as the local one
    f_local, f_remote = (json.loads((d / "findings.json").read_text()) for d in (local, remote))
    assert f_local["tests"]["tested"] > 0 and f_local["n_aspect_mentions"] == len(a_local)
    assert f_remote == f_local
    pages = [_page(d / "report.html") for d in (local, remote)]
    assert "제품 × 측면" in pages[1] and "nsmc-" in pages[1]  # the matrix, and quoted reviews
    assert pages[1] == pages[0]
    # the Python API builds it again from the folder, with other options
    import nlp.spark

    assert nlp.spark.report(remote, master="local[2]", title="다시 만든 보고서") == remote / "report.html"
    assert "다시 만든 보고서" in (remote / "report.html").read_text()
    assert json.loads((remote / "findings.json").read_text()) == f_local


def _page(path) -> str:
    """The report without what differs between two runs: when it was generated and the input paths."""
    page = re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "TIME", path.read_text())
    return re.sub(r"<dt>입력 <small>inputs</small></dt><dd>.*?</dd>", "", page, flags=re.S)


def test_topics_above_the_fit_sample_are_assigned_on_the_executors(tmp_path, spark, tiny_model):
    from nlp.engines.spark import number_rows
    from nlp.engines.spark_run import topics

    demo = pd.read_csv(DEMO_CORPUS, dtype=str).head(300)
    scored = demo.assign(sentiment="positive", sentiment_score=np.float32(0.5), intent="none", flags="")
    path = tmp_path / "scored.parquet"
    scored.to_parquet(path)
    numbered, n = number_rows(spark.read.parquet(str(path)), by_file=True)
    assigned = topics(numbered, tmp_path / "topics", model_dir=str(tiny_model), min_topic_size=10, nr_topics="auto", fit_sample=120)
    try:
        dt = pd.read_parquet(tmp_path / "topics" / "doc_topics.parquet")
        assert len(dt) == n == 300 and dt["id"].tolist() == demo["id"].tolist()
        summary = pd.read_parquet(tmp_path / "topics" / "topics.parquet")
        assert summary["size"].sum() == 300
        assert (dt["topic"] >= 0).sum() > 120  # rows outside the sample found their nearest topic
    finally:
        assigned.unpersist()


def test_run_on_spark_without_product_or_time_still_reports(tmp_path, spark, tiny_model):
    # no product, time or rating column: no trends; the report has no periods and one "product"
    src = tmp_path / "texts.csv"
    pd.read_csv(DEMO_CORPUS, dtype=str).head(300)[["id", "text"]].to_csv(src, index=False)
    common = [str(src), "--model", str(tiny_model), "--topics-model", str(tiny_model), "--min-topic-size", "10"]
    for name, extra in (("local", []), ("spark", ["--engine", "spark", "--spark-master", "local[2]"])):
        res = runner.invoke(app, ["run", *common, "-o", str(tmp_path / name), *extra])
        assert res.exit_code == 0, res.output
    local, remote = tmp_path / "local", tmp_path / "spark"
    assert not (remote / "trends.parquet").exists()
    f_local, f_remote = (json.loads((d / "findings.json").read_text()) for d in (local, remote))
    assert f_remote == f_local and f_local["periods"] is None
    assert _page(remote / "report.html") == _page(local / "report.html")


def test_run_on_spark_skips_topics_of_a_small_file_as_local_does(tmp_path, spark, tiny_model):
    # 12 reviews are too few for topics of 10: both engines skip topics with the reason, and write the same trends and report
    src = tmp_path / "small.csv"
    pd.read_csv(DEMO_CORPUS, dtype=str).head(12).to_csv(src, index=False)
    common = [str(src), "--model", str(tiny_model), "--topics-model", str(tiny_model), "--min-topic-size", "10", "--domain", "film"]
    for name, extra in (("local", []), ("spark", ["--engine", "spark", "--spark-master", "local[2]"])):
        res = runner.invoke(app, ["run", *common, "-o", str(tmp_path / name), *extra])
        assert res.exit_code == 0, name + res.output
    local, remote = tmp_path / "local", tmp_path / "spark"
    info = json.loads((remote / "run.json").read_text())
    assert "too few" in info["skipped"]["topics"] and info["topics"] is None
    assert not (remote / "topics").exists()
    same_frame(pd.read_parquet(local / "trends.parquet"), pd.read_parquet(remote / "trends.parquet"))
    # --domain reaches the aspect stage on both engines
    a_local, a_remote = pd.read_parquet(local / "aspects.parquet"), pd.read_parquet(remote / "aspects.parquet")
    assert set(a_local["domain"]) <= {"film"}
    same_frame(a_local, a_remote)
    f_local, f_remote = (json.loads((d / "findings.json").read_text()) for d in (local, remote))
    assert f_remote == f_local
    assert _page(remote / "report.html") == _page(local / "report.html")


def test_report_without_trends_runs_the_anomaly_rule_on_spark(tmp_path, spark, tiny_model):
    # dates but no product column: no trends table, so the report runs the anomaly rule itself, on both engines
    from nlp.engines.spark import number_rows
    from nlp.engines.spark_report import report as spark_report
    from nlp.report import build

    demo = pd.read_csv(DEMO_CORPUS, dtype=str).head(600)
    weeks = np.repeat(np.arange(12), 50)
    rng = np.random.default_rng(0)
    neg = rng.random(600) < np.where(weeks == 10, 0.7, 0.1)  # a negative spike in week 10
    scored = pd.DataFrame(
        {
            "id": demo["id"],
            "text": demo["text"],
            "created_at": (pd.Timestamp("2024-01-01") + pd.to_timedelta(weeks * 7 + 2, unit="D")).strftime("%Y-%m-%d"),
            "sentiment": np.where(neg, "negative", "positive"),
            "sentiment_score": np.where(neg, -0.7, 0.7),
            "intent": "none",
            "flags": "",
        }
    )
    out = tmp_path / "run"
    out.mkdir()
    scored.to_parquet(out / "scored.parquet", index=False)
    when = pd.Timestamp("2026-01-01").to_pydatetime()
    local = build(scored, freq="W", generated_at=when)
    assert json.loads(local.findings_json())["anomaly_rule"]["source"] == "rule" and local.findings
    numbered, _ = number_rows(spark.read.parquet(str(out / "scored.parquet")), by_file=True)
    remote = spark_report(numbered, out, freq="W", generated_at=when)
    assert remote.findings_json() == local.findings_json()
    assert remote.html == local.html
