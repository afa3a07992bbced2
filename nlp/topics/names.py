"""Product and brand names: kept out of topic keywords and labels, and masked for the encoder.

A hotel export where reviews name their hotel ("글래드 마포 최고") otherwise gets topics such
as "글래드 · 마포" or "노보텔 · 용산": a product, not something customers talk about, and
already reported per product. :func:`name_words` takes the product column's values (and the
words of a ``--user-dict``) and returns the keyword units that make them names:

* every unit of a **short name** (at most :data:`SHORT_NAME_UNITS` units: "TOSS (토스)",
  "글래드 마포", "연돈");
* in longer names (shop titles such as "라네즈 크림스킨 밀키 마스크 5+1매"), only the
  **proper nouns**, the **words Kiwi does not know** and the **Latin words** ("라네즈", "KB",
  "영통"): their common nouns (크림, 마스크, 도시락, 은행) describe the product and are often
  what the reviews are about;
* every word of the user dictionary (brand and product names added on purpose).

:func:`mask_names` replaces the names' surface forms (2+ characters) in the texts the encoder
sees with a placeholder, so reviews of one product are not pulled together by its name alone.

Example:
    >>> sorted(name_words(["글래드 마포", "라네즈 크림스킨 밀키 마스크 5+1매"]))  # doctest: +SKIP
    ['글래드', '라네즈', '마포']
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from nlp.topics.vectorizer import KiwiAnalyzer

logger = logging.getLogger(__name__)

__all__ = ["name_words", "name_surfaces", "mask_names", "user_dict_words", "SHORT_NAME_UNITS", "NAME_PLACEHOLDER"]

SHORT_NAME_UNITS = 2
"""A name with at most this many keyword units is a name through and through."""
NAME_PLACEHOLDER = "OO"
"""What the encoder sees instead of a product or brand name (as in "OO호텔")."""

_NAME_TAGS = frozenset({"NNP", "SL"})
_NOUN_TAGS = frozenset({"NNG", "NNP"})
_UNIT_TAGS = frozenset({"NNG", "NNP", "SL", "SH", "XR"})
_UNKNOWN_WORD_IDS = frozenset({2, 3})
_HANGUL_OR_LATIN = re.compile(r"[가-힣A-Za-z]")


def user_dict_words(path: str | Path | None) -> list[str]:
    """The words of a Kiwi user dictionary file (``word<TAB>POS[<TAB>score]`` per line, ``#`` comments)."""
    if not path:
        return []
    words = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.append(line.split("\t")[0].strip())
    return [w for w in words if w]


def _name_units(names: Sequence[str], analyzer: KiwiAnalyzer) -> list[list[tuple[str, str, bool]]]:
    """Per name, its content morphemes as (keyword form, surface form, is a name part)."""
    from nlp.topics.vectorizer import _latin_form

    kiwi = analyzer.tokenizer.kiwi
    out = []
    for name, tokens in zip(names, kiwi.tokenize(list(names))):
        units = []
        for t in tokens:
            tag = str(t.tag)
            if tag not in _UNIT_TAGS:
                continue
            surface = name[t.start : t.start + t.len]
            form = _latin_form(t.form) if tag == "SL" else t.form
            if len(form) < 2:
                continue  # one letter or syllable: a fragment of a name Kiwi could not read (곡반정점 → 곡 …)
            is_name = tag in _NAME_TAGS or (tag in _NOUN_TAGS and t.id in _UNKNOWN_WORD_IDS)
            units.append((form, surface, is_name))
        out.append(units)
    return out


def _clean(names: Iterable[str]) -> list[str]:
    return sorted({str(n).strip() for n in names if isinstance(n, str) and _HANGUL_OR_LATIN.search(str(n))})


def name_words(
    names: Iterable[str], analyzer: KiwiAnalyzer | None = None, user_words: Iterable[str] = ()
) -> frozenset[str]:
    """The keyword units that make product and brand names (see the module docstring).

    Args:
        names: the product column's distinct values.
        analyzer: the keyword analyzer (for its Kiwi and user dictionary); a default one when ``None``.
        user_words: words of a user dictionary: each is a name word as Kiwi reads it.

    Example:
        >>> sorted(name_words(["TOSS (토스)"]))  # doctest: +SKIP
        ['TOSS', '토스']
    """
    analyzer = analyzer or KiwiAnalyzer()
    clean = _clean(list(names) + list(user_words))
    if not clean:
        return frozenset()
    user = set(_clean(user_words))
    words: set[str] = set()
    for name, units in zip(clean, _name_units(clean, analyzer)):
        whole = name in user or len(units) <= SHORT_NAME_UNITS
        words.update(form for form, _, is_name in units if whole or is_name)
        if name in user and " " not in name:
            words.add(name)  # as Kiwi reads it when the user dictionary is loaded
    return frozenset(words)


def name_surfaces(names: Iterable[str], analyzer: KiwiAnalyzer | None = None, user_words: Iterable[str] = ()) -> list[str]:
    """The surface forms (2+ characters) of the name words, longest first, for :func:`mask_names`."""
    analyzer = analyzer or KiwiAnalyzer()
    clean = _clean(list(names) + list(user_words))
    user = set(_clean(user_words))
    out: set[str] = set()
    for name, units in zip(clean, _name_units(clean, analyzer)):
        whole = name in user or len(units) <= SHORT_NAME_UNITS
        out.update(s for _, s, is_name in units if (whole or is_name) and len(s) >= 2)
        if name in user and len(name) >= 2:
            out.add(name)
    return sorted(out, key=lambda s: (-len(s), s))


def mask_names(texts: Sequence[str], surfaces: Sequence[str], placeholder: str = NAME_PLACEHOLDER) -> list[str]:
    """Replace every name surface form in the texts with ``placeholder`` (Latin letters case-insensitively).

    Example:
        >>> mask_names(["글래드 마포 최고 글래드호텔"], ["글래드", "마포"])
        ['OO 최고 OO호텔']
    """
    if not surfaces:
        return list(texts)
    # Korean names take particles and suffixes (글래드호텔, 토스는): any occurrence; Latin ones only as whole words
    parts = [
        rf"(?<![A-Za-z]){re.escape(s)}(?![A-Za-z])" if s.isascii() else re.escape(s)
        for s in sorted(surfaces, key=len, reverse=True)
    ]
    pattern = re.compile("|".join(parts), re.IGNORECASE)
    runs = re.compile(rf"{re.escape(placeholder)}(?:\s*{re.escape(placeholder)})+")
    return [runs.sub(placeholder, pattern.sub(placeholder, t)) if isinstance(t, str) else t for t in texts]
