"""Won't-return statements make intent `avoid`; everything else keeps the models' reading."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.scoring.intent_override import AVOID_FLOOR, apply_wont_return, wont_return

LABELS = ["none", "consider", "intent", "repurchase", "recommend", "avoid"]


@pytest.mark.parametrize(
    "text, hit",
    [
        ("재구매 의사 없습니다", True),
        ("재구매의사없음.", True),
        ("재방문할 정도는 아니에요", True),
        ("다음엔 안 올 거 같아요", True),
        ("또 올 자신은 없네요", True),
        ("두번은 안갈듯", True),
        ("짜증나서 못쓰겠네요", True),
        ("주거래 은행 갈아탈게요", True),
        ("탈퇴했습니다", True),
        ("재구매 의사 있어요", False),
        ("또 시킬게요", False),
        ("앱 지웠다가 다시 깔았는데도 안돼요", False),
        ("맛이 없어요", False),
    ],
)
def test_wont_return_patterns(text, hit):
    assert wont_return([text])[0] == hit


def test_matching_rows_become_avoid_and_stay_distributions():
    p = np.array([[0.1, 0.0, 0.0, 0.8, 0.1, 0.0], [0.7, 0.1, 0.0, 0.1, 0.1, 0.0]], dtype=np.float32)
    out = apply_wont_return(p, LABELS, ["재구매 의사 없어요", "맛있어요"])
    assert LABELS[out[0].argmax()] == "avoid" and out[0, 5] == pytest.approx(AVOID_FLOOR)
    assert out[0].sum() == pytest.approx(1.0) and (out[0] >= 0).all()
    np.testing.assert_array_equal(out[1], p[1])  # no statement: untouched
    np.testing.assert_array_equal(apply_wont_return(p, ["negative", "neutral", "positive"], ["재구매 의사 없어요"] * 2), p)
