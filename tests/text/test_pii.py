"""PII masking as golden tables: what people write is masked, the numbers reviews are full of survive."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from nlp.text.pii import PII_KEY_ENV, find_pii, mask_pii, pseudonym_key, pseudonymize_pii
from nlp.text.pipeline import TextPreparer, mask_output

PHONE, RRN, CARD, EMAIL, URL = "[전화번호]", "[주민번호]", "[카드번호]", "[이메일]", "[URL]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("문의 010-1234-5678", f"문의 {PHONE}"),
        ("01012345678로 연락", f"{PHONE}로 연락"),
        ("+82 10-1234-5678", PHONE),
        ("+82 10 1234 5678 로 주세요", f"{PHONE} 로 주세요"),
        ("0082-10-1234-5678", PHONE),
        ("매장 02-123-4567", f"매장 {PHONE}"),
        ("매장 02 123 4567", f"매장 {PHONE}"),
        ("매장 (02)123-4567", f"매장 {PHONE}"),
        ("031.123.4567 지점", f"{PHONE} 지점"),
        ("010 - 3131 - 4141", PHONE),
        ("010  3227  2293 김", f"{PHONE} 김"),
        ("번호 010ㅡ1234ㅡ5678", f"번호 {PHONE}"),  # ㅡ typed as a dash
        ("번호 010–1234–5678", f"번호 {PHONE}"),  # en dash
        ("０１０－７７７７－８８８８", PHONE),  # full width: masked in the original string
        ("연락 ０１０-７７７７-８８８８ 주세요", f"연락 {PHONE} 주세요"),
        ("010-6666-\u200b9999", PHONE),  # zero-width space inside
        ("010-6666-\u200d9999", PHONE),  # zero-width joiner (normalisation keeps it for emoji)
        ("0\u00ad1\u00ad0 1234 5678", PHONE),  # soft hyphens
        ("안심번호 0504-1234-5678", f"안심번호 {PHONE}"),
        ("메일 a.b@test.co.kr 로", f"메일 {EMAIL} 로"),
        ("ｍｅ＠ｅｘａｍｐｌｅ．ｃｏｍ", EMAIL),
        ("me @ example.com 으로", f"{EMAIL} 으로"),
        ("주민번호 900101-1234567", f"주민번호 {RRN}"),
        ("9001011234567", RRN),
        ("주민 900101 - 2234567", f"주민 {RRN}"),
        ("０５０３１２－４１２３４５６", RRN),  # born 2005, gender digit 4
        ("카드 4111-1111-1111-1111", f"카드 {CARD}"),
        ("카드 4111 1111 1111 1111", f"카드 {CARD}"),
        ("4111111111111111 결제", f"{CARD} 결제"),
        ("3782-822463-10005", CARD),  # Amex 4-6-5
        ("3056-930902-5904", CARD),  # Diners 4-6-4
        ("카드 ４１１１－１１１１－１１１１－１１１１", f"카드 {CARD}"),
        ("https://shop.example.com/item?id=3 참고", f"{URL} 참고"),
        ("후기는 blog.naver.com/someone123 에", f"후기는 {URL} 에"),
        ("www.example.com.", f"{URL}."),
        ("전화 010-1111-2222, 메일 x@y.kr", f"전화 {PHONE}, 메일 {EMAIL}"),
    ],
)
def test_masked(text, expected):
    assert mask_pii(text) == (expected, True)


@pytest.mark.parametrize(
    "text",
    [
        "29,900원에 샀어요",
        "1,234,567원 결제",
        "2024.03.01 도착",
        "2024. 03. 01 주문",
        "20240301 주문",
        "2024-03-01 14:30 배송",
        "24.03.01 배송",
        "2024년 3월 1일",
        "3개 샀는데 2+1이라 500ml 6병",
        "가격 15000원, 2024-05-01 주문, 3개",
        "주문번호 1234567890123456",  # fails Luhn
        "주문번호 2024030112345678",  # date-prefixed: no card issuer starts like that
        "주문번호: 20240301-000123",
        "주문번호 202403011234567890",
        "송장번호 6012-3456-7890",
        "운송장 123456789012",
        "상품코드 SKU-0101-2345",
        "모델명 SM-G998N, AB-010-1234",
        "고객센터 1588-1234",
        "ISBN 978-89-01-12345-6",
        "9788901123456",  # ISBN-13: 97-88-.. is no date
        "1010101010101",  # padding, not a registration number
        "1234-5678-9012-3456",  # fails Luhn: a made-up card number is not a card
        "v1.0.10 업데이트 후 010 버전",
        "키 175cm 몸무게 65kg 사이즈 100",
        "naver.com 에서 샀어요",
        "맛있습니다@!!",
    ],
)
def test_survives(text):
    assert mask_pii(text) == (text, False)


def test_spans_are_in_the_original_string():
    text = "연락 ０１０ - ７７７７ -\u200b ８８８８ 부탁"
    (m,) = find_pii(text)
    assert (m.kind, text[m.start : m.end]) == ("phone", "０１０ - ７７７７ -\u200b ８８８８")


def test_mask_batch_shape():
    assert mask_pii(["a", None]) == [("a", False), ("", False)]


def test_pseudonyms_are_stable_and_unique():
    key = b"test-key"
    a, found = pseudonymize_pii("tel-010-2222-3333", key=key)
    assert found and a.startswith("tel-[phone:") and "2222" not in a
    assert pseudonymize_pii("tel-010-2222-3333", key=key)[0] == a
    # a different number, or the same one written differently, is a different id: never merged
    assert pseudonymize_pii("tel-010-2222-3334", key=key)[0] != a
    assert pseudonymize_pii("tel-01022223333", key=key)[0] != a
    # a different key gives different tokens: a hash of a phone number alone could be reversed
    assert pseudonymize_pii("tel-010-2222-3333", key=b"other")[0] != a
    assert pseudonymize_pii("me@example.com", key=key)[0].startswith("[email:")
    assert pseudonymize_pii("p-1001", key=key) == ("p-1001", False)


def test_barcodes_in_key_columns_are_not_registration_numbers():
    barcode = "8801062123452"  # EAN-13 with a valid check digit; 880106-2... also reads as a 1988 birth date
    assert pseudonymize_pii(barcode, key=b"k") == (barcode, False)
    assert mask_pii(barcode) == (RRN, True)  # in review text recall comes first


def test_key_from_env_else_one_file(tmp_path, monkeypatch):
    monkeypatch.setenv(PII_KEY_ENV, "from-env")
    assert pseudonym_key() == b"from-env"
    monkeypatch.delenv(PII_KEY_ENV)
    monkeypatch.setenv("NLP_CACHE", str(tmp_path / "cache"))
    key = pseudonym_key()
    path = tmp_path / "cache" / "pii.key"
    assert path.exists() and len(key) == 64 and (os.stat(path).st_mode & 0o777) == 0o600
    assert pseudonym_key() == key
    assert pseudonymize_pii("tel-010-2222-3333")[0] == pseudonymize_pii("tel-010-2222-3333", key=key)[0]


def test_preparer_masks_raw_then_normalises():
    out = TextPreparer()(["연락 ０１０－７７７７－８８８８ 주세요!!!!!", "010-6666-\u200d9999", "좋아요", None])
    assert out.texts[:2] == [f"연락 {PHONE} 주세요!!", PHONE]
    assert out.masked_raw == [f"연락 {PHONE} 주세요!!!!!", PHONE, None, None]
    assert [("pii_masked" in f) for f in out.flags] == [True, True, False, False]
    off = TextPreparer(mask_pii=False)(["010-1234-5678"])
    assert off.texts == ["010-1234-5678"] and off.masked_raw == [None] and off.flags == [[]]


def test_mask_output_covers_every_column(monkeypatch):
    monkeypatch.setenv(PII_KEY_ENV, "k")
    frame = pd.DataFrame(
        {
            "id": ["tel-010-2222-3333", "2", "3"],
            "text": ["010-1111-2222 연락", "좋아요", None],
            "product_id": ["p1", "me@example.com", "p1"],
            "note": ["a", None, "010 1234 5678"],
            "created_at": ["2024-03-01", "2024-03-02", "2024-03-03"],
            "rating": [5, 4, 3],
        }
    )
    prep = TextPreparer()
    prepared = prep(frame["text"].tolist())
    mask_output(frame, prepared, "text", ["id", "product_id", "note", "rating"])
    assert frame["text"].tolist()[:2] == [f"{PHONE} 연락", "좋아요"] and pd.isna(frame["text"].iloc[2])
    assert frame["id"].iloc[0].startswith("tel-[phone:") and frame["id"].is_unique
    assert frame["product_id"].iloc[1].startswith("[email:") and frame["product_id"].iloc[0] == "p1"
    assert frame["note"].iloc[2].startswith("[phone:") and pd.isna(frame["note"].iloc[1])
    assert frame["rating"].tolist() == [5, 4, 3]
    assert all("pii_masked" in f for f in prepared.flags)
    flat = frame.astype(str).to_string()
    for raw in ("2222-3333", "1111-2222", "example.com", "1234 5678"):
        assert raw not in flat
