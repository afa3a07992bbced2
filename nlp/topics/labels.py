"""What a reader sees of a topic: a readable label and informative representative reviews.

**Label** (:func:`readable_label`): up to three of the topic's c-TF-IDF keywords, best first,
each adding a word not yet in the label (``make_label``), joined with `` · `` ("청결 · 냄새",
"배송 · 빠르다 · 택배"). A keyword qualifies when

* it occurs in at least :data:`MIN_COVERAGE` of the topic's reviews (and in 2 or more), so a
  word a handful of reviews repeat ("퍄퍄", "곤잔") cannot name a topic of hundreds;
* none of its words is generic (:data:`~nlp.topics.generic.GENERIC_ONLY_WORDS`: 먹다, 사용,
  주문 …) or unknown to Kiwi (slang and typos). Verdicts (좋다, 최고, 행복), rating talk (별,
  점, 빼다), English filler and product names are not keywords at all
  (:data:`~nlp.topics.vectorizer.REVIEW_STOPWORDS`, :mod:`nlp.topics.names`).

When no keyword qualifies, the first keywords are used as before.

**Representative reviews** (:func:`representatives`): the reviews closest to the topic centre,
taken first among the informative ones: at least :data:`REP_MIN_WORDS` distinct content
words and :data:`REP_CHARS` characters long; then among those with 2 content words; then any.
A text already chosen is not chosen again. So a topic about the breakfast shows "조식 가짓수가
많고 커피도 맛있어요", not "조식 굿".

Example:
    >>> readable_label(["퍄퍄", "조식", "커피", "조식 맛있다"], ["조식 커피 굿", "조식 맛있어요 퍄퍄", "커피 조식"], KiwiAnalyzer())  # doctest: +SKIP
    '조식 · 커피 · 조식 맛있다'
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from nlp.topics.generic import GENERIC_ONLY_WORDS
from nlp.topics.vectorizer import KiwiAnalyzer

__all__ = ["readable_label", "representatives", "make_label", "MIN_COVERAGE", "REP_MIN_WORDS", "REP_CHARS"]

MIN_COVERAGE = 0.05
"""A label word occurs in at least this share of the topic's reviews."""
REP_MIN_WORDS = 3
"""Content words a representative review has, when the topic has such reviews."""
REP_CHARS = (20, 300)
"""Length (characters) of a representative review, when the topic has such reviews."""


def make_label(keywords: Sequence[str], n: int = 3) -> str:
    """A readable label: the first ``n`` keywords that add a new word, joined with `` · ``.

    Example:
        >>> make_label(["배송", "배송 빠르다", "출고", "택배", "도착"])
        '배송 · 배송 빠르다 · 출고'
        >>> make_label(["배송", "빠르다", "배송 빠르다", "택배"])
        '배송 · 빠르다 · 택배'
    """
    seen: set[str] = set()
    parts: list[str] = []
    for kw in keywords:
        words = kw.split()
        if not kw or all(w in seen for w in words):
            continue
        parts.append(kw)
        seen.update(words)
        if len(parts) == n:
            break
    return " · ".join(parts) if parts else "(no keywords)"


def readable_label(
    keywords: Sequence[str],
    docs: Sequence[str],
    analyzer: KiwiAnalyzer,
    n: int = 3,
    min_coverage: float = MIN_COVERAGE,
) -> str:
    """The label of one topic from its ranked keywords and its reviews (see the module docstring).

    Args:
        keywords: the topic's keywords, best first (c-TF-IDF order).
        docs: the topic's reviews.
        analyzer: the keyword analyzer that produced the keywords.
        n: most words in the label.
        min_coverage: share of the topic's reviews a label word occurs in.
    """
    counts: Counter[str] = Counter()
    for d in docs:
        counts.update(set(analyzer(d)))
    need = max(2, math.ceil(min_coverage * len(docs)))
    skip = GENERIC_ONLY_WORDS | analyzer.unknown_words
    good = [k for k in keywords if counts[k] >= need and not any(w in skip for w in k.split())]
    return make_label(good or list(keywords), n)


def representatives(docs: Sequence[str], similarity: np.ndarray, analyzer: KiwiAnalyzer, n: int = 5) -> list[int]:
    """Indices of up to ``n`` representative reviews of one topic (see the module docstring).

    Args:
        docs: the topic's reviews.
        similarity: each review's cosine similarity to the topic centre.
        analyzer: the keyword analyzer (content words are its single-word keywords).
        n: how many.
    """
    if n <= 0 or not len(docs):
        return []
    words = np.array([len(set(analyzer.unigrams(d))) for d in docs])
    length = np.array([len(d.strip()) for d in docs])
    lo, hi = REP_CHARS
    tiers = [(words >= REP_MIN_WORDS) & (length >= lo) & (length <= hi), words >= 2, np.ones(len(docs), dtype=bool)]
    order = np.argsort(-np.asarray(similarity), kind="stable")
    chosen: list[int] = []
    seen: set[str] = set()
    for tier in tiers:
        for i in order:
            if len(chosen) == n:
                return chosen
            text = docs[i].strip()
            if tier[i] and text not in seen:
                chosen.append(int(i))
                seen.add(text)
    return chosen
