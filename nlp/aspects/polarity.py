"""Polarity of one aspect mention, from the clause that carries it.

Evidence is taken in this order, the first that speaks decides:

1. **A wish or request** in the clause ("좀만 빨랐으면 좋겠어요", "업데이트 해주세요", "개선 부탁드려요"):
   negative, as the labelling guide reads suggestions for improvement.
2. **The seed term's own polarity** (``positive`` / ``negative`` lists of the taxonomy: 친절하다,
   튕기다, 방음 안 되다), turned round by a negation next to it (안 빠르다, 빠르지 않다,
   끈적임 없이, 나쁘지 않다).
3. **Opinion words in the clause**: the general lexicon in ``resources/opinion.toml`` (좋다, 최고,
   별로, 아쉽다 ...) and other aspects' polar seeds, each with its negation; their sum decides
   when it is not zero. When they are silent, a middling verdict (보통, 쏘쏘, 그냥저냥, 평범하다),
   not negated, makes the mention neutral: "맛은 쏘쏘", "양은 보통이었는데". Words that report what
   someone else said ("발림성 좋다고 해서 구매했어요", "맛있다는 리뷰 보고", "친절하다길래") are not the
   writer's opinion: they are skipped, and a clause where only they speak is neutral.
4. **The scorer on the clause**: the shipped sentiment encoder (with its char blend) reads the
   clause alone; P(positive) - P(negative) above ``threshold`` is positive, below ``-threshold``
   negative, else neutral. A single-clause review reuses the review's own score when the input is
   already scored.

``score`` is P(positive) - P(negative) of the clause from the scorer. When a rule decides, the
rule's class gets weight :data:`RULE_WEIGHT` in a mix with the scorer's probabilities (or with
a uniform distribution when the clause was not scored), so the score always agrees in sign with
the label.
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from nlp.aspects.clauses import Doc
from nlp.aspects.matcher import Mention
from nlp.aspects.taxonomy import RESOURCES
from nlp.schema import SENTIMENT_LABELS

logger = logging.getLogger(__name__)

__all__ = ["OpinionLexicon", "RuleVerdict", "rule_polarity", "negated", "reported", "clause_opinion", "contrast_carry", "clause_probabilities", "POLARITY_LABELS", "RULE_WEIGHT", "DEFAULT_THRESHOLD"]

POLARITY_LABELS = SENTIMENT_LABELS  # a mention takes the same three labels as a review
RULE_WEIGHT = 0.8
"""Weight of a rule's verdict in the mention's probabilities (the scorer's clause probabilities get the rest)."""
DEFAULT_THRESHOLD = 0.3
"""|P(positive) - P(negative)| of a clause above which the scorer's reading is positive or negative, else neutral."""

# negation right before a predicate (안 빠르다, 못 쓰다) and right after it (빠르지 않다, 쓰지 못하다, 문제 없다,
# 끈적임 없이); adverbs may stand between (문제가 전혀 없다)
_NEG_BEFORE = frozenset({"안", "못", "덜"})
_NEG_AFTER = frozenset({"않다", "못하다", "없다", "없이", "아니다", "사라지다", "줄다", "줄어들다"})
# a noun between a predicate and the negation still lets it through: 바삭한 맛이 없다, 맛있는 건 아니다
_BRIDGE_NOUNS = frozenset({"NNG", "NNB"})
_BRIDGED = frozenset({"없다", "아니다", "없이", "줄다", "줄어들다"})  # what a noun bridge may lead to (간지러웠던 게 줄었다)
_OCCUR = frozenset({"나다", "생기다", "느껴지다"})  # 냄새가 안 나다, 트러블 안 생기다: what does not occur
_KEPT_DOWN = frozenset({"잡다", "달래다", "잠재우다"})  # after a complaint: 번들거림을 잡아주다, 건조함을 달래다


@dataclass(frozen=True)
class OpinionLexicon:
    """General opinion words (lemmas) and phrases (lemma sequences) with their polarity, and the markers of wishes."""

    polarity: dict[str, int]
    phrases: tuple[tuple[tuple[str, ...], int], ...]
    wish_lemmas: frozenset[str]
    middling: frozenset[str] = frozenset()

    @classmethod
    def builtin(cls) -> OpinionLexicon:
        return _builtin_lexicon()

    def lemmas(self) -> frozenset[str]:
        """Lemmas that make a piece of text an opinion (single words, the last word of each phrase, middling verdicts)."""
        return frozenset(self.polarity) | frozenset(p[-1] for p, _ in self.phrases) | self.middling

    def hits(self, doc: Doc, clause: int, skip: set[int]) -> list[tuple[tuple[int, ...], int]]:
        """Opinion words and phrases in one clause: (token positions, polarity), tokens in ``skip`` left out."""
        toks = doc.tokens
        pos = [j for j, t in enumerate(toks) if t.clause == clause and j not in skip]
        out: list[tuple[tuple[int, ...], int]] = []
        taken: set[int] = set()
        for words, p in self.phrases:
            for k, j in enumerate(pos):
                if toks[j].lemma != words[0]:
                    continue
                span = [j]
                for w in words[1:]:
                    nxt = next((q for q in pos[k + 1 : k + 1 + len(words) + 1] if q > span[-1] and toks[q].lemma == w), None)
                    if nxt is None:
                        break
                    span.append(nxt)
                if len(span) == len(words) and not taken.intersection(span):
                    out.append((tuple(span), p))
                    taken.update(span)
        for j in pos:
            if j not in taken and toks[j].lemma in self.polarity:
                out.append(((j,), self.polarity[toks[j].lemma]))
        return out


@lru_cache(maxsize=1)
def _builtin_lexicon() -> OpinionLexicon:
    from nlp.aspects.clauses import analyse_many

    data = tomllib.loads((RESOURCES / "opinion.toml").read_text(encoding="utf-8"))
    words = [(w, 1) for w in data["positive"]] + [(w, -1) for w in data["negative"]]
    words += [(w, 1) for w in data.get("positive_phrases", [])] + [(w, -1) for w in data.get("negative_phrases", [])]
    pol: dict[str, int] = {}
    phrases: list[tuple[tuple[str, ...], int]] = []
    for (w, p), d in zip(words, analyse_many([w for w, _ in words])):
        lemmas = tuple(t.lemma for t in d.tokens)
        if len(lemmas) == 1:
            pol[lemmas[0]] = p
            if " " not in w:
                pol.setdefault(w, p)  # as written too: alone Kiwi reads 아쉬움 as 아쉽다, in a sentence as a noun
        elif lemmas:  # several words for Kiwi (짜증나다 = 짜증 + 나다): matched as a phrase
            phrases.append((lemmas, p))
    wish = analyse_many(list(data["wish"]))
    middling = frozenset(t.lemma for d in analyse_many(list(data.get("middling", []))) for t in d.tokens[:1])
    return OpinionLexicon(pol, tuple(phrases), frozenset(t.lemma for d in wish for t in d.tokens[:1]), middling)


def _middling(doc: Doc, clause: int, lexicon: OpinionLexicon) -> bool:
    """A middling verdict in the clause, not negated (보통이 아니다).

    보통 is also the adverb "usually" (보통은 …, 보통 포장에 적어주시는데, 보통 비싸고): it counts only as
    a verdict, where it ends its clause or is followed by 이다, 수준 or 정도 (양은 보통이었는데, 걍 보통, 보통 수준).
    """
    toks = doc.tokens
    for j, t in enumerate(toks):
        if t.clause != clause or t.lemma not in lexicon.middling:
            continue
        if t.lemma == "보통":
            nxt = t.index + 1
            after = toks[j + 1] if j + 1 < len(toks) and toks[j + 1].clause == clause else None
            verdict = (nxt < len(doc.tags) and doc.tags[nxt] == "VCP") or after is None or after.lemma in ("수준", "정도")
            if not verdict:
                continue
        if not negated(doc, (j,)):
            return True
    return False


def _ending_at(doc: Doc, i: int) -> int:
    """The morpheme after the predicate at morpheme ``i``, its suffixes (XS*) and tense endings (EP) skipped."""
    k = i + 1
    while k < len(doc.tags) and doc.tags[k].startswith(("XS", "EP")):
        k += 1
    return k


def _joined_by_or(doc: Doc, i: int) -> bool:
    """Whether the predicate at morpheme ``i`` ends in -거나 ("깨지거나 터지지 않았다")."""
    k = _ending_at(doc, i)
    return k < len(doc.forms) and doc.forms[k] == "거나" and doc.tags[k] == "EC"


_QUESTION_ENDINGS = frozenset({"ᆫ가요", "ᆫ가", "냐", "니", "나요", "나", "ᆫ지", "ᆫ감", "냐고"})


def _rhetorical(doc: Doc, i: int) -> bool:
    """Whether 아니다 at morpheme ``i`` ends in a question (너무한 거 아닌가요?, 좀 아니냐): asserting, not denying."""
    return i + 1 < len(doc.forms) and doc.tags[i + 1] in ("EF", "EC") and doc.forms[i + 1] in _QUESTION_ENDINGS


def _joined_by_and(doc: Doc, i: int) -> bool:
    """Whether the word at morpheme ``i`` is joined to the next by a conjunctive particle (이나, 과, 와, 랑, 하고),
    a predicate through its noun ending (따가움이나 트러블)."""
    k = _ending_at(doc, i)
    if k < len(doc.tags) and doc.tags[k] == "ETN":
        k += 1
    return k < len(doc.tags) and doc.tags[k] == "JC"


def _far_from(doc: Doc, i: int) -> bool:
    """-기는커녕 after the predicate at morpheme ``i`` ("좋아지기는 커녕", "맛있기는커녕"): far from it."""
    k = _ending_at(doc, i)
    if k < len(doc.forms) and doc.tags[k] == "JX" and "".join(doc.forms[k : k + 2]).startswith(("은커녕", "는커녕")):
        return True  # 바삭은 커녕
    if k >= len(doc.forms) or doc.forms[k] != "기" or doc.tags[k] != "ETN":
        return False
    rest = "".join(doc.forms[k + 1 : k + 3])
    return rest.startswith(("는커녕", "커녕"))


def _compared_before(doc: Doc, toks, first: int) -> bool:
    """A comparative 보다 before the word at token ``first`` in its clause ("여기보다 맛있는 …")."""
    clause = toks[first].clause
    j0 = first
    while j0 > 0 and toks[j0 - 1].clause == clause:
        j0 -= 1
    return any(doc.forms[k] in ("보다", "만큼") and doc.tags[k] == "JKB" for k in range(toks[j0].index, toks[first].index))


def _none_at_all(toks, j: int, doc: Doc | None = None) -> bool:
    """하나(도) or its slang 1도 at ``j``: "부족한 게 하나도 없어요", "효과 전혀 1도 없어요", "비린내 1도 안 남"."""
    t = toks[j]
    if t.lemma == "하나" and t.tag == "NR":
        return True
    if t.lemma != "1" or t.tag != "SN":
        return False
    if j + 1 < len(toks) and toks[j + 1].lemma == "도":
        return True  # Kiwi reads 도 as a noun here
    return doc is not None and t.index + 1 < len(doc.forms) and doc.forms[t.index + 1] == "도"


def _predicate_before(toks, j: int, inside: set[int]) -> bool:
    """Whether a predicate outside the seed stands after the negation at ``j`` and before the seed's next word."""
    for k in range(j + 1, len(toks)):
        if k in inside:
            return False
        if toks[k].tag.startswith(("VV", "VA", "VX")) and toks[k].lemma != "하다":
            return True  # (하다 is the light verb of the seed's own noun: 해결 못 해 주다)
    return False


def negated(doc: Doc, positions: tuple[int, ...], between: bool = True) -> bool:
    """Whether the words at ``positions`` (content-token positions) are negated inside their clause.

    A negation counts right before the first word or between the words (배송이 안 빨라요 for
    배송 빠르다; 덜 짜다), and as the next word after the last one, adverbs skipped (빠르지 않다,
    문제가 전혀 없다) or across one noun before 없다/아니다 when the word modifies it (바삭한 맛이 없다, 맛있는 건
    아니다; not 퍽퍽해서 맛이 없다),
    never further: in "웨이팅 하면서까지 먹지는 않을 듯" the 않다 belongs to 먹다. ``between=False``: only
    a negation after the last word counts (for words that hold their own negation).
    """
    toks = doc.tokens
    first, last = positions[0], positions[-1]
    clause = toks[first].clause
    inside = set(positions)
    for j in [first - 1] + [j for j in range(first + 1, last) if j not in inside] if between else ():
        if 0 <= j < len(toks) and toks[j].clause == clause and toks[j].lemma in _NEG_BEFORE and toks[j].tag == "MAG" and not _so_much_that(doc, toks[j].index):
            if j > first and _predicate_before(toks, j, inside):
                continue  # 향이 안 써서 좋아요: the 안 belongs to 쓰다, not to 향 좋다
            return True
    bridged = False
    pred = toks[last].index  # the predicate whose adnominal ending a noun bridge needs (after 지다: 편리해지는 게)
    if _far_from(doc, pred):
        return True  # 좋아지기는 커녕: far from it
    k = _ending_at(doc, pred)
    if k + 1 < len(doc.forms) and doc.forms[k] in ("다", "다기") and doc.tags[k].startswith("E") and doc.forms[k + 1] == "보다":
        return True  # 촉촉하다 보다는 겉도는 느낌, 순하다기보다는: rather than it
    head = last  # the word the scan continues from: the last of words joined by 이나 / 과 (파손이나 찌그러진 곳 없이)
    for j in range(last + 1, len(toks)):
        t = toks[j]
        if t.clause != clause:
            break
        if j == head + 1 and _joined_by_and(doc, toks[head].index) and t.tag.startswith(("NN", "VV", "VA", "XR")):
            head, pred = j, t.index  # 자극과 트러블 모두 없어요: the negation ending the second covers the first
            continue
        if j == head + 1 and t.lemma == "같다" and t.tag == "VA" and toks[head].tag.startswith(("NN", "VA")):
            pred = t.index  # 트러블 같은 거 없어요: "anything like it", then the noun bridge to 없다
            continue
        if t.lemma == "지다" and t.tag == "VX" and j == last + 1:
            pred = t.index  # 편리해지는 게 하나도 없다: becoming, then the negation
            if _far_from(doc, pred):
                return True
            continue
        if t.lemma == "아니다" and _rhetorical(doc, t.index):
            return False  # 너무한 거 아닌가요?: a question that asserts, not a negation
        if t.lemma == "모르다" and j == last + 1 and doc.forms[_ending_at(doc, pred)] in ("는지", "ᆫ지", "은지", "을지", "ᆯ지"):
            return True  # 맛있는지도 모르겠어요: doubted, not found
        if t.lemma == "지" and t.tag == "NNB" and j == last + 1 and j + 1 < len(toks) and toks[j + 1].lemma == "모르다":
            return True  # the same when Kiwi reads 는 + 지 (a bound noun)
        if t.lemma in _KEPT_DOWN and doc.forms[_ending_at(doc, pred)] == "게":
            break  # 촉촉하게 잡아줍니다: held in, the manner of 잡다, not a fault kept in check
        if t.lemma in _NEG_AFTER or t.lemma in _KEPT_DOWN:
            return True  # 잡다 after a word: 번들거림도 잡아줘서 (kept in check), not a negation a seed can hold
        if j == last + 1 and t.tag.startswith(("VV", "VA", "XR")) and _joined_by_or(doc, pred):
            pred = t.index  # 깨지거나 터지지는 않았지만: the negation that ends the second word covers the first
            continue
        if t.lemma == "있다" and j + 1 < len(toks) and toks[j + 1].clause == clause and toks[j + 1].lemma == "않다":
            return True  # 속당김이 있진 않아요: "is not there", as 없다
        if t.lemma == "못" and t.tag == "MAG" and j + 1 < len(toks) and toks[j + 1].clause == clause and toks[j + 1].lemma == "하다":
            return True  # 보진 못했다: Kiwi reads 못 and 하다 apart
        if t.lemma == "덜" and t.tag == "MAG" and t.index + 1 < len(doc.forms) and doc.forms[t.index + 1] == "하":
            return True  # 가려움이 덜합니다: less of it
        if t.lemma == "적다" and t.tag == "VA" and toks[last].tag.startswith("NN"):
            return True  # 오류가 적으며: little of it
        if t.lemma in _OCCUR and j > last + 1 and toks[j - 1].lemma in ("안", "못") and toks[j - 1].tag == "MAG" and toks[last].tag.startswith("NN"):
            return True  # 비린내 1도 안 남: what does not occur
        if t.lemma == "수" and t.tag == "NNB":
            break  # 이리 맛없을 수 없어요, 이렇게 맛있을 수가 없다: what could be, emphatic, not a negation
        if t.lemma == "보이다" and t.index > 0 and doc.tags[t.index - 1] == "EC":
            continue  # 튼튼해 보이지 않아요: how it looks, then the negation
        nxt = j + 1
        while nxt < len(toks) and toks[nxt].clause == clause and toks[nxt].lemma not in _BRIDGED and (toks[nxt].tag == "MAG" or _none_at_all(toks, nxt, doc)):
            nxt += 2 if toks[nxt].tag == "SN" and nxt + 1 < len(toks) and toks[nxt + 1].lemma == "도" else 1  # 부족한 게 하나도 없어요, 1도 없다, 땡기는 게 별로 없다
        if t.tag in _BRIDGE_NOUNS and not bridged and nxt < len(toks) and toks[nxt].lemma in _BRIDGED and _modifies(doc, pred):
            if _compared_before(doc, toks, first):
                break  # 여기보다 맛있는 돈가스는 없다: a superlative, not a negation
            bridged = True
            continue
        if _none_at_all(toks, j, doc):
            continue  # (the 도 after 1 is read as a noun: skipped on its own turn below)
        if t.tag == "NNB" and t.lemma == "도" and j > 0 and toks[j - 1].lemma == "1":
            continue
        if t.tag != "MAG":
            break
    return False


# endings that report what someone else says (좋다고 해서, 맛있다는 리뷰, 친절하다길래, 맛있다던데)
_REPORTING_ENDINGS = frozenset({"다고", "라고", "이라고", "냐고", "다길래", "라길래", "다던데", "라던데", "다더니", "라더니", "다며", "라며", "다면서", "라면서", "다는", "라는", "단", "란", "대", "래"})


def reported(doc: Doc, i: int) -> bool:
    """Whether the predicate at morpheme ``i`` ends in a reporting ending: someone else's opinion, not the writer's.

    "발림성 좋다고 해서 구매했어요", "맛있다는 리뷰 보고", "촉촉하다해서요" (다 followed by 하다),
    "친절하다길래", "맛있다던데": the word is what was said or read, not what the writer found. Not before
    소리 ("깨끗하단 소리 들을 만해요"): compliments heard about what the writer has.
    """
    j = _ending_at(doc, i)
    if j >= len(doc.tags):
        return False
    f, t = doc.forms[j], doc.tags[j]
    if t == "ETM" and j + 1 < len(doc.forms) and doc.forms[j + 1] == "소리":
        return False  # 깨끗하단 소리 들을 만해요, 부드럽다는 소리를 듣다: what others say of the writer's own result
    if t in ("EC", "ETM") and f in _REPORTING_ENDINGS:
        return True
    if t == "ETM" and j + 2 < len(doc.forms) and doc.forms[j + 1] == "줄" and doc.tags[j + 1] == "NNB" and doc.forms[j + 2] == "알":
        return True  # 잘못 온 줄 알았어요, 적을 줄 알았는데: what the writer wrongly thought
    if _feared(doc, j):
        return True  # 양이 적을까 봐 걱정했는데, 별로일까 걱정했는데: a fear before buying, not what the writer found
    # 촉촉하다해서: Kiwi reads 다 as an ending and 하다 apart
    return f == "다" and t in ("EC", "EF") and j + 1 < len(doc.tags) and doc.forms[j + 1] == "하" and doc.tags[j + 1] == "VV"


_FEARS = frozenset({"걱정", "고민", "염려", "우려"})


def _feared(doc: Doc, j: int) -> bool:
    """Whether the ending at morpheme ``j`` (or the copula's after it) is -ㄹ까 leading to a worry: -ㄹ까 (봐) 걱정 / 고민 / 싶다."""
    if j < len(doc.tags) and doc.tags[j] == "VCP":
        j = _ending_at(doc, j)  # 별로일까: 별로 + 이 + ㄹ까
    if j >= len(doc.forms) or doc.forms[j] not in ("ᆯ까", "을까", "ㄹ까") or doc.tags[j] not in ("EC", "EF"):
        return False
    for k in range(j + 1, min(len(doc.forms), j + 4)):
        if doc.forms[k] in _FEARS or (doc.forms[k] == "싶" and doc.tags[k] == "VX"):
            return True
    return False


_DEGREE_NOUNS = frozenset({"만큼", "정도", "필요", "필요성", "가치"})


def _degree_negated(doc: Doc, positions: tuple[int, ...]) -> bool:
    """Whether a negation reaches the words across a noun of degree or worth: "웨이팅할 만큼은 아니다", "기다릴 필요성이 없다"."""
    toks = doc.tokens
    last = positions[-1]
    nxt = last + 1
    return (
        nxt + 1 < len(toks)
        and toks[nxt].clause == toks[last].clause == toks[nxt + 1].clause
        and toks[nxt].lemma in _DEGREE_NOUNS
        and toks[nxt + 1].lemma in ("없다", "아니다")
        and _modifies(doc, toks[last].index)
    )


_LIKING = frozenset({"싫다", "좋다", "좋아"})


def _preference(doc: Doc, positions: tuple[int, ...]) -> int:
    """The position of 싫어하다 / 좋아하다 when the words at ``positions`` describe what the writer likes or dislikes,
    not the product: they modify a noun (거, 것, 수분크림 …) that the verb follows ("느끼한거 싫어하는데", "끈적이는
    수분크림 안 좋아하는 편"); -1 otherwise."""
    toks = doc.tokens
    last = positions[-1]
    if not _modifies(doc, toks[last].index):
        return -1
    j, nouns = last + 1, 0
    while j < len(toks) and toks[j].clause == toks[last].clause and toks[j].tag.startswith("NN") and nouns < 2:
        j, nouns = j + 1, nouns + 1
    while j < len(toks) and toks[j].clause == toks[last].clause and toks[j].tag == "MAG":
        j += 1
    if not nouns or j >= len(toks) or toks[j].clause != toks[last].clause:
        return -1
    if toks[j].lemma == "좋아" and toks[j].tag.startswith("VV"):
        return j
    if toks[j].lemma in ("싫다", "좋다") and j + 1 < len(toks) and toks[j + 1].lemma == "하다" and toks[j + 1].tag == "VX":
        return j
    return -1


def _so_much_that(doc: Doc, i: int) -> bool:
    """Whether the 못 at morpheme ``i`` is that of -다 못해 (바삭하다 못해 딱딱해요: so crisp that it is hard), no negation."""
    return i > 0 and doc.forms[i - 1] == "다" and doc.tags[i - 1] == "EC" and i + 1 < len(doc.forms) and doc.forms[i + 1] == "하"


def _too_much(doc: Doc, positions: tuple[int, ...]) -> bool:
    """Whether the word at ``positions`` is followed by -다 못해: praise carried past its limit (바삭하다 못해 딱딱)."""
    k = _ending_at(doc, doc.tokens[positions[-1]].index)
    return k + 1 < len(doc.forms) and doc.forms[k] == "다" and doc.tags[k] == "EC" and doc.forms[k + 1] == "못" and _so_much_that(doc, k + 1)


def _seed_sign(doc: Doc, mention: Mention) -> int:
    """The polarity a polar seed gives in its place: its own, turned round by a negation, except that a complaint
    negated across a noun of degree or worth stays one ("웨이팅할 만큼은 아니다", "기다릴 필요성이 없다": not worth it),
    and praise carried past its limit is a complaint ("바삭하다 못해 딱딱해서")."""
    p = mention.seed.polarity
    if p < 0 and _degree_negated(doc, mention.positions):
        return -1
    if p > 0 and _too_much(doc, mention.positions):
        return -1
    return -p if _seed_negated(doc, mention) else p


def _seed_negated(doc: Doc, mention: Mention) -> bool:
    """:func:`negated` for a seed; one that holds its own negation (인식 안 되다) is not turned round again by a
    negation among its words ("인식을 못해요)이 안되요" is one complaint said twice), only by one after it."""
    if _NEG_BEFORE.intersection(mention.seed.lemmas) or _NEG_AFTER.intersection(mention.seed.lemmas):
        return negated(doc, mention.positions, between=False)
    return negated(doc, mention.positions)


def _modifies(doc: Doc, i: int) -> bool:
    """Whether the predicate at morpheme ``i`` ends in an adnominal ending (바삭한 맛, 맛있는 건), suffixes skipped."""
    j = _ending_at(doc, i)
    return j < len(doc.tags) and doc.tags[j] == "ETM"


_REQUEST_ENDINGS = frozenset({"세요", "세여", "셔요", "십시오", "십시요", "ㅂ시오", "ᆸ시오", "ᆸ시요", "시길", "십쇼", "ᆸ쇼"})


def _after_give(forms: list[str], tags: list[str], i: int) -> bool:
    """Whether the ending at morpheme ``i`` closes 주다 (주면, 주시면): the writer asks someone to do something."""
    j = i - 1
    if j > 0 and forms[j] == "시" and tags[j] == "EP":
        j -= 1
    return j >= 0 and forms[j] == "주" and tags[j] in ("VX", "VV")


def _adjective_before(forms: list[str], tags: list[str], i: int) -> bool:
    """Whether the ending at morpheme ``i`` closes an adjective (편리하, 맛있, 편해지), not a verb (먹어 보)."""
    j = i - 1
    if forms[j] == "지" and tags[j] == "VX" and j >= 2 and tags[j - 1] == "EC":
        j -= 2  # 편해져야지 = 편하 + 어 + 지 + 어야지
    return tags[j] in ("VA", "XSA") or tags[j].startswith("VA-")


_IF_CHANGED = frozenset({"ᆫ다면", "다면", "는다면"})


def _would_follow(forms: list[str], tags: list[str], i: int, span: int = 15) -> bool:
    """Whether a conditional at ``i`` leads, within ``span`` morphemes and its sentence, to 좋다 or a conjecture (-ㄹ 거 / 것 / 터)."""
    for k in range(i + 1, min(len(forms), i + 1 + span)):
        if tags[k] == "SF":
            return False
        if forms[k] == "좋" and tags[k] == "VA":
            return True
        if tags[k] == "ETM" and forms[k] in ("ᆯ", "을") and k + 1 < len(forms) and forms[k + 1] in ("거", "것", "터"):
            return True
    return False


_BLESSINGS = frozenset({"번창", "번창하다", "대박", "흥하다", "부자", "건강", "건강하다", "행복", "행복하다", "복"})
"""Words of a blessing (번창하시길 바랍니다, 대박나세요): a clause holding one wishes the seller well, not for a fix."""


def _has_wish(doc: Doc, clause: int, wish_lemmas: frozenset[str]) -> bool:
    """-었으면 (좋겠다), -어 주세요, 바라다/부탁/개선 ... in the clause; not a blessing (번창하시길 바랍니다)."""
    forms, tags = doc.forms, doc.tags
    if any(t.clause == clause and t.lemma in _BLESSINGS for t in doc.tokens):
        return False
    idx = [t.index for t in doc.tokens if t.clause == clause]
    if any(t.lemma in wish_lemmas for t in doc.tokens if t.clause == clause):
        return True
    if not idx:
        return False
    lo, hi = idx[0], min(len(forms), idx[-1] + 4)
    for i in range(lo, hi):
        f, t = forms[i], tags[i]
        if t in ("ETN", "EC") and f in ("음", "ᆷ") and i > 0 and tags[i - 1] == "EP" and forms[i - 1] in ("었", "았", "였") and i + 2 < len(forms) and forms[i + 1] == "좋" and forms[i + 2] == "겠":
            return True  # 신경 쓰셨음 좋겠네요: -었음 좋겠다, a wish
        if t in ("EC", "EF") and f in ("면", "으면"):  # EF: a sentence that trails off on it (빨랐으면..)
            if i > 0 and tags[i - 1] == "EP" and forms[i - 1] in ("었", "았", "였"):
                return True  # -었으면 (좋겠다): a wish
            k = i + 1
            while k < len(forms) and tags[k] == "MAG" and k < i + 3:
                k += 1  # 가능하면 더욱 좋겠어요: adverbs may stand before 좋겠다
            if k + 1 < len(forms) and forms[k] == "좋" and forms[k + 1] == "겠":
                return True  # -면 좋겠다: a wish
            if i + 2 < len(forms) and forms[i + 1] == "좋" and tags[i + 2] == "ETM" and forms[i + 2] in ("을", "ᆯ") and _after_give(forms, tags, i):
                return True  # -어 주시면 좋을 것 같다 / 좋을 듯: a request to the maker
        if t == "EC" and f in _IF_CHANGED and i > 0 and forms[i - 1] in ("되", "있") and _would_follow(forms, tags, i):
            return True  # 수정된다면 … 편리하게 이용하실 거라 봅니다, 이런 기능이 있다면 편할 텐데: a change wished for
        if t == "EC" and f in ("어야", "아야", "여야") and i > 0 and forms[i - 1] == "시" and tags[i - 1] == "EP":
            return True  # 신경쓰셔야겠어요: what the seller should do
        if t == "EC" and f in ("어야", "아야", "여야", "어야지", "아야지", "여야지") and i > 0 and _adjective_before(forms, tags, i):
            return True  # 편리해야 하는데, 편해져야지: how it should be
        if f == "게" and t == "EC" and i + 1 < len(forms) and forms[i + 1] == "좀" and (i + 2 >= len(forms) or tags[i + 2].startswith("S")):
            return True  # 에러페이지 안 뜨게 좀..: a request that trails off
        if f == "주" and t in ("VX", "VV") and i + 1 < len(forms):
            k = i + 1
            honorific = forms[k] == "시" and tags[k] == "EP" and k + 1 < len(forms)
            if honorific:
                k += 1  # 주시 + ending: 해결해 주십시오 (주/시/ᆸ시오), 고쳐주셔요 (주/시/어요)
            if forms[k] in _REQUEST_ENDINGS or (honorific and tags[k] in ("EF", "EC") and forms[k] in ("어요", "어여", "길", "기를")):
                return True  # -어 주세요: a request
            if forms[k] == "세" and k + 1 < len(forms) and tags[k + 1] == "Z_CODA":
                return True  # 만들어주셈: a request in slang
            if honorific and tags[k] == "EF" and forms[k] == "지":
                return True  # 챙겨주시지..: what they should have done
    return False


@dataclass(frozen=True)
class RuleVerdict:
    """What the rules say about one mention: a polarity (-1, 0, +1) or ``None`` when they are silent, and why."""

    polarity: int | None
    reason: str


LEFT_OUT = frozenset({"other", "writer"})
"""Reasons whose mention the extractor leaves out: a clause about another product, or the writer's own state."""


# nouns that name a product, shop or app as a whole: after 다른 / 타사 they name another one than the review's
_OTHER_PRODUCT_NOUNS = frozenset({
    "거", "꺼", "구", "것", "제품", "상품", "브랜드", "회사", "곳", "데", "집", "가게", "매장", "식당", "업체", "앱", "어플", "어플리케이션", "서비스", "플랫폼",
    "은행", "호텔", "숙소", "펜션", "모텔", "화장품", "쇼핑몰", "사이트", "크림", "선크림", "썬크림", "토너", "세럼", "앰플",
    "로션", "클렌저", "샴푸", "마스크팩", "쿠션", "파운데이션", "선글라스", "마우스", "키보드", "이어폰", "치킨집", "피자집",
})
_OTHER = frozenset({"다른", "딴"})  # 딴 거, 다른꺼, 다른구: the colloquial forms too
_COMPARATIVE = frozenset({"보다", "처럼", "만큼", "대비"})
_KEEP = frozenset({"유지", "유지하다", "변함없다", "변함없이"})  # in a request: keep it as it is
_LASTING = frozenset({"쓰다", "가다", "사용"})


def _hopes_it_lasts(doc: Doc, clause: int) -> bool:
    """Whether a wish in ``clause`` is that the product lasts: 오래 + 쓰다 / 가다 / 사용 (오래 썼으면 좋겠어요)."""
    toks = [t for t in doc.tokens if t.clause == clause]
    return any(t.lemma == "오래" and k + 1 < len(toks) and toks[k + 1].lemma in _LASTING for k, t in enumerate(toks))


def other_from(doc: Doc, clause: int) -> int | None:
    """Position of the first token of "다른 N" / "타사 N" in ``clause`` (N naming a product, shop or app as a whole), or None.

    What follows it in the clause speaks of another product than the review's: "다른 거 쓰면 피부 뒤집어지는데",
    "타사 제품은 자극이 있었어요". A comparison is about the review's own ("다른 집보다 맛있어요", "다른 것에 비해
    촉촉해요"), and so are the parts of one shop or app ("다른 메뉴는 맛있었어요").
    """
    if "다른" not in doc.text and "딴" not in doc.text and "타사" not in doc.text:
        return None  # most reviews: no scan (this runs for every mention)
    toks = doc.tokens
    for j, t in enumerate(toks):
        if t.clause != clause or not t.tag.startswith("NN"):
            continue
        if t.lemma != "타사" and not (t.index > 0 and doc.forms[t.index - 1] in _OTHER and doc.tags[t.index - 1] == "MM"):
            continue
        run = [t]
        while j + len(run) < len(toks) and toks[j + len(run)].tag.startswith("NN") and toks[j + len(run)].index == run[-1].index + 1:
            run.append(toks[j + len(run)])
        if t.lemma != "타사" and not any(r.lemma in _OTHER_PRODUCT_NOUNS for r in run):
            continue
        after = run[-1].index + 1
        if after < len(doc.forms) and (doc.forms[after] in _COMPARATIVE or (doc.forms[after] == "에" and after + 1 < len(doc.forms) and doc.forms[after + 1].startswith("비하"))):
            continue
        return j
    return None


_OLD_UNIT_DOMAINS = frozenset({"shopping", "cosmetics"})
"""Domains of goods, where the writer's previous unit is another product (an app's old version is the same app)."""
_USED_VERBS = frozenset({"쓰다", "사용"})


def old_unit_from(doc: Doc, clause: int) -> int | None:
    """Position of the first token naming the writer's previous unit in ``clause`` (쓰던 / 사용하던 N, 기존 N), or None:
    "쓰던 G1이 고장나서 급히 샀는데", "기존거 고장나서 똑같은거 구입합니다". Not in a comparison (기존 제품보다 촉촉해요)."""
    toks = doc.tokens
    for k, t in enumerate(toks):
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        if t.clause != clause or nxt is None or nxt.clause != clause or not nxt.tag.startswith(("NN", "SL")):
            continue
        if t.lemma in _USED_VERBS:
            e = _ending_at(doc, t.index)
            if not (e < len(doc.forms) and doc.forms[e] == "던" and doc.tags[e] == "ETM"):
                continue
        elif t.lemma != "기존":
            continue
        after = nxt.index + 1
        if after < len(doc.forms) and doc.forms[after] in _COMPARATIVE:
            continue
        return k
    return None


_WHO = frozenset({"사람", "분", "분들", "피부", "입술", "타입", "얼굴", "두피", "모발", "머릿결", "아이", "아기", "건성", "지성"})
_SUITS = frozenset({"딱", "추천", "좋", "맞", "최고", "강추", "적합", "제격"})


def _describes_who(doc: Doc, i: int) -> int | None:
    """Whether the word ending at form ``i`` describes a person or a skin rather than the product.

    ``1`` when the product is said to suit them ("건조한 사람한테 딱이에요", "예민한 피부에 좋아요"), ``0`` when the
    writer describes themselves ("트러블이 많이 나는 피부입니다", "가려워하는 편이었는데"), ``None`` otherwise.
    """
    f, t = doc.forms, doc.tags
    j = i + 1
    while j < len(f) and j <= i + 3 and t[j] in ("XSA", "XSV", "VX", "EC"):
        j += 1
    if j >= len(f) or t[j] != "ETM":
        return None
    j += 1
    if j < len(f) and f[j] in ("저", "제", "내", "나"):
        j += 1
        if j < len(f) and t[j] == "JKG":
            j += 1
    if j >= len(f) or not (f[j] in _WHO or (f[j] == "편" and t[j] == "NNB")):
        return None
    for k in range(j + 1, min(len(f), j + 6)):
        if f[k] in _SUITS:
            return 1
    if f[j] == "편" or (j + 1 < len(f) and t[j + 1] == "VCP"):
        return 0
    return None


_BECAUSE = frozenset({"어서", "아서", "서", "니까", "으니까", "길래", "해서"})
_TRY = frozenset({"보", "봤", "봐"})


def _past_hedges(doc: Doc, j: int) -> int:
    """The ending at morpheme ``j``, or the one after -어지다 (푸석해져서, 뒤집어졌을) and "-ㄴ 것 같다" (기름진 것 같아서)."""
    f, t = doc.forms, doc.tags
    if j + 1 < len(f) and f[j] in ("어", "아") and f[j + 1] == "지" and t[j + 1] == "VX":
        j = _ending_at(doc, j + 1)
    if j + 2 < len(f) and t[j] == "ETM" and f[j + 1] in ("것", "거") and f[j + 2] == "같":
        j = _ending_at(doc, j + 2)
    return j


def _bought_for_it(doc: Doc, i: int) -> bool:
    """Whether the predicate at form ``i`` is the reason the writer bought or tried the product.

    "기름진 것 같아서 구매해봤어요", "머리가 푸석해져서 써보려구요": the word ends in -어서 / -니까 (also after -어지다
    or "-ㄴ 것 같다") and a verb of buying, or of trying it out, follows within eight morphemes.
    """
    f, t = doc.forms, doc.tags
    j = _past_hedges(doc, _ending_at(doc, i))
    if j >= len(f) or t[j] != "EC" or f[j] not in _BECAUSE:
        return False
    for k in range(j + 1, min(len(f), j + 9)):
        if f[k] in ("구매", "구입", "주문") or (f[k] == "사" and t[k] == "VV"):
            return True
        if f[k] in ("쓰", "사용", "바르") and any(f[m] in _TRY and t[m] == "VX" for m in range(k + 1, min(len(f), k + 4))):
            return True
    return False


_APPLY = frozenset({"바르", "쓰", "사용", "하", "뿌리", "먹"})


def _situation(doc: Doc, i: int) -> bool:
    """Whether the predicate at form ``i`` names when the product is used: "건조할 때 바르면 좋아요", "여드름 날 것 같을 때"."""
    f, t = doc.forms, doc.tags
    j = _past_hedges(doc, _ending_at(doc, i))
    return j + 1 < len(f) and t[j] == "ETM" and f[j + 1] == "때"


def _without_it(doc: Doc, mention: Mention) -> bool:
    """Whether the clause sets the mention in a world without the product: "이걸 안 바르면 얼굴이 땡겨요", "이거 없으면 건조해요"."""
    first = doc.tokens[mention.positions[0]].index
    start = next((t.index for t in doc.tokens if t.clause == mention.clause), first)
    f, t = doc.forms, doc.tags
    for k in range(max(start - 1, 0), first):
        if f[k] in ("면", "으면") and t[k] == "EC" and k >= 1:
            if f[k - 1] == "없" or (f[k - 1] in _APPLY and k >= 2 and f[k - 2] == "안" and t[k - 2] == "MAG"):
                return True
    return False


def rule_polarity(doc: Doc, mention: Mention, mentions: list[Mention], lexicon: OpinionLexicon) -> RuleVerdict:
    """Steps 1-3 of the module docstring for one mention; ``polarity is None`` leaves it to the scorer."""
    other = other_from(doc, mention.clause)
    if other is None and mention.seed.domain in _OLD_UNIT_DOMAINS and ("던" in doc.forms or "기존" in doc.text):
        other = old_unit_from(doc, mention.clause)  # the writer's previous unit: another product than the review's
    if other is not None and mention.positions and mention.positions[0] >= other:
        return RuleVerdict(0, "other")  # about another product than the review's: the extractor drops it
    beyond = other if other is not None else len(doc.tokens)  # words from there on speak of the other product
    if _has_wish(doc, mention.clause, lexicon.wish_lemmas):
        if any(t.clause == mention.clause and t.lemma in _KEEP for t in doc.tokens):
            return RuleVerdict(1, "wish")  # 퀄리티 계속 유지해주세요: a request to keep it as it is, praise
        if _hopes_it_lasts(doc, mention.clause):
            return RuleVerdict(0, "wish")  # 오래 썼으면 좋겠어요: a hope, not a fault
        return RuleVerdict(-1, "wish")
    toks = doc.tokens
    heard = False
    # the writer's taste ("느끼한거 싫어하는데") is no verdict: neither the word nor the verb of liking speaks
    likes: set[int] = set()
    if any(t.clause == mention.clause and t.lemma in _LIKING for t in toks):  # most clauses have no verb of liking
        likes = {v for v in (_preference(doc, m.positions) for m in mentions if m.clause == mention.clause and m.seed.polarity and m.positions) if v >= 0}
        likes |= {v for v in (_preference(doc, ps) for ps, _ in lexicon.hits(doc, mention.clause, set())) if v >= 0}
    if mention.seed.polarity and _preference(doc, mention.positions) >= 0:
        pass  # the writer's taste, not a verdict: the clause's other words decide
    elif mention.seed.polarity and mention.seed.polarity < 0 and _situation(doc, toks[mention.positions[-1]].index):
        pass  # 건조할 때 바르면 좋아요: when it is used, not a fault; the clause's other words decide
    elif mention.seed.polarity:
        if reported(doc, toks[mention.positions[-1]].index):
            heard = True
        else:
            if _bought_for_it(doc, toks[mention.positions[-1]].index):
                return RuleVerdict(0, "writer")  # 기름진 것 같아서 구매해봤어요: why the writer bought it, not the product
            who = _describes_who(doc, toks[mention.positions[-1]].index)
            if who == 1:
                return RuleVerdict(1, "suits")  # 건조한 사람한테 딱이에요: whom it suits, praise
            if who == 0:
                return RuleVerdict(0, "writer")  # 트러블이 많이 나는 피부입니다: the writer's skin, not the product
            sign = _seed_sign(doc, mention)
            if sign < 0 and _without_it(doc, mention):
                return RuleVerdict(1, "without")  # 이걸 안 바르면 얼굴이 땡겨요: the fault is what happens without it
            return RuleVerdict(sign, "seed")
    total = cross = 0
    used: set[int] = set()
    voted: set[tuple[int, ...]] = set()
    # other polar seeds in the clause (of this review's domain) count as opinion words ("가격 대비 품질 최고"),
    # one vote per set of words (간편 and 간편하다 found on one word are one opinion)
    for m in mentions:
        if m.clause == mention.clause and m.seed.polarity and m is not mention and m.positions:
            used.update(m.positions)
            if m.positions[0] >= beyond:
                continue
            if m.positions in voted:
                continue
            voted.add(m.positions)
            if reported(doc, toks[m.positions[-1]].index):
                heard = True
                continue
            if _preference(doc, m.positions) >= 0:
                continue
            cross += _seed_sign(doc, m)
    for positions, p in lexicon.hits(doc, mention.clause, used | set(mention.positions)):
        if positions[0] >= beyond:
            continue
        if reported(doc, toks[positions[-1]].index):
            heard = True
            continue
        if _preference(doc, positions) >= 0 or likes.intersection(positions):
            continue
        total += -p if negated(doc, positions) else p
    if heard and not (total + cross):
        # only reported words speak ("발림성 좋다고 해서 구매했어요"): the writer names the aspect without judging it
        return RuleVerdict(0, "reported")
    if total + cross:
        # "cross": only another aspect's word judges the clause ("방이 너무 추웠어요" is about temperature)
        return RuleVerdict(1 if total + cross > 0 else -1, "opinion" if total else "cross")
    if lexicon.middling and _middling(doc, mention.clause, lexicon):
        return RuleVerdict(0, "middling")
    return RuleVerdict(None, "")


def clause_opinion(doc: Doc, clause: int, lexicon: OpinionLexicon) -> int | None:
    """The polarity the clause's own opinion words (or a wish) give, ``None`` when they are silent."""
    if _has_wish(doc, clause, lexicon.wish_lemmas):
        return -1
    total = sum(-p if negated(doc, positions) else p for positions, p in lexicon.hits(doc, clause, set()))
    return (1 if total > 0 else -1) if total else None


def _about_the_rest(doc: Doc, clause: int) -> bool:
    """Whether a clause speaks of everything else: 나머지, 그 외, 다른 건 (다른 + a bound noun)."""
    toks = [t for t in doc.tokens if t.clause == clause]
    for k, t in enumerate(toks):
        if t.lemma == "나머지" or (t.lemma == "외" and k > 0 and toks[k - 1].lemma == "그"):
            return True
        if t.lemma == "다른" and k + 1 < len(toks) and toks[k + 1].tag == "NNB":
            return True
    return False


def contrast_carry(doc: Doc, mentions: list[Mention], lexicon: OpinionLexicon, span: str = "next") -> list[tuple[Mention, RuleVerdict]]:
    """Opinions that a contrast carries over to the aspect of the clause before it.

    "맛있었지만 조금은 아쉬워요": the second clause names no aspect, but after -지만 its complaint is
    about the taste just praised, so taste gets a second, negative mention (and the review's taste
    becomes mixed). Only a clause that names no aspect itself, follows a contrast (-지만, -는데,
    근데, 다만 ...) and holds an opinion word or a wish carries anything.
    """
    by_clause: dict[int, list[Mention]] = {}
    for m in mentions:
        by_clause.setdefault(m.clause, []).append(m)
    out = []
    for c, ms in by_clause.items():
        pol = None
        nxt = c + 1
        # "next": only the clause right after; "scan": the first clause after a contrast that holds an
        # opinion, before the next clause that names an aspect
        last = c + 1 if span == "next" else len(doc.clauses) - 1
        while nxt <= last and nxt not in by_clause:
            if _about_the_rest(doc, nxt):
                break  # "…불편했지만 나머지는 만족": the rest, not the aspect just named
            if doc.contrast_after(nxt - 1):
                pol = clause_opinion(doc, nxt, lexicon)
                if pol is not None:
                    break
            nxt += 1
        if pol is None:
            continue
        for aspect in dict.fromkeys(m.aspect for m in ms):
            seed = next(m.seed for m in ms if m.aspect == aspect)
            out.append((Mention(seed, (), nxt), RuleVerdict(pol, "contrast")))
    return out


def clause_probabilities(
    scorer, texts: list[str], max_tokens: int = 64, blend: bool = True, batch_size: int | None = None, batch_groups=None, char_margin: float | None = None
) -> np.ndarray:
    """Sentiment probabilities (negative, neutral, positive) of short texts with the scorer, in one batched call.

    Clauses are cut to ``max_tokens`` tokens (most are far shorter), the intent head's output is
    ignored and no int8 re-check runs (it watches intent). With ``blend`` the sentiment char model
    is blended in as ``nlp score`` does. ``batch_groups`` (one number per text): no batch mixes
    groups (:meth:`nlp.scoring.Scorer.encode`).

    With ``blend`` and a ``char_margin``, a text whose char-model probabilities have their top two at
    least ``char_margin`` apart keeps the char model's reading and is not encoded (the char model is
    sure of it: on the real development chunk a margin of 0.5 leaves 40% of clauses to it with the
    same polarity and joint F1, though aspect scores rank reviews a little worse against their stars:
    docs/decisions.md); the rest are encoded in their groups as before.
    """
    if not texts:
        return np.zeros((0, 3), dtype=np.float32)
    labels = scorer.labels["sentiment"]
    order = [labels.index(lab) for lab in POLARITY_LABELS]
    sp, bl = scorer.sparse.get("sentiment"), scorer.blends.get("sentiment")
    use_char = blend and sp is not None and bl is not None
    ps = sp.predict_proba(texts)[:, [sp.classes_.index(lab) for lab in labels]] if use_char else None
    todo = np.arange(len(texts))
    p = np.zeros((len(texts), len(labels)), dtype=np.float64)
    if use_char and char_margin is not None:
        top2 = np.sort(ps, axis=1)[:, -2:]
        sure = (top2[:, 1] - top2[:, 0]) >= char_margin
        p[sure] = ps[sure]
        todo = np.flatnonzero(~sure)
    if len(todo):
        enc_texts = [texts[k] for k in todo]
        ids = scorer.model.encode_ids(enc_texts)
        ids = [x if len(x) <= max_tokens else x[: max_tokens - 1] + x[-1:] for x in ids]
        groups = None if batch_groups is None else np.asarray(batch_groups)[todo]
        old = scorer.batch_size
        if batch_size:
            scorer.batch_size = batch_size
        try:
            logits, _ = scorer.encode(enc_texts, token_ids=ids, show_progress_bar=False, batch_groups=groups)
        finally:
            scorer.batch_size = old
        z = logits["sentiment"].astype(np.float64)
        z -= z.max(axis=1, keepdims=True)
        pe = np.exp(z)
        pe /= pe.sum(axis=1, keepdims=True)
        p[todo] = bl(pe, ps[todo]) if use_char else pe
    return p[:, order].astype(np.float32)
