"""Colloquial spelling → standard spelling, for what the model reads.

Review writers type "너무 조아용", "맛잇네여", "좋앗어요". The scorer's encoder learnt mostly standard
spelling and read such texts as negative ("너무조앗어용" scored −0.64). :func:`standardize` rewrites
a short list of unambiguous spellings before scoring; the text written to the output is left as
given. Each rule leaves standard Korean alone (tests: ``tests/text/test_spelling.py``).

* cute endings: ``-용`` / ``-여`` after 아, 어, 네, 게, 해, 세, 에, 예, 죠 → ``-요`` (좋아용, 맛있어여, 맛있네용);
* ``조아`` before 요, 용, 여, 서, 도 or the end of a word → ``좋아``; ``조앗``/``조았`` → ``좋았``; ``괜찬`` → ``괜찮``;
* a past tense typed with a single ㅅ (``좋앗어요``, ``빨랏어요``, ``먹엇어요``, ``햇어요``) → ㅆ, before
  어, 습, 던, 음 or 는데 (``벗어`` "take off" is left alone);
* ``맛잇``, ``멋잇``, ``재미잇`` → ``맛있``, ``멋있``, ``재미있``; ``재밋`` → ``재밌``; ``잇어``/``잇었``/``잇습``/``잇음`` → ``있``.

Example:
    >>> standardize(["너무조앗어용", "맛잇네용 배송도 빨랏어요", "옷을 벗어요", "좋아요"])
    ['너무좋았어요', '맛있네요 배송도 빨랐어요', '옷을 벗어요', '좋아요']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import overload

__all__ = ["standardize"]

_END = r"(?=$|[^가-힣])"
_CUTE_ENDING = re.compile(rf"([아어네게해세에예죠])[용여]{_END}")
_JOA = re.compile(r"조아(?=[요용여서도]|$|[^가-힣])|조[았앗]")
_GWAENCHAN = re.compile(r"괜찬")
_MASITT = re.compile(r"(맛|멋|재미)잇")
_JAEMIT = re.compile(r"재밋")
_ITT = re.compile(r"잇(?=어|었|엇|습|음)")
# a syllable with ㅏ ㅐ ㅓ ㅕ ㅘ ㅙ ㅝ ㅞ and a final ㅅ, before the endings of a past tense
_PAST_S = re.compile(r"([가-힣])(?=(?:어|습|던|음|는데))")
_PAST_VOWELS = {0, 1, 4, 6, 9, 10, 14, 15}  # ㅏ ㅐ ㅓ ㅕ ㅘ ㅙ ㅝ ㅞ
_S, _SS = 19, 20  # final ㅅ, final ㅆ
_KEEP = {"벗", "빗", "씻", "웃", "솟", "긋", "잣", "젓", "짓", "낫", "붓", "잇", "맛", "멋", "옷", "것", "갓"}


def _past_s(m: re.Match) -> str:
    ch = m.group(1)
    if ch in _KEEP:
        return ch
    o = ord(ch) - 0xAC00
    vowel, final = (o // 28) % 21, o % 28
    if final == _S and vowel in _PAST_VOWELS:
        return chr(0xAC00 + o - _S + _SS)
    return ch


def _one(text: str) -> str:
    if not text:
        return text
    text = _JOA.sub(lambda m: "좋아" if m.group(0) == "조아" else "좋았", text)
    text = _GWAENCHAN.sub("괜찮", text)
    text = _MASITT.sub(r"\1있", text)
    text = _JAEMIT.sub("재밌", text)
    text = _ITT.sub("있", text)
    text = _PAST_S.sub(_past_s, text)
    return _CUTE_ENDING.sub(r"\1요", text)


@overload
def standardize(texts: str) -> str: ...
@overload
def standardize(texts: Iterable[str]) -> list[str]: ...
def standardize(texts):
    """Standard spelling for the rules above; one text or many (the shape of the input)."""
    if isinstance(texts, str):
        return _one(texts)
    return [_one(t) for t in texts]
