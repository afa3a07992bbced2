"""Colloquial spellings the scorer standardises, and standard Korean it must leave alone."""

from __future__ import annotations

import pytest

from nlp.text.spelling import standardize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("너무조앗어용", "너무좋았어요"),
        ("너무조아요", "너무좋아요"),
        ("조아용 ㅎㅎ", "좋아요 ㅎㅎ"),
        ("맛잇네용 배송도 빠르네여", "맛있네요 배송도 빠르네요"),
        ("맛있어여!!", "맛있어요!!"),
        ("좋앗어요 또 살게용", "좋았어요 또 살게요"),
        ("배송 빨랏어요", "배송 빨랐어요"),
        ("잘 먹엇습니다", "잘 먹었습니다"),
        ("선물햇는데 좋아하네요", "선물했는데 좋아하네요"),
        ("재밋어요", "재밌어요"),
        ("재미잇어요", "재미있어요"),
        ("멋잇어요", "멋있어요"),
        ("괜찬아요", "괜찮아요"),
        ("사이즈 잇어요?", "사이즈 있어요?"),
        ("감사해용", "감사해요"),
        ("넘 좋아여", "넘 좋아요"),  # 넘 is left for the model
    ],
)
def test_colloquial_spelling_is_standardised(text, expected):
    assert standardize(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "좋아요",
        "너무 좋았어요",
        "옷을 벗어요",
        "머리를 빗어요",
        "손을 씻어요",
        "많이 웃었어요",
        "선을 긋는데",
        "조아라 작가님 책",  # a name
        "조용해요",
        "여기 용산역 근처",
        "가용 인원",
        "하여",
        "맛있어요",
        "멋있네요",
        "그 사람이 잇는 다리",
        "이어서 씁니다",
    ],
)
def test_standard_korean_is_left_alone(text):
    assert standardize(text) == text


def test_shape_of_input():
    assert standardize(["조아요", ""]) == ["좋아요", ""]
