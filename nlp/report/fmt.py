"""Number formatting for the report: percentages, signed scores, percentage points, intervals.

Every function takes a number or a missing value (``None``/``NaN``) and returns text; a
missing value is an en dash. Minus signs are the typographic ``−``.

Example:
    >>> pct(0.123), signed(-0.5), points(0.071), interval_text((0.02, 0.115), "pp")
    ('12%', '−0.50', '+7%p', '+2 ~ +12%p')

A value that rounds to zero has no sign (not "−0%p"):

    >>> points(-0.002), signed(0.001), interval_text((-0.004, 0.05), "pp")
    ('0%p', '0.00', '0 ~ +5%p')
"""

from __future__ import annotations

import math
from typing import Any, Literal

__all__ = ["missing", "pct", "signed", "points", "interval_text", "count", "josa"]


def missing(v: Any) -> bool:
    """``None``, NaN or pandas' NA."""
    if v is None:
        return True
    try:
        return bool(v != v) or (isinstance(v, float) and math.isnan(v))
    except (TypeError, ValueError):  # pd.NA refuses comparison
        return True


def _minus(text: str) -> str:
    return text.replace("-", "−")


def _sign(x: float, digits: int) -> str:
    """``x`` with its sign (``+0.42``, ``-0.10``), and none when it rounds to zero (``0.00``, not ``-0.00``)."""
    text = f"{x:+.{digits}f}"
    return text[1:] if float(text) == 0 else text


def pct(v: Any, digits: int = 0) -> str:
    """A share as a percentage: ``0.123 → 12%``."""
    return "–" if missing(v) else f"{100 * float(v):.{digits}f}%"


def signed(v: Any, digits: int = 2) -> str:
    """A signed score: ``+0.42``, ``−0.10``."""
    return "–" if missing(v) else _minus(_sign(float(v), digits))


def points(v: Any, digits: int = 0) -> str:
    """A difference of shares in percentage points: ``+12%p``."""
    return "–" if missing(v) else _minus(_sign(100 * float(v), digits)) + "%p"


def count(v: Any) -> str:
    """A whole number with thousands separators."""
    return "–" if missing(v) else f"{int(round(float(v))):,}"


def interval_text(bounds: tuple[Any, Any] | list[Any] | None, kind: Literal["pp", "pct", "net", "ratio"]) -> str:
    """A 95% interval in the unit of its estimate: ``+2 ~ +12%p``, ``8~15%``, ``−0.41 ~ −0.12``, ``×1.8 ~ ×3.1``."""
    if not bounds or missing(bounds[0]) or missing(bounds[1]):
        return "–"
    lo, hi = float(bounds[0]), float(bounds[1])
    if kind == "pp":
        return _minus(f"{_sign(100 * lo, 0)} ~ {_sign(100 * hi, 0)}%p")
    if kind == "pct":
        return f"{100 * lo:.0f}~{100 * hi:.0f}%"
    if kind == "ratio":
        top = "∞" if math.isinf(hi) else f"{hi:.1f}"
        return f"×{lo:.1f} ~ ×{top}"
    return _minus(f"{_sign(lo, 2)} ~ {_sign(hi, 2)}")


def josa(word: str, pair: str) -> str:
    """``word`` with the particle of ``pair`` ("은/는", "이/가", "과/와", "을/를") that its last syllable takes.

    The first form follows a final consonant, the second a vowel (월은, 주는); text that does not end in a Hangul
    syllable gets both ("3Q은(는)").

    >>> josa("월", "은/는"), josa("주", "이/가"), josa("일", "과/와")
    ('월은', '주가', '일과')
    """
    after_consonant, after_vowel = pair.split("/")
    last = word[-1:] if word else ""
    if not ("가" <= last <= "힣"):
        return f"{word}{after_consonant}({after_vowel})"
    return word + (after_consonant if (ord(last) - 0xAC00) % 28 else after_vowel)
