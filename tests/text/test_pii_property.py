"""Property tests: phone numbers, registration numbers, cards, e-mails and URLs written the ways people
write them (full width, zero-width characters inside, spaced separators, every grouping) are masked
exactly where they stand, in the original string."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.text.pii import PII_TAGS, mask_pii, pseudonymize_pii

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
SEPARATORS = ["-", " ", ".", " - ", "  ", "－", "–", "−", "ㅡ", " . "]
# contexts never end or start with a digit, a dash or a dot (those would make the number part of a longer one)
BEFORE = ["", "연락 ", "번호는 ", "문의: ", "전화(", "폰번호 ", "주세요 ", "Tel "]
AFTER = ["", " 로 연락 주세요", "로 주세요", ")", " 입니다", "!!", " ㅠㅠ", "번으로"]

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


def _n(k: int):
    return st.text(alphabet="0123456789", min_size=k, max_size=k)


@st.composite
def disguised(draw, groups: list[str], seps: list[str]) -> str:
    """Join digit groups with separators, then turn some digits full width and slip zero-width characters in."""
    text = groups[0] + "".join(s + g for s, g in zip(seps, groups[1:]))
    out = []
    for i, ch in enumerate(text):
        if ch.isdigit() and draw(st.booleans()):
            ch = chr(ord(ch) + 0xFEE0)  # full width
        out.append(ch)
        if 0 < i < len(text) - 1 and draw(st.integers(0, 9)) == 0:
            out.append(draw(st.sampled_from(ZERO_WIDTH)))
    return "".join(out)


@st.composite
def phones(draw) -> str:
    kind = draw(st.sampled_from(["mobile", "landline", "international"]))
    if kind == "mobile":
        head = draw(st.sampled_from(["010", "011", "016", "017", "018", "019"]))
    elif kind == "landline":
        head = draw(st.sampled_from(["02", "031", "032", "033", "041", "042", "051", "053", "055", "061", "064", "070", "0505"]))
    else:
        head = "+82" + draw(st.sampled_from([" ", "-", ""])) + draw(st.sampled_from(["10", "2", "31"]))
    middle = draw(_n(draw(st.sampled_from([3, 4]))))
    last = draw(_n(4))
    seps = [draw(st.sampled_from(SEPARATORS + [""])) for _ in range(2)]
    return draw(disguised([head, middle, last], seps))


@st.composite
def rrns(draw) -> str:
    born = draw(st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2019, 12, 31)))
    gender = draw(st.sampled_from("1256" if born.year < 2000 else "3478"))
    tail = gender + draw(_n(6))
    sep = draw(st.sampled_from(["-", " - ", "", " ", "－"]))
    return draw(disguised([born.strftime("%y%m%d"), tail], [sep]))


def _luhn_complete(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return body + str((10 - total % 10) % 10)


@st.composite
def cards(draw) -> str:
    grouping = draw(st.sampled_from(["4-4-4-4", "4-6-5", "4-6-4"]))
    if grouping == "4-4-4-4":
        prefix, sizes = draw(st.sampled_from(["4", "51", "55", "2221", "35", "62", "94"])), [4, 4, 4, 4]
    elif grouping == "4-6-5":
        prefix, sizes = draw(st.sampled_from(["34", "37"])), [4, 6, 5]
    else:
        prefix, sizes = draw(st.sampled_from(["36", "300", "38"])), [4, 6, 4]
    number = _luhn_complete(prefix + draw(_n(sum(sizes) - len(prefix) - 1)))
    groups, at = [], 0
    for size in sizes:
        groups.append(number[at : at + size])
        at += size
    sep = draw(st.sampled_from(["-", " ", "", " - ", "－", "."]))
    return draw(disguised(groups, [sep] * (len(groups) - 1)))


def _full_width(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


@st.composite
def emails(draw) -> str:
    local = draw(st.from_regex(r"[a-z][a-z0-9._]{0,10}[a-z0-9]", fullmatch=True))
    domain = draw(st.sampled_from(["naver.com", "gmail.com", "hanmail.net", "daum.net", "example.co.kr"]))
    at = draw(st.sampled_from(["@", " @ ", "＠"]))
    text = local + at + domain
    return _full_width(text) if draw(st.booleans()) else text


@st.composite
def urls(draw) -> str:
    head = draw(st.sampled_from(["https://", "http://", "www.", "HTTPS://www.", "m.blog.naver.com/"]))
    path = draw(st.from_regex(r"[a-z0-9]{1,8}(/[a-z0-9_]{1,8}){0,3}(\?id=[0-9]{1,6})?", fullmatch=True))
    host = (
        "" if head.endswith(".com/") else draw(st.sampled_from(["shop.example.com/", "blog.naver.com/", "smartstore.naver.com/"]))
    )
    return head + host + path


def _ean13(number: str) -> bool:
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(number[:12]))
    return (10 - total % 10) % 10 == int(number[12])


def _check(kind: str, pii: str, before: str, after: str) -> None:
    text = before + pii + after
    assert mask_pii(text) == (before + PII_TAGS[kind] + after, True), repr(text)
    number = "".join(str(int(c)) for c in pii if c.isdigit())
    separated = any(not c.isdigit() and c not in ZERO_WIDTH for c in pii)
    if kind == "rrn" and not separated and _ean13(number):
        return  # a key column reads 13 bare digits with a valid EAN-13 check digit as a barcode
    keyed, found = pseudonymize_pii(text, key=b"k")
    assert found and keyed.startswith(before) and keyed.endswith(after) and f"[{kind}:" in keyed, repr(text)


@settings(max_examples=300, deadline=None)
@given(phones(), st.sampled_from(BEFORE), st.sampled_from(AFTER))
def test_phones_masked(pii, before, after):
    _check("phone", pii, before, after)


@settings(max_examples=200, deadline=None)
@given(rrns(), st.sampled_from(BEFORE), st.sampled_from(AFTER))
def test_registration_numbers_masked(pii, before, after):
    if len(set(c for c in pii if c.isdigit())) <= 2:
        return  # padding-like digit strings (1010101010101) are deliberately not taken for numbers
    _check("rrn", pii, before, after)


@settings(max_examples=200, deadline=None)
@given(cards(), st.sampled_from(BEFORE), st.sampled_from(AFTER))
def test_cards_masked(pii, before, after):
    _check("card", pii, before, after)


@settings(max_examples=100, deadline=None)
@given(emails(), st.sampled_from(["", "메일 ", "문의: "]), st.sampled_from(["", " 로 보내주세요", "으로"]))
def test_emails_masked(pii, before, after):
    _check("email", pii, before, after)


@settings(max_examples=100, deadline=None)
@given(urls(), st.sampled_from(["", "후기 ", "링크: "]), st.sampled_from(["", " 참고", " 보세요!"]))
def test_urls_masked(pii, before, after):
    _check("url", pii, before, after)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.integers(1, 9_999_999).map(lambda n: f"{n:,}원"),  # prices
        st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)).flatmap(
            lambda d: st.sampled_from(
                [
                    d.strftime("%Y.%m.%d"),
                    d.strftime("%Y%m%d"),
                    d.strftime("%Y-%m-%d"),
                    d.strftime("%Y. %m. %d"),
                    d.strftime("%y.%m.%d"),
                ]
            )
        ),
        st.integers(1, 999).map(lambda n: f"{n}개"),  # quantities
        st.integers(1, 99_999).map(lambda n: f"SKU-{n:05d}"),  # product codes
        st.tuples(st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2030, 12, 31)), st.integers(0, 10**8 - 1)).map(
            lambda t: f"주문번호 {t[0]:%Y%m%d}{t[1]:08d}"  # date-prefixed order numbers
        ),
    ),
    st.sampled_from(["", "가격 ", "배송 "]),
    st.sampled_from(["", " 좋아요", "에 샀어요"]),
)
def test_numbers_of_everyday_reviews_survive(value, before, after):
    text = before + value + after
    assert mask_pii(text) == (text, False)
