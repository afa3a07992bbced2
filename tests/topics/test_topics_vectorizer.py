"""Keywords as Korean morphemes: golden table, stopwords, bigrams, and the CountVectorizer wiring."""

from __future__ import annotations

import pytest

from nlp.topics.vectorizer import DOC_SEPARATOR, DOMAIN_NOISE, REVIEW_STOPWORDS, KiwiAnalyzer, kiwi_vectorizer


@pytest.fixture(scope="module")
def analyzer() -> KiwiAnalyzer:
    return KiwiAnalyzer()


GOLDEN = [
    # particles and endings go, one stem per keyword: 피부가/피부에 → 피부
    ("피부가 촉촉해요 피부에 잘 맞아요", ["피부", "촉촉", "피부", "맞다", "피부 촉촉"]),
    # noun + predicate with a subject particle becomes a pair; compounds Kiwi splits stay together
    ("배송이 빨라요 택배 박스도 튼튼", ["배송", "빠르다", "택배", "박스", "튼튼", "배송 빠르다", "택배 박스", "박스 튼튼"]),
    # 깨끗/XR 하/XSA, 깨끗하/VA and 깔끔/NNG 하/XSA: the bare root, whatever Kiwi chose
    ("깔끔하고 깨끗해요 깨끗한 방", ["깔끔", "깨끗", "깨끗", "방"]),
    ("사이즈가 커요", ["사이즈", "크다", "사이즈 크다"]),
    # one-syllable roots keep the lemma (편하다, not 편)
    ("발 편하고", ["발", "편하다", "발 편하다"]),
    # evaluation boilerplate, intensifiers and light verbs are stopwords
    ("진짜 너무 좋아요 최고 만족합니다", []),
    ("조식 맛있어요", ["조식", "맛있다", "조식 맛있다"]),
    # acronyms and A/S stay whole
    ("A/S 문의했는데 CS 응답 느림", ["A/S", "문의", "CS", "응답", "느리다", "응답 느리다"]),
    # a Latin word Kiwi cuts in two before trailing dots (partner... → pa + rtner.) is rejoined, the dot dropped;
    # English function words and praise (so, good, very) are stopwords like their Korean counterparts
    ("So long, partner... ㅠㅠ", ["LONG", "partner"]),
    ("Good bye, Partner.", ["BYE", "partner"]),
    ("GOOD VERY GOOD AS", []),
    # rating talk ("one star off") and wishes are not what a review is about
    ("별 하나 뺍니다 방에서 냄새가 나요", ["방", "냄새"]),
    ("행복한 시간이었어요 번창하세요", ["시간"]),
    # honorific on a one-syllable noun kept (손님), elsewhere dropped (기사님 → 기사)
    ("손님이 많아요 기사님 친절", ["손님", "많다", "기사", "친절", "손님 많다"]),
    # slang Kiwi splits into one-syllable nouns glued to a verb (키작녀 → 키/작/녀) is not a keyword
    ("키작녀는 비추", ["작다"]),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), GOLDEN)
def test_golden_keywords(analyzer: KiwiAnalyzer, text: str, expected: list[str]) -> None:
    assert analyzer(text) == expected


def test_no_keyword_carries_a_particle_or_ending(analyzer: KiwiAnalyzer) -> None:
    feats = analyzer("배송은 빨랐는데 사이즈가 너무 작아서 교환했어요. 포장은 꼼꼼하게 되어 있었어요")
    for bad in ("배송은", "빨랐는데", "사이즈가", "작아서", "교환했어요", "포장은", "꼼꼼하게"):
        assert bad not in feats
    assert {"배송", "사이즈", "작다", "교환", "포장", "꼼꼼", "사이즈 작다"} <= set(feats)


def test_documents_are_counted_separately(analyzer: KiwiAnalyzer) -> None:
    # BERTopic joins a topic's documents with spaces; the separator stops bigrams across them
    joined = "방 청소" + DOC_SEPARATOR + " " + "주차 편해요" + DOC_SEPARATOR
    feats = analyzer(joined)
    assert "청소 주차" not in feats
    assert feats == analyzer("방 청소") + analyzer("주차 편해요")


def test_unigrams_only() -> None:
    assert KiwiAnalyzer(ngram_range=(1, 1))("배송이 빨라요") == ["배송", "빠르다"]


def test_domain_noise_is_opt_in() -> None:
    text = "상품 배송 빨라요 영화 재밌다"
    assert "상품" in KiwiAnalyzer()(text)
    shop = KiwiAnalyzer(noise_domains=("shopping", "film"))(text)
    assert "상품" not in shop and "영화" not in shop
    # 배송 is a topic for a shop, never boilerplate by default
    assert "배송" in shop
    assert all("배송" not in words for words in DOMAIN_NOISE.values())


def test_extra_stopwords() -> None:
    assert "배송" not in KiwiAnalyzer(stopwords=["배송"])("배송 빨라요")


def test_every_stopword_has_a_reason() -> None:
    assert REVIEW_STOPWORDS and all(isinstance(r, str) and r for r in REVIEW_STOPWORDS.values())
    for topical in ("배송", "가격", "사이즈", "조식", "청결", "위치", "포장", "맞다", "사진"):
        assert topical not in REVIEW_STOPWORDS


def test_unknown_options_are_rejected() -> None:
    with pytest.raises(ValueError, match="noise domain"):
        KiwiAnalyzer(noise_domains=("cars",))
    with pytest.raises(ValueError, match="ngram_range"):
        KiwiAnalyzer(ngram_range=(1, 3))


def test_count_vectorizer_vocabulary() -> None:
    cv = kiwi_vectorizer()
    cv.analyzer.prime(["배송이 빨라요", "배송 빠르고 좋아요"])
    cv.fit(["배송이 빨라요", "배송 빠르고 좋아요"])
    assert cv.get_feature_names_out().tolist() == ["배송", "배송 빠르다", "빠르다"]
