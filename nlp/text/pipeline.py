"""The text stage as one call: normalise → mask PII → quality flags.

Both ``nlp tokenize`` and ``nlp score`` run rows through :class:`TextPreparer`, so a text
means the same thing to the tokenizer, the models and the reports.

Example:
    >>> prep = TextPreparer()
    >>> out = prep(["배송 빨라요ㅋㅋㅋㅋ", "배송빨라요ㅋㅋ", "", "연락 010-1234-5678"])
    >>> out.texts[0], out.flags
    ('배송 빨라요ㅋㅋ', [[], ['duplicate'], ['empty'], ['pii_masked']])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nlp.text.normalize import normalize
from nlp.text.pii import mask_pii
from nlp.text.quality import DuplicateDetector, is_empty, is_non_korean

__all__ = ["TextPreparer", "PreparedTexts"]


@dataclass
class PreparedTexts:
    """Normalised (and, if asked, PII-masked) texts with their flags, in input order."""

    texts: list[str]
    flags: list[list[str]]


class TextPreparer:
    """Stateful across chunks (duplicates are found across the whole stream).

    Args:
        mask_pii: replace personal data by tags (``[전화번호]`` ...) and flag ``pii_masked``.
        max_chars: texts longer than this (after normalisation) are cut and flagged ``truncated``.
    """

    def __init__(self, mask_pii: bool = True, max_chars: int = 5_000) -> None:
        self.mask_pii = mask_pii
        self.max_chars = max_chars
        self.duplicates = DuplicateDetector()

    def __call__(self, raw: Sequence[object]) -> PreparedTexts:
        texts = normalize([r if isinstance(r, str) else "" for r in raw])
        flags: list[list[str]] = [[] for _ in texts]
        for i, t in enumerate(texts):
            f = flags[i]
            if self.mask_pii:
                masked, found = mask_pii(t)
                if found:
                    t = masked
                    f.append("pii_masked")
            if len(t) > self.max_chars:
                t = t[: self.max_chars]
                f.append("truncated")
            if is_empty(t):
                f.append("empty")
            else:
                if self.duplicates.check(t):
                    f.append("duplicate")
                if is_non_korean(t):
                    f.append("non_korean")
            texts[i] = t
        return PreparedTexts(texts, flags)
