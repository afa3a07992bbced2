"""Stages as functions over a pandas batch, without Spark: the local engine's results, schemas and the per-process cache."""

from __future__ import annotations

import pandas as pd
import pytest

from nlp.engines import _worker, check_engine
from nlp.engines.stages import DUPLICATE_COL, DUPLICATE_ID_COL, ScoreStage, model_labels
from nlp.io.tables import ROW_COL
from nlp.scoring.table import score_table


def frame_of(texts, ids=None) -> pd.DataFrame:
    df = pd.DataFrame({ROW_COL: range(len(texts)), "text": pd.Series(texts, dtype="string")})
    if ids is not None:
        df.insert(1, "id", pd.Series(ids, dtype="string"))
    return df


@pytest.fixture
def stage(tiny_model_dir):
    _worker.clear()
    yield ScoreStage(model_dir=str(tiny_model_dir), batch_size=4)
    _worker.clear()


def test_one_batch_equals_nlp_score(tmp_path, stage, tiny_model_dir):
    texts = ["배송 빨라요", "재구매할게요", "배송빨라요!!", "", "Great product", "연락 010-1234-5678", "재구매할게요"]
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": ["a", "b", "c", "d", "e", "f", "b"], "text": texts}).to_csv(src, index=False)
    local = pd.read_parquet(score_table(src, tmp_path / "out.parquet", model_dir=tiny_model_dir, batch_size=4, show_progress_bar=False).output)
    got = stage.apply(frame_of([t or None for t in texts], ["a", "b", "c", "d", "e", "f", "b"]))  # CSV reads "" as missing
    pd.testing.assert_frame_equal(got.reset_index(drop=True), local, check_dtype=False)
    assert got["flags"].tolist()[2] == "duplicate" and "duplicate_id" in got["flags"].iloc[6]


def test_engine_flags_replace_the_batch_view(stage):
    # the engine knows the whole table: the batch's own duplicate view is replaced by its flags
    frame = frame_of(["배송 빨라요", "배송 빨라요", "좋아요"], ["1", "2", "3"])
    frame[DUPLICATE_COL] = [True, False, None]
    frame[DUPLICATE_ID_COL] = [False, None, True]
    flags = stage.apply(frame)["flags"].tolist()
    assert flags == ["duplicate", "", "generic|duplicate_id"]  # 좋아요 is a stock review: generic, never a duplicate


def test_repeat_keys_match_the_local_duplicate_rule(stage):
    frame = frame_of(["배송 빨라요!!", "배송빨라요", "", "... !!", "다른 리뷰", "배송 빨라요!!"], ["1", None, "3", "4", "5", "6"])
    keys = stage.repeat_keys(frame)
    text = keys[DUPLICATE_COL].tolist()
    assert text[0] == text[1] == text[5] and text[4] != text[0]  # near and exact repeats share a key
    assert text[2] is None and text[3] is None  # empty and symbol-only texts are never duplicates
    ids = keys[DUPLICATE_ID_COL].tolist()
    assert ids[0] == "1" and ids[1].startswith("r1-")  # a missing id is derived from row and text


def test_output_schema_is_what_apply_returns(stage):
    import pyarrow as pa

    frame = frame_of(["배송 빨라요", ""])
    frame["rating"] = [5, 1]
    schema = stage.output_schema(pa.schema([pa.field("text", pa.string()), pa.field("rating", pa.int64())]))
    out = stage.apply(frame)
    assert schema.names == list(out.columns)
    table = pa.Table.from_pandas(out, preserve_index=False)
    assert table.cast(schema).schema == schema


def test_labels_come_from_the_model_config(tiny_model_dir):
    labels = model_labels(tiny_model_dir)
    assert list(labels) == ["sentiment", "intent"]
    assert labels["intent"][0] == "none"


def test_the_scorer_loads_once_per_process(stage):
    stage.prefetch()
    first = stage.resources()
    stage.apply(frame_of(["배송 빨라요"]))
    assert stage.resources() is first
    assert _worker.cache_size() == 1


def test_check_engine():
    assert check_engine("local") == "local"
    with pytest.raises(ValueError, match="local, spark"):
        check_engine("dask")
    with pytest.raises(ValueError, match="engine='spark'"):
        check_engine("local", "spark://host:7077")


def test_threads_per_task_follow_the_job(stage):
    # one wave (no more chunks than slots): each task may use every core of its executor; more: one each
    assert stage.for_job(2, slots=2, executor_cores=2).threads == 2
    assert stage.for_job(3, slots=2, executor_cores=2).threads == 1
    assert stage.for_job(10, slots=8, executor_cores=4, task_cpus=2).threads == 2
    assert stage.for_job(4, slots=8, executor_cores=4, task_cpus=2).threads == 4
    given = ScoreStage(model_dir=stage.model_dir, threads=3)
    assert given.for_job(1, slots=2, executor_cores=2).threads == 3  # a given number stays
    # one loaded scorer serves every job: the threads are set on it per job, not loaded with it
    wide, narrow = stage.for_job(1, slots=2, executor_cores=2), stage.for_job(3, slots=2, executor_cores=2)
    assert wide.cache_key() == narrow.cache_key()
    scorer = wide.resources()
    assert scorer.backend != "onnx" or scorer._onnx.workers == 2
    assert narrow.resources() is scorer
    assert scorer.backend != "onnx" or scorer._onnx.workers == 1


def test_intent_rules_reach_the_executors_scorer(tiny_model_dir):
    on, off = ScoreStage(model_dir=str(tiny_model_dir)), ScoreStage(model_dir=str(tiny_model_dir), intent_rules=False)
    assert on.cache_key() != off.cache_key()  # one process may hold both scorers
    assert on.load().intent_rules is True and off.load().intent_rules is False
