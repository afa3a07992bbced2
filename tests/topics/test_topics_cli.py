"""``nlp topics`` / ``nlp evaluate topics`` through the Typer app, on tmp_path, with precomputed embeddings."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import nlp.topics.table as table_mod
from nlp.cli.main import app
from nlp.topics.model import TopicModel
from nlp.topics.summary import INTENT_LABELS
from tests.topics.test_topics_model import FakeEmbedder, corpus

runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_umap(monkeypatch):
    # UMAP's first run compiles numba code for ~10 s; the CLI wiring is the same without it
    monkeypatch.setattr(table_mod, "TopicModel", functools.partial(TopicModel, n_components=None))


@pytest.fixture
def scored(tmp_path):
    docs, gold = corpus()
    docs[0] = "배송이 빨라요 문의는 010-1234-5678 로 주세요"
    n = len(docs)
    rng = np.random.default_rng(0)
    sent = rng.choice(["negative", "neutral", "positive"], size=n)
    frame = pd.DataFrame(
        {
            "id": [f"r{i}" for i in range(n)],
            "text": docs,
            "product_id": ["p1" if g == "배송" else "p2" for g in gold],
            "created_at": pd.date_range("2026-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
            "rating": rng.integers(1, 6, size=n),
            "sentiment": sent,
            "sentiment_score": np.where(sent == "positive", 0.7, np.where(sent == "negative", -0.7, 0.0)),
            "intent": rng.choice(list(INTENT_LABELS), size=n),
            **{f"intent_{lab}": np.full(n, 1 / 6) for lab in INTENT_LABELS},
            "flags": [""] * n,
        }
    )
    frame.loc[5, "text"] = ""  # an empty row stays in doc_topics, as an outlier
    path = tmp_path / "scored.parquet"
    frame.to_parquet(path)
    emb = FakeEmbedder().encode(frame["text"].tolist())
    emb[5] = 0.0
    np.save(tmp_path / "emb.npy", emb.astype(np.float16))
    return path, frame


def test_topics_command_writes_the_outputs(tmp_path, scored) -> None:
    path, frame = scored
    out = tmp_path / "topics"
    res = runner.invoke(
        app, ["topics", str(path), "-o", str(out), "--embeddings", str(tmp_path / "emb.npy"), "--min-topic-size", "5"]
    )
    assert res.exit_code == 0, res.output
    doc = pd.read_parquet(out / "doc_topics.parquet")
    assert list(doc.columns) == ["id", "topic", "topic_prob"]
    assert doc["id"].tolist() == frame["id"].tolist()
    assert doc.loc[5, "topic"] == -1 and doc.loc[5, "topic_prob"] == 0.0
    topics = pd.read_parquet(out / "topics.parquet")
    for col in (
        "topic",
        "size",
        "label",
        "keywords",
        "representative_ids",
        "sentiment_mean",
        "share_negative",
        "share_positive",
        *(f"intent_{lab}" for lab in INTENT_LABELS),
        "rating_mean",
    ):
        assert col in topics.columns, col
    real = topics[topics["topic"] >= 0]
    assert len(real) == 3
    assert real["size"].sum() + topics.loc[topics["topic"] == -1, "size"].sum() == len(frame)
    assert all(len(k) > 0 and all(isinstance(w, str) for w in k) for k in real["keywords"])
    assert set(np.concatenate(real["representative_ids"].to_list())) <= set(frame["id"])
    by_product = pd.read_parquet(out / "topics_by_product.parquet")
    assert {"product_id", "topic", "n", "share"} <= set(by_product.columns)
    assert by_product.groupby("product_id")["share"].sum().round(6).eq(1.0).all()
    by_period = pd.read_parquet(out / "topics_by_period.parquet")
    assert {"period", "topic", "n", "share"} <= set(by_period.columns)
    assert (out / "model" / "topic_embeddings.safetensors").is_file()
    assert (out / "model" / "nlp_topics.json").is_file()


def test_topic_texts_are_pii_masked(tmp_path, scored) -> None:
    path, frame = scored
    emb = np.load(tmp_path / "emb.npy")
    res = table_mod.topics_table(path, tmp_path / "t", embeddings=emb, min_topic_size=5)
    stored = [d for docs in res.model.bertopic_.representative_docs_.values() for d in docs]
    assert stored and not any("010-1234-5678" in d for d in stored)
    assert res.n_topics == 3 and 0.0 <= res.outlier_share < 0.3


def test_fit_on_a_sample_assigns_the_rest(tmp_path, scored) -> None:
    path, frame = scored
    emb = np.load(tmp_path / "emb.npy")
    full = table_mod.topics_table(path, tmp_path / "all", embeddings=emb, min_topic_size=5, fit_sample=0)
    live = int((frame["text"] != "").sum())
    part = table_mod.topics_table(path, tmp_path / "part", embeddings=emb, min_topic_size=5, fit_sample=live * 2 // 3)
    assert part.model.n_documents_ == live * 2 // 3 < full.model.n_documents_ == live
    doc = part.doc_topics
    assert doc["id"].tolist() == frame["id"].tolist() and doc.loc[5, "topic"] == -1
    assert part.n_topics == 3 and (doc["topic"] >= 0).mean() > 0.7  # the unfitted third is assigned, not dropped
    assert part.topics["size"].sum() == len(frame)
    # the same topics: a fitted text and its assignment agree with the full fit up to topic numbering
    pairs = pd.crosstab(full.doc_topics["topic"], doc["topic"])
    assert (pairs.max(axis=1) / pairs.sum(axis=1)).loc[lambda s: s.index >= 0].min() > 0.8
    reps = set(np.concatenate(part.topics.loc[part.topics["topic"] >= 0, "representative_ids"].to_list()))
    assert reps <= set(frame["id"])
    with pytest.raises(ValueError, match="fit_sample="):
        table_mod.topics_table(path, tmp_path / "bad", embeddings=emb, min_topic_size=5, fit_sample=-1)


def test_missing_text_column_is_a_clear_error(tmp_path, scored) -> None:
    path, _ = scored
    res = runner.invoke(app, ["topics", str(path), "-o", str(tmp_path / "o"), "--text-col", "body"])
    assert res.exit_code == 2
    assert "column 'body' not found" in res.output and "--text-col" in res.output
    bare = tmp_path / "bare.csv"
    pd.DataFrame({"review": ["배송 빨라요"]}).to_csv(bare, index=False)
    res = runner.invoke(app, ["topics", str(bare), "-o", str(tmp_path / "o2")])
    assert res.exit_code == 2 and "column 'text' not found" in res.output


def test_embeddings_must_match_the_table(tmp_path, scored) -> None:
    path, _ = scored
    np.save(tmp_path / "short.npy", np.zeros((3, 4), dtype=np.float32))
    res = runner.invoke(app, ["topics", str(path), "-o", str(tmp_path / "o"), "--embeddings", str(tmp_path / "short.npy")])
    assert res.exit_code == 2
    assert "one embedding per row" in res.output


def test_bad_nr_topics(tmp_path, scored) -> None:
    path, _ = scored
    res = runner.invoke(
        app, ["topics", str(path), "-o", str(tmp_path / "o"), "--nr-topics", "many", "--embeddings", str(tmp_path / "emb.npy")]
    )
    assert res.exit_code == 2 and "--nr-topics" in res.output


def test_commands_are_registered() -> None:
    assert runner.invoke(app, ["topics", "--help"]).exit_code == 0
    res = runner.invoke(app, ["evaluate", "topics", "--help"])
    assert res.exit_code == 0 and "BERTopic" in res.output



def test_topics_outlier_and_umap_options_reach_the_model(tmp_path, scored, monkeypatch) -> None:
    path, _ = scored
    seen: list[dict] = []

    def recording(*args, **kwargs):
        seen.append(dict(kwargs))
        kwargs["n_components"] = None  # no UMAP in fast tests
        return TopicModel(*args, **kwargs)

    monkeypatch.setattr(table_mod, "TopicModel", recording)
    emb = str(tmp_path / "emb.npy")
    res = runner.invoke(app, ["topics", str(path), "-o", str(tmp_path / "a"), "--embeddings", emb])
    assert res.exit_code == 0, res.output
    assert seen[-1]["reduce_outliers"] is True
    assert "n_components" not in seen[-1]  # the model's own default (5)
    res = runner.invoke(app, ["topics", str(path), "-o", str(tmp_path / "b"), "--embeddings", emb, "--keep-outliers", "--umap-dims", "10"])
    assert res.exit_code == 0, res.output
    assert seen[-1]["reduce_outliers"] is False
    assert seen[-1]["n_components"] == 10
