"""Quality flags: what a row is, beyond its scores. Rows are flagged, never dropped.

A duplicate or a generic review is still scored, so per-product counts stay exact and the
user decides what to filter. Empty and filler rows keep their row with null scores.

* ``empty`` — nothing left after normalisation (no text, or only spaces and invisible characters).
* ``filler`` — no word at all: only jamo (``ㅋㅋ``, ``ㅠㅠ``, ``ㅇㅇㅇ``), punctuation (``!!!!!``),
  emoticons (``^^``, ``T_T``, ``:)``) and emoji (:func:`is_filler`). Not scored: such a text carries no
  sentiment the model can read, and scoring it gave noise (mostly *negative*). ``굿``, ``최고``,
  ``ok`` or ``5/5`` are words, so they are scored.
* ``generic`` — a common short review made only of stock phrases ("좋아요", "잘 받았습니다",
  "너무 맛있어요 감사합니다"; :func:`is_generic`, list in ``resources/generic_reviews.txt``).
  Many different customers write these, so they are never ``duplicate``.
* ``duplicate`` — the same text (after normalisation, ignoring spaces, punctuation, case
  and repeats: "배송 빨라요!!" = "배송빨라요") as an earlier row **of the same product within
  7 days** (:data:`DUPLICATE_WINDOW_DAYS`). Without a time column, or for a row without a time,
  the same product is enough; without a product column the whole table is one product. The
  first occurrence is not flagged. Works across chunks of a stream (state per product).
* ``duplicate_id`` — the id repeats an earlier row's id (both rows are kept).
* ``rating_invalid`` — a rating outside the scale, or not a number (:class:`RatingCheck`).
* ``non_korean`` — has letters but fewer than 30% of them are Hangul.
* ``truncated`` — longer than the scorer reads (set by the caller).
* ``pii_masked`` — personal data was masked in the row.
* ``decode_error`` — some bytes of the row fit no character encoding; they read as U+FFFD
  (set by the table reader, :data:`nlp.io.tables.DECODE_ERROR`).
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

logger = logging.getLogger(__name__)

__all__ = [
    "FLAG_NAMES",
    "UNSCORED_FLAGS",
    "DUPLICATE_WINDOW_DAYS",
    "GENERIC_LIST",
    "is_empty",
    "is_filler",
    "is_generic",
    "is_non_korean",
    "DuplicateDetector",
    "RatingCheck",
    "parse_rating_scale",
    "hangul_share",
    "join_flags",
]

FLAG_NAMES = (
    "empty",
    "filler",
    "generic",
    "duplicate",
    "duplicate_id",
    "rating_invalid",
    "non_korean",
    "truncated",
    "pii_masked",
    "decode_error",
)
UNSCORED_FLAGS = frozenset({"empty", "filler"})
"""Rows with one of these flags get null sentiment and intent columns."""

DUPLICATE_WINDOW_DAYS = 7.0
"""Two rows of one product with the same text are duplicates when written at most this many days apart."""

GENERIC_LIST = Path(__file__).parent / "resources" / "generic_reviews.txt"

_NEAR = re.compile(r"[\W_]+", re.UNICODE)


def _is_hangul(ch: str) -> bool:
    o = ord(ch)
    return 0xAC00 <= o <= 0xD7A3 or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F


def _is_jamo(ch: str) -> bool:
    o = ord(ch)
    return 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F or 0xFFA0 <= o <= 0xFFDC


def is_empty(text: str | None) -> bool:
    """True when nothing is left of a text but spaces (after normalisation, which drops invisible characters).

    Example:
        >>> is_empty("   "), is_empty("...!!"), is_empty("ㅋㅋ")
        (True, False, False)
    """
    return not text or text.isspace()


# Emoticons written with letters, removed before looking for words: T_T, TT, ToT, QQ, :D, XD, xD, :P, ;)
_LETTER_EMOTICONS = re.compile(r"(?<![A-Za-z])(?:[TQ][_.\-oO0]?[TQ]|[:;=][\-']?[DPpOo]|[xX]D)(?![A-Za-z])")


def is_filler(text: str | None) -> bool:
    """True when a non-empty text has no word: only jamo, punctuation, emoticons and emoji.

    A word is a Hangul syllable, a letter of any other script (outside emoticons such as
    ``T_T`` or ``XD``) or a digit. Jamo alone (``ㅋㅋ``, ``ㅠㅠ``, ``ㅇㅇ``) are filler: laughter and
    tears go with praise and complaint alike ("감동ㅠㅠ", "환불ㅠㅠ"), and abbreviations such as
    ``ㅊㅊ`` are too rare in reviews for the model to have learnt them.

    Example:
        >>> [is_filler(t) for t in ["ㅇㅇㅇ", "!!", "^^", "ㅠㅠ!!", "😊👍", "T_T", "굿", "ok", "5/5", ""]]
        [True, True, True, True, True, True, False, False, False, False]
    """
    if is_empty(text):
        return False
    rest = _LETTER_EMOTICONS.sub(" ", text)
    return not any(ch.isalnum() and not _is_jamo(ch) for ch in rest)


def _read_generic_list(path: Path) -> tuple[list[str], list[str]]:
    sections: dict[str, list[str]] = {"adverbs": [], "phrases": []}
    current = None
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            if current not in sections:
                raise ValueError(f"{path}:{line_no}: unknown section {line}; expected [adverbs] or [phrases]")
            continue
        if current is None:
            raise ValueError(f"{path}:{line_no}: {line!r} comes before any [adverbs] or [phrases] section")
        sections[current].append(_generic_key(line))
    return sections["adverbs"], sections["phrases"]


def _alternation(pieces: Iterable[str]) -> str:
    return "|".join(re.escape(p) for p in sorted(set(pieces), key=len, reverse=True) if p)


@lru_cache(maxsize=4)
def _generic_pattern(path: str) -> re.Pattern:
    adverbs, phrases = _read_generic_list(Path(path))
    adv, phr = _alternation(adverbs), _alternation(phrases)
    # adverbs anywhere, at least one phrase: "너무 좋아요", "좋아요 좋아요", "잘 받았습니다 감사합니다"
    return re.compile(rf"(?:{adv})*(?:{phr})(?:{adv}|{phr})*")


_GENERIC_MAX_CHARS = 30


def _generic_key(text: str) -> str:
    from nlp.text.normalize import collapse_repeats

    key = collapse_repeats(_NEAR.sub("", text.lower()))
    return "".join(ch for ch in key if not _is_jamo(ch))


def is_generic(text: str | None, phrases: str | Path = GENERIC_LIST) -> bool:
    """True when a text is only stock phrases and adverbs from the built-in list (at most 30 letters).

    Spaces, punctuation, case, jamo (``ㅎㅎ``) and emoji are ignored; long repeats collapse first.
    A generic text says nothing a reader could act on beyond its polarity, and many customers
    write the same words, so it is not a duplicate of another customer's review.

    Example:
        >>> [is_generic(t) for t in ["좋아요", "너무 좋아요!!", "잘 받았습니다 감사합니다 ㅎㅎ", "굿굿", "배송 빨라요", "환불"]]
        [True, True, True, True, False, False]
    """
    if not text:
        return False
    key = _generic_key(text)
    if not key or len(key) > _GENERIC_MAX_CHARS:
        return False
    return _generic_pattern(str(phrases)).fullmatch(key) is not None


def hangul_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    return sum(_is_hangul(ch) for ch in letters) / len(letters)


def is_non_korean(text: str | None, threshold: float = 0.3) -> bool:
    """True when a text has letters and under ``threshold`` of them are Hangul.

    Example:
        >>> is_non_korean("Great product!"), is_non_korean("배송 fast"), is_non_korean("😊")
        (True, False, False)
    """
    if not text:
        return False
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    return sum(_is_hangul(ch) for ch in letters) / len(letters) < threshold


def _digest(s: str) -> int:
    return int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest(), "little")


class DuplicateDetector:
    """Flags a text that repeats an earlier row's text for the same product within a time window.

    Remembers an 8-byte hash of (product, text) and the times seen (about 150 MB for 1M distinct
    rows). Rows can come in any order: a row is compared with every earlier row of its product.

    Args:
        window_days: the largest gap between two rows' times that still makes them duplicates;
            ``None``: any gap. A row without a time matches every earlier row of its product.

    Example:
        >>> d = DuplicateDetector()
        >>> d.check("배송 빨라요!!", "p1", 0.0), d.check("배송빨라요", "p1", 86_400.0), d.check("배송빨라요", "p2", 0.0)
        (False, True, False)
        >>> d.check("배송빨라요", "p1", 30 * 86_400.0)  # a month later: another customer
        False
    """

    def __init__(self, window_days: float | None = DUPLICATE_WINDOW_DAYS) -> None:
        self.window_s = None if window_days is None else float(window_days) * 86_400.0
        # hash → None (seen without a time), a time in seconds, or a list of them
        self._seen: dict[int, object] = {}

    def near_key(self, text: str) -> str:
        from nlp.text.normalize import collapse_repeats

        return collapse_repeats(_NEAR.sub("", text.lower()))

    def key(self, normalized: str, product: object = None) -> int:
        """The hash two rows share when they are the same text of the same product."""
        text_key = self.near_key(normalized) or normalized
        return _digest(text_key if product is None else f"{product}\x1f{text_key}")

    def check(self, normalized: str, product: object = None, time: float | None = None) -> bool:
        """True if ``normalized`` (already normalised) repeats an earlier row of ``product`` within the window.

        ``time``: the row's time in seconds (any fixed origin), ``None`` or NaN when unknown.
        """
        if not normalized:
            return False
        h = self.key(normalized, product)
        t = None if time is None or (isinstance(time, float) and math.isnan(time)) else float(time)
        if self.window_s is None:
            t = None
        seen = self._seen.get(h, _MISSING)
        if seen is _MISSING:
            self._seen[h] = t
            return False
        times = seen if isinstance(seen, list) else [seen]
        dup = t is None or any(s is None or abs(s - t) <= self.window_s for s in times)
        if t not in times:  # later rows compare with this one too (day 0, day 6, day 12 chain)
            times.append(t)
            self._seen[h] = times
        return dup

    def check_many(self, texts: Iterable[str]) -> list[bool]:
        return [self.check(t) for t in texts]


_MISSING = object()


def parse_rating_scale(spec: str | float | int | None) -> tuple[float, float] | None:
    """``--rating-scale`` → (lowest, highest) valid rating; ``None`` or ``auto`` → infer.

    ``5`` means 1 to 5, ``10`` means 1 to 10; ``LO-HI`` gives both ends (``0.5-5``, ``0-10``).

    Example:
        >>> parse_rating_scale("5"), parse_rating_scale("0.5-5"), parse_rating_scale("auto")
        ((1.0, 5.0), (0.5, 5.0), None)
    """
    if spec is None or (isinstance(spec, str) and spec.strip().lower() in ("", "auto")):
        return None
    if isinstance(spec, (int, float)):
        lo, hi = 1.0, float(spec)
    else:
        m = re.fullmatch(r"\s*(?:(\d+(?:\.\d+)?)\s*-\s*)?(\d+(?:\.\d+)?)\s*", spec)
        if not m:
            raise ValueError(f"rating_scale= must be auto, the top of the scale (5, 10) or LO-HI (0.5-5, 0-10); got {spec!r}")
        lo = float(m.group(1)) if m.group(1) else 1.0
        hi = float(m.group(2))
    if not lo < hi:
        raise ValueError(f"rating_scale={spec!r}: the lowest rating must be below the highest")
    return lo, hi


class RatingCheck:
    """Flags ratings outside the scale (``rating_invalid``); stateful across the chunks of one table.

    The scale is ``scale`` when given (:func:`parse_rating_scale`), else inferred from the first
    chunk that has ratings: 1 to 5, or 1 to 10 when a rating there is above 5. It then stays
    fixed for the table. A missing rating is not flagged; a value that is not a number is.

    Example:
        >>> check = RatingCheck()
        >>> check([5, 0, None, 4.5, "다섯"])
        [False, True, False, False, True]
        >>> check.scale
        (1.0, 5.0)
    """

    def __init__(self, scale: tuple[float, float] | str | float | None = None) -> None:
        self.scale = parse_rating_scale(scale) if not isinstance(scale, tuple) else (float(scale[0]), float(scale[1]))
        self.given = self.scale is not None

    def __call__(self, values: Sequence[object]) -> list[bool]:
        import pandas as pd

        s = pd.Series(list(values), dtype=object)
        missing = s.isna() | s.map(lambda v: isinstance(v, str) and not v.strip())
        num = pd.to_numeric(s.where(~missing), errors="coerce")
        if self.scale is None and num.notna().any():
            top = 10.0 if num.max() > 5 else 5.0
            self.scale = (1.0, top)
            logger.info("ratings read on a 1-%g scale (inferred; rating_scale= sets it)", top)
        lo, hi = self.scale or (-math.inf, math.inf)
        bad = ~missing & (num.isna() | (num < lo - 1e-9) | (num > hi + 1e-9))
        if bad.any():
            over = int((num > hi + 1e-9).sum())
            if over and not self.given:
                logger.warning("%d ratings are above %g and flagged rating_invalid; pass rating_scale= if the scale is another", over, hi)
        return bad.tolist()


def join_flags(flags: Iterable[str]) -> str:
    """Flags as the ``flags`` column stores them: names joined by ``|`` in a fixed order ('' for none)."""
    s = set(flags)
    return "|".join(f for f in FLAG_NAMES if f in s)
