"""Normalisation of Korean review text.

What it does, in order: Unicode NFKC (full-width Latin and digits; compatibility jamo
such as ㅋ are kept, not turned into conjoining jamo), removal of control and zero-width characters, folding of
all whitespace runs to one space, and collapsing of long repeats while keeping them as
signal: ``ㅋㅋㅋㅋㅋ`` → ``ㅋㅋ``, ``!!!!!`` → ``!!``, ``ㅠㅠㅠㅠ`` → ``ㅠㅠ``,
``....`` → ``..``, ``하하하하`` → ``하하``. Emoji are kept.

Example:
    >>> normalize("배송  빨라요ㅋㅋㅋㅋㅋ!!!!!")
    '배송 빨라요ㅋㅋ!!'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import overload

__all__ = ["normalize", "collapse_repeats"]

# Control (Cc) and format (Cf) characters carry no meaning in reviews, except the
# zero-width joiner that glues emoji sequences together (👩‍👩‍👧), which is kept.
_ZWJ = "\u200d"
_VARIATION_SELECTORS = {chr(c) for c in range(0xFE00, 0xFE10)}
_WS = re.compile(r"\s+")
# One character repeated three or more times → two (ㅋㅋㅋ → ㅋㅋ, !!! → !!, ... → ..).
_REPEAT_CHAR = re.compile(r"(\D)\1{2,}", re.DOTALL)  # never digits: 100000원, 010-1111-2222
# A two-syllable unit repeated three or more times → twice (하하하하 is one char; 헤헤헤 too;
# this catches alternating patterns such as ㅋㅎㅋㅎㅋㅎ → ㅋㅎㅋㅎ).
_REPEAT_PAIR = re.compile(r"(\D\D)\1{2,}", re.DOTALL)


def _clean_char(ch: str) -> bool:
    if ch == _ZWJ or ch in _VARIATION_SELECTORS:
        return True
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Cf", "Cs", "Co", "Cn"):
        return ch.isspace()  # line and page breaks, tabs, separators: whitespace, folded to one space below
    return True


def collapse_repeats(text: str) -> str:
    """Collapse runs of a repeated character or pair to two occurrences.

    Example:
        >>> collapse_repeats("ㅋㅋㅋㅋㅋ 대박!!!!!")
        'ㅋㅋ 대박!!'
    """
    text = _REPEAT_CHAR.sub(r"\1\1", text)
    return _REPEAT_PAIR.sub(r"\1\1", text)


# NFKC would turn compatibility jamo (ㅋ U+314B) into conjoining jamo (ᄏ U+110F), which
# renders oddly and which Kiwi reads differently, so runs of them are left as they are.
_COMPAT_JAMO = re.compile(r"([\u3131-\u318e]+)")


def _nfkc(text: str) -> str:
    if not _COMPAT_JAMO.search(text):
        return unicodedata.normalize("NFKC", text)
    parts = _COMPAT_JAMO.split(text)
    return "".join(p if i % 2 else unicodedata.normalize("NFKC", p) for i, p in enumerate(parts))


# Text of Hangul syllables, compatibility jamo, printable ASCII, tabs and newlines only (most reviews):
# NFKC leaves it as it is and no character of it is removed, so both steps are skipped.
_STABLE = re.compile(r"[\uac00-\ud7a3\u3131-\u318e\x20-\x7e\t\n\r]*\Z")


def _normalize_one(text: str) -> str:
    if not text:
        return ""
    if not _STABLE.match(text):
        text = _nfkc(text)
        if not text.isascii():
            text = "".join(ch for ch in text if _clean_char(ch))
    text = _WS.sub(" ", text).strip()
    return collapse_repeats(text)


@overload
def normalize(texts: str) -> str: ...
@overload
def normalize(texts: Iterable[str]) -> list[str]: ...
def normalize(texts):
    """Normalise one text or many (returns the shape of the input).

    Args:
        texts: a string, or an iterable of strings (``None`` counts as empty).

    Returns:
        The normalised string, or a list of them.

    Example:
        >>> normalize(["ＡＢＣ  좋아요", "굿굿굿굿"])
        ['ABC 좋아요', '굿굿']
    """
    if isinstance(texts, str):
        return _normalize_one(texts)
    return [_normalize_one(t) if isinstance(t, str) else "" for t in texts]
