"""Per-topic summaries: exact counts and shares on a hand-made frame; absent columns left out."""

from __future__ import annotations

import pandas as pd
import pytest

from nlp.topics.summary import INTENT_LABELS, period_start, topic_summary, topics_by_group


@pytest.fixture
def rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e", "f"],
            "topic": [0, 0, 0, 1, 1, -1],
            "product_id": ["p1", "p1", "p2", "p2", "p2", "p1"],
            "created_at": ["2026-01-05", "2026-01-07", "2026-01-12", "2026-01-12", "2026-01-18", "2026-01-19"],
            "rating": [5, 1, 4, 2, None, 3],
            "sentiment": ["positive", "negative", "positive", "negative", None, "neutral"],
            "sentiment_score": [0.8, -0.6, 0.4, -0.9, None, 0.0],
            "intent": ["repurchase", "avoid", "none", "avoid", "none", "none"],
            **{f"intent_{lab}": [0.1] * 6 for lab in INTENT_LABELS},
        }
    )


def test_topic_summary_exact(rows: pd.DataFrame) -> None:
    out = topic_summary(
        rows,
        keywords={0: ["배송", "택배"], 1: ["사이즈"]},
        labels={0: "배송 · 택배", 1: "사이즈"},
        representative_ids={0: ["a", "c"], 1: ["d"]},
    ).set_index("topic")
    assert out.index.tolist() == [-1, 0, 1]
    assert out.loc[0, "size"] == 3 and out.loc[1, "size"] == 2 and out.loc[-1, "size"] == 1
    assert out.loc[0, "share"] == pytest.approx(0.5)
    assert out.loc[0, "keywords"] == ["배송", "택배"]
    assert out.loc[0, "representative_ids"] == ["a", "c"]
    assert out.loc[-1, "label"] == "outliers"
    assert out.loc[0, "sentiment_mean"] == pytest.approx((0.8 - 0.6 + 0.4) / 3)
    assert (out.loc[0, "n_positive"], out.loc[0, "n_negative"], out.loc[0, "n_neutral"]) == (2, 1, 0)
    assert out.loc[0, "share_positive"] == pytest.approx(2 / 3)
    assert out.loc[0, "share_negative"] == pytest.approx(1 / 3)
    # a row without a sentiment is not counted as neutral: topic 1 has one known sentiment
    assert out.loc[1, "share_negative"] == pytest.approx(1.0)
    assert out.loc[1, "sentiment_mean"] == pytest.approx(-0.9)
    # intent rates come from the predicted label, not the probability columns
    assert out.loc[0, "intent_repurchase"] == pytest.approx(1 / 3)
    assert out.loc[1, "intent_avoid"] == pytest.approx(0.5)
    assert out.loc[0, "intent_recommend"] == 0.0
    assert out.loc[0, "rating_mean"] == pytest.approx(10 / 3)
    assert out.loc[1, "rating_mean"] == 2.0  # the missing rating is left out, not counted as 0


def test_intent_probabilities_when_no_label(rows: pd.DataFrame) -> None:
    out = topic_summary(rows.drop(columns=["intent"]), keywords={}, labels={}).set_index("topic")
    assert out.loc[0, "intent_avoid"] == pytest.approx(0.1)


def test_absent_scored_columns_are_left_out(rows: pd.DataFrame) -> None:
    bare = rows[["id", "topic"]]
    out = topic_summary(bare, keywords={0: ["배송"]}, labels={0: "배송"})
    assert list(out.columns) == ["topic", "kind", "size", "share", "label", "keywords", "representative_ids"]
    assert out.set_index("topic").loc[1, "label"] == "topic 1"


def test_topics_by_product(rows: pd.DataFrame) -> None:
    out = topics_by_group(rows, "product_id", labels={0: "배송"}).set_index(["product_id", "topic"])
    assert out.loc[("p1", 0), "n"] == 2
    assert out.loc[("p1", 0), "share"] == pytest.approx(2 / 3)
    assert out.loc[("p2", 1), "share"] == pytest.approx(2 / 3)
    assert out.loc[("p1", 0), "label"] == "배송"
    assert out.loc[("p1", 0), "share_negative"] == pytest.approx(0.5)


def test_topics_by_period(rows: pd.DataFrame) -> None:
    per = rows.assign(period=period_start(rows["created_at"], "W"))
    out = topics_by_group(per, "period")
    weeks = sorted(out["period"].astype(str).unique())
    assert weeks == ["2026-01-05", "2026-01-12", "2026-01-19"]
    first = out[out["period"].astype(str) == "2026-01-05"]
    assert first["n"].tolist() == [2] and first["share"].tolist() == [1.0]


def test_period_start_rejects_unknown_freq() -> None:
    with pytest.raises(ValueError, match="freq"):
        period_start(pd.Series(["2026-01-01"]), "Y")  # type: ignore[arg-type]


def test_missing_topic_column() -> None:
    with pytest.raises(ValueError, match="topic"):
        topic_summary(pd.DataFrame({"id": ["a"]}), keywords={}, labels={})
