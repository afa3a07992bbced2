from __future__ import annotations

import pytest

from nlp.text.kiwi import KiwiTokenizer, get_kiwi


@pytest.fixture(scope="module")
def tok():
    return KiwiTokenizer()


@pytest.mark.parametrize(
    ("text", "must_have"),
    [
        ("배송이 빨라서 좋아요. 재구매 의사 있습니다!", ["배송/NNG", "재구매/NNG", "좋/VA"]),
        ("재방문 의사 100% 조식 맛있음", ["재방문/NNG", "조식/NNG"]),
        ("가성비 최고 강추합니다", ["가성비/NNG", "강추/NNG"]),
        ("사이즈가 작아서 반품했어요 ㅠㅠ 비추", ["사이즈/NNG", "반품/NNG", "비추/NNG"]),
        ("#내돈내산 @brand 😊 최고", ["#내돈내산/W_HASHTAG", "@brand/W_MENTION", "😊/W_EMOJI"]),
        ("자세한 건 https://example.com 참고", ["https://example.com/W_URL"]),
    ],
)
def test_tokens_golden(tok, text, must_have):
    tokens = tok.tokens(text)
    for t in must_have:
        assert t in tokens, (t, tokens)


@pytest.mark.parametrize(
    ("text", "content", "absent"),
    [
        ("피부가 촉촉하고 발림성 좋아요", ["피부", "촉촉", "발림성", "좋다"], ["가", "고", "어요"]),
        ("배송이 빨라서 좋아요", ["배송", "빠르다", "좋다"], ["이", "어서"]),
    ],
)
def test_content_words_golden(tok, text, content, absent):
    words = tok.content_words(text)
    assert words[: len(content)] == content
    for a in absent:
        assert a not in words


def test_sentences_split(tok):
    assert tok.sentences("배송이 빨라서 좋아요. 재구매 의사 있습니다!") == ["배송이 빨라서 좋아요.", "재구매 의사 있습니다!"]


def test_batch_returns_list_and_handles_empty(tok):
    res = tok.tokens(["좋아요", "", "   "])
    assert len(res) == 3 and res[1] == [] and res[2] == []


def test_one_kiwi_per_configuration():
    assert get_kiwi() is get_kiwi()


def test_user_dictionary(tmp_path):
    d = tmp_path / "brands.tsv"
    d.write_text("# brands\n뽀송크림\tNNP\n", encoding="utf-8")
    tok = KiwiTokenizer(user_dict=d)
    assert "뽀송크림/NNP" in tok.tokens("뽀송크림 최고예요")


def test_bad_user_dictionary_line(tmp_path):
    d = tmp_path / "bad.tsv"
    d.write_text("단어\tNNP\tnot-a-number\n", encoding="utf-8")
    with pytest.raises(ValueError, match="score"):
        KiwiTokenizer(user_dict=d).tokens("단어")


def test_spacing_option():
    tok = KiwiTokenizer(space=True)
    assert "배송/NNG" in tok.tokens("배송이빨라서좋아요")
