"""`avoid` follows what a text states: raised by a won't-return or anti-recommendation statement, capped without one."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.scoring.intent_override import AVOID_CAP, AVOID_FLOOR, apply_avoid_rules, apply_wont_return, stated, wont_return

LABELS = ["none", "consider", "intent", "repurchase", "recommend", "avoid"]


@pytest.mark.parametrize(
    "text, hit",
    [
        ("재구매 의사 없습니다", True),
        ("재구매의사없음.", True),
        ("재방문할 정도는 아니에요", True),
        ("다음엔 안 올 거 같아요", True),
        ("또 올 자신은 없네요", True),
        ("두번은 안갈듯", True),
        ("짜증나서 못쓰겠네요", True),
        ("주거래 은행 갈아탈게요", True),
        ("탈퇴했습니다", True),
        ("재구매 의사 있어요", False),
        ("또 시킬게요", False),
        ("앱 지웠다가 다시 깔았는데도 안돼요", False),
        ("맛이 없어요", False),
    ],
)
def test_wont_return_patterns(text, hit):
    assert wont_return([text])[0] == hit


def test_matching_rows_become_avoid_and_stay_distributions():
    p = np.array([[0.1, 0.0, 0.0, 0.8, 0.1, 0.0], [0.7, 0.1, 0.0, 0.1, 0.1, 0.0]], dtype=np.float32)
    out = apply_wont_return(p, LABELS, ["재구매 의사 없어요", "맛있어요"])
    assert LABELS[out[0].argmax()] == "avoid" and out[0, 5] == pytest.approx(AVOID_FLOOR)
    assert out[0].sum() == pytest.approx(1.0) and (out[0] >= 0).all()
    np.testing.assert_array_equal(out[1], p[1])  # no statement: untouched
    np.testing.assert_array_equal(apply_wont_return(p, ["negative", "neutral", "positive"], ["재구매 의사 없어요"] * 2), p)


@pytest.mark.parametrize(
    "text, hit",
    [
        ("다시는 사고 싶지 않음", True),
        ("앞으로 절대 다신 안시킴", True),
        ("재방문할정도는 아닙니다", True),
        ("두번은  못할것 같네여", True),  # two spaces
        ("다른 어플로 갈아탑니다", True),
        ("은행을 바꿔야겠어요", True),
        ("환불 받았어요", True),
        ("완전 비추", True),
        ("이거 사지 마세요", True),
        ("돈 아까워요 이걸 누가 사요", True),
        ("돈 아깝지 않은 영화", False),
        ("햇빛이 비추는 장면", False),
        ("피부가 촉촉해지고 좋아요", False),  # -해지, not 해지 (cancel)
        ("배달이 한 시간 넘게 안 옴", False),  # did not arrive
        ("화면이 다른앱으로 바꾸면 소리가 나요", False),
        ("맛없어요 최악", False),
    ],
)
def test_statement_patterns(text, hit):
    assert stated([text])[0] == hit


def test_avoid_only_with_a_statement():
    p = np.array([[0.1, 0.0, 0.0, 0.05, 0.05, 0.8], [0.2, 0.0, 0.0, 0.7, 0.1, 0.0], [0.3, 0.0, 0.0, 0.1, 0.1, 0.5]], dtype=np.float32)
    out = apply_avoid_rules(p, LABELS, ["맛없어요 최악", "완전 비추", "다시는 안 시켜요"])
    # a complaint with no statement: avoid capped, the next label (none) wins, the others keep their ratios
    assert LABELS[out[0].argmax()] == "none" and out[0, 5] == pytest.approx(AVOID_CAP)
    assert out[0, 3] / out[0, 0] == pytest.approx(0.5) and out[0].sum() == pytest.approx(1.0)
    # a statement the models missed: raised; one they saw: kept at least as high
    assert LABELS[out[1].argmax()] == "avoid" and out[1, 5] == pytest.approx(AVOID_FLOOR)
    assert out[2, 5] == pytest.approx(0.6) and out[2].sum() == pytest.approx(1.0)
    # the won't-return-only variant leaves a capped complaint alone
    np.testing.assert_array_equal(apply_avoid_rules(p, LABELS, ["맛없어요 최악"] * 3, force="wont_return", gate=False), p)
    with pytest.raises(ValueError, match="force"):
        apply_avoid_rules(p, LABELS, ["x"] * 3, force="always")


@pytest.mark.parametrize(
    "text, repurchase, recommend",
    [
        ("단골이에요 맛있어요", True, False),
        ("항상 시켜먹는데 오늘도 맛있네요", True, False),
        ("세통째 잘쓰고 있어요", True, False),
        ("이제 여기서만 시켜먹을듯", True, False),
        ("빵 때문에 또 올듯", True, False),
        ("일단 쟁이는 제품이에요", True, False),
        ("두번째로 좋아하는 영화", False, False),  # an order of preference, not a second purchase
        ("오늘 먹은 쌀국수 대박", False, False),  # 늘 inside 오늘
        ("말썽쟁이 주인공", False, False),
        ("또 올지는 모르겠어요", False, False),
        ("강추합니다", False, True),
        ("한 번쯤 먹어볼 만해요", False, True),
        ("메가폰 꼭 받아가세요", False, False),
    ],
)
def test_repurchase_and_recommend_patterns(text, repurchase, recommend):
    from nlp.scoring.intent_override import RECOMMEND_STATED, REPURCHASE_STATED

    assert bool(REPURCHASE_STATED.search(text)) == repurchase
    assert bool(RECOMMEND_STATED.search(text)) == recommend


def test_statements_follow_the_guideline_order():
    from nlp.scoring.intent_override import apply_intent_rules

    p = np.tile(np.array([[0.7, 0.05, 0.05, 0.1, 0.1, 0.0]]), (4, 1))
    out = apply_intent_rules(p, LABELS, ["단골이에요", "강추합니다", "단골이었는데 이제 안 시킴", "맛있어요"])
    assert [LABELS[i] for i in out.argmax(axis=1)] == ["repurchase", "recommend", "avoid", "none"]
    np.testing.assert_allclose(out.sum(axis=1), 1.0)


def test_no_pattern_repeats_an_unbounded_word():
    # a group with \S+ (or .+) repeated {m,n} backtracks cubically on a long run of text without spaces
    # ("다시" and 800 more syllables took 23 s); words between an adverb and its verb are bounded instead
    import re

    from nlp.scoring import intent_override as io

    nested = re.compile(r"\((\\S|\.)[+*][^()]*\)(\{|\*|\+)")
    for name in ("WONT_RETURN", "STATED_EXTRA", "REPURCHASE_STATED", "REINSTALL", "REQUEST", "USING_NOW", "RECOMMEND_STATED"):
        assert not nested.search(getattr(io, name).pattern), name
    long_run = "다시" + "가나다라마바사" * 300  # answered at once now
    assert not stated([long_run])[0]


@pytest.mark.parametrize("text", ["다신 안 묵어요", "다음엔 다른 호텔로 갈게요", "여기 다시는 숙박 안 해요"])
def test_lodging_statements(text):
    assert stated([text])[0]


@pytest.mark.parametrize(
    "text",
    [
        "다시는 이 집 시키지 않겠어요",
        "저라면 이 가게에서 주문하지 않습니다",
        "다시 와서 먹을 것 같진 않아요",
        "두 번은 찾지 않을 것 같아요",
        "오류 때문에 결국 은행바꾼다",
        "뾰루지가 나서 사용 중단했어요",
        "지성이신 분들은 사시면 안 돼요",
        "결국 돈만 버렸네요",
        "큰 기대 하고 오진 마세요",
        "절대 사용하지 마세요",
        "줄 서서 안 먹는 게 나아요",
        "다시는 안 시킵니다",  # the formal -ㅂ니다 changes the stem syllable (시키 → 시킵)
        "다시는 안 삽니다",
        "피부에 안 맞아서 결국 동생 줬어요",  # gave it away
        "이 값이면 그냥 안 사먹으면 되겠네요",
        "아마 마지막 주문이 될 것 같아요",
        "맛은 있는데 딱 한 번인 듯",
        "탈퇴하려고 하는데 메뉴가 안 보여요",
        "정기결제 해지 부탁드립니다",
        "불친절해서 안 갈 거 같아요",
        "끈적여서 손이 안 가고 잘 안 쓰게 됩니다",
        "수수료 때문에 점점 이용을 안 하게 되네요",
        "이 돈 주고 이거 쓰느니 예전 거 쓸래요",
        "몇 시간 기다려서 갈 가치는 없어요",
        "포장이 이러면 절대로 사지 않을 거예요",
        "업데이트 후 너무 느려서 그냥 앱을 지웠습니다",
        "새 버전 불편해서 구버전 다시 씁니다",
        "그냥 동네에서 드세요",
        "다신 안 시킨다",  # the present form (시킨다), not only 시키 / 시킬 / 시킵
        "이번 일로 토스로 갈아탑니다",
        "이 앱은 삭제하겠습니다",
        "차라리 다른 은행을 추천합니다",
        "너무 불편해서 다른 어플 찾고 있어요",
        "그냥 조만간 은행 갈아타는 게 답이네요",
        "새 앱이 불편해서 이전 앱만 쓰게 됨",
    ],
)
def test_more_ways_of_saying_avoid(text):
    assert stated([text])[0]


@pytest.mark.parametrize(
    "text", ["친구한테 줬는데 좋아하네요", "엄마 선물로 사드렸어요", "친구 줬어요 좋다고 하네요", "양이 많아서 다 안 먹을 것 같아요", "이 가격이면 살 가치가 있어요", "천천히 편하게 드세요",
             "다시 안 온다는 건 절대 아니고 다음엔 일찍 올게요", "쓰던 제품에서 이걸로 갈아탔어요", "다른 집 찾을 필요가 없어요"]
)
def test_a_gift_or_a_leftover_is_no_avoid(text):
    assert not stated([text])[0]


@pytest.mark.parametrize(
    "text, repurchase",
    [
        ("항상 애용하는 세제예요", True),
        ("배부르게먹었어요또 시킬게요", True),  # a habit adverb after a sentence end without a space
        ("순해서 요즘 이것만 쓰네요", True),
        ("짜장면은 여기서만 먹어요", True),
        ("앞으로 치킨은 여기서 시킬게요", True),
        ("이 앱 쭈욱 쓰는데 편해요", True),
        ("다른 색도 구입할 의향 있어요", True),
        ("제구매 의사 있습니다", True),  # a common misspelling of 재구매
        ("쓴 지 오래되진 않았지만 괜찮아요", False),
        ("꾸준히 쓰면 좋아질 것 같아요", False),  # a condition, not a habit
        ("근처라면 자주 갈 정도는 돼요", False),
        ("오늘도 맛있었어요", False),
        ("맛있어서 자꾸 시켜먹어요", True),
        ("늘 마시던 거라 편해요", True),
        ("다음에는 세트 말고 닭발만 시켜야겠어요", True),  # the next order, words between
        ("담엔 다른 색 사려구요", True),
        ("항상 맛있습니다", True),
        ("이것저것 쓰다가 결국 다시 돌아왔어요", True),
        ("다음 날 먹으려고 남겨뒀어요", False),
        ("자꾸 생각나는 맛", False),
        ("늘 믿고 사는 브랜드예요", True),  # trust as a habit
        ("유명해서 믿고 구매했는데 별로네요", False),  # a first purchase on the brand's name
        ("후기 보고 믿고 구매하였습니다", False),
    ],
)
def test_more_ways_of_saying_repurchase(text, repurchase):
    from nlp.scoring.intent_override import REPURCHASE_STATED

    assert bool(REPURCHASE_STATED.search(text)) == repurchase


def test_a_reinstall_tried_as_a_fix_is_no_repeat_purchase():
    # reinstalling to get past a fault is not coming back; a return after deleting it is (the guideline's repurchase)
    from nlp.scoring.intent_override import REINSTALL, apply_intent_rules

    texts = ["로그인이 안 돼서 지웠다가 다시 깔았는데도 그대로예요", "재설치해도 똑같아요", "지웠다가 다시 설치했어요 역시 이게 제일 편해요"]
    assert [bool(REINSTALL.search(t)) for t in texts] == [True, True, False]
    p = np.tile(np.array([[0.2, 0.05, 0.05, 0.6, 0.05, 0.05]]), (3, 1))  # the models read repurchase
    out = apply_intent_rules(p, LABELS, texts)
    assert [LABELS[i] for i in out.argmax(axis=1)] == ["none", "none", "repurchase"]
    np.testing.assert_allclose(out.sum(axis=1), 1.0)


@pytest.mark.parametrize(
    "text, hit",
    [("한번 쯤 맛있게 먹을만 한 곳이에요", True), ("한 번쯤은 기다려서 먹을 만합니다", True), ("한번 정도 먹어 보면 좋을 듯해요", True), ("한번 먹었는데 별로예요", False), ("그럭저럭 먹을 만해요", False)],
)
def test_once_is_worth_it_is_advice(text, hit):
    from nlp.scoring.intent_override import RECOMMEND_STATED

    assert bool(RECOMMEND_STATED.search(text)) == hit


def test_use_described_is_no_repeat_purchase():
    # "잘 쓰고 있어요" describes use; a stated repeat beside it still counts
    from nlp.scoring.intent_override import apply_intent_rules

    texts = ["체중 관리용으로 잘 쓰고 있어요", "잘 쓰고 있어요 벌써 세 통째예요", "업데이트 후 기록이 사라져요 다시 살려 주세요"]
    p = np.tile(np.array([[0.2, 0.05, 0.05, 0.6, 0.05, 0.05]]), (3, 1))
    out = apply_intent_rules(p, LABELS, texts)
    assert [LABELS[i] for i in out.argmax(axis=1)] == ["none", "repurchase", "none"]  # a request's 다시 is no repeat


@pytest.mark.parametrize(
    "text, hit",
    [("건성 피부인 분들에게 무조건 추천", True), ("한번 드셔보시는 걸 추천", True), ("제품도 좋습니다 추천 합니다", True), ("친구 분께 추천 받았어요", False), ("직원분이 추천해주셔서 샀어요", False)],
)
def test_advice_with_its_audience_is_recommend(text, hit):
    from nlp.scoring.intent_override import RECOMMEND_STATED

    assert bool(RECOMMEND_STATED.search(text)) == hit
