"""Reviews read by Kiwi into lemmas and split into clauses, the unit an opinion is scored on.

A review is cut at Kiwi's sentence boundaries, then inside a sentence after a contrastive or
conjunctive ending (``-지만``, ``-는데``/``-은데``, ``-으나``, ``-어도``, ``-고``, ``-며``), before a
contrastive adverb (``근데``, ``하지만``, ``다만``, ``그래도`` ...) and at commas. ``-고`` before an
auxiliary verb (``먹고 싶다``, ``쓰고 있다``) does not cut, and neither do causal or
simultaneous endings (``-어서``, ``-면서``, ``-니까``): "기어가 헛돌면서 소리가 나서 경악" stays one
opinion. A piece without a predicate or an opinion word ("가성비, 맛," before "모두 만족") joins
the clause after it, so a list of aspects shares the opinion that follows it.

Example:
    >>> doc = analyse("위치는 좋은데 방음이 전혀 안돼요")
    >>> [doc.clause_text(c) for c in range(len(doc.clauses))]
    ['위치는 좋은데', '방음이 전혀 안돼요']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["Doc", "Token", "analyse", "analyse_many", "lemma_of", "is_content"]

# Endings after which a new clause starts (Kiwi writes the ㄴ of -ㄴ데 as a conjoining jamo).
_SPLIT_EC = frozenset(
    {"지만", "는데", "은데", "ᆫ데", "던데", "으나", "나", "어도", "아도", "여도", "더라도", "는데도", "은데도", "ᆫ데도", "고", "며", "으며", "지마는", "건만", "다만"}
)
# Endings that oppose the next clause to this one (-고 and -며 only join).
_CONTRAST_EC = frozenset({"지만", "는데", "은데", "ᆫ데", "던데", "으나", "나", "어도", "아도", "여도", "더라도", "는데도", "은데도", "ᆫ데도", "지마는", "건만"})
# Auxiliaries that continue a -고 (먹고 싶다, 쓰고 있다, 하고 나다): no new clause.
_AUX_AFTER_GO = frozenset({"싶", "있", "계시", "보", "나", "말", "버리", "주", "놓"})
# Sentence-initial contrast: a new clause starts at the adverb.
_CONTRAST_ADVERBS = frozenset(
    {"근데", "그런데", "하지만", "그러나", "다만", "그래도", "그치만", "그렇지만", "허나", "반면", "대신", "단", "그러면서도", "근대", "글고", "그리고"}
)
_PREDICATE_TAGS = ("VV", "VA", "VX", "VCN", "XR", "XSA", "XSV")
_FUNCTION_PREFIXES = ("J", "E", "S")  # particles, endings, punctuation and symbols
_DROP_TAGS = frozenset({"XSN", "XSA", "XSV", "XSM", "VCP", "W_EMOJI", "W_URL", "W_EMAIL", "W_MENTION", "UN", "Z_CODA", "Z_SIOT"})


def lemma_of(form: str, tag: str) -> str:
    """The dictionary form matching works on: predicates as ``stem + 다`` (빨라요 → 빠르다), Latin lower-cased.

    A ``-하다`` adjective or verb is reduced to its root (예민하다 → 예민), because Kiwi reads the
    same word now as one predicate (예민하/VA), now as root + suffix (예민/XR + 하/XSA), and the
    suffix is not part of the lemma sequence.
    """
    if tag[0] == "V" and tag != "VCP":
        if len(form) > 2 and form.endswith("하"):  # one-syllable roots keep 하 (편하다 is not the noun 편)
            return form[:-1]
        return form + "다"
    if tag == "SL":
        return form.lower()
    return form


def is_content(tag: str) -> bool:
    """Whether a morpheme enters the lemma sequence (particles, endings, symbols and suffixes do not)."""
    if tag in ("SL", "SH", "SN"):  # Latin, Hanja and numbers carry meaning (AS, 2시간)
        return True
    return not tag.startswith(_FUNCTION_PREFIXES) and tag.split("-")[0] not in _DROP_TAGS


@dataclass
class Token:
    """A content morpheme: its lemma, Kiwi tag, character span and clause."""

    lemma: str
    tag: str
    start: int
    end: int
    clause: int
    index: int  # position among all morphemes of the review (for looking at endings)


@dataclass
class Doc:
    """One review as read for aspects: its text, morphemes (form, tag), content tokens and clauses."""

    text: str
    forms: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)
    clauses: list[tuple[int, int]] = field(default_factory=list)  # character spans
    morph_clause: list[int] = field(default_factory=list)  # clause of every morpheme

    def contrast_after(self, c: int) -> bool:
        """Whether clause ``c + 1`` turns against clause ``c`` (-지만, -는데, -으나, -어도; 근데, 하지만, 다만 ...)."""
        if c + 1 >= len(self.clauses):
            return False
        mine = [i for i, k in enumerate(self.morph_clause) if k == c]
        nxt = [i for i, k in enumerate(self.morph_clause) if k == c + 1]
        if not mine or not nxt:
            return False
        last = mine[-1]
        while last > mine[0] and self.tags[last].startswith(("SF", "SP", "SE", "SS", "SW", "JX")):
            last -= 1
        if self.forms[last] == "요" and self.tags[last] == "EC" and last - 1 > mine[0] and self.tags[last - 1] == "VCP":
            last -= 2  # 맛있는데요 = … 데/NNB 이/VCP 요/EC
        f, t = self.forms[last], self.tags[last]
        if t == "EC" and f in _CONTRAST_EC:
            return True
        if t == "NNB" and f == "데" and last > 0 and self.tags[last - 1] == "ETM":
            return True
        return self.forms[nxt[0]] in _CONTRAST_ADVERBS and self.tags[nxt[0]] in ("MAJ", "MAG")

    def clause_text(self, c: int) -> str:
        a, b = self.clauses[c]
        return self.text[a:b]


def _split(forms: Sequence[str], tags: Sequence[str], starts: Sequence[int], ends: Sequence[int], sents: Sequence[int], opinion: frozenset[str]) -> list[int]:
    """Clause number of every morpheme."""
    n = len(forms)

    def symbol(j: int) -> bool:  # punctuation, emoticons, emoji (not Latin, Hanja or numbers)
        return tags[j].startswith(("S", "W_EMOJI")) and tags[j] not in ("SL", "SH", "SN")

    def polite_yo(j: int) -> bool:  # the 요 of 추웠어요 or 좋은데요, which Kiwi sometimes reads as a word of its own
        return forms[j] == "요" and tags[j - 1].startswith("E")

    sents = list(sents)
    for i in range(1, n):
        # Kiwi sometimes starts a sentence with what closes the one before, written onto it (먹었습니다😀,
        # 추웠어|요): it stays with that sentence, so the next clause does not start with it
        if sents[i] != sents[i - 1] and starts[i] == ends[i - 1] and (symbol(i) or polite_yo(i)):
            sents[i] = sents[i - 1]
    cut_before = [False] * n
    for i in range(1, n):
        tag = tags[i]
        if sents[i] != sents[i - 1]:
            cut_before[i] = True
            continue
        prev_tag, prev = tags[i - 1], forms[i - 1]
        if prev_tag == "EC" and prev in _SPLIT_EC:
            if not (prev == "고" and tag.startswith("VX") and forms[i] in _AUX_AFTER_GO):
                cut_before[i] = True
        elif prev_tag == "NNB" and prev == "데" and i >= 2 and tags[i - 2] == "ETM":  # 맛있는데 = 맛있/VA 는/ETM 데/NNB
            if tag == "VCP" and starts[i] == ends[i - 1]:
                # 맛있는데요 = … 데/NNB 이/VCP 요/EC: the cut comes after the ending
                j = i + 1
                while j < n and sents[j] == sents[i] and tags[j].startswith("E") and starts[j] <= ends[j - 1]:
                    j += 1
                if j < n and sents[j] == sents[i] and j > i + 1:
                    cut_before[j] = True
            else:
                cut_before[i] = not tag.startswith("J")
        elif prev_tag == "JX" and i >= 3 and forms[i - 2] == "데" and tags[i - 2] == "NNB" and tags[i - 3] == "ETM":  # 있는데도
            cut_before[i] = True
        elif prev_tag == "SP" and prev == ",":
            cut_before[i] = True
        if tag in ("MAJ", "MAG") and forms[i] in _CONTRAST_ADVERBS:
            cut_before[i] = True
    # symbols and emoticons right after a cut (빨랐는데ㅋㅋ, 좋은데!!), and particles written onto the
    # ending (오고도, 좋은데요, also when Kiwi reads that 요 as a word: 좋은데|요), stay with the clause they close
    def closes(j: int) -> bool:
        return symbol(j) or (starts[j] == ends[j - 1] and (tags[j].startswith("J") or polite_yo(j)))

    for i in range(1, n):
        if cut_before[i] and sents[i] == sents[i - 1] and closes(i):
            j = i
            while j < n and sents[j] == sents[i] and closes(j):
                j += 1
            cut_before[i] = False
            if j < n and sents[j] == sents[i]:
                cut_before[j] = True
    # pieces with neither a predicate nor an opinion word join the next piece
    pieces: list[list[int]] = []
    for i in range(n):
        if i == 0 or cut_before[i]:
            pieces.append([])
        pieces[-1].append(i)

    def stands_alone(piece: list[int]) -> bool:
        for i in piece:
            t = tags[i]
            if t.startswith(_PREDICATE_TAGS) or lemma_of(forms[i], t) in opinion:  # XSA-I too
                return True
        return False

    merged: list[list[int]] = []
    carry: list[int] = []
    for k, piece in enumerate(pieces):
        same_sentence_next = k + 1 < len(pieces) and sents[pieces[k + 1][0]] == sents[piece[0]]
        if not stands_alone(piece) and same_sentence_next:
            carry += piece
            continue
        merged.append(carry + piece)
        carry = []
    if carry:
        merged.append(carry)
    clause_of = [0] * n
    for c, piece in enumerate(merged):
        for i in piece:
            clause_of[i] = c
    return clause_of


def _doc_from_tokens(text: str, toks, opinion: frozenset[str]) -> Doc:
    forms = [t.form for t in toks]
    tags = [t.tag for t in toks]
    starts = [t.start for t in toks]
    ends = [t.start + t.len for t in toks]
    sents = [t.sent_position for t in toks]
    doc = Doc(text, forms, tags)
    if not toks:
        return doc
    clause_of = _split(forms, tags, starts, ends, sents, opinion)
    spans: dict[int, list[int]] = {}
    for i, c in enumerate(clause_of):
        s = spans.setdefault(c, [starts[i], ends[i]])
        s[0] = min(s[0], starts[i])
        s[1] = max(s[1], ends[i])
    doc.clauses = [(a, b) for a, b in (spans[c] for c in sorted(spans))]
    doc.morph_clause = clause_of
    doc.tokens = [
        Token(lemma_of(forms[i], tags[i]), tags[i], starts[i], ends[i], clause_of[i], i) for i in range(len(toks)) if is_content(tags[i])
    ]
    return doc


def analyse_many(texts: Sequence[str], opinion: frozenset[str] = frozenset()) -> list[Doc]:
    """Kiwi analysis and clause split of many texts in one batched call (the shared Kiwi of ``nlp.text.kiwi``).

    Args:
        texts: normalised review texts.
        opinion: lemmas that count as an opinion word when deciding whether a piece stands alone.
    """
    from kiwipiepy import Match

    from nlp.text.kiwi import get_kiwi

    texts = list(texts)
    docs = [Doc(t) for t in texts]
    idx = [i for i, t in enumerate(texts) if t and t.strip()]
    if not idx:
        return docs
    kiwi = get_kiwi()
    analysed = kiwi.tokenize([texts[i] for i in idx], match_options=Match.ALL | Match.JOIN_NOUN_PREFIX)
    for i, toks in zip(idx, analysed):
        docs[i] = _doc_from_tokens(texts[i], toks, opinion)
    return docs


def analyse(text: str, opinion: frozenset[str] = frozenset()) -> Doc:
    """:func:`analyse_many` for one text."""
    return analyse_many([text], opinion)[0]
