"""Short generic praise, reactions and filler: one labelled group instead of many topics.

Reviews such as "좋아요", "최고예요 ㅎㅎ", "잘 먹었습니다 번창하세요", "GOOD", "ㅋㅋㅋ" or "^^"
say how a customer feels but not about what. Clustered with the rest they fill many topics
whose labels mean nothing (a topic of 좋았어요, one of ㅎㅎㅎ, one of GOOD · VERY · AS), and
they pull topics together into a catch-all. They are therefore kept out of the clustering
and put in one group, :data:`GENERIC_TOPIC` (``-2``), labelled :data:`GENERIC_LABEL`.

**The rule** (:func:`generic_mask`), decided per review from its Kiwi morphemes, never by
clustering: a review is generic when it has no more than ``max_content_words`` distinct
*content words* (by default none). Content words are the keyword units of
:class:`~nlp.topics.vectorizer.KiwiAnalyzer` (nouns, roots, foreign words, verb and adjective
lemmas) that are left after removing

* the keyword stopwords (:data:`~nlp.topics.vectorizer.REVIEW_STOPWORDS`): grammar, light
  verbs, intensifiers, overall verdicts (좋다, 최고, 만족, 행복 …), thanks, loyalty and
  wishes (재방문, 번창 …), rating talk (별, 점, 빼다) and English filler (good, very …);
* :data:`GENERIC_ONLY_WORDS`: eating, using or buying without saying how (먹다, 사용, 주문,
  묵다 …), which are generic in a review but stay keywords where they are the topic;
* words of the product and brand names (``names=``), and nouns that Kiwi does not know
  (laughter or slang written as syllables: 퍄퍄, 곤잔).

Texts of jamo, punctuation, emoticons or emoji only (ㅋㅋ, ㅠㅠ, ^^, 👍) have no content word
and are generic too; empty texts are not reviews and stay out of the topics altogether.
"맛있어요", "친절해요" or "배송 빨라요" each name an aspect (taste, staff, delivery) and are
clustered as usual.

Example:
    >>> generic_mask(["좋아요 ㅎㅎ", "배송이 빨라요", "잘 먹었습니다 번창하세요"]).tolist()  # doctest: +SKIP
    [True, False, True]
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from nlp.topics.vectorizer import REVIEW_STOPWORDS, KiwiAnalyzer

logger = logging.getLogger(__name__)

__all__ = [
    "GENERIC_TOPIC",
    "GENERIC_LABEL",
    "GENERIC_ONLY_WORDS",
    "generic_mask",
    "content_words",
    "generic_keywords",
]

GENERIC_TOPIC = -2
"""The topic id of the generic group in ``doc_topics.parquet`` and ``topics.parquet`` (``-1`` stays "outlier")."""
GENERIC_LABEL = "짧은 칭찬·반응"
"""The label of the generic group."""

# fmt: off
#: Words that do not make a review specific, though they can be what a topic is about
#: ("주문 취소", "사용 방법"), so they stay keywords.
GENERIC_ONLY_WORDS: frozenset[str] = frozenset({
    # eating, using, buying, staying or reading, without saying how
    "먹다", "마시다", "사용", "사용하다", "이용", "이용하다", "구매", "구입", "주문", "묵다", "머물다", "지내다", "보내다", "읽다",
    "방문", "다녀가다", "가보다", "먹어보다", "써보다", "팔다", "파다", "시켜먹다",
    # the thing itself, named generically
    "상품", "제품", "물건", "음식", "메뉴", "가게", "매장", "집", "호텔", "숙소", "앱", "어플", "책",
})
# fmt: on


def content_words(doc: str, analyzer: KiwiAnalyzer, exclude: Iterable[str] = ()) -> list[str]:
    """The distinct content words of one review under the generic rule (see the module docstring).

    Example:
        >>> content_words("조식이 맛있었어요 최고", KiwiAnalyzer())  # doctest: +SKIP
        ['조식', '맛있다']
    """
    skip = GENERIC_ONLY_WORDS | set(exclude) | analyzer.unknown_words
    seen: dict[str, None] = {}
    for w in analyzer.unigrams(doc):
        if w not in skip:
            seen.setdefault(w)
    return list(seen)


def generic_mask(
    docs: Sequence[str],
    analyzer: KiwiAnalyzer | None = None,
    *,
    max_content_words: int = 0,
    exclude: Iterable[str] = (),
) -> np.ndarray:
    """Which reviews are short generic praise, reactions or filler (``True``): at most ``max_content_words`` content words.

    Args:
        docs: normalised review texts.
        analyzer: the keyword analyzer (its stopwords and product-name words apply); a default one when ``None``.
        max_content_words: content words a review may have and still count as generic.
        exclude: further words that do not count (product and brand name words).

    Returns:
        A boolean array, one per review. Empty texts are ``False`` (they are not reviews).

    Example:
        >>> generic_mask(["최고예요!!", "ㅋㅋㅋ", "방이 좁아요"]).tolist()  # doctest: +SKIP
        [True, True, False]
    """
    if max_content_words < 0:
        raise ValueError(f"max_content_words must be >= 0, got {max_content_words}")
    analyzer = analyzer or KiwiAnalyzer()
    analyzer.prime(docs)
    excluded = frozenset(exclude)
    out = np.zeros(len(docs), dtype=bool)
    for i, d in enumerate(docs):
        if isinstance(d, str) and d.strip():
            out[i] = len(content_words(d, analyzer, excluded)) <= max_content_words
    return out


def generic_keywords(docs: Sequence[str], top_n: int = 10) -> list[str]:
    """The most frequent words of the generic group (its "keywords"): verdicts and reactions, most common first.

    Counted without stopwords, so they show what the group holds (좋다, 최고, 감사 …); words
    are counted once per review.

    Example:
        >>> generic_keywords(["좋아요", "정말 좋아요 최고", "최고"])  # doctest: +SKIP
        ['좋다', '최고']
    """
    if not docs:
        return []
    raw = KiwiAnalyzer(ngram_range=(1, 1), use_default_stopwords=False)
    # verdicts, thanks and wishes are what the group is made of; grammar and intensifiers are not
    noise = {w for w, why in REVIEW_STOPWORDS.items() if why.startswith(("grammar", "intensifiers", "generic verbs"))}
    raw.prime(docs)
    counts: Counter[str] = Counter()
    for d in docs:
        counts.update({w for w in raw(d) if w not in noise})
    return [w for w, _ in counts.most_common(top_n)]
