"""`nlp run` end to end on a slice of the demo corpus, with the tiny model built in code."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from nlp.cli.main import app
from nlp.pipeline import DEMO_CORPUS

runner = CliRunner()


def test_run_writes_every_stage(tmp_path, tiny_model, no_network):
    src = tmp_path / "slice.csv"
    demo = pd.read_csv(DEMO_CORPUS, dtype=str)
    demo[demo["product_id"].isin(demo["product_id"].unique()[:4])].to_csv(src, index=False)
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", str(src), "-o", str(out), "--model", str(tiny_model), "--topics-model", str(tiny_model), "--min-topic-size", "10"])
    assert res.exit_code == 0, res.output
    # one summary line per stage, in a pipe as on a terminal
    lines = [m.group(1) for m in re.finditer(r"^(\w+) +\d+\.\d s  ", res.output, flags=re.M)]
    assert lines == ["score", "aspects", "topics", "trends", "report"], res.output
    assert "400 rows in, 400 scored, 0 rejected" in res.output
    scored = pd.read_parquet(out / "scored.parquet")
    assert len(scored) == 400
    assert (out / "topics" / "doc_topics.parquet").exists() and (out / "topics" / "topics.parquet").exists()
    trends = pd.read_parquet(out / "trends.parquet")
    assert {"unique_id", "ds", "n_reviews", "sentiment_mean"} <= set(trends.columns)
    assert trends["n_reviews"].sum() == 400
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "감성" in html and "토픽" in html
    run_info = json.loads((out / "run.json").read_text())
    assert run_info["scored_rows"] + run_info["rejected_rows"] == run_info["input_rows"] == 400


def test_run_without_dates_skips_trends(tmp_path, tiny_model):
    src = tmp_path / "nodates.csv"
    demo = pd.read_csv(DEMO_CORPUS, dtype=str).head(150)
    demo[["id", "text"]].to_csv(src, index=False)
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", str(src), "-o", str(out), "--model", str(tiny_model), "--topics-model", str(tiny_model), "--min-topic-size", "10"])
    assert res.exit_code == 0, res.output
    assert not (out / "trends.parquet").exists()
    assert "skipped" in res.output
    assert (out / "report.html").exists()


def test_run_on_a_small_file_skips_topics_and_still_reports(tmp_path, tiny_model):
    # 12 reviews are too few for topics of 10: the run says so, and trends and the report still come
    src = tmp_path / "small.csv"
    pd.read_csv(DEMO_CORPUS, dtype=str).head(12).to_csv(src, index=False)
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", str(src), "-o", str(out), "--model", str(tiny_model), "--topics-model", str(tiny_model), "--min-topic-size", "10"])
    assert res.exit_code == 0, res.output
    assert re.search(r"^topics +\d+\.\d s  skipped: .*too few", res.output, flags=re.M), res.output
    assert not (out / "topics").exists()
    assert (out / "trends.parquet").exists() and (out / "report.html").exists()
    assert "too few" in json.loads((out / "run.json").read_text())["skipped"]["topics"]
    again = runner.invoke(app, ["run", str(src), "-o", str(out), "--model", str(tiny_model), "--topics-model", str(tiny_model), "--min-topic-size", "10", "--resume"])
    assert again.exit_code == 0, again.output
    assert (out / "report.html").exists()


@pytest.mark.slow  # real processes killed mid-run; CI runs it explicitly (.ci/run)
def test_run_sigkill_then_resume(tmp_path, tiny_model):
    """`nlp run` killed with SIGKILL while scoring, then --resume: the same scored rows as an uninterrupted run."""
    import os
    import signal
    import subprocess
    import sys
    import time

    src = tmp_path / "in.csv"
    demo = pd.read_csv(DEMO_CORPUS, dtype=str)
    demo[demo["product_id"].isin(demo["product_id"].unique()[:4])].to_csv(src, index=False)
    base = [sys.executable, "-m", "nlp.cli.main", "run", str(src), "--model", str(tiny_model), "--topics-model", str(tiny_model), "--min-topic-size", "10"]
    full = tmp_path / "full"
    subprocess.run(base + ["-o", str(full)], check=True, capture_output=True)
    out = tmp_path / "out"
    proc = subprocess.Popen(base + ["-o", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and not (out / "scored.parquet.parts").exists():
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    resumed = subprocess.run(base + ["-o", str(out), "--resume"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    pd.testing.assert_frame_equal(pd.read_parquet(out / "scored.parquet"), pd.read_parquet(full / "scored.parquet"))
    assert (out / "report.html").exists() and not list(out.glob("*.partial"))


def test_run_takes_the_aspect_domain_and_a_taxonomy_file(tmp_path, tiny_model):
    # nlp run passes --domain / --taxonomy to its aspect stage, and a bad choice stops it before scoring
    src = tmp_path / "films.csv"
    pd.read_csv(DEMO_CORPUS, dtype=str).head(40).to_csv(src, index=False)
    tax = tmp_path / "extra.toml"
    tax.write_text('[domains.film.aspects.ending]\nlabel = "결말"\nterms = ["결말", "엔딩"]\n', encoding="utf-8")
    out = tmp_path / "out"
    common = ["--model", str(tiny_model), "--topics-model", str(tiny_model), "--min-topic-size", "10"]
    res = runner.invoke(app, ["run", str(src), "-o", str(out), *common, "--domain", "film", "--taxonomy", str(tax)])
    assert res.exit_code == 0, res.output
    rows = pd.read_parquet(out / "aspects.parquet")
    assert set(rows["domain"]) == {"film"}
    settings = json.loads((out / "run.json").read_text())["stages"]["aspects"]["settings"]
    assert settings["domain"] == "film" and settings["taxonomy"]["path"] == str(tax.resolve())
    bad = runner.invoke(app, ["run", str(src), "-o", str(tmp_path / "bad"), *common, "--domain", "pets"])
    assert bad.exit_code == 2 and "unknown aspect domain 'pets'" in bad.output
    assert not (tmp_path / "bad" / "scored.parquet").exists()
    # a seed the taxonomy refuses (a verb Kiwi reads as a noun) also fails before scoring, not after it
    tax.write_text("[domains.food.aspects.packaging]\nmode = 'extend'\nnegative = ['새다']\n", encoding="utf-8")
    bad = runner.invoke(app, ["run", str(src), "-o", str(tmp_path / "bad2"), *common, "--taxonomy", str(tax)])
    assert bad.exit_code != 0 and "reads '새다' alone as the noun" in bad.output
    assert not (tmp_path / "bad2" / "scored.parquet").exists()
