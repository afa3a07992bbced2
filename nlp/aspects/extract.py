"""Aspect mentions and their polarity for a table of reviews: :class:`AspectExtractor` and :func:`extract`.

The steps, per table:

1. texts are normalised and PII-masked as ``nlp score`` does;
2. a character test skips reviews that cannot hold any seed term (no Kiwi for them);
3. the rest are read by Kiwi in batches, split into clauses and matched against the seed terms
   (:mod:`nlp.aspects.matcher`);
4. with ``domain="auto"`` each product gets the domain whose seed terms occur in most of its
   reviews (:func:`choose_domains`);
5. each mention gets a polarity from rules or, when they are silent, from the scorer reading
   its clause (:mod:`nlp.aspects.polarity`); all clauses of the table go to the scorer in one call;
6. mentions of one aspect in one review are merged into one row.

Example:
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": ["1"], "text": ["위치는 좋은데 방음이 전혀 안돼요"]})
    >>> rows = extract(df, domain="lodging", rules_only=True)
    >>> list(zip(rows["aspect"], rows["polarity"]))
    [('location', 'positive'), ('noise', 'negative')]
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import repeat
from pathlib import Path

import numpy as np
import pandas as pd

from nlp.aspects.clauses import Doc, analyse_many
from nlp.aspects.matcher import CUE, Mention, SeedIndex
from nlp.aspects.polarity import (
    DEFAULT_THRESHOLD,
    LEFT_OUT,
    POLARITY_LABELS,
    RULE_WEIGHT,
    OpinionLexicon,
    clause_probabilities,
    contrast_carry,
    rule_polarity,
)
from nlp.aspects.taxonomy import DOMAIN_ORDER, Taxonomy
from nlp.io.columns import ColumnMap, derive_ids
from nlp.io.tables import ROW_COL
from nlp.text.pii import PII_TAGS

logger = logging.getLogger(__name__)

__all__ = ["AspectExtractor", "extract", "choose_domains", "product_name_votes", "ExtractStats", "ASPECT_COLUMNS", "NotFittedError"]

ASPECT_COLUMNS = ["id", "product_id", "created_at", "aspect", "aspect_label", "polarity", "score", "evidence", "start", "end"]
"""The SPEC's columns (``id``/``product_id``/``created_at`` under the input's own names); ``domain``,
``mentions`` and ``terms`` follow them."""

_SCORE_PROBS = ("sentiment_negative", "sentiment_neutral", "sentiment_positive")
_ANALYSE_BATCH = 2_000
# text that normalisation leaves as it is, apart from spaces and repeats: Hangul, compatibility jamo, printable ASCII
_PII_TAG = re.compile("|".join(re.escape(t) for t in PII_TAGS.values()))
_PLAIN = re.compile(r"[\uac00-\ud7a3\u3131-\u318e\x20-\x7e\s]*\Z")
_SPACE = re.compile(r"\s")
_OWN_OPINION = frozenset({"seed", "opinion", "wish", "contrast", "middling", "reported"})  # verdicts that show the review speaks of the aspect itself


class NotFittedError(RuntimeError):
    """The extractor was used before :meth:`AspectExtractor.fit`."""


@dataclass
class ExtractStats:
    """What one extraction did: reviews in, with and without aspects, rows out, domains chosen."""

    reviews: int = 0
    empty: int = 0
    analysed: int = 0
    with_aspects: int = 0
    rows: int = 0
    domains: dict[str, int] = field(default_factory=dict)  # products (or rows, with a domain column) per domain
    clauses_scored: int = 0

    @property
    def without_aspects(self) -> int:
        return self.reviews - self.with_aspects

    def add(self, other: ExtractStats) -> None:
        for name in ("reviews", "empty", "analysed", "with_aspects", "rows", "clauses_scored"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for k, v in other.domains.items():
            self.domains[k] = self.domains.get(k, 0) + v


def choose_domains(
    mentions_by_review: Sequence[Iterable[Mention]],
    groups: Sequence[object],
    candidates: Sequence[str],
    shared: frozenset | None = None,
    needs_cue: frozenset | None = None,
    lemma_domains: Mapping[tuple, frozenset] | None = None,
    names: Sequence[bool] | None = None,
) -> dict[object, str]:
    """The ``--domain auto`` rule: per group (product), the domain whose own seed terms occur in most of its reviews.

    Each domain's cue words count too (호텔, 어플, 피부: the ``cues`` of a taxonomy domain). A term
    that several domains share (맛있다 is food's taste and lodging's breakfast; 가격 and 배송 are
    everywhere; 음식 is a food cue and a lodging breakfast term) says nothing about the domain, so
    only matches of terms unique to one domain (``shared`` lists the others:
    :attr:`SeedIndex.shared`) are counted; a product with no such match is decided on all matches.
    Ties go to the domain with more reviews holding one of its cue words, then more matches in all,
    then the first in :data:`~nlp.aspects.taxonomy.DOMAIN_ORDER` (specific domains before
    ``shopping``, whose vocabulary is the most generic), then the order of ``candidates``.
    A domain in ``needs_cue`` (``needs_cue = true`` in its taxonomy: ``books``, whose words 도움,
    재밌다, 슬프다 occur in reviews of anything) votes only with reviews that hold one of its cue words
    (책, 소설, 작가), and only there does a seed it shares with another domain (스토리 is also film's)
    count as shared (``lemma_domains``: each seed's domains); a product with no other match gets no
    domain (and no aspect rows). Its cue count breaks no tie. ``names`` marks the entries that are a
    product's name (:func:`product_name_votes`): a cue word there says what the product is, so it
    counts as the domain's own even where another domain has the word as a seed (샴푸 is also a hotel
    amenity).

    Example:
        >>> from nlp.aspects.clauses import analyse
        >>> idx = SeedIndex(Taxonomy.builtin())
        >>> docs = [analyse(t) for t in ["체크인이 오래 걸렸어요", "조식이 맛있어요", "배송 빨라요"]]
        >>> choose_domains([idx.find(d) for d in docs], ["h", "h", "h"], idx.domains, idx.shared)
        {'h': 'lodging'}
    """
    shared = shared or frozenset()
    # per group: reviews with an own match, reviews with an own cue word, own matches; the same over any match
    counts: dict[object, list[Counter]] = {}
    needs_cue = needs_cue or frozenset()
    for ms, g, is_name in zip(mentions_by_review, groups, names if names is not None else repeat(False)):
        ms = list(ms)
        # a needs_cue domain's matches vote only in a review that holds one of its cue words
        absent = needs_cue - {m.domain for m in ms if m.aspect == CUE}
        ms = [m for m in ms if m.domain not in absent]
        if absent and lemma_domains is not None:  # shared among the domains in play in this review
            own = [m for m in ms if len(lemma_domains.get(m.seed.lemmas, frozenset({m.domain})) - absent) <= 1 or (is_name and m.aspect == CUE)]
        else:
            own = [m for m in ms if m.seed.lemmas not in shared or (is_name and m.aspect == CUE)]
        if not ms:
            continue
        c = counts.setdefault(g, [Counter() for _ in range(6)])
        for k, sel in enumerate((own, ms)):
            doms = Counter(m.domain for m in sel)
            c[3 * k].update(doms.keys())
            c[3 * k + 1].update({m.domain for m in sel if m.aspect == CUE})
            c[3 * k + 2].update(doms)
    order = {d: (DOMAIN_ORDER.index(d) if d in DOMAIN_ORDER else len(DOMAIN_ORDER), k) for k, d in enumerate(candidates)}
    out = {}
    for g, c in counts.items():
        if not any(c[3][d] for d in candidates):
            continue
        rev, cue, mat = (c[0], c[1], c[2]) if any(c[0][d] for d in candidates) else (c[3], c[4], c[5])
        # a needs_cue domain votes only where its cue is, so its cue count breaks no tie in its favour
        out[g] = min((d for d in candidates if rev[d]), key=lambda d: (-rev[d], -(0 if d in needs_cue else cue[d]), -mat[d], order[d]))
    return out


_BRANCH = re.compile(r"^(.*\S)\s*-\s*[^-\s][^-]*점$")
"""A store name with its branch after a hyphen: the name is group 1."""


def product_name_votes(names: Sequence[str], index: SeedIndex, domains: Sequence[str], prepare=None) -> list[tuple[list[Mention], str]]:
    """Each product name read like a review (its seed and cue words over ``domains``): more votes of its product.

    A name often says what its product is where one short review does not ("…치킨-영통점", "…클렌징 폼
    150ml"); names with no such word (a film's id, "글래드 마포") give no vote. A name holding a noun cue
    votes with its cues alone and counts as two reviews; any other name with a match, as one.
    ``prepare`` normalises the names as the reviews were.

    Example:
        >>> idx = SeedIndex(Taxonomy.builtin())
        >>> [(g, sorted({m.domain for m in ms})) for ms, g in product_name_votes(["땅땅치킨-영통역점", "수분 토너 500ml", "12345"], idx, idx.domains)]
        [('땅땅치킨-영통역점', ['food']), ('땅땅치킨-영통역점', ['food']), ('수분 토너 500ml', ['cosmetics']), ('수분 토너 500ml', ['cosmetics'])]
    """
    if not names:
        return []
    texts = prepare(list(names)) if prepare is not None else list(names)
    # a store's branch after its name (땅땅치킨-영통역점, 좋은한식-농서점) says where it is, not what it is:
    # 농서점 is a branch of a restaurant, not a bookshop (서점)
    branch = [_BRANCH.match(t) for t in texts]
    texts = [m.group(1) if m else t for m, t in zip(branch, texts)]
    wanted = set(domains)
    # store and product names are often one noun to Kiwi (땅땅치킨, 올레치킨): one ending in a cue noun names it
    suffixes = {s.lemmas[0]: s for s in index.seeds if s.aspect == CUE and s.domain in wanted and len(s.lemmas) == 1 and len(s.lemmas[0]) >= 2 and not s.lemmas[0].endswith("다")}
    keep = [i for i, t in enumerate(texts) if index.may_match(t, domains, True)]  # a cue noun inside a word passes too
    out = []
    for i, doc in zip(keep, analyse_many([texts[i] for i in keep])):
        name = names[i]
        # a verb cue in a name is slang or a pun (화잘먹: make-up that "eats" well, 바르다김선생), not what the product is
        ms = [m for m in index.find(doc, domains) if not (m.aspect == CUE and m.seed.lemmas[-1].endswith("다"))]
        # a store's name with a branch (…-영통점, 본점) may also start with its cue noun: 치킨플러스, 버거킹
        store = branch[i] is not None or any(t.lemma.endswith("점") and len(t.lemma) >= 2 for t in doc.tokens)
        for j, tok in enumerate(doc.tokens):
            if tok.tag in ("NNG", "NNP") and len(tok.lemma) > 2 and tok.lemma not in suffixes:  # a cue itself is found as one
                hit = next(
                    (seed for suf, seed in suffixes.items() if tok.lemma != suf and (tok.lemma.endswith(suf) or (store and tok.lemma.startswith(suf)))), None
                )
                if hit is not None:
                    ms.append(Mention(hit, (j,), tok.clause))
        # a cue word names what the product is (토너, 치킨, 호텔); a seed word beside it in a name is
        # incidental (핏 in 워터핏 선세럼, 패치 in 선 패치), so a name with a cue votes with its cues only
        # and, as what the product is rather than one customer's words, it counts as two reviews
        cues = [m for m in ms if m.aspect == CUE]
        if cues:
            out += [(cues, name), (cues, name)]
        elif ms:
            out.append((ms, name))
    return out


SCORE_GROUPS = 64
"""Products are hashed into this many groups; the open clauses of one group go to the scorer in one call."""

FAST_CHAR_MARGIN = 0.5
"""A ``char_margin`` for speed: the char model alone reads 40% of the open clauses and the aspect
stage takes 11% less time, with the same polarity and joint F1 on the real development chunk but
aspect-star AUCs 0.003–0.007 lower on real delivery reviews (docs/decisions.md); not the default."""


def mask_name(doc: Doc, name: str) -> Doc:
    """``doc`` with the words of the product's own name, where the review writes it, made blank (no seed, cue or opinion).

    The whole name counts, and so does its part before a parenthesis ("불편한 편의점 (김호연)" → "불편한 편의점"), as
    written or without spaces; names under 3 characters are left alone.

    Example:
        >>> from nlp.aspects.clauses import analyse
        >>> [t.lemma for t in mask_name(analyse("불편한 편의점 너무 좋았어요"), "불편한 편의점 (김호연)").tokens]
        ['', '', '너무', '좋다']
    """
    variants = {name.strip(), name.split("(")[0].strip()}
    variants |= {v.replace(" ", "") for v in variants}
    spans = []
    for v in variants:
        if len(v) < 3:
            continue
        at = doc.text.find(v)
        while at >= 0:
            spans.append((at, at + len(v)))
            at = doc.text.find(v, at + len(v))
    if not spans:
        return doc
    toks = [replace(t, lemma="") if any(t.start < b and t.end > a for a, b in spans) else t for t in doc.tokens]
    return replace(doc, tokens=toks)


def score_groups(products: pd.Series) -> np.ndarray:
    """Each row's scoring group: the first 8 hex digits of the MD5 of its product (as a string, missing
    = ``""``), modulo :data:`SCORE_GROUPS`. The Spark engine computes the same with Spark's ``md5``.

    Example:
        >>> score_groups(pd.Series(["글래드 마포", None, "노보텔 용산", "글래드 마포"])).tolist()
        [23, 25, 32, 23]
    """
    import hashlib

    keys = products.astype("string").fillna("").tolist()
    memo: dict[str, int] = {}
    out = np.empty(len(keys), dtype=np.int64)
    for j, k in enumerate(keys):
        g = memo.get(k)
        if g is None:
            g = memo[k] = int(hashlib.md5(k.encode("utf-8")).hexdigest()[:8], 16) % SCORE_GROUPS
        out[j] = g
    return out


@lru_cache(maxsize=1)
def _builtin_index() -> SeedIndex:
    """The built-in taxonomy compiled once per process (reading ~2,000 seed terms with Kiwi takes a moment)."""
    return SeedIndex(Taxonomy.builtin())


def _raw_span(raw: str, proc: str, a: int, b: int) -> tuple[int, int]:
    """Character span in the input text of ``proc[a:b]`` (``proc`` is the normalised, masked text).

    Normalisation only deletes characters (spaces, control characters, repeats beyond two) or
    replaces one by an equivalent (NFKC), and masking replaces a span by a tag; so each character
    of ``proc`` is looked for a little ahead in ``raw``, and characters with no counterpart (inside
    a tag) take their neighbours' place.
    """
    if raw == proc:
        return a, b
    pos = [-1] * b
    in_tag = [False] * len(proc)
    for m in _PII_TAG.finditer(proc):
        in_tag[m.start() : m.end()] = [True] * (m.end() - m.start())
    r = 0
    last, rest = -1, ""  # the input character matched last, and what is left of its NFKC form ("…" → "...")
    for k in range(b):
        if in_tag[k]:
            continue
        ch = proc[k]
        if rest and rest[0] == ch:
            pos[k], rest = last, rest[1:]
            continue
        rest = ""
        if ch.isspace():
            # normalisation turns line breaks and other spaces into " ": any space in the input is its
            # counterpart (searching for " " itself would jump past a line break to a later space and
            # misplace every character after it)
            m = _SPACE.search(raw, r, r + 64)
            hit = m.start() if m else -1
        else:
            hit = raw.find(ch, r, r + 64)
            # an input character that normalisation replaced (full-width "！", "…" → "...") comes before a
            # later literal one: take it, or the search jumps ahead
            for j in range(r, hit if hit >= 0 else min(len(raw), r + 64)):
                if ord(raw[j]) > 127 and not unicodedata.is_normalized("NFKC", raw[j]):
                    nf = unicodedata.normalize("NFKC", raw[j])
                    if nf[:1] == ch:
                        hit, rest = j, nf[1:]
                        break
        if hit >= 0:
            pos[k] = last = hit
            r = hit + 1
    start = next((pos[i] for i in range(a, b) if pos[i] >= 0), None)
    end = next((pos[i] + 1 for i in range(b - 1, a - 1, -1) if pos[i] >= 0), None)
    if start is None or end is None:
        before = [p for p in pos[:a] if p >= 0]
        start = before[-1] + 1 if before else 0
        end = start
    return start, max(start, end)


class AspectExtractor:
    """Aspect-based sentiment, scikit-learn shaped: ``fit`` compiles the taxonomy, ``transform`` extracts.

    Args:
        domain: ``"auto"`` (per product, :func:`choose_domains`) or a domain name of the taxonomy.
        taxonomy: a :class:`Taxonomy`, or a TOML/YAML file applied on top of the built-in one.
        scorer: a loaded :class:`~nlp.scoring.Scorer` (default: loaded from ``model_dir`` when a clause needs it).
        model_dir, quantize, backend: how to load the scorer (``quantize`` = ``--int8``).
        columns: input column names (``--text-col`` ...).
        domain_col: a column naming each row's domain (overrides ``domain``; empty cells use ``domain``).
        threshold: |P(pos) - P(neg)| of a clause above which the scorer's reading is polar.
        max_tokens: clauses are cut to this many tokens for the scorer.
        blend: blend the sentiment char model into clause scores, as ``nlp score`` does.
        rules_only: never call the scorer (mentions the rules cannot judge are neutral, score 0).
        score_all: score every mention's clause, not only those the rules leave open (slower;
            gives rule-decided mentions the scorer's score too).
        mask_pii: mask personal data in the evidence (and in what the scorer reads).
        keep_neutral: keep mentions named only by neutral terms even when nothing in their clause
            judges them (by default such passing mentions are left out, as the labelling guide does).
        keep_threshold: |score| above which the scorer's reading keeps such a mention (default: ``threshold``).
        merge: how one review's mentions of an aspect combine: ``majority`` of clause votes or
            ``cancel`` (any praise plus any complaint is neutral).
        tie: with ``majority``, what an equal number of praising and complaining clauses gives:
            ``neutral``, or the vote of the ``first`` or ``last`` of them in the review.
        carry: let a contrast carry an opinion to the aspect of the clause before it.
        carry_span: which clause a contrast carries from: ``scan`` (the first clause after a contrast
            that holds an opinion, before the next clause naming an aspect) or ``next`` (only the
            clause right after the aspect's).
        context: weight of the review's own probabilities mixed into a clause's (a clause alone
            misses what the review around it says); chosen on the development chunk.
        char_margin: a clause the sentiment char model reads with its top two probabilities at least
            this far apart keeps the char model's reading and is not encoded (default ``None``: every
            open clause is encoded; :data:`FAST_CHAR_MARGIN` trades a little ranking for speed;
            :func:`~nlp.aspects.polarity.clause_probabilities`).
        name_votes: with ``domain="auto"``, each product's name counts as one more review when the
            domain is chosen (:func:`product_name_votes`).
        show_progress_bar: log progress (default: from the logger level).

    Example:
        >>> import pandas as pd
        >>> ex = AspectExtractor(domain="food", rules_only=True).fit()
        >>> ex.transform(pd.DataFrame({"text": ["배달 빠르고 맛있어요"]}))[["aspect", "polarity"]].values.tolist()
        [['delivery', 'positive'], ['taste', 'positive']]
    """

    def __init__(
        self,
        domain: str = "auto",
        taxonomy: Taxonomy | str | Path | None = None,
        scorer=None,
        model_dir: str | Path | None = None,
        quantize: bool = False,
        backend: str | None = None,
        columns: ColumnMap | None = None,
        domain_col: str | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        max_tokens: int = 64,
        blend: bool = True,
        rules_only: bool = False,
        score_all: bool = False,
        mask_pii: bool = True,
        keep_neutral: bool = False,
        keep_threshold: float | None = None,
        merge: str = "majority",
        tie: str = "neutral",
        carry: bool = True,
        carry_span: str = "scan",
        context: float = 0.4,
        char_margin: float | None = None,
        name_votes: bool = True,
        show_progress_bar: bool | None = None,
    ) -> None:
        if not 0 <= threshold < 1:
            raise ValueError(f"threshold is a margin of P(positive) - P(negative) in [0, 1), got {threshold}")
        if max_tokens < 8:
            raise ValueError(f"max_tokens must be at least 8, got {max_tokens}")
        if merge not in ("majority", "cancel"):
            raise ValueError(f"merge must be majority or cancel, got {merge!r}")
        if tie not in ("neutral", "first", "last"):
            raise ValueError(f"tie must be neutral, first or last, got {tie!r}")
        if not 0 <= context <= 1:
            raise ValueError(f"context is a weight in [0, 1], got {context}")
        self.domain = domain
        self.taxonomy = taxonomy
        self.scorer = scorer
        self.model_dir = model_dir
        self.quantize = quantize
        self.backend = backend
        self.columns = columns or ColumnMap()
        self.domain_col = domain_col
        self.threshold = threshold
        self.max_tokens = max_tokens
        self.blend = blend
        self.rules_only = rules_only
        self.score_all = score_all
        self.mask_pii = mask_pii
        self.keep_neutral = keep_neutral
        self.keep_threshold = keep_threshold
        self.merge = merge
        self.tie = tie
        self.carry = carry
        if carry_span not in ("next", "scan"):
            raise ValueError(f"carry_span must be next or scan, got {carry_span!r}")
        self.carry_span = carry_span
        self.context = context
        if char_margin is not None and not 0 <= char_margin <= 1:
            raise ValueError(f"char_margin is a margin between two probabilities in [0, 1], or None, got {char_margin}")
        self.char_margin = char_margin
        self.name_votes = name_votes
        self.show_progress_bar = show_progress_bar

    # -- fitting -------------------------------------------------------------------------
    def fit(self, frame: pd.DataFrame | None = None, y=None) -> AspectExtractor:
        """Compile the taxonomy's seed terms (no data is needed; ``frame`` is accepted for pipelines)."""
        tax = self.taxonomy if isinstance(self.taxonomy, Taxonomy) else Taxonomy.load(self.taxonomy)
        if self.domain != "auto" and self.domain not in tax:
            raise ValueError(f"unknown domain {self.domain!r}; choose auto or one of {tax.names} (or add it with taxonomy=FILE)")
        self.taxonomy_ = tax
        self.index_ = _builtin_index() if tax is Taxonomy.builtin() else SeedIndex(tax)
        self.lexicon_ = OpinionLexicon.builtin()
        self.stats_ = ExtractStats()
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "index_"):
            raise NotFittedError("this AspectExtractor is not fitted yet; call fit() first (it compiles the taxonomy)")

    def _get_scorer(self):
        if self.scorer is None:
            from nlp.scoring.scorer import Scorer

            self.scorer = Scorer.load(self.model_dir, quantize=self.quantize, backend=self.backend)
        return self.scorer

    # -- extraction ----------------------------------------------------------------------
    def fit_transform(self, frame: pd.DataFrame, y=None) -> pd.DataFrame:
        return self.fit(frame).transform(frame)

    def predict(self, texts: str | Iterable[str], domain: str | None = None) -> list[dict] | list[list[dict]]:
        """Aspect rows (dicts) for one text or many (returns the shape of the input)."""
        single = isinstance(texts, str)
        items = [texts] if single else list(texts)
        frame = pd.DataFrame({self.columns.text: items, self.columns.id: [str(i) for i in range(len(items))]})
        old = self.domain
        if domain is not None:
            self.domain = domain
        try:
            rows = self.transform(frame)
        finally:
            self.domain = old
        out: list[list[dict]] = [[] for _ in items]
        for rec in rows.to_dict("records"):
            out[int(rec[self.columns.id])].append(rec)
        return out[0] if single else out

    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """One row per review × aspect (SPEC "Aspect outputs"); reviews without aspects give no rows.

        The run's counts are in :attr:`stats_` (reviews with and without aspects, rows, domains).
        """
        self._check_fitted()
        cmap = self.columns
        if cmap.text not in frame.columns:
            raise ValueError(f"column {cmap.text!r} not found; the table has columns {list(frame.columns)}; pass text_col=NAME.")
        stats = ExtractStats(reviews=len(frame))
        if ROW_COL not in frame.columns:
            frame = frame.assign(**{ROW_COL: np.arange(len(frame))})
        ids = derive_ids(frame, cmap).astype("string").to_numpy()
        raw = [t if isinstance(t, str) else "" for t in frame[cmap.text].tolist()]
        stats.empty = sum(1 for t in raw if not t.strip())
        row_domains = self._row_domains(frame)
        in_play = sorted({d for d in row_domains if d}) if self.domain == "auto" and row_domains is not None else None
        if self.domain == "auto":
            cand_domains = self.index_.domains if row_domains is None or any(d is None for d in row_domains) else in_play
        else:
            cand_domains = sorted({d for d in row_domains if d} | {self.domain}) if row_domains is not None else [self.domain]

        # 2-3: character test, then Kiwi and seed matching on the candidates only
        # the character test runs on the text as written (normalising every review costs more than the test
        # saves); text with characters normalisation may change (full-width, zero-width ...) is normalised first
        texts = [""] * len(raw)
        cand = []
        for i, t in enumerate(raw):
            fixed = row_domains is not None and row_domains[i]
            doms = [row_domains[i]] if fixed else cand_domains
            # with the domain to choose, reviews with only a cue word (영화, 호텔) are read too: they vote
            cues = not fixed and self.domain == "auto"
            if self.index_.may_match(t, doms, cues) or (not _PLAIN.match(t) and self.index_.may_match(self._prepare([t])[0], doms, cues)):
                cand.append(i)
        for i, t in zip(cand, self._prepare([raw[i] for i in cand])):
            texts[i] = t
        stats.analysed = len(cand)
        docs: dict[int, Doc] = {}
        # the product's own name written in a review names it and says nothing ("불편한 편의점" is a book's title)
        names = frame[cmap.product].astype("string").fillna("").tolist() if cmap.product in frame.columns else None
        found: dict[int, list[Mention]] = {}  # reviews with an aspect mention (and their cue words)
        votes: dict[int, list[Mention]] = {}  # every review with a match, cue words included: they choose the domain
        opinion = self.lexicon_.lemmas()
        from tqdm.auto import tqdm

        show = self.show_progress_bar
        if show is None:
            show = logger.getEffectiveLevel() <= logging.INFO and len(cand) > _ANALYSE_BATCH
        bar = tqdm(total=len(cand), disable=not show, desc="aspects", unit=" reviews", mininterval=2)
        for s in range(0, len(cand), _ANALYSE_BATCH):
            part = cand[s : s + _ANALYSE_BATCH]
            bar.update(len(part))
            for i, doc in zip(part, analyse_many([texts[i] for i in part], opinion)):
                if names is not None and names[i]:
                    doc = mask_name(doc, names[i])
                ms = self.index_.find(doc, [row_domains[i]] if row_domains is not None and row_domains[i] else cand_domains)
                if ms:
                    votes[i] = ms
                if any(m.aspect != CUE for m in ms):
                    docs[i] = doc
                    found[i] = ms

        bar.close()

        # 4: the domain of each review
        domain_of = self._decide_domains(frame, found, votes, row_domains, cand_domains, stats)
        mentions: dict[int, list[Mention]] = {}
        for i, ms in found.items():
            d = domain_of.get(i)
            keep = [m for m in ms if m.domain == d and m.aspect != CUE]
            if keep:
                mentions[i] = keep

        # 5: polarity, rules first, then one batched scorer call for the clauses left open
        verdicts = {i: [rule_polarity(docs[i], m, ms, self.lexicon_) for m in ms] for i, ms in mentions.items()}
        for i in [i for i, vs in verdicts.items() if any(v.reason in LEFT_OUT for v in vs)]:
            # a clause about another product ("다른 거 쓰면 피부 뒤집어지는데") or the writer's own skin ("트러블이 많이
            # 나는 피부입니다") says nothing of this one
            keep = [(m, v) for m, v in zip(mentions[i], verdicts[i]) if v.reason not in LEFT_OUT]
            if keep:
                mentions[i], verdicts[i] = [m for m, _ in keep], [v for _, v in keep]
            else:
                del mentions[i], verdicts[i]
        stats.with_aspects = len(mentions)
        if self.carry:
            for i, ms in mentions.items():
                extra = contrast_carry(docs[i], ms, self.lexicon_, span=self.carry_span)
                if extra:
                    mentions[i] = ms + [m for m, _ in extra]
                    verdicts[i] = verdicts[i] + [v for _, v in extra]
        probs = self._clause_probs(frame, docs, mentions, verdicts, stats)

        # 6: one row per review × aspect
        rows = self._rows(frame, ids, raw, texts, docs, mentions, verdicts, probs, domain_of)
        stats.rows = len(rows)
        self.stats_ = stats
        return rows

    # -- steps ---------------------------------------------------------------------------
    def _prepare(self, raw: list[str]) -> list[str]:
        from nlp.text.normalize import normalize

        texts = normalize(raw)
        if self.mask_pii:
            from nlp.text.pii import mask_pii

            texts = [m for m, _ in mask_pii(texts)]
        return [t[:5_000] for t in texts]

    def _row_domains(self, frame: pd.DataFrame) -> list[str | None] | None:
        if not self.domain_col:
            return None
        if self.domain_col not in frame.columns:
            raise ValueError(f"domain_col={self.domain_col!r} is not a column of the input; it has {list(frame.columns)}")
        vals = [None if (v is None or (isinstance(v, float) and np.isnan(v)) or not str(v).strip()) else str(v).strip() for v in frame[self.domain_col].tolist()]
        unknown = sorted({v for v in vals if v is not None and v not in self.taxonomy_})
        if unknown:
            raise ValueError(f"domain_col={self.domain_col!r} names unknown domains {unknown[:5]}; known: {self.taxonomy_.names} (add one with taxonomy=FILE)")
        if self.domain != "auto":
            vals = [v or self.domain for v in vals]
        return vals

    def _decide_domains(self, frame, found, votes, row_domains, cand_domains, stats: ExtractStats) -> dict[int, str]:
        out: dict[int, str] = {}
        auto_rows = [i for i in votes if not (row_domains is not None and row_domains[i])]
        if row_domains is not None:
            for i in found:
                if row_domains[i]:
                    out[i] = row_domains[i]
        if self.domain != "auto":
            for i in found:
                out.setdefault(i, self.domain)
            stats.domains = dict(Counter(out.values()))
            return out
        cmap = self.columns
        if cmap.product in frame.columns:
            prod = frame[cmap.product].astype("string").fillna("").to_numpy()
            groups = [prod[i] for i in auto_rows]
        else:
            groups = ["" for _ in auto_rows]  # no product column: the whole table is one product
        named = sorted({g for g in groups if g}) if self.name_votes else []
        extra = product_name_votes(named, self.index_, cand_domains, self._prepare)
        chosen = choose_domains(
            [votes[i] for i in auto_rows] + [ms for ms, _ in extra], groups + [g for _, g in extra],
            cand_domains, self.index_.shared, self.index_.needs_cue, self.index_.lemma_domains, [False] * len(auto_rows) + [True] * len(extra),
        )
        for i, g in zip(auto_rows, groups):
            if i in found and g in chosen:  # a product matched only by cue-less words of a needs_cue domain has none
                out[i] = chosen[g]
        stats.domains = dict(Counter(chosen[g] for g in {g for i, g in zip(auto_rows, groups) if i in found and g in chosen}))
        if row_domains is not None:
            for d, n in Counter(row_domains[i] for i in found if row_domains[i]).items():
                stats.domains[d] = stats.domains.get(d, 0) + n
        return out

    def _clause_probs(self, frame, docs, mentions, verdicts, stats: ExtractStats) -> dict[tuple[int, int], np.ndarray]:
        """Scorer probabilities per (review, clause) that needs them; single-clause scored reviews reuse their own."""
        need: dict[tuple[int, int], None] = {}
        for i, ms in mentions.items():
            for m, v in zip(ms, verdicts[i]):
                if self.score_all or v.polarity is None:
                    need[(i, m.clause)] = None
        if not need or self.rules_only:
            return {}
        out: dict[tuple[int, int], np.ndarray] = {}
        have = all(c in frame.columns for c in _SCORE_PROBS)
        if have:
            given = frame[list(_SCORE_PROBS)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64)
            for i, c in list(need):
                if len(docs[i].clauses) == 1 and not np.isnan(given[i]).any():
                    out[(i, c)] = given[i].astype(np.float32)
                    del need[(i, c)]
        keys = list(need)
        review_keys: list[tuple[int, int]] = []
        if self.context > 0:
            multi = sorted({i for i, c in keys if len(docs[i].clauses) > 1})
            for i in multi:
                if have and not np.isnan(given[i]).any():
                    out[(i, -1)] = given[i].astype(np.float32)
                else:
                    review_keys.append((i, -1))
        if keys or review_keys:
            # no scorer batch mixes groups of products (score_groups): int8 scores depend on which texts share
            # a batch, and the Spark engine extracts one such group per task, so both engines score alike
            # (within a group the texts keep their order here, clauses before reviews, as in that task)
            cmap = self.columns
            grp = score_groups(frame[cmap.product]) if cmap.product in frame.columns else np.zeros(len(frame), dtype=np.int64)
            order = keys + review_keys
            texts = [docs[i].clause_text(c) for i, c in keys] + [docs[i].text for i, _ in review_keys]
            p = clause_probabilities(
                self._get_scorer(), texts, max_tokens=self.max_tokens, blend=self.blend, batch_groups=grp[[i for i, _ in order]], char_margin=self.char_margin
            )
            for k, row in zip(order, p):
                out[k] = row
            stats.clauses_scored = len(texts)
        if self.context > 0:
            # a clause read alone misses what the review around it says: mix the review's reading in
            for i, c in keys:
                if (i, -1) in out:
                    out[(i, c)] = (1 - self.context) * out[(i, c)] + self.context * out[(i, -1)]
        return out

    def _mention_probs(self, verdict, p: np.ndarray | None) -> np.ndarray:
        if verdict.polarity is None:
            if p is None:  # rules only, and the rules are silent
                return np.array([0.0, 1.0, 0.0], dtype=np.float32)
            return p
        onehot = np.zeros(3, dtype=np.float32)
        onehot[verdict.polarity + 1] = 1.0
        base = p if p is not None else np.full(3, 1 / 3, dtype=np.float32)
        return RULE_WEIGHT * onehot + (1 - RULE_WEIGHT) * base

    def _polarity(self, verdict, probs: np.ndarray) -> int:
        if verdict.polarity is not None:
            return verdict.polarity
        s = float(probs[2] - probs[0])
        return 1 if s > self.threshold else (-1 if s < -self.threshold else 0)

    def _rows(self, frame, ids, raw, texts, docs, mentions, verdicts, probs, domain_of) -> pd.DataFrame:
        cmap = self.columns
        has_prod = cmap.product in frame.columns
        has_time = cmap.time in frame.columns
        prod = frame[cmap.product].to_numpy() if has_prod else None
        time = frame[cmap.time].to_numpy() if has_time else None
        recs: list[dict] = []
        for i in sorted(mentions):
            doc = docs[i]
            domain = self.taxonomy_[domain_of[i]]
            per_aspect: dict[str, list[tuple[int, float, int, Mention, bool]]] = {}
            for m, v in zip(mentions[i], verdicts[i]):
                p = self._mention_probs(v, probs.get((i, m.clause)))
                if v.polarity is None and not domain[m.aspect].scorer_praise:
                    # a cost (waiting) is not praised by a happy clause: the positive reading counts against it
                    p = p.copy()
                    p[0] += p[2]
                    p[2] = 0.0
                pol = self._polarity(v, p)
                per_aspect.setdefault(m.aspect, []).append((pol, float(p[2] - p[0]), m.clause, m, v.reason in _OWN_OPINION or m.seed.polarity != 0))
            for key, items in per_aspect.items():
                # one vote per clause: several terms of one aspect in a clause ("그립감 클릭감 휠 다 좋은데") are one opinion
                votes: dict[int, int] = {}
                for x in items:
                    votes[x[2]] = votes.get(x[2], 0) or x[0]
                pos = sum(1 for v in votes.values() if v > 0)
                neg = sum(1 for v in votes.values() if v < 0)
                if not (self.keep_neutral or any(x[4] for x in items)):
                    # named only by neutral terms, judged only by the scorer: kept when it reads an opinion
                    kt = self.threshold if self.keep_threshold is None else self.keep_threshold
                    if not any(abs(x[1]) > kt for x in items):
                        continue
                if self.merge == "majority":
                    pol = 1 if pos > neg else (-1 if neg > pos else 0)
                    if pos and pos == neg and self.tie != "neutral":
                        voting = sorted(c for c, v in votes.items() if v)
                        pol = votes[voting[0] if self.tie == "first" else voting[-1]]
                else:
                    pol = 0 if (pos and neg) else (1 if pos else (-1 if neg else 0))
                agree = [x for x in items if x[0] == pol] or items
                score = float(np.mean([x[1] for x in agree]))
                best = max(agree, key=lambda x: abs(x[1])) if pol else agree[0]
                a, b = doc.clauses[best[2]]
                start, end = _raw_span(raw[i], texts[i], a, b)
                rec = {cmap.id: ids[i]}
                if has_prod:
                    rec[cmap.product] = prod[i]
                if has_time:
                    rec[cmap.time] = time[i]
                rec.update(
                    aspect=key,
                    aspect_label=domain[key].label,
                    polarity=POLARITY_LABELS[pol + 1],
                    score=round(score, 4),
                    evidence=doc.text[a:b],
                    start=start,
                    end=end,
                    domain=domain.name,
                    mentions=len(items),
                    terms="|".join(dict.fromkeys(x[3].seed.term for x in items)),
                )
                recs.append(rec)
        cols = [cmap.id] + ([cmap.product] if has_prod else []) + ([cmap.time] if has_time else [])
        cols += ["aspect", "aspect_label", "polarity", "score", "evidence", "start", "end", "domain", "mentions", "terms"]
        out = pd.DataFrame(recs, columns=cols)
        out["start"] = out["start"].astype("int64")
        out["end"] = out["end"].astype("int64")
        out["mentions"] = out["mentions"].astype("int64")
        out["score"] = out["score"].astype("float64")
        return out


def extract(frame: pd.DataFrame, domain: str = "auto", taxonomy: Taxonomy | str | Path | None = None, scorer=None, columns: ColumnMap | None = None, **kwargs) -> pd.DataFrame:
    """Aspect rows for a table of reviews (raw or scored): ``AspectExtractor(...).fit().transform(frame)``.

    Args:
        frame: a table with a text column (and optionally id, product, time, and the
            ``sentiment_*`` probabilities of ``nlp score``, reused for single-clause reviews).
        domain: ``auto`` or a domain name; taxonomy: a :class:`Taxonomy` or a file on top of the built-in one.
        scorer: a loaded scorer (default: the shipped model, loaded when needed).
        columns: input column names.
        **kwargs: the other options of :class:`AspectExtractor`.

    Example:
        >>> import pandas as pd
        >>> rows = extract(pd.DataFrame({"text": ["방음이 전혀안됩니다 수영장 완전 작아요 호텔 위치는 좋아요"]}), domain="lodging", rules_only=True)
        >>> rows[["aspect", "polarity"]].values.tolist()
        [['noise', 'negative'], ['amenities', 'negative'], ['location', 'positive']]
    """
    return AspectExtractor(domain=domain, taxonomy=taxonomy, scorer=scorer, columns=columns, **kwargs).fit().transform(frame)
