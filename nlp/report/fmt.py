"""Number formatting for the report: percentages, signed scores, percentage points, intervals.

Every function takes a number or a missing value (``None``/``NaN``) and returns text; a
missing value is an en dash. Minus signs are the typographic ``−``.

Example:
    >>> pct(0.123), signed(-0.5), points(0.071), interval_text((0.02, 0.115), "pp")
    ('12%', '−0.50', '+7%p', '+2 ~ +12%p')
"""

from __future__ import annotations

import math
from typing import Any, Literal

__all__ = ["missing", "pct", "signed", "points", "interval_text", "count"]


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


def pct(v: Any, digits: int = 0) -> str:
    """A share as a percentage: ``0.123 → 12%``."""
    return "–" if missing(v) else f"{100 * float(v):.{digits}f}%"


def signed(v: Any, digits: int = 2) -> str:
    """A signed score: ``+0.42``, ``−0.10``."""
    return "–" if missing(v) else _minus(f"{float(v):+.{digits}f}")


def points(v: Any, digits: int = 0) -> str:
    """A difference of shares in percentage points: ``+12%p``."""
    return "–" if missing(v) else _minus(f"{100 * float(v):+.{digits}f}") + "%p"


def count(v: Any) -> str:
    """A whole number with thousands separators."""
    return "–" if missing(v) else f"{int(round(float(v))):,}"


def interval_text(bounds: tuple[Any, Any] | list[Any] | None, kind: Literal["pp", "pct", "net", "ratio"]) -> str:
    """A 95% interval in the unit of its estimate: ``+2 ~ +12%p``, ``8~15%``, ``−0.41 ~ −0.12``, ``×1.8 ~ ×3.1``."""
    if not bounds or missing(bounds[0]) or missing(bounds[1]):
        return "–"
    lo, hi = float(bounds[0]), float(bounds[1])
    if kind == "pp":
        return _minus(f"{100 * lo:+.0f} ~ {100 * hi:+.0f}%p")
    if kind == "pct":
        return f"{100 * lo:.0f}~{100 * hi:.0f}%"
    if kind == "ratio":
        top = "∞" if math.isinf(hi) else f"{hi:.1f}"
        return f"×{lo:.1f} ~ ×{top}"
    return _minus(f"{lo:+.2f} ~ {hi:+.2f}")
