"""Long texts are read in full: sentence windows up to the model's length, combined by one rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import nlp.scoring.scorer as scorer_mod
from nlp.scoring.scorer import Windows, aggregate_windows
from nlp.scoring.table import score_table

# the tiny test model reads 32 tokens; these sentences use only characters its vocabulary knows
PRAISE = "배송이 빨라서 좋아요. 가성비 최고 강추합니다. 조식이 맛있음. "
COMPLAINT = "사이즈가 작아서 반품했어요 ㅠㅠ 비추"


def test_short_texts_keep_one_window(tiny_scorer):
    w = tiny_scorer.windows(["좋아요", "배송 빨라요"])
    assert w.counts == [1, 1] and w.cut == [False, False]
    assert w.ids == tiny_scorer.model.encode_ids(["좋아요", "배송 빨라요"])


def test_long_text_is_split_into_sentence_windows(tiny_scorer):
    text = PRAISE * 3 + COMPLAINT
    w = tiny_scorer.windows([text])
    max_len = tiny_scorer.model.config.max_length
    assert w.counts[0] > 1 and not w.cut[0]
    assert all(len(x) <= max_len for x in w.ids)
    assert sum(len(x) for x in w.ids) >= len(tiny_scorer.model.encode_ids([text])[0])  # nothing left unread


@pytest.mark.parametrize("splitter", ["rules", "kiwi"])
def test_windows_end_at_sentence_ends(tiny_scorer, splitter):
    tiny_scorer.sentence_splitter = splitter
    text = PRAISE * 3 + COMPLAINT
    parts, cut = tiny_scorer._window_texts([text])[0]
    assert len(parts) > 1 and not cut
    assert all(p.endswith((".", "음", "다", "요")) for p in parts[:-1])  # no window ends mid-sentence
    assert " ".join(parts).split() == text.split()  # every word read once, in order


def test_a_late_complaint_changes_the_score(tiny_scorer):
    """Before, a long review was scored from its opening only; now its last sentences count too."""
    happy, unhappy = PRAISE * 3 + "재구매 의사 있습니다!", PRAISE * 3 + COMPLAINT
    assert tiny_scorer.model.encode_ids([happy])[0] == tiny_scorer.model.encode_ids([unhappy])[0]  # one pass reads the same
    both = tiny_scorer.predict([happy, unhappy])["sentiment"]
    assert np.abs(both[0] - both[1]).max() > 1e-4
    tiny_scorer.window_rule = "first"  # what a single pass read: the ending is lost
    first = tiny_scorer.predict([happy, unhappy])["sentiment"]
    np.testing.assert_allclose(first[0], first[1], atol=1e-6)


def test_too_many_windows_are_flagged_truncated(tmp_path, tiny_scorer, monkeypatch):
    monkeypatch.setattr(scorer_mod, "MAX_WINDOWS", 2)
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": ["a", "b", "c"], "text": [PRAISE * 4 + COMPLAINT, PRAISE, "좋아요"]}).to_csv(src, index=False)
    out = pd.read_parquet(score_table(src, tmp_path / "o.parquet", scorer=tiny_scorer).output)
    assert out["flags"].tolist() == ["truncated", "", "generic"]
    assert out["sentiment"].notna().all()


def test_colloquial_spelling_reads_as_standard(tiny_scorer):
    """Encoder and char models read 조아요 as 좋아요; the scorer can be told not to."""
    out = tiny_scorer.predict(["너무 조아용", "너무 좋아요"])
    np.testing.assert_allclose(out["sentiment"][0], out["sentiment"][1], atol=1e-6)
    tiny_scorer.spelling = "off"
    out = tiny_scorer.predict(["너무 조아용", "너무 좋아요"])
    assert np.abs(out["sentiment"][0] - out["sentiment"][1]).max() > 1e-5


def test_window_rules():
    w = Windows([[0, 1, 1, 1, 2], [0, 1, 2], [0, 1, 2]], counts=[2, 1], cut=[False, False])
    p = np.array([[0.1, 0.1, 0.8], [0.7, 0.1, 0.2], [0.2, 0.6, 0.2]])
    labels = ["negative", "neutral", "positive"]
    np.testing.assert_allclose(aggregate_windows(p, w, "first"), p[[0, 2]])
    np.testing.assert_allclose(aggregate_windows(p, w, "mean")[0], [0.4, 0.1, 0.5])
    np.testing.assert_allclose(aggregate_windows(p, w, "tokens")[0], (3 * p[0] + p[1]) / 4)  # 3 tokens vs 1
    np.testing.assert_allclose(aggregate_windows(p, w, "last")[0], (3 * p[0] + 2 * p[1]) / 5)
    np.testing.assert_allclose(aggregate_windows(p, w, "min", labels=labels)[0], p[1])
    np.testing.assert_allclose(aggregate_windows(p, w, "min", task="intent")[0], (3 * p[0] + p[1]) / 4)  # intent: token-weighted
    for rule in ("mean", "tokens", "last", "min"):
        np.testing.assert_allclose(aggregate_windows(p, w, rule, labels=labels)[1], p[2])  # one window: itself
    with pytest.raises(ValueError, match="window rule"):
        aggregate_windows(p, w, "max")


@pytest.mark.slow
def test_shipped_model_hears_a_late_complaint():
    from nlp.scoring.scorer import Scorer

    opening = "배송도 빠르고 포장도 꼼꼼하게 잘 되어 있었어요. 디자인이 사진이랑 똑같고 색감도 예뻐서 처음에는 정말 마음에 들었습니다. " * 4
    ending = "그런데 일주일 만에 전원이 안 켜지고 고장났어요. 고객센터는 연락도 안 되고 환불도 거부당했습니다. 돈 아까워요 절대 사지 마세요."
    scorer = Scorer.load()
    w = scorer.windows([opening + ending])
    assert w.counts[0] > 1
    full = scorer.predict([opening + ending])["sentiment"][0]
    scorer.window_rule = "first"
    first = scorer.predict([opening + ending])["sentiment"][0]
    assert full[0] - full[2] > first[0] - first[2] + 0.2  # the complaint pulls the review toward negative
