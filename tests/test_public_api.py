"""The public API as a notebook uses it, on the tiny model built in code."""

from __future__ import annotations

import pandas as pd
import pytest

import nlp
from nlp.scoring.table import score_table


def test_version_and_lazy_names():
    assert isinstance(nlp.__version__, str) and nlp.__version__
    assert set(nlp.__all__) >= {"score", "run", "aspects", "topics", "trends", "report"}
    with pytest.raises(AttributeError):
        nlp.no_such_thing  # noqa: B018


def test_score_matches_the_command(tmp_path, tiny_scorer):
    frame = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "text": ["배송 빠르고 좋아요!!!!", "별로예요 환불했어요", "", "연락처 010-1234-5678 로 주세요"],
            "product_id": ["p1", "p1", "p2", "p2"],
            "note": [1, 2, 3, 4],
        }
    )
    got = nlp.score(frame, scorer=tiny_scorer)
    src, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    frame.to_parquet(src)
    score_table(src, out, scorer=tiny_scorer)
    want = pd.read_parquet(out)
    assert list(got.columns) == list(want.columns)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want, check_dtype=False)
    assert "pii_masked" in got.loc[3, "flags"]  # the same preprocessing as the command
    assert pd.isna(got.loc[2, "sentiment"])  # an empty text keeps its row with no score


def test_score_returns_the_shape_of_its_input(tiny_scorer):
    one = nlp.score("배송 빨라요", scorer=tiny_scorer)
    assert isinstance(one, dict) and one["sentiment"] in {"negative", "neutral", "positive"}
    many = nlp.score(["좋아요", "싫어요"], scorer=tiny_scorer)
    assert len(many) == 2 and {"sentiment", "sentiment_score", "intent", "flags"} <= set(many.columns)


def test_score_names_the_parameter_when_the_column_is_missing(tiny_scorer):
    with pytest.raises(ValueError, match="text_col='review'"):
        nlp.score(pd.DataFrame({"text": ["좋아요"]}), text_col="review", scorer=tiny_scorer)
