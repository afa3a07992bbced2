"""Topic keywords from Kiwi morphemes: one stem per keyword, no particles or endings.

BERTopic describes a topic by the words that a ``CountVectorizer`` counts in it. Korean
glues particles and endings to words, so splitting on spaces turns ``피부가``, ``피부에``
and ``피부는`` into three "words" and a topic reads ``배송이 빨라요 좋아요``. The
analyzer here counts Kiwi morphemes instead:

* **units**: nouns (``NNG``/``NNP``), roots (``XR``), foreign words (``SL``, 2+ letters),
  hanja and hashtags, and verb/adjective lemmas (``빠르다``, ``작다``). A root derived
  with ``하`` keeps the bare root, so ``깨끗/XR 하/XSA``, ``깨끗하/VA`` and ``깔끔/NNG 하/XSA``
  count as ``깨끗`` and ``깔끔`` (one keyword per stem). A one-syllable noun keeps its
  honorific suffix (``손`` + ``님`` → ``손님``); other noun suffixes (``님``, ``들``) drop.
* **bigrams** (``ngram_range=(1, 2)``): noun compounds that Kiwi splits (``택배 박스``,
  ``취소 수수료``), and a noun with the predicate it is the subject or object of, with at
  most a case/topic particle and adverbs between (``배송이 빨라요`` → ``배송 빠르다``,
  ``사이즈가 너무 작아요`` → ``사이즈 작다``).
* **stopwords**: :data:`REVIEW_STOPWORDS`, words that carry no topic in any review
  corpus (grammar, light verbs, intensifiers, evaluation boilerplate), each with the
  reason it is there. Domain words that are noise only in some corpora
  (``상품``/``제품`` in a shop, ``영화`` on a film site) are in :data:`DOMAIN_NOISE` and
  apply only when asked for (``noise_domains=("shopping",)``); ``배송`` is in none of
  them, because for a shop it is a real topic.

Example:
    >>> analyzer = KiwiAnalyzer()
    >>> analyzer("피부가 촉촉해요 피부에 잘 맞아요")  # doctest: +SKIP
    ['피부', '촉촉', '피부', '맞다', '피부 촉촉']
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

logger = logging.getLogger(__name__)

__all__ = [
    "KiwiAnalyzer",
    "kiwi_vectorizer",
    "REVIEW_STOPWORDS",
    "DOMAIN_NOISE",
    "DOC_SEPARATOR",
    "load_stopwords",
]

# BERTopic joins a topic's documents with spaces before counting; the topic model ends
# every document with this separator so the analyzer can count each document on its
# own (no bigrams across documents) and reuse its cached analysis.
DOC_SEPARATOR = "\u2029"

NoiseDomain = Literal["shopping", "hotel", "film"]

# fmt: off
_STOPWORD_GROUPS: dict[str, tuple[str, ...]] = {
    # Copula, light and auxiliary verbs: grammar, they occur in every topic.
    "grammar: copula, light and auxiliary predicates": (
        "이다", "아니다", "하다", "되다", "있다", "없다", "같다", "않다", "못하다", "싶다", "말다", "주다", "드리다", "지다", "버리다", "놓다", "두다",
        "보이다", "그렇다", "이렇다", "저렇다", "어떻다", "그러다", "이러다", "저러다", "어떡하다", "해주다",
    ),
    # Generic action verbs: they say that something happened, not what it is about
    # (오다 "arrived", 받다 "received", 사다 "bought", 들다 in 마음에 들다 ...).
    "generic verbs without a topic of their own": (
        "보다", "오다", "가다", "나다", "받다", "사다", "쓰다", "들다", "알다", "모르다", "생각하다", "느끼다", "나오다", "들어가다", "나가다", "만들다", "살다",
        "시키다", "생기다", "좋아하다", "하시다", "계시다",
    ),
    # Dependent and relational nouns Kiwi sometimes tags NNG, and vague quantities.
    "grammar: dependent, relational and vague nouns": (
        "것", "거", "수", "때", "안", "전", "중", "후", "일", "번", "분", "뭐", "말", "점", "등", "게", "걸", "데", "덕", "탓", "곳", "날",
        "쪽", "속", "위", "밑", "뒤", "앞", "적", "정도", "부분", "자체", "경우", "이번", "저번", "다음", "처음", "마지막", "하나", "가지", "여기",
        "거기", "저기", "생각", "느낌", "기분", "사람", "이유", "상태", "사실", "자신", "개인", "내", "이제", "지금", "동안", "얼마",
        # typed short forms and typos of the above: 담에 (다음에), 맛잇어요 (잇 for 있)
        "담", "잇", "잇다",
    ),
    # Intensifiers and hedges that Kiwi tags as nouns or roots in informal text.
    "intensifiers and hedges": (
        "진짜", "정말", "너무", "완전", "엄청", "대박", "그냥", "약간", "조금", "살짝", "제일", "가장", "역시", "별로", "ㅋㅋ", "ㅎㅎ", "ㅠㅠ", "ㅜㅜ",
    ),
    # Overall verdicts: every topic has them; the scorer reports sentiment per topic, so
    # keywords are kept for what customers talk about, not how they feel overall.
    "overall evaluation (reported as sentiment instead)": (
        "좋다", "괜찮다", "나쁘다", "싫다", "최고", "최악", "만족", "만족스럽다", "불만족", "감사", "추천", "강추", "비추", "굿", "짱", "아쉽다", "실망",
        "후회", "대만족", "최상", "최강", "고맙다", "훌륭하다", "완벽", "완벽하다", "멋지다", "행복", "행복하다", "사랑", "사랑하다", "감동",
        "베스트", "짱짱", "환상", "최애", "기쁘다", "즐겁다", "마음", "맘", "힐링", "추억", "경험", "기대", "불만", "짜증", "엉망", "평범",
        "평범하다", "쏘쏘", "그저", "무난", "무난하다", "괜춘", "존맛", "존맛탱",
        # the same, typed as it is said: 조아요 (좋아요), 굳굳 (good: Kiwi reads 굳다, "to harden")
        "조아", "조아요", "굳다", "굿굿",
    ),
    # Coming back, thanks and wishes: loyalty is reported as purchase intent, and a wish
    # for the shop says nothing about what it sells.
    "return, loyalty and wishes (reported as intent instead)": (
        "재구매", "재방문", "재주문", "단골", "번창", "번창하다", "수고", "수고하다", "부탁", "부탁드리다", "애용", "애용하다", "자주", "대박나다",
        "응원", "응원하다",
    ),
    # Review meta-talk, the same in every product category; "별 하나 뺍니다" (one star
    # off) is about the rating, not about what went wrong.
    "review and rating meta-talk": (
        "후기", "리뷰", "평가", "별점", "참고", "별", "평점", "점수", "만점", "빼다", "다섯",
    ),
}
# fmt: on

# English function words and praise: reviews in English or with English asides ("GOOD
# VERY GOOD") otherwise give topics labelled GOOD · VERY · AS.
_ENGLISH_FILLER = (
    "a an the and or but so as is are was were be been am it its this that these those to of in on at for with from by about "
    "i me my we our you your they their he she his her there here very too also just really all not no yes again will would "
    "can could have has had do did does get got good nice great best ok okay cool wow love like thank thanks bad worst "
    "excellent perfect awesome amazing wonderful fantastic everything definitely highly recommend recommended stay place"
).split()
_ACRONYM_MAX = 4


def _latin_form(word: str) -> str:
    """A Latin word as the analyzer writes it: short ones (acronyms) upper-cased, others lower-cased."""
    return word.upper() if len(word) <= _ACRONYM_MAX else word.lower()


#: Word → why it is a stopword, for every corpus.
REVIEW_STOPWORDS: dict[str, str] = {w: reason for reason, words in _STOPWORD_GROUPS.items() for w in words}
REVIEW_STOPWORDS.update({_latin_form(w): "English function words and praise" for w in _ENGLISH_FILLER})

#: Words that are noise in one kind of corpus and a topic in another; opt in per corpus.
DOMAIN_NOISE: dict[str, frozenset[str]] = {
    # what every shop review mentions: the thing bought and the act of buying
    "shopping": frozenset({"상품", "제품", "물건", "구매", "구입", "주문", "판매", "판매자"}),
    # what every hotel review mentions: the stay itself
    "hotel": frozenset({"호텔", "숙소", "숙박", "투숙", "방문", "이용", "여행"}),
    # what every film review mentions: the film itself
    "film": frozenset({"영화", "작품", "관람", "보다"}),
}

_NOUN_TAGS = frozenset({"NNG", "NNP"})
_PREDICATE_TAGS = frozenset({"VV", "VA", "VV-I", "VA-I", "VV-R", "VA-R"})
_OTHER_CONTENT = frozenset({"XR", "SL", "SH", "W_HASHTAG"})
_DERIVING = frozenset({"XSA", "XSV"})  # 하/되 turning a noun or root into a predicate
# Particles that may stand between a noun and its predicate in a noun-predicate bigram.
_ARGUMENT_PARTICLES = frozenset({"JKS", "JKO", "JX"})
# Kiwi gives words outside its dictionary these morpheme ids (unknown common noun, unknown proper noun).
_UNKNOWN_WORD_IDS = frozenset({2, 3})
# "rtner." → "rtner": Kiwi sometimes leaves a full stop on a Latin word
_EDGE_PUNCT = re.compile(r"^[^0-9A-Za-z]+|[^0-9A-Za-z]+$")


def load_stopwords(path: str | Path) -> set[str]:
    """Words from a file, one per line (``#`` starts a comment)."""
    words = set()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.add(word)
    return words


def _syllables(s: str) -> int:
    return sum(1 for ch in s if "가" <= ch <= "힣")


def _glued_to_predicate(morphemes, i: int) -> bool:
    """Whether morpheme ``i`` touches a verb/adjective stem inside one word (no space between)."""
    m = morphemes[i]
    if i > 0:
        p = morphemes[i - 1]
        if p.tag in _PREDICATE_TAGS and p.start + p.len == m.start:
            return True
    if i + 1 < len(morphemes):
        q = morphemes[i + 1]
        if q.tag in _PREDICATE_TAGS and m.start + m.len == q.start:
            return True
    return False


class KiwiAnalyzer:
    """A ``CountVectorizer`` analyzer: text → Kiwi content units (and bigrams), cached per document.

    Args:
        ngram_range: ``(1, 1)`` units only, or ``(1, 2)`` with noun compounds and noun-predicate pairs.
        stopwords: extra words to drop (on top of :data:`REVIEW_STOPWORDS`).
        noise_domains: corpora whose boilerplate words (:data:`DOMAIN_NOISE`) to drop.
        predicates: keep verb/adjective lemmas (``빠르다``) as units.
        user_dict: extra Kiwi user dictionary (brands, product names).
        use_default_stopwords: drop :data:`REVIEW_STOPWORDS`.

    Example:
        >>> KiwiAnalyzer()("배송이 빨라요 택배 박스도 튼튼")  # doctest: +SKIP
        ['배송', '빠르다', '택배', '박스', '튼튼', '배송 빠르다', '택배 박스']
    """

    def __init__(
        self,
        ngram_range: tuple[int, int] = (1, 2),
        stopwords: Iterable[str] | None = None,
        noise_domains: Sequence[NoiseDomain] = (),
        predicates: bool = True,
        user_dict: str | Path | None = None,
        use_default_stopwords: bool = True,
    ) -> None:
        if tuple(ngram_range) not in ((1, 1), (1, 2), (2, 2)):
            raise ValueError(f"ngram_range must be (1, 1), (1, 2) or (2, 2), got {ngram_range}")
        unknown = [d for d in noise_domains if d not in DOMAIN_NOISE]
        if unknown:
            raise ValueError(f"unknown noise domain(s) {unknown}; choose from {sorted(DOMAIN_NOISE)}")
        self.ngram_range = tuple(ngram_range)
        self.noise_domains = tuple(noise_domains)
        self.predicates = predicates
        self.user_dict = user_dict
        self.use_default_stopwords = use_default_stopwords
        self.extra_stopwords = frozenset(stopwords or ())
        words = set(REVIEW_STOPWORDS) if use_default_stopwords else set()
        for d in self.noise_domains:
            words |= DOMAIN_NOISE[d]
        self.stopwords = frozenset(words | self.extra_stopwords)
        self._cache: dict[str, list[str]] = {}
        self._checked: set[str] = set()
        self._unknown: set[str] = set()
        self._lock = threading.Lock()
        self._tokenizer = None

    def __getstate__(self) -> dict:
        # copies (sklearn.clone, deepcopy) share nothing thread-bound; Kiwi itself is per process anyway
        state = self.__dict__.copy()
        state["_lock"] = None
        state["_tokenizer"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"KiwiAnalyzer(ngram_range={self.ngram_range}, noise_domains={self.noise_domains}, "
            f"extra_stopwords={len(self.extra_stopwords)}, predicates={self.predicates})"
        )

    @property
    def tokenizer(self):
        if self._tokenizer is None:
            from nlp.text.kiwi import KiwiTokenizer

            # no truncation: a document is short, and we never see topic concatenations whole
            self._tokenizer = KiwiTokenizer(user_dict=self.user_dict, max_chars=1_000_000)
        return self._tokenizer

    # -- analysis -------------------------------------------------------------------------
    def _units(self, morphemes) -> list[tuple[str, str, int, int]]:
        """Content units as (form, kind, first morpheme index, last morpheme index); kind is noun/pred/other."""
        units: list[tuple[str, str, int, int]] = []
        n = len(morphemes)
        i = 0
        while i < n:
            m = morphemes[i]
            tag = m.tag
            nxt = morphemes[i + 1] if i + 1 < n else None
            if tag in _NOUN_TAGS or tag == "XR":
                if tag in _NOUN_TAGS and _syllables(m.form) == 1 and _glued_to_predicate(morphemes, i):
                    i += 1  # 키작녀 → 키/작/녀, 복붙 → 복/붙: slang Kiwi split, not a noun
                    continue
                form, end = m.form, i
                if nxt is not None and nxt.tag == "XSN" and tag in _NOUN_TAGS and _syllables(m.form) == 1 and nxt.form == "님":
                    form, end = m.form + nxt.form, i + 1  # 손+님 → 손님
                if nxt is not None and nxt.tag in _DERIVING and end == i:
                    units.append((form, "pred", i, i + 1))  # 깔끔/NNG 하/XSA: the root, as a predicate
                    i += 2
                    continue
                units.append((form, "noun" if tag in _NOUN_TAGS else "pred", i, end))
                i = end + 1
                continue
            if tag in _PREDICATE_TAGS:
                if self.predicates:
                    stem = m.form
                    # 깨끗하/VA = 깨끗/XR 하/XSA: one keyword per stem, the bare root (2+ syllables)
                    if stem.endswith("하") and _syllables(stem) >= 3:
                        units.append((stem[:-1], "pred", i, i))
                    else:
                        units.append((stem + "다", "pred", i, i))
                i += 1
                continue
            if tag == "SL":
                form, end = m.form, i
                # one Latin word Kiwi cut in two ("partner..." → pa + rtner.): rejoin letters with no gap between them
                while (
                    end + 1 < n
                    and morphemes[end + 1].tag == "SL"
                    and morphemes[end + 1].start == morphemes[end].start + morphemes[end].len
                ):
                    end += 1
                    form += morphemes[end].form
                form = _EDGE_PUNCT.sub("", form)
                # A/S, Q&A: letters joined by one symbol with no space
                if (
                    end == i
                    and i + 2 < n
                    and morphemes[i + 1].form in ("/", "&")
                    and morphemes[i + 2].tag == "SL"
                    and morphemes[i + 1].start == m.start + m.len
                    and morphemes[i + 2].start == morphemes[i + 1].start + 1
                ):
                    form, end = m.form + morphemes[i + 1].form + morphemes[i + 2].form, i + 2
                form = _latin_form(form)
                if len(form) >= 2:
                    units.append((form, "other", i, end))
                i = end + 1
                continue
            if tag == "MAG" and nxt is not None and nxt.tag == "XSA" and nxt.start == m.start + m.len:
                units.append((m.form, "pred", i, i + 1))  # 꼼꼼/MAG 하/XSA: an adjective root Kiwi reads as an adverb
                i += 2
                continue
            if tag in _OTHER_CONTENT:
                units.append((m.form.lower() if tag == "W_HASHTAG" else m.form, "other", i, i))
            i += 1
        return units

    def _features(self, morphemes) -> list[str]:
        units = self._units(morphemes)
        keep = [u for u in units if u[0] not in self.stopwords]
        out: list[str] = []
        lo, hi = self.ngram_range
        if lo <= 1:
            out.extend(u[0] for u in keep)
        if hi >= 2:
            for a, b in zip(keep, keep[1:]):
                gap = morphemes[a[3] + 1 : b[2]]
                if a[1] == "noun" and b[1] == "noun" and not gap:
                    out.append(f"{a[0]} {b[0]}")  # a compound Kiwi split: 택배 박스
                elif (
                    a[1] == "noun"
                    and b[1] == "pred"
                    and len(gap) <= 3
                    and sum(g.tag in _ARGUMENT_PARTICLES for g in gap) <= 1
                    and all(g.tag in _ARGUMENT_PARTICLES or g.tag == "MAG" for g in gap)
                ):
                    out.append(f"{a[0]} {b[0]}")  # subject/object (+ adverbs) + predicate: 배송 (너무) 빠르다
        return out

    def prime(self, docs: Iterable[str]) -> None:
        """Analyse many documents in one Kiwi batch, so later calls are cache hits."""
        segments = {s for d in docs if isinstance(d, str) for s in self._segments(d)}
        with self._lock:
            todo = [s for s in segments if s not in self._cache]
        if not todo:
            return
        analyses = self.tokenizer.analyse(todo)
        with self._lock:
            for s, a in zip(todo, analyses):
                self._cache[s] = self._features(a.morphemes)
        self._check_known({m.form for a in analyses for m in a.morphemes if m.tag in _NOUN_TAGS})

    def _check_known(self, forms: set[str]) -> None:
        """Remember which nouns Kiwi does not know (slang, typos, laughter written as syllables: 퍄퍄, 곤잔)."""
        with self._lock:
            todo = sorted(f for f in forms if f not in self._checked)
        if not todo:
            return
        readings = list(self.tokenizer.kiwi.tokenize(todo))
        with self._lock:
            for form, tokens in zip(todo, readings):
                nouns = [t for t in tokens if str(t.tag) in _NOUN_TAGS]
                self._checked.add(form)
                if nouns and all(t.id in _UNKNOWN_WORD_IDS for t in nouns):
                    self._unknown.add(form)

    @property
    def unknown_words(self) -> frozenset[str]:
        """Nouns of the analysed documents that are not in Kiwi's dictionary (nor in the user dictionaries)."""
        with self._lock:
            return frozenset(self._unknown)

    def unigrams(self, doc: str) -> list[str]:
        """The document's single-word keywords (its bigrams left out), stopwords already dropped."""
        return [f for f in self(doc) if " " not in f]

    @staticmethod
    def _segments(doc: str) -> list[str]:
        return [s.strip() for s in doc.split(DOC_SEPARATOR) if s.strip()]

    def __call__(self, doc: str) -> list[str]:
        segments = self._segments(doc if isinstance(doc, str) else "")
        missing = [s for s in segments if s not in self._cache]
        if missing:
            self.prime(missing)
        out: list[str] = []
        for s in segments:
            out.extend(self._cache[s])
        return out

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()
            self._checked.clear()
            self._unknown.clear()


def kiwi_vectorizer(
    ngram_range: tuple[int, int] = (1, 2),
    stopwords: Iterable[str] | None = None,
    noise_domains: Sequence[NoiseDomain] = (),
    min_df: int | float = 1,
    max_df: int | float = 1.0,
    predicates: bool = True,
    user_dict: str | Path | None = None,
):
    """A scikit-learn ``CountVectorizer`` over :class:`KiwiAnalyzer` units, for BERTopic.

    Args:
        ngram_range: see :class:`KiwiAnalyzer`.
        stopwords: extra words to drop.
        noise_domains: corpora whose boilerplate to drop (``shopping``, ``hotel``, ``film``).
        min_df: passed to ``CountVectorizer`` (BERTopic counts per topic, so keep it low).
        max_df: passed to ``CountVectorizer``.
        predicates: keep verb/adjective lemmas.
        user_dict: extra Kiwi user dictionary.

    Returns:
        A ``CountVectorizer`` whose ``analyzer`` is a :class:`KiwiAnalyzer`.

    Example:
        >>> cv = kiwi_vectorizer()
        >>> cv.fit(["배송이 빨라요", "배송 빠르고 좋아요"]).get_feature_names_out().tolist()  # doctest: +SKIP
        ['배송', '배송 빠르다', '빠르다']
    """
    from sklearn.feature_extraction.text import CountVectorizer

    analyzer = KiwiAnalyzer(
        ngram_range=ngram_range, stopwords=stopwords, noise_domains=noise_domains, predicates=predicates, user_dict=user_dict
    )
    return CountVectorizer(analyzer=analyzer, min_df=min_df, max_df=max_df, lowercase=False)
