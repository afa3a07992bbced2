"""Seed terms compiled into lemma patterns, and aspect mentions found in analysed reviews.

Each seed term is read by Kiwi exactly as the reviews are, so a pattern is a sequence of
lemmas (``방음 안 되다`` → 방음, 안, 되다) and matching is insensitive to inflection, spacing
and particles. Between two lemmas of a pattern at most :data:`MAX_GAP` other content words may
stand (방음이 **전혀** 안돼요), always inside one clause. When two matches of one aspect overlap,
the longer one wins, so ``방음 안 되다`` (a complaint) takes precedence over ``방음`` (a mention).

A cheap character test (:meth:`SeedIndex.may_match`) skips Kiwi for reviews that cannot hold
any pattern: for each pattern, its most telling word must appear in the text: a noun as written
(or with a contracted particle's ㄴ/ㄹ: 연긴), a predicate's stem with its last syllable in any
form inflection gives it (시끄럽다 → 시끄럽, 시끄러 …), a one-syllable stem in any of its written
forms (되다 → 돼, 됐). A number is the telling word only where nothing else is (3D, 1박).

Example:
    >>> from nlp.aspects.clauses import analyse
    >>> from nlp.aspects.taxonomy import Taxonomy
    >>> index = SeedIndex(Taxonomy.builtin(), ["lodging"])
    >>> sorted({m.aspect for m in index.find(analyse("위치는 좋은데 방음이 전혀 안돼요"))})
    ['location', 'noise']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from nlp.aspects.clauses import Doc, analyse_many
from nlp.aspects.taxonomy import Taxonomy

__all__ = ["Seed", "Mention", "SeedIndex", "MAX_GAP", "CUE"]

CUE = "_cue"
"""Aspect key of a domain's cue words: :meth:`SeedIndex.find` returns them for choosing the domain; they are no aspect."""

MAX_GAP = 2
"""Content words allowed between two lemmas of a multi-word seed term."""

# Hangul syllable arithmetic, for the first-syllable test of predicates
_H0, _NV, _NF = 0xAC00, 21, 28
# vowels a one-syllable stem can contract into before -어/-아 (되어 → 돼, 보아 → 봐, 주어 → 줘, 쓰어 → 써, 하여 → 해, 지어 → 져)
_CONTRACT = {8: (9,), 11: (10,), 13: (14,), 18: (4, 0), 20: (6,), 0: (1,)}
_PRED_PREFIX = "V"
_TOO_COMMON = {(w,) for w in ("하다", "되다", "있다", "없다", "이다", "같다", "보다", "않다", "가다", "오다", "나다", "주다", "것", "수", "거")}
# 소리 after a quoting ending is what people say (부드럽다는 소리를 듣다, 좋단 소리), not a sound
_QUOTED_NOUNS = frozenset({"소리"})
_EXISTENCE = frozenset({"있다", "없다"})
_QUOTING_ENDINGS = ("다는", "라는", "냐는", "자는", "단", "란")
_TAG = re.compile(r"/([A-Z]{2,3})(?=\*?$)")


@dataclass(frozen=True)
class Seed:
    """A compiled seed term."""

    domain: str
    aspect: str
    term: str
    lemmas: tuple[str, ...]
    prefix: bool  # the last lemma also matches longer nouns starting with it
    polarity: int  # prior: 0 names the aspect, +1 praises it, -1 complains
    literal: str = ""  # a one-word noun Kiwi splits, matched as written (lower-cased)
    tag: str = ""  # the first word must carry this Kiwi tag (싸다/VA: cheap, not 싸다/VV: to wrap)
    exclude: bool = False  # an ``exclude`` term: its words stand together and cancel the aspect's mentions on them
    adverbs: frozenset[int] = frozenset()  # positions of 안 read as the negating adverb: 안 in 10분 안에 (within) is not it


@dataclass(frozen=True)
class Mention:
    """A seed found in a review: which tokens (positions in ``Doc.tokens``) and clause."""

    seed: Seed
    positions: tuple[int, ...]
    clause: int

    @property
    def domain(self) -> str:
        return self.seed.domain

    @property
    def aspect(self) -> str:
        return self.seed.aspect


def _with_final(syl: str, final: int) -> str:
    code = ord(syl) - _H0
    return chr(_H0 + code - code % _NF + final) if 0 <= code < 11172 else syl


def _one_syllable_forms(ch: str, irregular: bool) -> set[str]:
    """How a one-syllable stem may be written in a review.

    A closed syllable stays as it is (식다 → 식어, 작다 → 작은), unless the stem is irregular or ends
    in ㄹ (맵다 → 매워, 듣다 → 들어, 달다 → 단): then also the open syllable with any final. An open
    syllable takes any final (짜다 → 짠, 짰, 짭니다) and its contracted vowel (되어 → 돼, 보아 → 봐).
    """
    code = ord(ch) - _H0
    if not 0 <= code < 11172:
        return {ch}
    initial, vowel = divmod(code // _NF, _NV)
    final = code % _NF
    if final and not (irregular or final == 8):
        return {ch}
    vowels = {vowel} | (set(_CONTRACT.get(vowel, ())) if not final else set())
    if final == 27 and irregular:  # ㅎ: 하얗다 → 하얘, 그렇다 → 그래, 누렇다 → 누레
        vowels |= {v + 1 for v in (0, 2, 4, 6) if v == vowel}
    return {ch} | {chr(_H0 + (initial * _NV + v) * _NF + f) for v in vowels for f in range(_NF)}


def _anchor(tok) -> tuple[str, set[str]]:
    """What must appear in a review's text for this word of a pattern to be found there.

    ``("text", {...})``: one of these strings: a noun or root as written, or with the ㄴ/ㄹ of a
    contracted particle or the ㅂ of a contracted 입니다 on its open last syllable (연긴, 이야길, 영홥니까);
    a predicate's stem with its last
    syllable written as inflection may change it (시끄럽다 → 시끄럽, 시끄러 …; 이쁘다 → 이쁘, 이뻐 …;
    빠르다 → 빠 or 빨).
    ``("chars", {...})``: one of these syllables (a one-syllable stem: 식다 → 식, 싞 ...; 되다 → 돼 ...).
    """
    lemma = tok.lemma
    # a seed read alone is sometimes tagged a noun (사라지다/NNG) and matches a review's verb all the same:
    # any -다 word is anchored as a predicate, irregular unless Kiwi says otherwise (the looser choice)
    pred = tok.tag.startswith(_PRED_PREFIX) or (tok.tag.startswith("N") and len(lemma) > 1)
    irregular = tok.tag.endswith("-I") or not tok.tag.startswith(_PRED_PREFIX)
    if not (pred and lemma.endswith("다")):
        last = ord(lemma[-1]) - _H0
        if 0 <= last < 11172 and last % _NF == 0:
            return "text", {lemma} | {lemma[:-1] + _with_final(lemma[-1], f) for f in (4, 8, 17)}
        return "text", {lemma}
    stem = lemma[:-1]
    if len(stem) == 1:
        return "chars", _one_syllable_forms(stem, irregular)
    if stem.endswith("르"):  # 빠르다 → 빨라: the syllable before 르 takes its ㄹ
        return "text", {stem[:-1], stem[:-2] + _with_final(stem[-2], 8)}
    # the last syllable is written as a one-syllable stem would be (이쁘다 → 이뻐, 가볍다 → 가벼워, 들리다 → 들려)
    return "text", {stem[:-1] + f for f in _one_syllable_forms(stem[-1], irregular)}


def _check(anchor: tuple[str, set[str]]) -> tuple[bool, tuple[str, ...] | frozenset[str]]:
    """One word's test in :meth:`SeedIndex.may_match`: ``(True, texts)`` (one must occur) or ``(False, syllables)`` (one must)."""
    kind, forms = anchor
    return (True, tuple(sorted(forms, key=len))) if kind == "text" else (False, frozenset(forms))


def _adverbial(doc: Doc, tok) -> bool:
    """An adverb, or a predicate made one by -게 (더럽게, 진짜 맛있게)."""
    if tok.tag == "MAG":
        return True
    nxt = tok.index + 1
    return tok.tag.startswith(("VA", "XR")) and nxt < len(doc.forms) and doc.forms[nxt] == "게" and doc.tags[nxt] == "EC"


_SIZE_WORDS = frozenset({"넓다", "좁다", "넓직하다", "협소하다", "작다", "크다"})  # describe whatever noun they follow


class SeedIndex:
    """The seed terms of some domains of a taxonomy, ready for matching.

    Args:
        taxonomy: the domains and their aspects.
        domains: which domains to compile (default: all).
    """

    def __init__(self, taxonomy: Taxonomy, domains: Iterable[str] | None = None) -> None:
        self.taxonomy = taxonomy
        self.domains = list(domains) if domains is not None else taxonomy.names
        raw: list[tuple[str, str, str, int]] = []
        excluding: set[tuple[str, str, str]] = set()
        for d in self.domains:
            for a in taxonomy[d].aspects:
                for term, pol in a.seeds():
                    raw.append((d, a.key, term, pol))
                for term in a.exclude:
                    raw.append((d, a.key, term, 0))
                    excluding.add((d, a.key, term))
            raw += [(d, CUE, term, 0) for term in taxonomy[d].cues]
        read = dict(zip((t for _, _, t, _ in raw), analyse_many([_TAG.sub("", t).rstrip("*").strip() for _, _, t, _ in raw])))
        self.seeds: list[Seed] = []
        self._first: dict[str, list[Seed]] = {}
        self._prefix: dict[str, list[Seed]] = {}  # single-lemma prefix seeds, by their lemma
        self._literal: list[Seed] = []
        # per domain, per first character of a pattern's most telling word: (that word's text or None, the other words' checks)
        self._anchors: dict[str, dict[str, list[tuple]]] = {d: {} for d in self.domains}
        self._cue_anchors: dict[str, dict[str, list[tuple]]] = {d: {} for d in self.domains}
        for d, key, term, pol in raw:
            tagm = _TAG.search(term)
            parts = _TAG.sub("", term).rstrip("*").split()
            toks = read[term].tokens
            lemmas = tuple(t.lemma for t in toks)
            # 안 before a verb in a seed is the adverb (안 오다); in a review, 안 (inside) in 40분 안에 오다 is a noun
            adverbs = frozenset(k for k, t in enumerate(toks) if t.lemma == "안" and t.tag == "MAG" and k + 1 < len(toks))
            if not lemmas:
                raise ValueError(f"seed term {term!r} of {d}.{key} has no content word Kiwi can match (only particles or symbols?)")
            anchors = self._anchors[d] if key != CUE else self._cue_anchors[d]
            if lemmas in _TOO_COMMON:
                raise ValueError(
                    f"seed term {term!r} of {d}.{key} reads as {'+'.join(lemmas)!r} for Kiwi and would match almost every review; "
                    "write it with more context (e.g. a noun before it) or leave it out"
                )
            last = parts[-1]
            if len(last) >= 2 and last.endswith("다") and toks[-1].tag.startswith("N") and toks[-1].lemma == last[:-1]:
                raise ValueError(
                    f"seed term {term!r} of {d}.{key}: Kiwi reads {last!r} alone as the noun {toks[-1].lemma!r}, so it would match that noun "
                    "and never the verb; write the verb inflected as in a sentence (새다 → 샌다, 번지다 → 번진다), which Kiwi reads as a verb"
                )
            if (d, key, term) in excluding:
                # only cancels: no anchor (it never makes Kiwi run), no vote in --domain auto
                self._first.setdefault(lemmas[0], []).append(Seed(d, key, term, lemmas, False, 0, tag=tagm.group(1) if tagm else "", exclude=True, adverbs=adverbs))
                continue
            word = parts[0].lower()
            spelled = "".join(lemmas) == word
            if len(parts) == 1 and not word.endswith("다") and not term.endswith("*") and not (spelled and len(lemmas) == 1):
                # a one-word noun Kiwi splits or shortens: matched as written (nouns do not inflect, so this is
                # safe). Pieces that are other words (제형 → 저 + 형, 사용감 → 사용 + suffix) would match unrelated
                # words, so only as written; pieces that spell it (비밀번호 → 비밀 + 번호, 이물질 → 이 + 물질) are
                # how Kiwi reads it in some sentences, while most read it whole: both ways
                seed = Seed(d, key, term, lemmas, False, pol, literal=word, tag=tagm.group(1) if tagm else "")
                self._literal.append(seed)
                anchors.setdefault(seed.literal[0], []).append((seed.literal if len(seed.literal) > 1 else None, ()))
                self.seeds.append(seed)
                if not spelled:
                    continue
            seed = Seed(d, key, term, lemmas, term.endswith("*"), pol, tag=tagm.group(1) if tagm else "", adverbs=adverbs)
            self.seeds.append(seed)
            if seed.prefix and len(lemmas) == 1:
                self._prefix.setdefault(lemmas[0], []).append(seed)
            else:
                self._first.setdefault(lemmas[0], []).append(seed)
            # the most telling word of the pattern (the longest text) is looked up first; a number tells least (3D,
            # 1박: any review with a digit would otherwise be read). Every word of the pattern must be found for the
            # pattern to match, so the other words are checked too (다 있다 needs 있 as well as 다)
            read_as = [_anchor(t) for t in toks]
            best = max(
                range(len(read_as)),
                key=lambda k: (not all(f.isdigit() for f in read_as[k][1]), read_as[k][0] == "text", min(map(len, read_as[k][1])) if read_as[k][0] == "text" else 0),
            )
            kind, forms = read_as[best]
            rest = tuple(dict.fromkeys(_check(a) for k, a in enumerate(read_as) if k != best))
            for f in forms:
                anchors.setdefault(f[0], []).append((f if kind == "text" and len(f) > 1 else None, rest))
        self._term_words = frozenset((s.domain, s.aspect, s.lemmas[0]) for s in self.seeds if s.polarity == 0 and len(s.lemmas) == 1)
        """(domain, aspect, lemma) of each one-word neutral term: the words that name an aspect."""
        self._prefix_lengths = sorted({len(k) for k in self._prefix})
        # the literal seeds by their first character, in their order: a review looks only at those it can hold
        self._literal_at: dict[str, list[int]] = {}
        for k, seed in enumerate(self._literal):
            self._literal_at.setdefault(seed.literal[0], []).append(k)
        self._merged: dict[tuple, dict[str, tuple | None]] = {}
        by_lemmas: dict[tuple[str, ...], set[str]] = {}
        for seed in self.seeds:
            by_lemmas.setdefault(seed.lemmas, set()).add(seed.domain)
        self.shared = frozenset(k for k, ds in by_lemmas.items() if len(ds) > 1)
        """Lemma patterns that are seeds of several domains (they do not tell the domains apart)."""
        self.lemma_domains = {k: frozenset(ds) for k, ds in by_lemmas.items()}
        """Each lemma pattern's domains."""
        self.needs_cue = frozenset(d for d in self.domains if taxonomy[d].needs_cue)
        """Domains that ``--domain auto`` counts only in reviews holding their cue words (``needs_cue = true``)."""

    # -- prefilter -------------------------------------------------------------------------
    def may_match(self, text: str, domains: Sequence[str] | None = None, cues: bool = False) -> bool:
        """False only when no seed of ``domains`` (and, with ``cues``, no cue word) can occur in ``text``, so Kiwi can be skipped.

        A seed can occur only where each of its words can: its most telling word is looked up by its
        first character, then the others are checked (:func:`_anchor` says what each must look like).
        """
        if not text:
            return False
        key = (tuple(domains) if domains is not None else None, cues)
        anchors = self._merged.get(key)
        if anchors is None:
            anchors = self._merged[key] = self._merge_anchors(domains, cues)
        low = text.lower()
        chars = set(low)
        for ch in anchors.keys() & chars:
            entries = anchors[ch]
            if entries is None:
                return True
            for s, rests in entries:
                if s is not None and s not in low:
                    continue
                if rests is None:
                    return True
                for rest in rests:
                    if all((any(f in low for f in forms) if is_text else not forms.isdisjoint(chars)) for is_text, forms in rest):
                        return True
        return False

    def _merge_anchors(self, domains: Sequence[str] | None, cues: bool) -> dict[str, tuple | None]:
        """The anchors of ``domains`` in one table: per first character, ``(text or None, rests)`` entries.

        ``text`` must occur (None: the character is enough); ``rests`` lists the other words' checks of the
        patterns anchored there, any of which must hold (None: nothing else is needed). A character whose
        entry needs nothing more maps to None.
        """
        merged: dict[str, dict[str | None, set | None] | None] = {}
        for d in domains if domains is not None else self.domains:
            for anchors in (self._anchors[d], self._cue_anchors[d]) if cues else (self._anchors[d],):
                for ch, entries in anchors.items():
                    if ch in merged and merged[ch] is None:
                        continue
                    table = merged.setdefault(ch, {})
                    for text, rest in entries:
                        if text is None and not rest:
                            merged[ch] = None
                            break
                        if text in table and table[text] is None:
                            continue
                        if not rest:
                            table[text] = None
                        else:
                            table.setdefault(text, set()).add(rest)
        out: dict[str, tuple | None] = {}
        for ch, table in merged.items():
            if table is None:
                out[ch] = None
            else:
                # shorter texts first; patterns with fewer other words first
                out[ch] = tuple(
                    (t, None if r is None else tuple(sorted(r, key=len)))
                    for t, r in sorted(table.items(), key=lambda kv: (len(kv[0] or ""), kv[0] or ""))
                )
        return out

    # -- matching --------------------------------------------------------------------------
    def _candidates(self, lemma: str) -> list[Seed]:
        out = self._first.get(lemma, [])
        if self._prefix:
            extra = [s for n in self._prefix_lengths if n <= len(lemma) for s in self._prefix.get(lemma[:n], ())]
            if extra:
                out = out + extra
        return out

    def find(self, doc: Doc, domains: Sequence[str] | None = None) -> list[Mention]:
        """Mentions in one analysed review (for ``domains``, default all compiled), longest match first among overlaps."""
        wanted = set(domains) if domains is not None else None
        toks = doc.tokens
        n = len(toks)
        found: list[Mention] = []
        if self._literal:
            low = doc.text.lower()
            at_char = self._literal_at
            held = sorted(k for ch in at_char.keys() & set(low) for k in at_char[ch])
            for k in held:
                seed = self._literal[k]
                if wanted is not None and seed.domain not in wanted:
                    continue
                at = low.find(seed.literal)
                while at >= 0:
                    end = at + len(seed.literal)
                    pos = tuple(j for j, t in enumerate(toks) if t.start < end and t.end > at)
                    # a tag holds for a literal too: 위로/NNG (comfort) is not the 위로 inside 이따위로; and a literal
                    # inside a predicate starts where it starts: 싸게 (cheap) is not the tail of 비싸게 (nouns compound:
                    # 세럼 in 선세럼)
                    inside = toks[pos[0]].start < at and not toks[pos[0]].tag.startswith("N") if pos else False
                    if pos and not inside and not (seed.tag and not toks[pos[0]].tag.startswith(seed.tag)):
                        found.append(Mention(seed, pos, toks[pos[0]].clause))
                    at = low.find(seed.literal, end)
        for i, tok in enumerate(toks):
            cands = self._candidates(tok.lemma)
            if cands and tok.lemma in _QUOTED_NOUNS and tok.index > 0 and doc.tags[tok.index - 1] == "ETM" and doc.forms[tok.index - 1].endswith(_QUOTING_ENDINGS):
                continue
            if cands and tok.tag == "XR" and i + 1 < n and toks[i + 1].index == tok.index + 1 and toks[i + 1].start == tok.end and toks[i + 1].tag.startswith("NN"):
                # a root written onto a noun names a feature (간편인증, 간편이체), it does not say the thing is easy
                continue
            for seed in cands:
                if (wanted is not None and seed.domain not in wanted) or (seed.tag and not tok.tag.startswith(seed.tag)) or (0 in seed.adverbs and tok.tag != "MAG"):
                    continue
                pos = [i]
                ok = True
                for k, lem in enumerate(seed.lemmas[1:], start=1):
                    last = k == len(seed.lemmas) - 1
                    j0 = pos[-1] + 1
                    hit = -1
                    for j in range(j0, n if seed.exclude else min(n, j0 + MAX_GAP + 1)):
                        if toks[j].clause != tok.clause:
                            break
                        lj = toks[j].lemma
                        if (lj == lem and (k not in seed.adverbs or toks[j].tag == "MAG")) or (last and seed.prefix and lj.startswith(lem)):
                            hit = j
                            break
                        if seed.exclude and toks[j].tag != "MAG":
                            break  # an exclude term's words stand together, adverbs aside (배달하시는 분도 넘 친절하셨구)
                        if lem in _EXISTENCE and not _adverbial(doc, toks[j]):
                            break  # 맛(이) 있다 may hold an adverb (맛이 정말 있어요, 더럽게 없다), not a noun (맛은 동네에 있는 집보다)
                    if hit < 0:
                        ok = False
                        break
                    pos.append(hit)
                if ok:
                    found.append(Mention(seed, tuple(pos), tok.clause))
        cancel = [m for m in found if m.seed.exclude]
        if cancel:
            # an exclude term cancels its aspect's mentions on any of its words (포장 in 포장해가세요)
            found = [
                m
                for m in found
                if not m.seed.exclude
                and not any(c.seed.domain == m.seed.domain and c.aspect == m.aspect and set(c.positions) & set(m.positions) for c in cancel)
            ]
        if len(found) < 2:
            return found
        # the longer of two overlapping matches of one aspect wins (방음 안 되다 over 방음)
        found.sort(key=lambda m: (-len(m.positions), m.positions[0]))
        kept: list[Mention] = []
        for m in found:
            ps = set(m.positions)
            # (and a word found both as written and by its pieces is one match)
            if any(k.seed.domain == m.seed.domain and k.aspect == m.aspect and (len(k.positions) > len(m.positions) or (k.positions == m.positions and k.seed.term == m.seed.term and k.seed.polarity == m.seed.polarity)) and ps <= set(k.positions) for k in kept):
                continue
            kept.append(m)
        # a polar match inside a longer match of another aspect gives way to it where the longer one adds only
        # context (시간째 안 오다 is a late order, not the missing item that 안 오다 alone is); where it adds a word
        # naming its own aspect, both stand (로그인 안 되다 is about log-in and still a malfunction)
        polar = [k for k in kept if k.seed.polarity and len(k.positions) > 1]
        if polar:

            def claims(k: Mention, m: Mention) -> bool:
                if k.seed.domain != m.seed.domain or k.aspect == m.aspect or not set(m.positions) < set(k.positions):
                    return False
                return not any((k.seed.domain, k.aspect, toks[j].lemma) in self._term_words for j in k.positions if j not in m.positions)

            kept = [m for m in kept if not (m.seed.polarity and any(claims(k, m) for k in polar))]
        # a one-word term inside a compound noun that names another aspect is part of that name (공간 in 주차 공간)
        compounds = [k for k in kept if len(k.positions) > 1 and k.seed.polarity == 0 and all(toks[j].tag.startswith("NN") for j in k.positions)]
        if compounds:
            kept = [
                m
                for m in kept
                if not (len(m.positions) == 1 and m.seed.polarity == 0 and any(k.seed.domain == m.seed.domain and k.aspect != m.aspect and m.positions[0] in k.positions for k in compounds))
            ]
        # a size word judges the noun it follows: 주차장이 넓어요 praises the parking, not the room's size
        sized = [m for m in kept if m.seed.polarity and len(m.positions) == 1 and toks[m.positions[0]].lemma in _SIZE_WORDS]
        if sized:
            moved: dict[int, Mention] = {}
            for m in sized:
                j = m.positions[0] - 1
                while j >= 0 and toks[j].clause == m.clause and toks[j].tag == "MAG":
                    j -= 1
                if j >= 0 and toks[j].clause == m.clause and toks[j].tag.startswith("NN"):
                    subject = next((k for k in kept if k.seed.domain == m.seed.domain and k.aspect != m.aspect and j in k.positions), None)
                    if subject is not None:  # the size word judges the aspect it describes
                        moved[id(m)] = Mention(replace(m.seed, aspect=subject.aspect), m.positions, m.clause)
            kept = [moved.get(id(m), m) for m in kept]
        kept.sort(key=lambda m: m.positions[0])
        return kept
