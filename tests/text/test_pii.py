from __future__ import annotations

import pytest

from nlp.text.pii import mask_pii


@pytest.mark.parametrize(
    ("text", "expected", "found"),
    [
        ("문의 010-1234-5678", "문의 [전화번호]", True),
        ("01012345678로 연락", "[전화번호]로 연락", True),
        ("+82 10-1234-5678", "[전화번호]", True),
        ("매장 02-123-4567", "매장 [전화번호]", True),
        ("메일 a.b@test.co.kr 로", "메일 [이메일] 로", True),
        ("주민번호 900101-1234567", "주민번호 [주민번호]", True),
        ("카드 1234-5678-9012-3456", "카드 [카드번호]", True),
        ("4111111111111111 결제", "[카드번호] 결제", True),
        ("https://shop.example.com/item?id=3 참고", "[URL] 참고", True),
        ("가격 15000원, 2024-05-01 주문, 3개", "가격 15000원, 2024-05-01 주문, 3개", False),
        ("주문번호 1234567890123456", "주문번호 1234567890123456", False),  # fails Luhn: not a card
    ],
)
def test_mask_golden(text, expected, found):
    assert mask_pii(text) == (expected, found)


def test_mask_batch_shape():
    assert mask_pii(["a", None]) == [("a", False), ("", False)]
