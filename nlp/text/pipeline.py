"""The text stage as one call: mask PII → normalise → quality flags.

Both ``nlp tokenize`` and ``nlp score`` run rows through :class:`TextPreparer`, so a text
means the same thing to the tokenizer, the models and the reports. Personal data is masked
in the raw text first (the spans are found through full-width forms and zero-width characters,
see :mod:`nlp.text.pii`), so the text written to the output and the text the models read are
masked alike; :func:`mask_output` then masks the rest of an output row (id, product and
pass-through columns).

Example:
    >>> prep = TextPreparer()
    >>> out = prep(["배송 빨라요ㅋㅋㅋㅋ", "배송빨라요ㅋㅋ", "", "연락 010-1234-5678", "ㅠㅠ", "좋아요"])
    >>> out.texts[0], out.flags
    ('배송 빨라요ㅋㅋ', [[], ['duplicate'], ['empty'], ['pii_masked'], ['filler'], ['generic']])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from nlp.text.normalize import normalize
from nlp.text.pii import mask_pii, pseudonymize_pii
from nlp.text.quality import DUPLICATE_WINDOW_DAYS, DuplicateDetector, RatingCheck, is_empty, is_filler, is_generic, is_non_korean

__all__ = ["TextPreparer", "PreparedTexts", "mask_output"]


@dataclass
class PreparedTexts:
    """Normalised (and, if asked, PII-masked) texts with their flags, in input order.

    ``masked_raw[i]`` is the input text as given with its personal data masked, where some
    was found (``None`` elsewhere): what the output's text column shows.
    """

    texts: list[str]
    flags: list[list[str]]
    masked_raw: list[str | None] = field(default_factory=list)


class TextPreparer:
    """Stateful across chunks: duplicates are found across the whole stream, the rating scale is fixed once.

    Args:
        mask_pii: replace personal data by tags (``[전화번호]`` ...) and flag ``pii_masked``.
        max_chars: texts longer than this (after normalisation) are cut and flagged ``truncated``.
        rating_scale: the valid ratings (``5``, ``10``, ``"0.5-5"``; ``None``: inferred), see
            :class:`nlp.text.quality.RatingCheck`.
        duplicate_window_days: rows of one product with the same text this close in time are duplicates.
    """

    def __init__(
        self, mask_pii: bool = True, max_chars: int = 5_000, rating_scale: str | float | None = None, duplicate_window_days: float | None = DUPLICATE_WINDOW_DAYS
    ) -> None:
        self.mask_pii = mask_pii
        self.max_chars = max_chars
        self.duplicates = DuplicateDetector(duplicate_window_days)
        self.ratings = RatingCheck(rating_scale)

    def __call__(
        self, raw: Sequence[object], products: Sequence[object] | None = None, times: Sequence[object] | None = None, ratings: Sequence[object] | None = None
    ) -> PreparedTexts:
        """Prepare one chunk of texts, with the product, time and rating of each row where known.

        ``times`` are read with :func:`nlp.periods.parse_times` (any common date form).
        """
        given = [r if isinstance(r, str) else "" for r in raw]
        masked_raw: list[str | None] = [None] * len(given)
        if self.mask_pii:
            for i, (masked, found) in enumerate(mask_pii(given)):
                if found:
                    given[i] = masked_raw[i] = masked
        texts = normalize(given)
        flags: list[list[str]] = [["pii_masked"] if m is not None else [] for m in masked_raw]
        prods = _products(products, len(texts))
        secs = _seconds(times, len(texts))
        for i, t in enumerate(texts):
            f = flags[i]
            if len(t) > self.max_chars:
                t = t[: self.max_chars]
                f.append("truncated")
            if is_empty(t):
                f.append("empty")
            elif is_filler(t):
                f.append("filler")
            else:
                if is_generic(t):
                    f.append("generic")  # many customers write it: not a duplicate
                elif self.duplicates.check(t, prods[i], secs[i]):
                    f.append("duplicate")
                if is_non_korean(t):
                    f.append("non_korean")
            texts[i] = t
        if ratings is not None:
            for f, bad in zip(flags, self.ratings(ratings)):
                if bad:
                    f.append("rating_invalid")
        return PreparedTexts(texts, flags, masked_raw)

    def table(self, frame, columns) -> PreparedTexts:
        """Prepare a chunk of an input table: its text column, with product, time and rating where the table has them.

        Args:
            frame: the chunk (a pandas DataFrame).
            columns: its :class:`nlp.io.columns.ColumnMap`.
        """
        def col(role: str):
            name = getattr(columns, role)
            return frame[name] if name in frame.columns else None

        return self(frame[columns.text].tolist(), products=col("product"), times=col("time"), ratings=col("rating"))


def _products(products: Sequence[object] | None, n: int) -> list[object]:
    if products is None:
        return [None] * n
    import pandas as pd

    return [None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in products]


def _seconds(times: Sequence[object] | None, n: int) -> list[float | None]:
    """Seconds since the epoch of each row's time (``None`` where there is none or it cannot be read)."""
    if times is None:
        return [None] * n
    import numpy as np
    import pandas as pd

    from nlp.periods import parse_times

    parsed = parse_times(pd.Series(list(times), dtype=object) if not isinstance(times, pd.Series) else times.reset_index(drop=True))
    ns = parsed.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    return [None if m else v / 1e9 for v, m in zip(ns.tolist(), parsed.isna().tolist())]


def mask_output(frame, prepared: PreparedTexts, text_col: str, columns: Iterable[str]) -> None:
    """Mask personal data in an output table, in place, and flag the rows (``pii_masked``).

    The text column gets the masked raw text (readable tags, ``[전화번호]``); every other
    string column in ``columns`` (ids, products, pass-through) gets keyed pseudonym tokens
    (:func:`nlp.text.pii.pseudonymize_pii`), which keep ids unique and deterministic.

    Args:
        frame: the output rows, in the order of ``prepared``.
        prepared: the text stage of the same rows (:class:`TextPreparer` with ``mask_pii=True``).
        text_col: the review text column.
        columns: the other columns to mask; non-string values are left as they are.
    """
    import pandas as pd

    hit = [i for i, m in enumerate(prepared.masked_raw) if m is not None]
    if hit and text_col in frame.columns:
        col = frame[text_col].astype("string")
        col.iloc[hit] = [prepared.masked_raw[i] for i in hit]
        frame[text_col] = col
    for name in columns:
        if name == text_col or name not in frame.columns:
            continue
        col = frame[name]
        if not (pd.api.types.is_object_dtype(col.dtype) or pd.api.types.is_string_dtype(col.dtype)):
            continue
        seen: dict[str, tuple[str, bool]] = {}
        values = col.tolist()
        changed = False
        for i, v in enumerate(values):
            if not isinstance(v, str):
                continue
            res = seen.get(v)
            if res is None:
                res = seen[v] = pseudonymize_pii(v)
            if res[1]:
                values[i] = res[0]
                changed = True
                if "pii_masked" not in prepared.flags[i]:
                    prepared.flags[i].append("pii_masked")
        if changed:
            frame[name] = pd.Series(values, index=frame.index, dtype=col.dtype)
