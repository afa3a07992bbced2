"""The extractor as a library: fitting, shapes, domains, reuse of review scores, the scorer for open clauses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nlp.aspects import ASPECT_COLUMNS, AspectExtractor, NotFittedError, choose_domains, extract
from nlp.aspects.clauses import analyse
from nlp.aspects.extract import product_name_votes


class _NoScorer:
    """Fails the test if a clause is sent to the scorer."""

    def __getattr__(self, name):
        raise AssertionError(f"the scorer was used ({name})")


def test_unfitted():
    with pytest.raises(NotFittedError, match="call fit"):
        AspectExtractor().transform(pd.DataFrame({"text": ["배송 빨라요"]}))


def test_predict_returns_the_shape_of_the_input(rules_extractor):
    one = rules_extractor.predict("배송 빨라요", domain="shopping")
    many = rules_extractor.predict(["배송 빨라요", "좋아요"], domain="shopping")
    assert isinstance(one, list) and one[0]["aspect"] == "delivery"
    assert len(many) == 2 and many[1] == []


def test_columns_and_no_rows_for_reviews_without_aspects(korean_frame):
    rows = extract(korean_frame, domain="shopping", rules_only=True)
    for col in ASPECT_COLUMNS:
        assert col in rows.columns
    assert {"1", "2", "7", "8"} <= set(rows["id"])  # delivery, size
    assert "5" not in set(rows["id"]) and "6" not in set(rows["id"])  # "그냥 그래요", empty
    assert rows["polarity"].isin(["negative", "neutral", "positive"]).all() and rows["score"].between(-1, 1).all()
    assert (rows["product_id"].notna()).all() and (rows["created_at"].notna()).all()


def test_stats(rules_extractor, korean_frame):
    rows = rules_extractor.transform(korean_frame.assign(product_id="p"))
    st = rules_extractor.stats_
    assert st.reviews == 10 and st.empty == 1 and st.with_aspects + st.without_aspects == 10
    assert st.rows == len(rows) and st.with_aspects == rows["id"].nunique()


def test_auto_domain_per_product():
    frame = pd.DataFrame(
        {
            "id": [str(i) for i in range(6)],
            "product_id": ["hotel", "hotel", "hotel", "shop", "shop", "shop"],
            "text": ["체크인이 빨랐어요", "조식이 맛있어요", "방음이 안돼요", "배송 빨라요", "품질이 좋아요", "포장이 엉망이에요"],
        }
    )
    ex = AspectExtractor(rules_only=True).fit()
    rows = ex.transform(frame)
    assert set(rows.loc[rows["product_id"] == "hotel", "domain"]) == {"lodging"}
    assert set(rows.loc[rows["product_id"] == "shop", "domain"]) == {"shopping"}
    assert ex.stats_.domains == {"lodging": 1, "shopping": 1}


def test_auto_rule_ties_go_to_the_more_specific_domain():
    docs = [analyse("가성비 좋아요")]  # a price term of several domains
    from nlp.aspects.extract import _builtin_index

    idx = _builtin_index()
    chosen = choose_domains([idx.find(d) for d in docs], ["p"], idx.domains)
    assert chosen["p"] != "shopping"


def test_domain_column(rules_extractor):
    frame = pd.DataFrame({"text": ["방음이 안돼요", "배송 빨라요"], "dom": ["lodging", ""]})
    ex = AspectExtractor(domain="shopping", domain_col="dom", rules_only=True).fit()
    rows = ex.transform(frame)
    assert rows["aspect"].tolist() == ["noise", "delivery"] and rows["domain"].tolist() == ["lodging", "shopping"]
    with pytest.raises(ValueError, match="names unknown domains"):
        AspectExtractor(domain_col="dom", rules_only=True).fit().transform(frame.assign(dom="hotel"))
    with pytest.raises(ValueError, match="domain_col='nope' is not a column"):
        AspectExtractor(domain_col="nope", rules_only=True).fit().transform(frame)


def test_missing_text_column():
    with pytest.raises(ValueError, match="column 'text' not found.*text_col="):
        extract(pd.DataFrame({"body": ["배송 빨라요"]}), domain="shopping", rules_only=True)


def test_single_clause_reviews_reuse_the_review_score():
    frame = pd.DataFrame(
        {
            "id": ["1", "2"],
            "text": ["배송 상태가 이렇네요", "포장 상태 확인했어요"],
            "sentiment_negative": [0.9, 0.1],
            "sentiment_neutral": [0.05, 0.1],
            "sentiment_positive": [0.05, 0.8],
        }
    )
    ex = AspectExtractor(domain="shopping", scorer=_NoScorer()).fit()
    rows = ex.transform(frame).set_index("aspect")
    assert ex.stats_.clauses_scored == 0
    assert rows.loc["delivery", "polarity"] == "negative" and rows.loc["delivery", "score"] == pytest.approx(-0.85)
    assert rows.loc["packaging", "polarity"] == "positive"


def test_a_happy_clause_does_not_praise_a_wait(tmp_path):
    # waiting is a cost (scorer_praise = false): a long wait told in a happy clause is no praise of the wait,
    # while words that praise it still do; a user file can give the scorer its say back
    frame = pd.DataFrame(
        {
            "id": ["1", "2"],
            "text": ["오늘 3시간 대기했네요", "웨이팅 없이 바로 들어갔어요"],
            "sentiment_negative": [0.05, 0.05],
            "sentiment_neutral": [0.05, 0.05],
            "sentiment_positive": [0.9, 0.9],
        }
    )
    rows = AspectExtractor(domain="food", scorer=_NoScorer()).fit().transform(frame).set_index("id")
    assert rows.loc["1", "aspect"] == "waiting" and rows.loc["1", "polarity"] == "negative" and rows.loc["1", "score"] < 0
    assert rows.loc["2", "polarity"] == "positive"
    f = tmp_path / "tax.toml"
    f.write_text("[domains.food.aspects.waiting]\nmode = \"extend\"\nscorer_praise = true\n", encoding="utf-8")
    again = AspectExtractor(domain="food", taxonomy=f, scorer=_NoScorer()).fit().transform(frame).set_index("id")
    assert again.loc["1", "polarity"] == "positive"


def test_the_products_own_name_is_no_opinion():
    # a book titled 불편한 편의점 (The Uncomfortable Convenience Store): its title in a review is no complaint
    frame = pd.DataFrame(
        {
            "id": ["1", "2"],
            "product_id": ["불편한 편의점 (김호연)", "다른 책"],
            "text": ["불편한 편의점 내용이 너무 좋았어요", "불편한 편의점 내용이 너무 좋았어요"],
        }
    )
    rows = AspectExtractor(domain="books", rules_only=True).fit().transform(frame).set_index("id")
    assert rows.loc["1", "polarity"] == "positive"  # only 좋았어요 speaks
    assert "2" not in rows.index  # another product: 불편하다 is read as written and cancels 좋았어요


def test_open_clauses_go_to_the_scorer_in_one_call(tiny_scorer):
    calls = []
    real = tiny_scorer.encode

    def spy(texts, *a, **k):
        calls.append(list(texts))
        return real(texts, *a, **k)

    tiny_scorer.encode = spy
    frame = pd.DataFrame({"text": ["배송은 이렇게 왔는데 포장은 그렇네요", "가격은 이 정도입니다", "배송 빨라요"]})
    ex = AspectExtractor(domain="shopping", scorer=tiny_scorer).fit()
    rows = ex.transform(frame)
    assert len(calls) == 1 and ex.stats_.clauses_scored == len(calls[0]) >= 2
    assert rows["score"].between(-1, 1).all()
    assert np.isfinite(rows["score"]).all()


class _SureOf:
    """A char model that is sure (0.05 / 0.05 / 0.9) of texts holding ``word`` and unsure (0.3 / 0.4 / 0.3) of the rest."""

    classes_ = ["negative", "neutral", "positive"]

    def __init__(self, word):
        self.word = word

    def predict_proba(self, texts):
        return np.array([[0.05, 0.05, 0.9] if self.word in t else [0.3, 0.4, 0.3] for t in texts])


def test_the_char_model_alone_reads_the_clauses_it_is_sure_of(tiny_scorer):
    from nlp.aspects.polarity import clause_probabilities

    tiny_scorer.sparse["sentiment"] = _SureOf("최고")
    tiny_scorer.blends["sentiment"] = lambda pe, ps: (pe + ps) / 2
    encoded = []
    real = tiny_scorer.encode

    def spy(texts, *a, **k):
        encoded.extend(texts)
        return real(texts, *a, **k)

    tiny_scorer.encode = spy
    texts = ["배송 최고예요", "포장은 그냥 그래요", "가격 최고", "사이즈는 보통"]
    p = clause_probabilities(tiny_scorer, texts, batch_groups=[0, 1, 0, 1], char_margin=0.5)
    assert encoded == ["포장은 그냥 그래요", "사이즈는 보통"]  # only the unsure ones
    np.testing.assert_allclose(p[[0, 2]], [[0.05, 0.05, 0.9]] * 2, atol=1e-6)  # negative, neutral, positive
    assert not np.allclose(p[1], [0.3, 0.4, 0.3])  # blended with the encoder
    encoded.clear()
    every = clause_probabilities(tiny_scorer, texts, batch_groups=[0, 1, 0, 1], char_margin=None)
    assert sorted(encoded) == sorted(texts)
    np.testing.assert_allclose(every[[1, 3]], p[[1, 3]], atol=1e-6)  # the unsure ones read as without the margin
    with pytest.raises(ValueError, match="char_margin"):
        AspectExtractor(char_margin=1.5)


def test_auto_domain_uses_cue_words_and_ignores_shared_terms():
    # 가격 is a price term of five domains; 호텔 is a lodging cue, 어플 an app cue
    frame = pd.DataFrame({"product_id": ["h", "h", "a"], "text": ["호텔 가격이 좀 비싸요", "가격 대비 좋아요", "어플 가격이 비싸요"]})
    rows = extract(frame, rules_only=True)
    assert set(rows.loc[rows["product_id"] == "h", "domain"]) == {"lodging"}
    assert set(rows.loc[rows["product_id"] == "a", "domain"]) == {"app"}
    assert "_cue" not in set(rows["aspect"])


def test_the_product_name_votes_for_its_domain():
    # one short review of a chicken shop reads like a hotel review (온도, 깨끗); the shop's name says food,
    # though Kiwi keeps 땅땅치킨 as one noun; a name with no such word (a film id) changes nothing
    frame = pd.DataFrame({"product_id": ["땅땅치킨-영통역점", "12345"], "text": ["온도가 딱 좋고 깨끗해요"] * 2})
    with_names = AspectExtractor(rules_only=True).fit().transform(frame)
    without = AspectExtractor(rules_only=True, name_votes=False).fit().transform(frame)
    assert set(with_names.loc[with_names["product_id"] == "땅땅치킨-영통역점", "domain"]) == {"food"}
    assert set(without["domain"]) == {"lodging"}
    assert set(with_names.loc[with_names["product_id"] == "12345", "domain"]) == {"lodging"}


def test_a_tie_on_shared_words_goes_to_cosmetics_before_lodging():
    # 시원하다 and 냄새 are cosmetics' and lodging's: a one-review product saying only them is far more
    # often a cosmetic than a hotel (hotels have many reviews and words of their own)
    frame = pd.DataFrame({"product_id": ["x"], "text": ["시원한 느낌에 냄새도 좋아요"]})
    assert set(extract(frame, rules_only=True)["domain"]) == {"cosmetics"}


def test_a_branch_after_the_store_name_says_where_not_what():
    # 북서점 is a branch (…점) of a Korean restaurant, not a bookshop (서점); the name before it votes
    from nlp.aspects.extract import _builtin_index

    idx = _builtin_index()
    votes = product_name_votes(["고향한식-북서점", "바다서점"], idx, idx.domains)
    assert {g: sorted({m.domain for m in ms}) for ms, g in votes} == {"고향한식-북서점": ["food"], "바다서점": ["books"]}
    # a delivery that came warm is food's: 따뜻하다 alone would be a lodging room's temperature
    frame = pd.DataFrame({"product_id": ["b", "b"], "text": ["감자튀김이 조금 눅눅했어요", "30분 만에 따뜻하게 잘 받았어요"]})
    rows = extract(frame, rules_only=True)
    assert set(rows["domain"]) == {"food"} and ("delivery", "positive") in set(zip(rows["aspect"], rows["polarity"]))


def test_a_verb_in_a_name_is_no_vote_and_clothes_are_shopping():
    # 화잘먹 ("make-up that sticks", literally "eats") is slang in a cosmetics name, not food's 먹다;
    # a sandal or a knit is shopping (clothing cues), whatever the one review says of the beach
    from nlp.aspects.extract import _builtin_index

    idx = _builtin_index()
    votes = {g: sorted({m.domain for m in ms}) for ms, g in product_name_votes(["[화잘먹]바하 리퀴드 118ml", "우먼즈 샌들 SUN", "반팔 니트 [네이비]"], idx, idx.domains)}
    assert "food" not in votes.get("[화잘먹]바하 리퀴드 118ml", [])
    assert votes["우먼즈 샌들 SUN"] == ["shopping"] and votes["반팔 니트 [네이비]"] == ["shopping"]
    # a patch in a name is a cosmetic patch, not an app's update (패치 is one of app's update words)
    patch = {g: sorted({m.domain for m in ms}) for ms, g in product_name_votes(["콜라겐 캡슐 패치 60매", "리프팅 컷 패치 5매입"], idx, idx.domains)}
    assert patch == {"콜라겐 캡슐 패치 60매": ["cosmetics"], "리프팅 컷 패치 5매입": ["cosmetics"]}
    frame = pd.DataFrame({"product_id": ["우먼즈 샌들 SUN"], "text": ["여름에 해변갈 때 신기 좋고 가성비 좋아요"]})
    assert set(extract(frame, rules_only=True)["domain"]) == {"shopping"}


def test_a_store_name_may_start_with_its_cue_and_shared_words_tie_to_food():
    # 맛있다 is food's taste and lodging's breakfast: alone it decides food; a branch name starting with
    # a cue noun (치킨플러스-…점) names a food store; without a branch the start of a name is no vote
    idx = AspectExtractor(rules_only=True).fit().index_
    votes = dict((g, {m.domain for m in ms}) for ms, g in product_name_votes(["치킨플러스-수원영통점", "치킨플러스"], idx, idx.domains))
    assert votes.get("치킨플러스-수원영통점") == {"food"} and "치킨플러스" not in votes
    frame = pd.DataFrame({"product_id": ["12345"], "text": ["맛있어요"]})
    assert set(extract(frame, rules_only=True)["domain"]) == {"food"}


def test_a_product_type_in_the_name_outweighs_one_review():
    # one review of a mascara reads like a food order (주문 is a food cue) and a volume effect; the name's
    # product type (마스카라, a cosmetics cue) counts as two reviews and decides; a seed word in a name
    # beside a cue (핏 of 워터핏, a shopping size word) is incidental; a verb cue in a name (바르다김선생,
    # a gimbap shop) is an ordinary vote
    idx = AspectExtractor(rules_only=True).fit().index_
    votes = product_name_votes(["코스노리 롱앤컬 마스카라 7ml", "워터핏 선세럼 50ml", "바르다김선생-영통역점"], idx, idx.domains)
    by_name: dict[str, list[set]] = {}
    for ms, g in votes:
        by_name.setdefault(g, []).append({(m.domain, m.aspect) for m in ms})
    assert by_name["코스노리 롱앤컬 마스카라 7ml"] == [{("cosmetics", "_cue")}] * 2
    assert all(("shopping", "size") not in v for v in by_name["워터핏 선세럼 50ml"]) and len(by_name["워터핏 선세럼 50ml"]) == 2
    assert len(by_name.get("바르다김선생-영통역점", [])) <= 1
    frame = pd.DataFrame({"product_id": ["코스노리 롱앤컬 마스카라 7ml"], "text": ["주문했는데 볼륨이 별로예요"]})
    assert set(extract(frame, rules_only=True)["domain"]) == {"cosmetics"}


def test_a_shared_cue_in_the_name_still_names_the_product():
    # 샴푸 is a cosmetics cue and a hotel amenity: in a review it tells no domain, in a product's name it
    # says what the product is, so a foot shampoo's shower review is not a hotel room's (수압, water
    # pressure, is lodging's own word; 향 both domains hold)
    text = "샤워할 때 수압도 좋고 향도 좋아요"
    named = pd.DataFrame({"product_id": ["코튼풋 발을 씻자 풋샴푸 750ml"], "text": [text]})
    unnamed = pd.DataFrame({"product_id": ["12345"], "text": [text]})
    assert set(extract(named, rules_only=True)["domain"]) == {"cosmetics"}
    assert set(extract(unnamed, rules_only=True)["domain"]) == {"lodging"}


def test_a_term_listed_twice_with_two_polarities_keeps_its_praise():
    # 열연 is both a neutral acting term and an acting praise: found once as each, the praise is not
    # dropped as a repeat of the neutral term (a mention named only neutrally needs the scorer)
    ex = AspectExtractor(domain="film", rules_only=True).fit()
    assert [(r["aspect"], r["polarity"]) for r in ex.predict("폴 지아마티의 열연과 약간의 재미")] == [("acting", "positive")]


def test_books_domain_reads_book_reviews():
    """A book product is told from a film by its cue words; a reader moved by the story praises its content."""
    frame = pd.DataFrame(
        {
            "product_id": ["b", "b", "b", "f", "f"],
            "text": [
                "문체가 담담하고 너무 슬퍼서 울컥했어요",
                "책 표지가 예뻐요 근데 배송이 너무 늦었어요",
                "번역이 어색해서 잘 안 읽혀요",
                "영화 스토리가 탄탄해요",
                "배우들 연기가 좋았어요",
            ],
        }
    )
    rows = extract(frame, rules_only=True)
    book = rows[rows["product_id"] == "b"]
    assert set(book["domain"]) == {"books"} and set(rows.loc[rows["product_id"] == "f", "domain"]) == {"film"}
    got = {(a, p) for a, p in zip(book["aspect"], book["polarity"])}
    assert {("writing", "positive"), ("content", "positive"), ("design", "positive"), ("delivery", "negative"), ("translation", "negative")} <= got


def test_a_needs_cue_domain_is_not_chosen_without_its_cue_words(tmp_path):
    """도움 and 이야기 are books terms but occur anywhere: without 책/소설/작가 a product is not a book."""
    frame = pd.DataFrame({"product_id": ["c", "c", "b"], "text": ["피부 진정에 도움이 됐어요", "이야기 들었던 대로 순해요", "이 책 이야기가 감동적이에요"]})
    rows = extract(frame, rules_only=True)
    assert set(rows.loc[rows["product_id"] == "c", "domain"]) == {"cosmetics"}
    assert set(rows.loc[rows["product_id"] == "b", "domain"]) == {"books"}
    bad = tmp_path / "t.toml"
    bad.write_text('[domains.toys]\nlabel = "장난감"\nneeds_cue = true\n[domains.toys.aspects.fun]\nlabel = "재미"\nterms = ["재미"]\n', encoding="utf-8")
    from nlp.aspects.taxonomy import Taxonomy, TaxonomyError

    with pytest.raises(TaxonomyError, match="needs_cue"):
        Taxonomy.load(bad)


@pytest.mark.parametrize("tie, expected", [("neutral", "neutral"), ("first", "positive"), ("last", "negative")])
def test_a_tie_between_praise_and_complaint_clauses(tie, expected):
    frame = pd.DataFrame({"id": ["1"], "text": ["배송은 빨랐어요. 그런데 배송 중에 택배 상자가 찢어졌어요"]})
    rows = extract(frame, domain="shopping", rules_only=True, tie=tie)
    delivery = rows[rows["aspect"] == "delivery"]
    assert len(delivery) == 1 and delivery["polarity"].iloc[0] == expected
