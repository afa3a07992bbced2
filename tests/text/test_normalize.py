from __future__ import annotations

import pytest

from nlp.text.normalize import collapse_repeats, normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("배송 빨라요ㅋㅋㅋㅋㅋ", "배송 빨라요ㅋㅋ"),
        ("최고!!!!!", "최고!!"),
        ("ㅠㅠㅠㅠㅠㅠ 환불해주세요", "ㅠㅠ 환불해주세요"),
        ("좋아요....", "좋아요.."),
        ("ㅋㅎㅋㅎㅋㅎㅋㅎ", "ㅋㅎㅋㅎ"),
        ("ＡＢＣ１２３ 좋아요", "ABC123 좋아요"),  # NFKC: full-width Latin and digits
        ("  줄바꿈\n\n있는   리뷰\t끝 ", "줄바꿈 있는 리뷰 끝"),
        ("제로\u200b폭\u200b공백", "제로폭공백"),
        ("이모지 유지 😊👍", "이모지 유지 😊👍"),
        ("가족 👩\u200d👩\u200d👧", "가족 👩\u200d👩\u200d👧"),  # ZWJ sequences stay whole
        ("ㄱㄴㄷ 자음만", "ㄱㄴㄷ 자음만"),
        ("가격 100000원 010-1111-2222", "가격 100000원 010-1111-2222"),  # digits are never collapsed
        ("", ""),
    ],
)
def test_normalize_golden(text, expected):
    assert normalize(text) == expected


def test_normalize_returns_shape_of_input():
    assert normalize(["a  b", None, "ㅋㅋㅋ"]) == ["a b", "", "ㅋㅋ"]
    assert isinstance(normalize("x"), str)


def test_collapse_keeps_two_as_signal():
    assert collapse_repeats("ㅋㅋ") == "ㅋㅋ"
    assert collapse_repeats("!!!") == "!!"
