"""The generic group, product names and readable labels: golden tables on texts written for these tests."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.topics.generic import GENERIC_LABEL, GENERIC_TOPIC, content_words, generic_keywords, generic_mask
from nlp.topics.labels import readable_label, representatives
from nlp.topics.names import mask_names, name_surfaces, name_words, user_dict_words
from nlp.topics.vectorizer import KiwiAnalyzer


@pytest.fixture(scope="module")
def analyzer() -> KiwiAnalyzer:
    return KiwiAnalyzer()


GENERIC = [
    # verdicts, thanks, wishes and reactions only: generic
    ("좋아요", True),
    ("좋았어요 ㅎㅎㅎ", True),
    ("최고예요!!", True),
    ("정말 만족합니다 감사합니다", True),
    ("잘 먹었습니다 번창하세요", True),
    ("또 올게요 너무 행복했어요", True),
    ("호텔 너무 좋았어요 다음에 또 이용할게요", True),
    ("앱 잘 쓰고 있어요", True),
    ("GOOD VERY GOOD", True),
    ("별 하나 뺍니다", True),
    # jamo, punctuation, emoticons and emoji only
    ("ㅋㅋㅋㅋ", True),
    ("ㅠㅠ", True),
    ("^^", True),
    ("!!!", True),
    ("👍👍", True),
    # laughter written as syllables Kiwi does not know
    ("퍄퍄 좋아요", True),
    # one aspect named: clustered as usual
    ("맛있어요", False),
    ("친절해요", False),
    ("배송이 빨라요", False),
    ("방이 좁아요", False),
    ("조식 최고", False),
    ("가성비 좋아요", False),
    ("Clean room, friendly staff", False),
    # an empty text is not a review at all
    ("", False),
    ("   ", False),
]


@pytest.mark.parametrize(("text", "expected"), GENERIC)
def test_generic_rule(analyzer: KiwiAnalyzer, text: str, expected: bool) -> None:
    assert bool(generic_mask([text], analyzer)[0]) is expected, content_words(text, analyzer)


def test_more_content_words_allowed(analyzer: KiwiAnalyzer) -> None:
    docs = ["맛있어요", "배송 빠르고 맛있어요"]
    assert generic_mask(docs, analyzer).tolist() == [False, False]
    assert generic_mask(docs, analyzer, max_content_words=1).tolist() == [True, False]
    with pytest.raises(ValueError, match="max_content_words"):
        generic_mask(docs, analyzer, max_content_words=-1)


def test_name_words_do_not_count(analyzer: KiwiAnalyzer) -> None:
    assert not generic_mask(["한빛호텔 최고"], analyzer)[0] or "한빛호텔" not in content_words("한빛호텔 최고", analyzer)
    assert generic_mask(["한빛호텔 최고"], analyzer, exclude=["한빛호텔", "한빛"])[0]


def test_generic_keywords_are_the_verdicts() -> None:
    kws = generic_keywords(["좋아요", "정말 좋아요 최고", "최고", "감사합니다"])
    assert kws[:2] == ["좋다", "최고"]
    assert "정말" not in kws


def test_generic_constants() -> None:
    assert GENERIC_TOPIC == -2 and GENERIC_LABEL == "짧은 칭찬·반응"


# -- product and brand names ----------------------------------------------------------------

NAMES = [
    # a short name is a name through and through
    ("글래드 마포", {"글래드", "마포"}),
    ("TOSS (토스)", {"TOSS", "토스"}),
    # a long shop title keeps its common nouns (what the reviews are about) and loses its brand
    ("라네즈 크림스킨 밀키 하이드레이션 마스크 5+1매", {"라네즈"}),
]


@pytest.mark.parametrize(("name", "must"), NAMES)
def test_name_words(analyzer: KiwiAnalyzer, name: str, must: set[str]) -> None:
    words = name_words([name], analyzer)
    assert must <= words
    assert not words & {"마스크", "크림", "호텔"}


def test_user_dictionary_words_are_names(tmp_path, analyzer: KiwiAnalyzer) -> None:
    path = tmp_path / "brands.txt"
    path.write_text("# brands\n한빛스테이\tNNP\t0\n", encoding="utf-8")
    assert user_dict_words(path) == ["한빛스테이"]
    assert "한빛스테이" in name_words([], analyzer, user_dict_words(path))
    with_dict = KiwiAnalyzer(user_dict=path)
    assert with_dict("한빛스테이 조식") == ["한빛스테이", "조식", "한빛스테이 조식"]
    assert name_words([], with_dict, user_dict_words(path)) == {"한빛스테이"}


def test_mask_names(analyzer: KiwiAnalyzer) -> None:
    surfaces = name_surfaces(["글래드 마포", "TOSS (토스)"], analyzer)
    masked = mask_names(["글래드 마포 조식 최고", "토스 앱 TOSS 송금", "toast는 맛있어요", "마포구 글래드호텔"], surfaces)
    assert masked == ["OO 조식 최고", "OO 앱 OO 송금", "toast는 맛있어요", "OO구 OO호텔"]
    assert mask_names(["그대로"], []) == ["그대로"]


# -- labels and representatives ---------------------------------------------------------------

def _docs(*pairs: tuple[str, int]) -> list[str]:
    return [text for text, n in pairs for _ in range(n)]


LABELS = [
    # a word two reviews of forty repeat cannot name the topic; the words most reviews share do
    (["퍄퍄", "조식", "커피", "조식 맛있다"], _docs(("조식이 맛있어요 커피도", 30), ("퍄퍄 조식", 2), ("커피 조식", 8)), "조식 · 커피 · 조식 맛있다"),
    # generic use words (사용, 주문) do not label; the aspect does
    (["사용", "인증서", "로그인"], _docs(("인증서 로그인 사용 불편", 20)), "인증서 · 로그인"),
    # nothing qualifies: the first keywords, as before
    (["냄새"], _docs(("냄새", 1), ("방", 30)), "냄새"),
    ([], _docs(("방", 3)), "(no keywords)"),
]


@pytest.mark.parametrize(("keywords", "docs", "expected"), LABELS)
def test_readable_label(analyzer: KiwiAnalyzer, keywords: list[str], docs: list[str], expected: str) -> None:
    assert readable_label(keywords, docs, analyzer) == expected


def test_representatives_prefer_informative_reviews(analyzer: KiwiAnalyzer) -> None:
    docs = ["조식 굿", "조식 뷔페 가짓수가 많고 커피도 맛있어요", "조식 좋아요", "아침 조식 빵이 맛있고 직원도 친절해요", "조식 뷔페 가짓수가 많고 커피도 맛있어요"]
    sims = np.array([0.99, 0.90, 0.98, 0.85, 0.90])
    chosen = representatives(docs, sims, analyzer, n=3)
    assert chosen[:2] == [1, 3]  # the informative ones first, closest first; the repeated text once
    assert 4 not in chosen
    assert representatives(docs, sims, analyzer, n=0) == []
