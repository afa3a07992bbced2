"""``nlp report`` through the Typer app, on files in tmp_path."""

from __future__ import annotations

from typer.testing import CliRunner

from nlp.cli.main import app

runner = CliRunner()


def test_report_command_writes_html(files):
    out = files["dir"] / "report.html"
    result = runner.invoke(
        app, ["report", str(files["scored"]), "--topics", str(files["topics"]), "-o", str(out), "--model", "ko-sent v1"]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "감성 추이" in html and "ko-sent v1" in html
    assert "report →" in result.output


def test_report_command_maps_columns_and_reads_csv(files, frames):
    scored = frames[0].rename(columns={"text": "본문", "created_at": "작성일"})
    csv = files["dir"] / "scored.csv"
    scored.to_csv(csv, index=False, encoding="utf-8-sig")
    out = files["dir"] / "r.html"
    args = [
        "report",
        str(csv),
        "--topics",
        str(files["topics"]),
        "-o",
        str(out),
        "--text-col",
        "본문",
        "--time-col",
        "작성일",
        "--freq",
        "M",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "2024년 3월" in out.read_text(encoding="utf-8")


def test_missing_topics_files_is_a_clear_error(files):
    (files["topics"] / "topics.parquet").unlink()
    out = files["dir"] / "report.html"
    result = runner.invoke(app, ["report", str(files["scored"]), "--topics", str(files["topics"]), "-o", str(out)])
    assert result.exit_code == 2
    assert "error:" in result.output and "topics.parquet" in result.output and "nlp topics" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_missing_topics_dir_and_scored_file(files):
    out = files["dir"] / "report.html"
    result = runner.invoke(app, ["report", str(files["scored"]), "--topics", str(files["dir"] / "nope"), "-o", str(out)])
    assert result.exit_code == 2 and "does not exist" in result.output
    result = runner.invoke(app, ["report", str(files["dir"] / "nope.parquet"), "--topics", str(files["topics"]), "-o", str(out)])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_unknown_text_column_names_the_option(files):
    out = files["dir"] / "report.html"
    result = runner.invoke(
        app, ["report", str(files["scored"]), "--topics", str(files["topics"]), "-o", str(out), "--text-col", "body"]
    )
    assert result.exit_code == 2
    assert "--text-col" in result.output


def test_report_command_with_trends_csv(files, frames):
    import pandas as pd

    scored = frames[0]
    week = pd.to_datetime(scored["created_at"]).dt.to_period("W-SUN").dt.start_time
    trends = scored.assign(ds=week).groupby(["product_id", "ds"]).size().rename("n_reviews").reset_index()
    trends = trends.rename(columns={"product_id": "unique_id"})
    trends["share_negative"] = 0.1
    trends["volume_z"] = 0.0
    trends["anomaly_volume_spike"] = (trends["unique_id"] == "EP-100") & (trends["ds"] == pd.Timestamp("2024-03-18"))
    trends["anomaly_emerging_topic"] = False
    trends["emerging_topics"] = ""  # empty cells come back as missing values from CSV
    path = files["dir"] / "trends.csv"
    trends.to_csv(path, index=False)
    out = files["dir"] / "report.html"
    result = runner.invoke(
        app, ["report", str(files["scored"]), "--topics", str(files["topics"]), "--trends", str(path), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    # the flag is read from the CSV (listed with its reason: 2 reviews are too few to state it)
    assert "<td>2024-03-18~03-24 주</td><td>EP-100</td><td>리뷰량 급증</td>" in html


def test_report_command_with_aspects_and_without_topics(files):
    import json

    out = files["dir"] / "cx" / "report.html"
    args = ["report", str(files["scored"]), "--aspects", str(files["aspects"]), "-o", str(out), "--min-reviews", "10", "--domain", "lodging"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "제품 × 측면" in html and "nlp topics SCORED -o DIR" in html  # topics are optional: the section says how to add them
    assert "재구매" not in html  # --domain lodging: a return is a visit
    doc = json.loads((out.parent / "findings.json").read_text(encoding="utf-8"))
    assert doc["rules"]["min_reviews"] == 10 and isinstance(doc["findings"], list)
    assert "findings →" in result.output
