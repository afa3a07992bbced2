"""Canary: the shipped default model on fixed texts gives the labels it gave when it was shipped.

Slow (loads the shipped model); CI runs it beside the wheel check. A change that breaks loading, preprocessing or the
blend shows here before anyone reads a report.
"""

from __future__ import annotations

import pytest

CASES = [
    ("배송 빠르고 품질도 좋아요 또 살게요", "positive", "repurchase"),
    ("최악이에요 환불했어요 다시는 안 삽니다", "negative", "avoid"),
    ("친구들한테도 강추합니다 꼭 사세요", "positive", "recommend"),
    ("살까 말까 고민 중이에요", None, "consider"),
    ("연기가 정말 좋았고 스토리도 탄탄했다", "positive", "none"),
    ("앱이 계속 튕기고 로그인이 안돼요", "negative", None),
]


@pytest.mark.slow
def test_shipped_model_on_fixed_texts():
    import nlp

    got = nlp.score([t for t, _, _ in CASES])
    for (text, sentiment, intent), row in zip(CASES, got.itertuples()):
        if sentiment:
            assert row.sentiment == sentiment, (text, row.sentiment)
        if intent:
            assert row.intent == intent, (text, row.intent)
        assert -1.0 <= row.sentiment_score <= 1.0
