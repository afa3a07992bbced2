from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


_STABLE_CHARS = st.one_of(
    st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),  # Hangul syllables
    st.characters(min_codepoint=0x3131, max_codepoint=0x318E),  # compatibility jamo
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),  # printable ASCII
    st.sampled_from("\t\n\r"),
)


@settings(max_examples=300, deadline=None)
@given(st.text(_STABLE_CHARS, max_size=40))
def test_text_that_needs_no_nfkc_skips_it_with_the_same_result(text):
    # the shortcut for Hangul, jamo and ASCII must give what the full steps give
    from nlp.text import normalize as mod

    full = mod._nfkc(text)
    if not full.isascii():
        full = "".join(ch for ch in full if mod._clean_char(ch))
    full = mod.collapse_repeats(mod._WS.sub(" ", full).strip())
    assert mod._STABLE.match(text)
    assert normalize(text) == full


def test_a_character_outside_the_shortcut_still_takes_the_full_steps():
    assert normalize("가\x0c나\u200b다 ＡＢ ᄀ") == "가 나다 AB ᄀ"


def test_control_whitespace_separates_words():
    # a page break or vertical tab between words is a space, not glue; zero-width characters are removed
    assert normalize("배송\x0c빨라요\x0b좋아요\x1c끝") == "배송 빨라요 좋아요 끝"
    assert normalize("제로\u200b폭") == "제로폭"
