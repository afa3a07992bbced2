"""Masking of personal data in Korean reviews and posts.

Masked: e-mail addresses, URLs, Korean mobile and landline numbers (010-1234-5678,
01012345678, +82 10 1234 5678, 02-123-4567), resident registration numbers (900101-1234567),
and card numbers (16 digits in groups, or a run that passes the Luhn check). Each is
replaced by a bracketed tag so the sentence stays readable for people and models.

Example:
    >>> mask_pii("문의는 010-1234-5678 또는 a@b.com 으로")
    ('문의는 [전화번호] 또는 [이메일] 으로', True)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import overload

__all__ = ["mask_pii", "PII_TAGS"]

PII_TAGS = {"email": "[이메일]", "url": "[URL]", "rrn": "[주민번호]", "card": "[카드번호]", "phone": "[전화번호]"}

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'가-힣]+", re.IGNORECASE)
_RRN = re.compile(r"(?<!\d)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\s?-\s?[1-8]\d{6}(?!\d)")
_CARD_GROUPED = re.compile(r"(?<!\d)\d{4}([ \-])\d{4}\1\d{4}\1\d{3,4}(?!\d)")
_CARD_RUN = re.compile(r"(?<!\d)\d{15,16}(?!\d)")
_PHONE = re.compile(
    r"(?<![\d\-])(?:\+?82[ \-]?0?1[016789]|01[016789]|0(?:2|[3-6][1-5]|70|50\d?))"
    r"[ \-.)]?\d{3,4}[ \-.]?\d{4}(?![\d\-])"
)


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _mask_one(text: str) -> tuple[str, bool]:
    if not text or not any(ch.isdigit() or ch in "@./" for ch in text):
        return text, False
    found = False

    def sub(pattern: re.Pattern, tag: str, s: str, check=None) -> str:
        nonlocal found

        def repl(m: re.Match) -> str:
            nonlocal found
            if check is not None and not check(m.group(0)):
                return m.group(0)
            found = True
            return tag

        return pattern.sub(repl, s)

    text = sub(_EMAIL, PII_TAGS["email"], text)
    text = sub(_URL, PII_TAGS["url"], text)
    text = sub(_RRN, PII_TAGS["rrn"], text)
    text = sub(_CARD_GROUPED, PII_TAGS["card"], text)
    text = sub(_CARD_RUN, PII_TAGS["card"], text, check=_luhn)
    text = sub(_PHONE, PII_TAGS["phone"], text)
    return text, found


@overload
def mask_pii(texts: str) -> tuple[str, bool]: ...
@overload
def mask_pii(texts: Iterable[str]) -> list[tuple[str, bool]]: ...
def mask_pii(texts):
    """Mask personal data; returns ``(masked_text, found_any)`` per text (the shape of the input)."""
    if isinstance(texts, str):
        return _mask_one(texts)
    return [_mask_one(t if isinstance(t, str) else "") for t in texts]
