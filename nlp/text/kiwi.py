"""Kiwi morphological analysis: one lazily created instance per process, batched.

* Morphemes with POS tags, sentences, and content words for topics (nouns, verb and
  adjective stems as lemmas such as ``좋다``, roots ``XR``, foreign words, hashtags).
* Hashtags, mentions, emoji, URLs and e-mails stay whole (Kiwi's ``Match.ALL``).
* Review vocabulary stays whole: Kiwi's noun-prefix joining keeps ``재구매``/``재방문``
  as one noun, and a built-in user dictionary adds words Kiwi splits or mis-tags
  (``가성비``, ``강추``, ``비추``, ``내돈내산`` ...); users add their brands and products
  with ``--user-dict FILE`` (``word<TAB>POS[<TAB>score]`` per line, POS defaults to NNP).
* Optional spacing correction (``space=True``) and typo correction (``typos=True``).

Example:
    >>> tok = KiwiTokenizer()
    >>> [t.form for t in tok.morphemes("재구매 의사 있어요")][:2]
    ['재구매', '의사']
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

__all__ = ["KiwiTokenizer", "Morpheme", "Analysis", "get_kiwi", "CONTENT_TAGS", "BUILTIN_USER_DICT"]

BUILTIN_USER_DICT = Path(__file__).parent / "resources" / "user_dict.tsv"
# Tags kept as content words for topics and keywords.
CONTENT_TAGS = frozenset({"NNG", "NNP", "XR", "SL", "SH", "W_HASHTAG"})
_PREDICATE_TAGS = frozenset({"VV", "VA", "VV-I", "VA-I", "VV-R", "VA-R"})

_lock = threading.Lock()
_instances: dict[tuple, object] = {}


def _read_user_dict(path: Path) -> list[tuple[str, str, float]]:
    entries = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        word = parts[0].strip()
        tag = parts[1].strip() if len(parts) > 1 and parts[1].strip() else "NNP"
        try:
            score = float(parts[2]) if len(parts) > 2 and parts[2].strip() else 0.0
        except ValueError as exc:
            raise ValueError(f"{path}:{line_no}: score {parts[2]!r} is not a number; expected word<TAB>POS<TAB>score") from exc
        entries.append((word, tag, score))
    return entries


def get_kiwi(user_dict: str | Path | None = None, typos: bool = False):
    """The process-wide Kiwi for this configuration (created on first use; creation costs ~2 s).

    Args:
        user_dict: an extra user dictionary file (the built-in one is always loaded).
        typos: load Kiwi's basic typo model (slower to create and to run).
    """
    key = (str(user_dict) if user_dict else None, bool(typos))
    with _lock:
        kiwi = _instances.get(key)
        if kiwi is None:
            from kiwipiepy import Kiwi

            kiwi = Kiwi(typos="basic" if typos else None)
            files = [BUILTIN_USER_DICT] + ([Path(user_dict)] if user_dict else [])
            for f in files:
                if not f.exists():
                    raise FileNotFoundError(f"user dictionary {f} not found; expected a file of word<TAB>POS lines")
                for word, tag, score in _read_user_dict(f):
                    kiwi.add_user_word(word, tag, score)
            _instances[key] = kiwi
            logger.debug("created Kiwi %s", key)
        return kiwi


@dataclass(frozen=True)
class Morpheme:
    """One morpheme: surface form, POS tag, character offset and length in the analysed text."""

    form: str
    tag: str
    start: int
    len: int

    def __str__(self) -> str:
        return f"{self.form}/{self.tag}"


@dataclass
class Analysis:
    """Kiwi's reading of one text."""

    morphemes: list[Morpheme]
    sentences: list[str]

    @property
    def tokens(self) -> list[str]:
        """``form/TAG`` strings, the ``tokens`` column of ``nlp tokenize``."""
        return [str(m) for m in self.morphemes]

    @property
    def content_words(self) -> list[str]:
        """Nouns, roots, foreign words, hashtags, and verb/adjective lemmas (``좋다``)."""
        out = []
        for m in self.morphemes:
            if m.tag in CONTENT_TAGS:
                out.append(m.form)
            elif m.tag in _PREDICATE_TAGS:
                out.append(m.form + "다")
        return out


class KiwiTokenizer:
    """Batched Kiwi analysis with the project's options.

    Args:
        user_dict: extra user dictionary (brand and product names).
        space: correct spacing before analysis (helps text written without spaces).
        typos: correct common typos (Kiwi's basic typo model).
        max_chars: longer texts are analysed up to this many characters (the caller flags them ``truncated``).
    """

    def __init__(self, user_dict: str | Path | None = None, space: bool = False, typos: bool = False, max_chars: int = 5_000) -> None:
        self.user_dict = user_dict
        self.space = space
        self.typos = typos
        self.max_chars = max_chars

    @property
    def kiwi(self):
        return get_kiwi(self.user_dict, self.typos)

    def _options(self) -> int:
        from kiwipiepy import Match

        return Match.ALL | Match.JOIN_NOUN_PREFIX

    def analyse(self, texts: str | Iterable[str]) -> Analysis | list[Analysis]:
        """Morphemes and sentences for one text or many (returns the shape of the input)."""
        single = isinstance(texts, str)
        items = [texts] if single else [t if isinstance(t, str) else "" for t in texts]
        items = [t[: self.max_chars] for t in items]
        if self.space:
            nonempty = [i for i, t in enumerate(items) if t.strip()]
            spaced = self.kiwi.space([items[i] for i in nonempty], reset_whitespace=False) if nonempty else []
            for i, s in zip(nonempty, spaced):
                items[i] = s
        results: list[Analysis] = [Analysis([], []) for _ in items]
        idx = [i for i, t in enumerate(items) if t.strip()]
        if idx:
            analysed = self.kiwi.tokenize([items[i] for i in idx], match_options=self._options())
            for i, toks in zip(idx, analysed):
                text = items[i]
                morphs = [Morpheme(t.form, str(t.tag), t.start, t.len) for t in toks]
                # one pass gives sentences too: Kiwi numbers each token's sentence
                bounds: dict[int, list[int]] = {}
                for t in toks:
                    b = bounds.setdefault(t.sent_position, [t.start, t.start + t.len])
                    b[1] = max(b[1], t.start + t.len)
                sentences = [text[a:b].strip() for a, b in (bounds[k] for k in sorted(bounds))]
                results[i] = Analysis(morphs, sentences)
        return results[0] if single else results

    def morphemes(self, text: str) -> list[Morpheme]:
        return self.analyse(text).morphemes

    def tokens(self, texts: str | Iterable[str]):
        """``form/TAG`` token lists (the shape of the input)."""
        res = self.analyse(texts)
        return res.tokens if isinstance(res, Analysis) else [a.tokens for a in res]

    def content_words(self, texts: str | Iterable[str]):
        """Content words for topics (the shape of the input)."""
        res = self.analyse(texts)
        return res.content_words if isinstance(res, Analysis) else [a.content_words for a in res]

    def sentences(self, texts: str | Iterable[str]):
        res = self.analyse(texts)
        return res.sentences if isinstance(res, Analysis) else [a.sentences for a in res]
