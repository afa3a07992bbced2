"""Quality flags: ``empty``, ``duplicate``, ``non_korean``, ``truncated``, ``pii_masked``, ``decode_error``.

Rows are flagged, never dropped: a duplicate is still scored, so per-product counts stay
exact and the user decides what to filter.

* ``empty`` — nothing left after normalisation, or only punctuation/symbols (emoji count as content).
* ``duplicate`` — the same text as an earlier row after normalisation (exact), or after
  also dropping spaces, punctuation, case and repeats (near-duplicate: "배송 빨라요!!" and
  "배송빨라요"). The first occurrence is not flagged. Works across chunks of a stream.
* ``non_korean`` — has letters but fewer than 30% of them are Hangul.
* ``duplicate_id`` — the id repeats an earlier row's id (both rows are kept).
* ``truncated`` — longer than the analyser or model reads (set by the caller).
* ``decode_error`` — some bytes of the row fit no character encoding; they read as U+FFFD
  (set by the table reader, :data:`nlp.io.tables.DECODE_ERROR`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

__all__ = ["FLAG_NAMES", "is_empty", "is_non_korean", "DuplicateDetector", "hangul_share", "join_flags"]

FLAG_NAMES = ("empty", "duplicate", "duplicate_id", "non_korean", "truncated", "pii_masked", "decode_error")
_NEAR = re.compile(r"[\W_]+", re.UNICODE)


def _is_hangul(ch: str) -> bool:
    o = ord(ch)
    return 0xAC00 <= o <= 0xD7A3 or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F


def _is_emoji(ch: str) -> bool:
    return unicodedata.category(ch) == "So" or 0x1F000 <= ord(ch) <= 0x1FAFF


def is_empty(text: str | None) -> bool:
    """True when a text has no letters, digits or emoji.

    Example:
        >>> is_empty("  ...!! "), is_empty("😊"), is_empty("ㅋㅋ")
        (True, False, False)
    """
    if not text:
        return True
    return not any(ch.isalnum() or _is_emoji(ch) for ch in text)


def hangul_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    return sum(_is_hangul(ch) for ch in letters) / len(letters)


def is_non_korean(text: str | None, threshold: float = 0.3) -> bool:
    """True when a text has letters and under ``threshold`` of them are Hangul.

    Example:
        >>> is_non_korean("Great product!"), is_non_korean("배송 fast"), is_non_korean("😊")
        (True, False, False)
    """
    if not text:
        return False
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    return sum(_is_hangul(ch) for ch in letters) / len(letters) < threshold


def _digest(s: str) -> bytes:
    return hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest()


class DuplicateDetector:
    """Remembers what it has seen (8-byte hashes, ~100 MB for 1M rows at most) and flags repeats."""

    def __init__(self) -> None:
        self._seen: set[bytes] = set()

    def near_key(self, text: str) -> str:
        from nlp.text.normalize import collapse_repeats

        return collapse_repeats(_NEAR.sub("", text.lower()))

    def check(self, normalized: str) -> bool:
        """True if ``normalized`` (already normalised) repeats an earlier text."""
        if not normalized:
            return False
        key = self.near_key(normalized) or normalized
        h = _digest(key)
        if h in self._seen:
            return True
        self._seen.add(h)
        return False

    def check_many(self, texts: Iterable[str]) -> list[bool]:
        return [self.check(t) for t in texts]


def join_flags(flags: Iterable[str]) -> str:
    """Flags as the ``flags`` column stores them: names joined by ``|`` in a fixed order ('' for none)."""
    s = set(flags)
    return "|".join(f for f in FLAG_NAMES if f in s)
