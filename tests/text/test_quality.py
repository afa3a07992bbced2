"""Quality flags as golden tables: filler, generic, duplicate (product and time window), rating_invalid."""

from __future__ import annotations

import pandas as pd
import pytest

from nlp.text.pipeline import TextPreparer
from nlp.text.quality import (
    DuplicateDetector,
    RatingCheck,
    is_empty,
    is_filler,
    is_generic,
    is_non_korean,
    join_flags,
    parse_rating_scale,
)

DAY = 86_400.0


def test_empty_and_non_korean():
    assert is_empty("") and is_empty("   ") and is_empty(None)
    assert not is_empty("...!!") and not is_empty("😊") and not is_empty("ㅋㅋ")
    assert is_non_korean("Great product!") and not is_non_korean("배송 fast") and not is_non_korean("😊")


@pytest.mark.parametrize(
    ("text", "filler"),
    [
        ("ㅇㅇㅇ", True),
        ("ㅎㅎ", True),
        ("ㅋㅋ ㅋㅋ", True),
        ("ㅠㅠ", True),  # tears go with praise and complaint alike
        ("ㅜㅜ!!", True),
        ("ㅊㅊ", True),  # jamo abbreviations too
        ("!!", True),
        ("...?", True),
        ("^^", True),
        ("^_^;;", True),
        ("T_T", True),
        ("TT", True),
        (":)", True),
        ("XD", True),
        ("😊", True),
        ("👍👍", True),
        ("ㅎㅎ😊!", True),
        ("♥♥", True),
        ("굿", False),
        ("최고", False),
        ("별로ㅠㅠ", False),
        ("ㅋㅋ 웃기네", False),
        ("ok", False),
        ("A+", False),
        ("TT 너무해", False),
        ("5/5", False),
        ("10점", False),
        ("Good!", False),
        ("好", False),
        ("", False),  # empty, not filler
        ("   ", False),
    ],
)
def test_filler(text, filler):
    assert is_filler(text) is filler


@pytest.mark.parametrize(
    ("text", "generic"),
    [
        ("좋아요", True),
        ("좋았습니다", True),
        ("너무 좋아요!!", True),
        ("정말 좋습니다^^", True),
        ("잘 받았습니다", True),
        ("잘받았습니다 감사합니다", True),
        ("빠른 배송 감사합니다", False),  # says something about the delivery
        ("맛있어요", True),
        ("맛있게 잘 먹었습니다", False),  # "맛있게" is not on the list: only stock phrases count
        ("잘 먹었습니다 ㅎㅎ", True),
        ("좋아요 좋아요 좋아요", True),
        ("굿", True),
        ("굿굿굿굿", True),
        ("최고", True),
        ("최고예요 👍", True),
        ("GOOD", True),
        ("별로예요", True),
        ("최악", True),
        ("그냥 그래요", True),
        ("너무", False),  # adverbs alone are not a review
        ("배송 빨라요", False),
        ("사이즈가 작아요", False),
        ("환불", False),
        ("좋아요 근데 사이즈가 작아요", False),
        ("좋은 책 잘 읽었습니다", False),
        ("ㅎㅎ", False),
        ("", False),
        ("좋아요" * 11, False),  # over 30 letters: a long text is not a stock phrase
    ],
)
def test_generic(text, generic):
    assert is_generic(text) is generic


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # (text, product, days): same text, same product, within 7 days → duplicate
        ([("배송 빨라요 포장 꼼꼼", "p1", 0), ("배송빨라요 포장꼼꼼!!", "p1", 3)], [False, True]),
        ([("배송 빨라요 포장 꼼꼼", "p1", 0), ("배송 빨라요 포장 꼼꼼", "p1", 7)], [False, True]),
        # a week and a day later: another customer
        ([("배송 빨라요 포장 꼼꼼", "p1", 0), ("배송 빨라요 포장 꼼꼼", "p1", 8)], [False, False]),
        # another product: not a duplicate
        ([("배송 빨라요 포장 꼼꼼", "p1", 0), ("배송 빨라요 포장 꼼꼼", "p2", 0)], [False, False]),
        # order does not matter: an earlier row in the file may be later in time
        ([("색이 사진이랑 달라요", "p1", 10), ("색이 사진이랑 달라요", "p1", 5)], [False, True]),
        # a chain: each within a week of the previous one
        ([("색이 사진이랑 달라요", "p1", 0), ("색이 사진이랑 달라요", "p1", 6), ("색이 사진이랑 달라요", "p1", 12)], [False, True, True]),
        # no time: the same product is enough
        ([("색이 사진이랑 달라요", "p1", None), ("색이 사진이랑 달라요", "p1", 400)], [False, True]),
        ([("색이 사진이랑 달라요", "p1", 400), ("색이 사진이랑 달라요", "p1", None)], [False, True]),
        # no product column: the table is one product
        ([("색이 사진이랑 달라요", None, None), ("색이 사진이랑 달라요", None, None)], [False, True]),
        # repeats of a laugh collapse, so they do not make a text new
        ([("사이즈 딱 맞아요 ㅋㅋㅋㅋㅋ", "p1", 0), ("사이즈 딱 맞아요 ㅋㅋ", "p1", 1)], [False, True]),
    ],
)
def test_duplicate_same_product_within_a_week(rows, expected):
    d = DuplicateDetector()
    assert [d.check(t, p, None if day is None else day * DAY) for t, p, day in rows] == expected


def test_preparer_flags_in_order():
    prep = TextPreparer()
    out = prep(["배송 빨라요 포장 꼼꼼", "배송 빨라요 포장 꼼꼼", "", "Great product", "전화 010-1111-2222", "가나다라" + "마바사아자" * 1200, "ㅋㅋㅋ", "좋아요", "좋아요"])
    assert out.flags == [[], ["duplicate"], ["empty"], ["non_korean"], ["pii_masked"], ["truncated"], ["filler"], ["generic"], ["generic"]]
    assert out.texts[4] == "전화 [전화번호]"
    assert len(out.texts[5]) == 5000


def test_generic_texts_are_never_duplicates():
    """412 guests writing "좋았습니다" are not one review repeated."""
    prep = TextPreparer()
    flags = prep(["좋았습니다"] * 5, products=["hotel"] * 5, times=["2026-01-05"] * 5).flags
    assert flags == [["generic"]] * 5


def test_preparer_reads_product_and_time_columns():
    frame = pd.DataFrame(
        {
            "text": ["방음이 안 돼요", "방음이 안 돼요", "방음이 안 돼요", "방음이 안 돼요"],
            "product_id": ["h1", "h1", "h2", "h1"],
            "created_at": ["2026-01-01", "2026-01-03 10:00", "2026-01-03", "2026.02.20"],
        }
    )
    from nlp.io.columns import ColumnMap

    flags = TextPreparer().table(frame, ColumnMap()).flags
    assert flags == [[], ["duplicate"], [], []]


def test_duplicates_across_calls():
    prep = TextPreparer()
    prep(["첫 리뷰 사진이랑 같아요"], products=["p1"])
    assert prep(["첫 리뷰 사진이랑 같아요"], products=["p1"]).flags == [["duplicate"]]
    assert prep(["첫 리뷰 사진이랑 같아요"], products=["p2"]).flags == [[]]


@pytest.mark.parametrize(
    ("ratings", "scale", "expected"),
    [
        ([5, 4, 1, 0], None, [False, False, False, True]),  # 0 on a 1-5 scale
        ([5, 3.5, 6], "5", [False, False, True]),
        ([5, 7, 10, 0, 11], None, [False, False, False, True, True]),  # a rating above 5: a 1-10 scale
        ([None, "", float("nan")], None, [False, False, False]),  # no rating is not an invalid one
        (["5", "4.5", "다섯", "5점"], None, [False, False, True, True]),
        ([0.5, 5, 0], "0.5-5", [False, False, True]),
        ([0, 10], "0-10", [False, False]),
        ([-1, 3], "5", [True, False]),
    ],
)
def test_rating_invalid(ratings, scale, expected):
    assert RatingCheck(scale)(ratings) == expected


def test_rating_scale_is_inferred_once_per_table():
    check = RatingCheck()
    assert check([5, 4, 3]) == [False, False, False]
    assert check([7, 0]) == [True, True]  # the first chunk set 1-5; a later 7 does not change it
    assert check.scale == (1.0, 5.0)
    prep = TextPreparer()
    assert prep(["좋은 제품", "가격이 비싸요"], ratings=[5, 0]).flags == [[], ["rating_invalid"]]


@pytest.mark.parametrize("spec", ["five", "5-1", "1-", "-3"])
def test_bad_rating_scale_is_refused(spec):
    with pytest.raises(ValueError, match="rating_scale="):
        parse_rating_scale(spec)


def test_join_flags_fixed_order():
    assert join_flags(["pii_masked", "empty"]) == "empty|pii_masked"
    assert join_flags(["duplicate", "generic", "rating_invalid"]) == "generic|duplicate|rating_invalid"
    assert join_flags([]) == ""
