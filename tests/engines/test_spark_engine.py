"""The Spark engine gives the local engine's rows, ids, flags, labels and scores, and its rejects.

Local Spark (``local[2,4]``) and the tiny model built in code; skipped cleanly where pyspark or
Java 17+ is missing (CI has both and sets ``NLP_REQUIRE_SPARK``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nlp.io.columns import ColumnMap
from nlp.scoring.table import score_table as local_score_table
from tests.conftest import read_jsonl
from tests.engines.conftest import review_rows, write_csv

CHUNK = 300  # several chunks in a few thousand rows, so cross-chunk duplicates and chunk boundaries are exercised


def spark_rejects(path: Path) -> list[dict]:
    return [r for f in sorted(Path(path).glob("part-*")) for r in read_jsonl(f)]


def assert_same_scores(local: pd.DataFrame, spark: pd.DataFrame, tol: float = 1e-5) -> None:
    """Same rows in the same order; same ids, texts, labels and flags; probabilities within ``tol``."""
    assert list(spark.columns) == list(local.columns)
    assert len(spark) == len(local)
    for col in local.columns:
        a, b = local[col], spark[col]
        assert (a.isna().to_numpy() == b.isna().to_numpy()).all(), col
        keep = a.notna().to_numpy()
        if pd.api.types.is_float_dtype(a):
            assert np.abs(a.to_numpy(dtype=float)[keep] - b.to_numpy(dtype=float)[keep]).max(initial=0) <= tol, col
        else:
            assert (a.astype(str).to_numpy()[keep] == b.astype(str).to_numpy()[keep]).all(), col


def run_both(tmp_path, spark, src: Path, model: Path, **kw):
    from nlp.engines.spark import score_table

    local = local_score_table(src, tmp_path / "local.parquet", model_dir=model, chunk_size=CHUNK, show_progress_bar=False, **kw)
    remote = score_table(str(src), str(tmp_path / "spark.parquet"), model_dir=model, chunk_size=CHUNK, spark=spark, **kw)
    return local, remote


def test_csv_with_bad_rows_same_as_local(tmp_path, spark, tiny_model_dir):
    src = write_csv(tmp_path / "reviews.csv", review_rows(2000))
    local, remote = run_both(tmp_path, spark, src, tiny_model_dir)
    assert remote.input_rows == local.input_rows == 2003
    assert (remote.output_rows, remote.rejected_rows) == (local.output_rows, local.rejected_rows) == (2001, 2)
    a, b = pd.read_parquet(tmp_path / "local.parquet"), pd.read_parquet(tmp_path / "spark.parquet")
    assert_same_scores(a, b)
    # the flags that need the whole table are there, across chunk boundaries
    for flag in ("duplicate", "duplicate_id", "empty", "filler", "pii_masked", "non_korean"):
        assert b["flags"].str.contains(flag).any(), flag
    assert b["id"].str.startswith("r").any()  # derived ids (r<row>-<hash>) match the local ones
    # the same rejects; the local reader also names the physical line, which Spark's splitter does not know
    local_rejects = [{**r, "reason": re.sub(r"^line \d+: ", "", r["reason"])} for r in read_jsonl(tmp_path / "local.parquet.rejects.jsonl")]
    assert spark_rejects(tmp_path / "spark.parquet.rejects.jsonl") == local_rejects
    assert (tmp_path / "spark.parquet" / "_SUCCESS").exists()


@pytest.mark.parametrize("where", ["driver", "spark"])
def test_duplicates_per_product_and_week_and_the_rating_scale_as_local(tmp_path, spark, tiny_model_dir, monkeypatch, where):
    # a small table's flags come from its keys on the driver; a large one's from Spark jobs: both the local rule
    if where == "spark":
        monkeypatch.setattr("nlp.engines.spark.DRIVER_KEYS_MAX", 0)
    cached = spark.sparkContext._jsc.sc().getPersistentRDDs().size()
    # the same text: same product 10 days apart (no), 2 days after that (yes), another product (no),
    # no time (yes); the rating scale comes from the first chunk with ratings (1-5 here), so a later 8 is invalid
    text = "포장이 꼼꼼하고 색감이 사진이랑 똑같아요"
    rows = [(str(i), f"후기 {i} 번째 내용 {i % 13}", f"p{i % 5}", f"2026-03-{1 + i % 28:02d}", "" if i < CHUNK + 10 else str(1 + i % 5)) for i in range(900)]
    rows[CHUNK + 20] = (str(CHUNK + 20), text, "p1", "2026-01-01", "5")
    rows[CHUNK + 40] = (str(CHUNK + 40), text, "p1", "2026-01-11", "4")
    rows[CHUNK + 60] = (str(CHUNK + 60), text, "p1", "2026-01-13", "3")
    rows[CHUNK + 80] = (str(CHUNK + 80), text, "p2", "2026-01-13", "2")
    rows[CHUNK + 100] = (str(CHUNK + 100), text, "p1", "", "1")
    rows[2 * CHUNK + 5] = (str(2 * CHUNK + 5), "평범해요 그냥 그래요", "p3", "2026-02-02", "8")
    src = tmp_path / "reviews.csv"
    pd.DataFrame(rows, columns=["id", "text", "product_id", "created_at", "rating"]).to_csv(src, index=False)
    run_both(tmp_path, spark, src, tiny_model_dir)
    a, b = pd.read_parquet(tmp_path / "local.parquet"), pd.read_parquet(tmp_path / "spark.parquet")
    assert_same_scores(a, b)
    dup = b.set_index("id")["flags"].str.contains("duplicate")
    assert [bool(dup[str(CHUNK + k)]) for k in (20, 40, 60, 80, 100)] == [False, False, True, False, True]
    assert "rating_invalid" in b.set_index("id").loc[str(2 * CHUNK + 5), "flags"]
    assert spark.sparkContext._jsc.sc().getPersistentRDDs().size() == cached  # the kept key pass was released


def test_int8_same_as_local(tmp_path, spark, tiny_model_dir):
    # int8 scales each batch as a whole: equal only if every chunk's batches are the local ones
    src = write_csv(tmp_path / "reviews.csv", review_rows(1200, seed=1), bad=False)
    local, remote = run_both(tmp_path, spark, src, tiny_model_dir, quantize=True, recheck=0.05)
    assert remote.output_rows == local.output_rows == 1200
    assert_same_scores(pd.read_parquet(tmp_path / "local.parquet"), pd.read_parquet(tmp_path / "spark.parquet"))


def test_a_job_of_one_wave_scores_in_one_task_as_local(tmp_path, spark, tiny_model_dir):
    # two chunks on two slots of one machine: one task (one model load) scores both, each as its own chunk
    from nlp.engines.spark import _one_task

    assert _one_task(spark, 1) and _one_task(spark, 2) and not _one_task(spark, 3)
    src = write_csv(tmp_path / "reviews.csv", review_rows(2 * CHUNK - 50, seed=2), bad=False)
    local, remote = run_both(tmp_path, spark, src, tiny_model_dir, quantize=True, recheck=0.05)
    assert remote.output_rows == local.output_rows == 2 * CHUNK - 50
    assert_same_scores(pd.read_parquet(tmp_path / "local.parquet"), pd.read_parquet(tmp_path / "spark.parquet"))


def test_a_quote_left_open_at_the_end_is_rejected_as_local(tmp_path, spark, tiny_model_dir):
    # the last record opens a quote that never closes: the local reader rejects it, and so does Spark
    src = write_csv(tmp_path / "reviews.csv", review_rows(40, seed=3), bad=False)
    src.write_bytes(src.read_bytes() + '777,"열린 따옴표,p1,2026-01-01\n'.encode())
    local, remote = run_both(tmp_path, spark, src, tiny_model_dir)
    assert (remote.input_rows, remote.output_rows, remote.rejected_rows) == (local.input_rows, local.output_rows, local.rejected_rows) == (41, 40, 1)
    # the same reject; Spark's rejects schema holds a CSV original as a list of fields: the line is its one field
    local_rejects = [
        {**r, "reason": re.sub(r"^line \d+: ", "", r["reason"]), "original": [r["original"]]} for r in read_jsonl(tmp_path / "local.parquet.rejects.jsonl")
    ]
    assert spark_rejects(tmp_path / "spark.parquet.rejects.jsonl") == local_rejects
    assert local_rejects[0]["reason"] == "unparseable CSV record (unexpected end of data)"
    assert_same_scores(pd.read_parquet(tmp_path / "local.parquet"), pd.read_parquet(tmp_path / "spark.parquet"))


def test_cp949_csv(tmp_path, spark, tiny_model_dir):
    rows = [(i, t.replace("😊", "^^"), p, d) for i, t, p, d in review_rows(400, seed=2)]  # CP949 has no emoji
    src = write_csv(tmp_path / "reviews.csv", rows, encoding="cp949")
    local, remote = run_both(tmp_path, spark, src, tiny_model_dir)
    assert (remote.output_rows, remote.rejected_rows) == (local.output_rows, local.rejected_rows)
    assert_same_scores(pd.read_parquet(tmp_path / "local.parquet"), pd.read_parquet(tmp_path / "spark.parquet"))


def test_jsonl_with_broken_lines(tmp_path, spark, tiny_model_dir):
    lines = []
    for i, (rid, text, product, day) in enumerate(review_rows(900, seed=3)):
        rec = {"id": rid or None, "text": text, "product_id": product, "created_at": day, "rating": i % 5 + 1}
        lines.append(json.dumps(rec, ensure_ascii=False))
        if i == 250:
            lines.append('{"id": "b1", "text": broken')
        if i == 600:
            lines.append('"just a string"')
    src = tmp_path / "reviews.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    local, remote = run_both(tmp_path, spark, src, tiny_model_dir)
    assert (remote.input_rows, remote.output_rows, remote.rejected_rows) == (local.input_rows, local.output_rows, local.rejected_rows) == (902, 900, 2)
    a, b = pd.read_parquet(tmp_path / "local.parquet"), pd.read_parquet(tmp_path / "spark.parquet")
    cols = [c for c in a.columns if c != "rating"]  # a JSON integer column is long on Spark, float with gaps locally
    assert_same_scores(a[cols], b[cols])
    assert spark_rejects(tmp_path / "spark.parquet.rejects.jsonl") == read_jsonl(tmp_path / "local.parquet.rejects.jsonl")


def test_parquet_in_csv_out(tmp_path, spark, tiny_model_dir):
    rows = review_rows(1000, seed=4)
    src = tmp_path / "reviews.parquet"
    frame = pd.DataFrame(rows, columns=["id", "text", "product_id", "created_at"]).replace({"": None})
    frame.to_parquet(src, row_group_size=128)  # small row groups: Spark splits them, the local reader streams across them
    local_score_table(src, tmp_path / "local.csv", model_dir=tiny_model_dir, chunk_size=CHUNK, show_progress_bar=False)
    from nlp.engines.spark import score_table

    stats = score_table(str(src), str(tmp_path / "spark.csv"), model_dir=tiny_model_dir, chunk_size=CHUNK, spark=spark)
    assert stats.output_rows == 1000 and stats.rejected_rows == 0
    a = pd.read_csv(tmp_path / "local.csv", dtype=str, keep_default_na=False)
    b = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in sorted((tmp_path / "spark.csv").glob("part-*.csv"))], ignore_index=True)
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    for col in ("id", "text", "sentiment", "intent", "flags"):
        assert (a[col].to_numpy() == b[col].to_numpy()).all(), col
    for col in [c for c in a.columns if c.startswith(("sentiment_", "intent_"))]:
        x, y = pd.to_numeric(a[col]), pd.to_numeric(b[col])
        assert np.nanmax(np.abs(x - y)) <= 1e-5, col


def test_python_api_on_a_dataframe(tmp_path, spark, tiny_model_dir):
    import nlp.spark

    rows = review_rows(600, seed=5)
    frame = pd.DataFrame(rows, columns=["review_id", "body", "product_id", "created_at"]).replace({"": None})
    src = tmp_path / "reviews.parquet"
    frame.to_parquet(src)
    cmap = ColumnMap(text="body", id="review_id")
    local_score_table(src, tmp_path / "local.parquet", cmap, model_dir=tiny_model_dir, chunk_size=CHUNK, show_progress_bar=False)
    scored = nlp.spark.score(spark.read.parquet(str(src)), columns=cmap, model_dir=tiny_model_dir, chunk_size=CHUNK)
    assert scored.columns == list(pd.read_parquet(tmp_path / "local.parquet").columns)
    b = scored.toPandas()
    a = pd.read_parquet(tmp_path / "local.parquet")
    # toPandas follows the part order, which is the input order
    assert_same_scores(a, b)


def test_a_killed_worker_is_retried_without_duplicates(tmp_path, spark, tiny_model_dir):
    from nlp.engines.spark import number_rows, read_input, run_stage, write_frame
    from nlp.engines.stages import ScoreStage
    from tests.engines._faults import FailingStage

    src = write_csv(tmp_path / "reviews.csv", review_rows(900, seed=6), bad=False)
    local_score_table(src, tmp_path / "local.parquet", model_dir=tiny_model_dir, chunk_size=CHUNK, show_progress_bar=False)
    inp = read_input(spark, str(src))
    numbered, n = number_rows(inp.frame)
    stage = FailingStage(ScoreStage(model_dir=str(tiny_model_dir), threads=1), row=450)
    write_frame(run_stage(numbered, n, stage, CHUNK, inp.source), str(tmp_path / "spark.parquet"))
    b = pd.read_parquet(tmp_path / "spark.parquet")
    assert len(b) == n == 900
    assert_same_scores(pd.read_parquet(tmp_path / "local.parquet"), b)


def test_a_failed_job_leaves_no_complete_looking_output(tmp_path, spark, tiny_model_dir):
    from nlp.engines.spark import number_rows, read_input, run_stage, write_frame
    from nlp.engines.stages import ScoreStage
    from tests.engines._faults import FailingStage

    src = write_csv(tmp_path / "reviews.csv", review_rows(900, seed=7), bad=False)
    inp = read_input(spark, str(src))
    numbered, n = number_rows(inp.frame)
    out = tmp_path / "spark.parquet"
    stage = FailingStage(ScoreStage(model_dir=str(tiny_model_dir), threads=1), row=800, always=True)
    with pytest.raises(Exception, match="fails on purpose"):
        write_frame(run_stage(numbered, n, stage, CHUNK, inp.source), str(out))
    assert not (out / "_SUCCESS").exists()
    assert not list(out.glob("part-*")), "part files of the finished chunks must not be in the output"


def test_a_stage_with_more_rows_out_than_in(spark):
    # the aspects stage's shape: one output row per mention; batches are still the local chunks
    from nlp.engines.spark import number_rows, run_stage
    from tests.engines._faults import WordsStage

    frame = spark.createDataFrame(pd.DataFrame({"text": ["a b", "", "c", "d e f"] * 50}))
    numbered, n = number_rows(frame)
    words = run_stage(numbered, n, WordsStage(), chunk_size=7).toPandas()
    assert len(words) == 6 * 50
    assert words["row"].is_monotonic_increasing
    assert words["word"].tolist()[:6] == ["a", "b", "c", "d", "e", "f"]


def test_aspects_api_chooses_domains_per_product(spark):
    import nlp.spark
    from nlp.aspects import extract

    texts = ["체크인이 오래 걸렸어요", "조식이 맛있어요", "방이 깨끗해요", "사이즈가 딱 맞아요", "옷감이 좋아요", "사이즈가 작아요"]
    local = pd.DataFrame({"id": [str(i) for i in range(6)], "text": texts, "product_id": ["h"] * 3 + ["s"] * 3})
    got = nlp.spark.aspects(spark.createDataFrame(local), rules_only=True).toPandas()
    want = extract(local, rules_only=True)
    assert got.groupby("product_id")["domain"].first().to_dict() == want.groupby("product_id")["domain"].first().to_dict()
    assert got["domain"].nunique() == 2
    assert got[["id", "aspect", "polarity", "domain"]].values.tolist() == want[["id", "aspect", "polarity", "domain"]].values.tolist()


def test_exact_partitioning_matches_spark_hash(spark):
    from pyspark.sql import functions as F

    from nlp.engines.spark import _murmur3_long, partition_keys

    values = np.array([0, 1, -1, 42, 2**40 + 7, -(2**50), 2**63 - 1], dtype=np.int64)
    got = spark.createDataFrame(pd.DataFrame({"v": values})).select(F.hash("v").alias("h")).toPandas()["h"].to_numpy()
    assert (got == _murmur3_long(values)).all()
    n = 13
    keys = partition_keys(n)
    placed = (
        spark.createDataFrame(pd.DataFrame({"p": np.arange(n), "k": keys}))
        .repartition(n, "k")
        .select("p", F.spark_partition_id().alias("pid"))
        .toPandas()
    )
    assert (placed["p"] == placed["pid"]).all()


def test_cli_engine_spark(tmp_path, spark, tiny_model_dir):
    from typer.testing import CliRunner

    from nlp.cli.main import app

    src = write_csv(tmp_path / "reviews.csv", review_rows(300, seed=8))
    out = tmp_path / "scored.parquet"
    res = CliRunner().invoke(app, ["score", str(src), "-o", str(out), "--model", str(tiny_model_dir), "--engine", "spark", "--spark-master", "local[2]"])
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert "301 rows in: 300 scored" in said and "1 rejected" in said
    assert len(pd.read_parquet(out)) == 300
    res = CliRunner().invoke(app, ["score", str(src), "-o", str(out), "--engine", "spark", "--resume"])
    assert res.exit_code == 2 and "--engine local" in res.output


def test_unknown_engine_is_rejected():
    from typer.testing import CliRunner

    from nlp.cli.main import app

    res = CliRunner().invoke(app, ["score", "x.csv", "-o", "y.parquet", "--engine", "dask"])
    assert res.exit_code == 2 and "local, spark" in res.output


def test_read_gives_rows_and_rejects(tmp_path, spark):
    import nlp.spark

    src = write_csv(tmp_path / "reviews.csv", review_rows(800, seed=9))
    rows, rejects = nlp.spark.read(spark, src)
    assert rows.count() == 801 and rejects.count() == 2
    assert rows.columns == ["id", "text", "product_id", "created_at"]
    assert sorted(r["row"] for r in rejects.collect()) == [151, 703]
