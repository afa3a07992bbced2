from __future__ import annotations

from nlp.text.pipeline import TextPreparer
from nlp.text.quality import DuplicateDetector, is_empty, is_non_korean, join_flags


def test_empty_and_non_korean():
    assert is_empty("") and is_empty("   ") and is_empty("...!!")
    assert not is_empty("😊") and not is_empty("ㅋㅋ")
    assert is_non_korean("Great product!") and not is_non_korean("배송 fast") and not is_non_korean("😊")


def test_near_duplicates_flagged_not_dropped():
    d = DuplicateDetector()
    assert d.check_many(["배송 빨라요!!", "배송빨라요", "배송 빨라요 ㅋㅋ", "배송 빨라요!!"]) == [False, True, False, True]


def test_preparer_flags_in_order():
    prep = TextPreparer()
    out = prep(["좋아요", "좋아요", "", "Nice", "전화 010-1111-2222", "가나다라" + "마바사아자" * 1200])
    assert out.flags == [[], ["duplicate"], ["empty"], ["non_korean"], ["pii_masked"], ["truncated"]]
    assert out.texts[4] == "전화 [전화번호]"
    assert len(out.texts[5]) == 5000


def test_duplicates_across_calls():
    prep = TextPreparer()
    prep(["첫 리뷰"])
    assert prep(["첫 리뷰"]).flags == [["duplicate"]]


def test_join_flags_fixed_order():
    assert join_flags(["pii_masked", "empty"]) == "empty|pii_masked"
    assert join_flags([]) == ""
