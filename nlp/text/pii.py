"""Masking of personal data in Korean reviews and posts, as people actually write it.

Found: e-mail addresses, URLs (``http(s)://``, ``www.``, and bare domains with a path such
as ``blog.naver.com/name``), Korean mobile and landline numbers (``010-1234-5678``,
``01012345678``, ``010 - 1234 - 5678``, ``02 123 4567``, ``(02)123-4567``,
``+82 10 1234 5678``), resident registration numbers (``900101-1234567`` and
``9001011234567``: a real birth date, not in the future, and a gender digit 1-8 that sets
the century), and card numbers (4-4-4-4, 4-6-5 and 4-6-4 groupings, or an unbroken run of 14,
15, 16 or 19 digits) that pass the Luhn check and start like a card issuer's number.

How people hide or mangle numbers is folded away *for matching only*: full-width and other
compatibility forms (``０１０－…`` → ``010-…``, Unicode NFKC), zero-width and other
invisible characters inside a number, dash look-alikes (``–``, ``−``, and ``ㅡ`` typed as a
dash), and runs of spaces. Every match is mapped back to its span in the *original* string,
so the text a user sees is masked exactly where the number was, whatever it looked like.

Two ways to mask:

* :func:`mask_pii` puts a readable tag in place of each span (``[전화번호]``, ``[주민번호]``,
  ``[카드번호]``, ``[이메일]``, ``[URL]``): for review texts, which people and models read.
* :func:`pseudonymize_pii` puts a keyed hash token in place of each span (``[phone:1a2b3c4d5e6f]``):
  for ids, product ids and other columns that are keys. The same value always gets the same
  token and different values different tokens, so ids stay unique and joins still work. The key comes from ``$NLP_PII_KEY``, else a random key created
  once in ``$NLP_CACHE/pii.key``; without a secret key a phone number's hash could be reversed
  by trying all 10^8 numbers.

What is deliberately left alone: dates (``2024.03.01``, ``20240301``), prices (``29,900원``),
quantities, order numbers and product codes (a long digit run that fails Luhn or does not start
like a card number is not a card). Measured false-positive rate on real reviews: docs/privacy.md.

Example:
    >>> mask_pii("문의는 010-1234-5678 또는 a@b.com 으로")
    ('문의는 [전화번호] 또는 [이메일] 으로', True)
    >>> mask_pii("０１０－７７７７－８８８８")
    ('[전화번호]', True)
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import overload

__all__ = ["mask_pii", "pseudonymize_pii", "find_pii", "PiiMatch", "PII_TAGS", "PII_KEY_ENV"]

PII_TAGS = {"email": "[이메일]", "url": "[URL]", "rrn": "[주민번호]", "card": "[카드번호]", "phone": "[전화번호]"}
PII_KEY_ENV = "NLP_PII_KEY"
"""Environment variable holding the key of :func:`pseudonymize_pii` (set it to get the same tokens on several machines)."""
KEY_FILE_NAME = "pii.key"
TOKEN_HEX = 12
"""Hex characters of a pseudonym token: 48 bits, so a million distinct values collide with odds of about 1 in 500."""


@dataclass(frozen=True)
class PiiMatch:
    """One piece of personal data: its kind (a key of :data:`PII_TAGS`) and its span in the text searched."""

    kind: str
    start: int
    end: int


# ---------------------------------------------------------------------------------------------
# folding: what a number looks like once its disguises are removed, with an offset map back

_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d\u30fc\uff70\u3161")
# blank-looking letters people use as spaces (Hangul fillers)
_BLANKS = frozenset("\u3164\u115f\u1160\uffa0")
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me"})


def _fold(text: str) -> tuple[str, list[int]]:
    """``(folded, origin)``: ``folded[j]`` came from ``text[origin[j]]``.

    NFKC per character, invisible characters and combining marks dropped, dash look-alikes
    to ``-``, every whitespace run to one space.
    """
    out: list[str] = []
    origin: list[int] = []
    space = False
    for i, ch in enumerate(text):
        if ch in _DASHES:
            folded = "-"
        elif ch.isspace() or ch in _BLANKS:
            folded = " "
        elif ch < "\x80":
            if ch < " " or ch == "\x7f":
                continue
            folded = ch
        elif "\uac00" <= ch <= "\ud7a3" or "\u3131" <= ch <= "\u318e":
            folded = ch  # Hangul: stable under NFKC (compatibility jamo only turn into other jamo)
        else:
            if unicodedata.category(ch) in _DROP_CATEGORIES:
                continue  # zero-width space/joiner, BOM, soft hyphen, variation selectors, keycap marks
            folded = unicodedata.normalize("NFKC", ch)
            if folded.isspace():
                folded = " "
        if folded == " ":
            if space:
                continue
            space = True
        else:
            space = False
        for c in folded:
            out.append(c)
            origin.append(i)
    return "".join(out), origin


# A text can only hold one of these when it has 9+ digits (the shortest phone: 02-123-4567) or an
# e-mail / URL marker; most reviews have neither and skip the matching entirely.
_NOT_DIGIT = re.compile(r"\D")
_MARKERS = re.compile(r"[@＠]|[:：][/／]{2}|[wｗＷ]{3}[.．]|[A-Za-z0-9][.．][a-zA-Z]{2,}[/／]", re.IGNORECASE)


def _may_hold_pii(text: str) -> bool:
    return len(_NOT_DIGIT.sub("", text)) >= 9 or _MARKERS.search(text) is not None


# ---------------------------------------------------------------------------------------------
# patterns, over the folded text

_SEP = r"(?:[ ]?[-.][ ]?|[ ])"  # one of: -, ., space, or a dash/dot with spaces around it
_START = r"(?<![0-9])(?<![0-9][-.])(?<![0-9][-.][ ])"  # not the tail of a longer number
_END = r"(?![0-9])(?![ ]?[-.][ ]?[0-9])"  # not the head of a longer number

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+[ ]?@[ ]?[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}(?![A-Za-z])"
)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'가-힣]+"
    r"|(?<![\w.@/-])(?:[A-Za-z0-9-]+\.)+(?:com|net|org|kr|io|me|ly|co|info|biz|tv|to|gl|be|link|site|shop|store)/[^\s<>\"'가-힣]*",
    re.IGNORECASE,
)
# The last digit is not checked: numbers issued since October 2020 end in random digits.
_RRN = re.compile(rf"{_START}([0-9]{{6}}){_SEP}?([1-8][0-9]{{6}}){_END}")
_CARD = re.compile(
    rf"{_START}(?:"
    rf"[0-9]{{4}}(?P<a>{_SEP})[0-9]{{4}}(?P=a)[0-9]{{4}}(?P=a)[0-9]{{4}}"  # 4-4-4-4
    rf"|[0-9]{{4}}(?P<b>{_SEP})[0-9]{{6}}(?P=b)[0-9]{{4,5}}"  # 4-6-5 (Amex), 4-6-4 (Diners)
    rf"|[0-9]{{14,19}}"  # unbroken
    rf"){_END}"
)
_AREA = r"(?:2|[3-6][1-5]|70|50[0-9]?)"  # Seoul, the provinces, internet phones, safe numbers
_PHONE = re.compile(
    rf"{_START}(?:"
    rf"(?:\+[ ]?|(?<![0-9+])00[ ]?)82{_SEP}?(?:\(0\)[ ]?|0)?(?:1[016789]|{_AREA})"  # +82 10 ..., +82 (0)2 ...
    rf"|(?<![0-9+])82(?=0?1[016789])0?1[016789]"  # 8210... written without the +
    rf"|\(0(?:1[016789]|{_AREA})\)[ ]?"  # (02) 123-4567
    rf"|0(?:1[016789]|{_AREA})"
    rf"){_SEP}?[0-9]{{3,4}}{_SEP}?[0-9]{{4}}{_END}"
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


def _card_issuer(digits: str) -> bool:
    """Starts like a payment card: Amex/Diners/JCB (3), Visa (4), Mastercard (51-55, 2221-2720),
    UnionPay/Discover (60, 62, 64, 65), Korean domestic cards (9)."""
    d = digits
    return d[0] in "349" or "51" <= d[:2] <= "55" or "2221" <= d[:4] <= "2720" or d[:2] in ("60", "62", "64", "65")


_CARD_LENGTHS = frozenset({14, 15, 16, 19})  # Diners, Amex, nearly every card, long Visa/UnionPay


def _is_card(digits: str) -> bool:
    return len(digits) in _CARD_LENGTHS and _card_issuer(digits) and _luhn(digits)


def _ean13(digits: str) -> bool:
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == int(digits[12])


_CENTURY = {"1": 1900, "2": 1900, "5": 1900, "6": 1900, "3": 2000, "4": 2000, "7": 2000, "8": 2000}


def _rrn_ok(birth: str, rest: str) -> bool:
    """A real birth date, not in the future, in the century the gender digit gives; not padding like 1010101010101."""
    if len(set(birth + rest)) <= 2:
        return False
    try:
        born = _dt.date(_CENTURY[rest[0]] + int(birth[:2]), int(birth[2:4]), int(birth[4:6]))
    except ValueError:
        return False
    return born <= _dt.date.today()


def find_pii(text: str, barcodes: bool = False) -> list[PiiMatch]:
    """Every piece of personal data in ``text``, with spans in ``text`` itself, in reading order.

    Args:
        text: raw or normalised text.
        barcodes: read 13 bare digits that pass the EAN-13 check digit as a product barcode,
            not a resident registration number. For product and id columns, where barcodes
            are common (``8801062…`` reads as a 1988 birth date); it would let 1 in 10 bare
            registration numbers through, so review texts are searched without it.

    Example:
        >>> [(m.kind, m.start, m.end) for m in find_pii("연락 010 - 3131 - 4141")]
        [('phone', 3, 20)]
    """
    if not text or not _may_hold_pii(text):
        return []
    folded, origin = _fold(text)
    taken: list[tuple[int, int]] = []
    found: list[PiiMatch] = []

    def add(kind: str, a: int, b: int) -> None:
        if any(a < e and s < b for s, e in taken):
            return  # an earlier, stronger kind already covers it (a phone inside a URL stays part of the URL)
        taken.append((a, b))
        found.append(PiiMatch(kind, origin[a], origin[b - 1] + 1))

    for m in _EMAIL.finditer(folded):
        add("email", m.start(), m.end())
    for m in _URL.finditer(folded):
        a, b = m.start(), m.end()
        while b > a and folded[b - 1] in ".,!?;:)]}>":  # sentence punctuation after a link
            b -= 1
        add("url", a, b)
    for m in _RRN.finditer(folded):
        birth, rest = m.group(1), m.group(2)
        if _rrn_ok(birth, rest) and not (barcodes and m.end() - m.start() == 13 and _ean13(birth + rest)):
            add("rrn", m.start(), m.end())
    for m in _CARD.finditer(folded):
        if _is_card(_NOT_DIGIT.sub("", m.group(0))):
            add("card", m.start(), m.end())
    for m in _PHONE.finditer(folded):
        add("phone", m.start(), m.end())
    found.sort(key=lambda f: f.start)
    return found


def _replace(text: str, matches: list[PiiMatch], token) -> str:
    parts = []
    last = 0
    for m in matches:
        parts.append(text[last : m.start])
        parts.append(token(m.kind, text[m.start : m.end]))
        last = m.end
    parts.append(text[last:])
    return "".join(parts)


def _mask_one(text: str) -> tuple[str, bool]:
    matches = find_pii(text)
    if not matches:
        return text, False
    return _replace(text, matches, lambda kind, _span: PII_TAGS[kind]), True


@overload
def mask_pii(texts: str) -> tuple[str, bool]: ...
@overload
def mask_pii(texts: Iterable[str]) -> list[tuple[str, bool]]: ...
def mask_pii(texts):
    """Replace personal data by readable tags; ``(masked_text, found_any)`` per text (the shape of the input).

    Works on raw or normalised text: the spans are found on a folded copy and cut from the
    text given, so full-width digits or a zero-width space inside a number are masked too.

    Example:
        >>> mask_pii(["카드 3782-822463-10005 결제", "29,900원에 샀어요"])
        [('카드 [카드번호] 결제', True), ('29,900원에 샀어요', False)]
    """
    if isinstance(texts, str):
        return _mask_one(texts)
    return [_mask_one(t if isinstance(t, str) else "") for t in texts]


# ---------------------------------------------------------------------------------------------
# pseudonyms for key columns

_keys: dict[str, bytes] = {}


def _key_file() -> Path:
    root = os.environ.get("NLP_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "nlp-insight")
    return Path(root) / KEY_FILE_NAME


def pseudonym_key() -> bytes:
    """The key of :func:`pseudonymize_pii`: ``$NLP_PII_KEY``, else ``$NLP_CACHE/pii.key`` (created once, random, mode 600)."""
    env = os.environ.get(PII_KEY_ENV)
    if env:
        return env.encode("utf-8")
    path = _key_file()
    cached = _keys.get(str(path))
    if cached is not None:
        return cached
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.partial")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
        try:
            os.link(tmp, path)  # fails if another process made the key first: theirs is used
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    key = path.read_text(encoding="utf-8").strip().encode("utf-8")
    if not key:
        raise RuntimeError(f"the pseudonym key file {path} is empty; delete it (a new key is made) or set {PII_KEY_ENV}")
    _keys[str(path)] = key
    return key


def _token(kind: str, span: str, key: bytes) -> str:
    digest = hmac.new(key, f"{kind}:{span}".encode(), hashlib.sha256).hexdigest()
    return f"[{kind}:{digest[:TOKEN_HEX]}]"


def pseudonymize_pii(value: str, key: bytes | None = None) -> tuple[str, bool]:
    """Replace each piece of personal data by a keyed hash token: ``(value, found_any)``.

    Meant for ids and other key columns: the rest of the value is kept, and the token hashes
    the span exactly as written, so the same value always gets the same result and two
    different values never end up equal (``010-2222-3333`` and ``01022223333`` get different
    tokens, as the ids they sit in were different). A 13-digit EAN barcode is kept
    (``find_pii(..., barcodes=True)``).

    Example:
        >>> pseudonymize_pii("tel-010-2222-3333", key=b"k")
        ('tel-[phone:3ad9820704d6]', True)
        >>> pseudonymize_pii("tel-01022223333", key=b"k")[0] == pseudonymize_pii("tel-010-2222-3333", key=b"k")[0]
        False
    """
    matches = find_pii(value, barcodes=True) if isinstance(value, str) else []
    if not matches:
        return value, False
    k = key if key is not None else pseudonym_key()
    return _replace(value, matches, lambda kind, span: _token(kind, span, k)), True
