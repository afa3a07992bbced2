"""Won't-return statements: a review that says it will not buy, visit or use again is `avoid`.

The guideline's `avoid` is exactly such a statement (or a refund, or advice not to buy), but the
blended models read "재구매 의사 없습니다" through its 재구매 and answer `repurchase`, and miss
colloquial forms ("두번은 안갈듯", "또 올 자신은 없네요", "주거래 은행 갈아탈게요"). After the blend,
:func:`apply_wont_return` moves a matching text's intent to `avoid` (its probability raised to
:data:`AVOID_FLOOR`, the other labels scaled down in proportion).

Chosen by a rule written before the measurement (docs/decisions.md, "Won't-return statements make
intent avoid"): on real development reviews frequent-label macro-F1 0.665 → 0.712 (chunk C, where
the patterns were written from the errors) and 0.640 → 0.643 (chunk A), team-written dev unchanged.

Example:
    >>> wont_return(["재구매 의사 없어요", "재구매 의사 있어요", "두번은 안갈듯", "앱 지웠다가 다시 깔았어요"]).tolist()
    [True, False, True, False]
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

__all__ = ["WONT_RETURN", "AVOID_FLOOR", "wont_return", "apply_wont_return"]

WONT_RETURN = re.compile(
    r"(재구매|재방문|재주문|재구입)\s?(할\s?)?(의사|생각|마음)?\s?(는|은)?\s?(없|x|X|안\s?(할|해)|않|\s?ㄴㄴ)|"
    r"(재구매|재방문|재주문)\S{0,3}\s?(정도|만큼)?(는|은)?\s?아니|"
    r"(다시는|두\s?번\s?다시|다음엔|다음에는|다음부턴|또는?)\s?(안|못)\s?(살|사|올|오|갈|가|시킬|시키|먹|쓸|써|주문|방문|구매)|"
    r"(또|다시)\s?(올|갈|살|시킬|먹을|방문할)\s?(자신|생각|일|의향|마음)(은|이)?\s?(없|안)|"
    r"두\s?번은\s?(못|안)|(안|못)\s?쓰겠|안\s?쓰게\s?(되|돼)|안\s?씁니다|갈아타(야|겠|ㄹ|려|겟|탈)|갈아탈|"
    r"(삭제|탈퇴|해지)\s?(했|합니다|할게|하고\s?갑|하러)"
)
"""Negated repurchase or revisit (재구매 의사 없음, 재방문할 정도는 아님), will not come, buy or use again
(다음엔 안 올, 두 번은 못, 못 쓰겠어요), switching away (갈아탈게요), and deleting or cancelling."""

AVOID_FLOOR = 0.6
"""The `avoid` probability a matching text gets at least (so `avoid` is its label)."""


def wont_return(texts: Sequence[str]) -> np.ndarray:
    """One boolean per text: does it state that the author will not buy, visit or use it again?"""
    return np.fromiter((bool(WONT_RETURN.search(t or "")) for t in texts), dtype=bool, count=len(texts))


def apply_wont_return(probs: np.ndarray, labels: Sequence[str], texts: Sequence[str]) -> np.ndarray:
    """``probs`` (one row per text, columns ``labels``) with matching texts moved to `avoid`."""
    if "avoid" not in labels or not len(texts):
        return probs
    hit = wont_return(texts)
    if not hit.any():
        return probs
    out = probs.copy()
    a = list(labels).index("avoid")
    rows = out[hit]
    avoid = np.maximum(rows[:, a], AVOID_FLOOR)
    rest = rows.sum(axis=1) - rows[:, a]
    scale = np.where(rest > 0, (1.0 - avoid) / np.where(rest > 0, rest, 1.0), 0.0)
    rows = rows * scale[:, None]
    rows[:, a] = avoid
    out[hit] = rows
    return out
