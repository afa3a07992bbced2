"""``nlp.score``: the same scores as ``nlp score``, for a notebook or a pipeline.

A DataFrame, a list of texts or one text goes through exactly the path the command takes (reading, cleaning, PII
masking, quality flags, duplicate and id handling, the model and its precision), so notebook and CLI scores agree.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from nlp.scoring.scorer import Scorer

__all__ = ["score"]


@functools.lru_cache(maxsize=2)
def _cached_scorer(model: str | None, int8: bool, intent_rules: bool = True) -> Scorer:
    # a notebook calls score() many times: load each model (and its ONNX sessions) once
    from nlp.scoring.scorer import Scorer

    return Scorer.load(model, quantize=int8, intent_rules=intent_rules)


def score(
    data: pd.DataFrame | Iterable[str] | str,
    *,
    model: str | os.PathLike | None = None,
    int8: bool = True,
    scorer: Scorer | None = None,
    text_col: str = "text",
    id_col: str = "id",
    product_col: str = "product_id",
    time_col: str = "created_at",
    rating_col: str = "rating",
    channel_col: str = "channel",
    mask_pii: bool = True,
    rating_scale: str | float | None = None,
    show_progress_bar: bool | None = False,
    intent_rules: bool = True,
) -> pd.DataFrame | dict[str, Any]:
    """Score texts for sentiment, purchase intent and quality flags.

    Args:
        data: a DataFrame with a ``text_col`` column (other columns pass through), a list of texts, or one text.
        model: a model directory (default: the shipped model, or ``$NLP_MODEL``).
        int8: the int8 encoder with its fp32 re-check of close intent calls, as ``nlp score`` by default
            (within 0.5 points of fp32, faster); ``False`` scores in fp32 (``nlp score --fp32``). int8 scores
            move slightly with the other texts in a batch.
        scorer: a loaded :class:`nlp.scoring.Scorer` (overrides ``model`` and ``int8``); without it the model is
            loaded once per process and kept for later calls.
        text_col, id_col, product_col, time_col, rating_col, channel_col: input column names.
        mask_pii: mask personal data before scoring (as ``nlp score`` does by default).
        rating_scale: the valid ratings for the ``rating_invalid`` flag (``5``, ``10``, ``"0.5-5"``; ``None``: inferred).
        intent_rules: intent follows what the text states (won't-return, repurchase and recommend statements), as
            ``nlp score`` by default; ``False`` keeps the model's own intent. A given ``scorer`` keeps its own setting.

    Returns:
        For a DataFrame or a list: a DataFrame with the input columns plus ``nlp score``'s columns, one row per input
        row. For one text: that row as a dict.

    Raises:
        ValueError: ``text_col`` is not a column of ``data`` (the message names the columns found).

    Example:
        >>> import nlp
        >>> nlp.score(["배송 빠르고 좋아요", "다시는 안 사요"])[["sentiment", "intent"]]  # doctest: +SKIP
          sentiment intent
        0  positive   none
        1  negative  avoid
    """
    import pandas as pd

    from nlp.io.columns import ColumnMap
    from nlp.io.tables import read_table
    from nlp.scoring.table import score_table

    single = isinstance(data, str)
    if single:
        frame = pd.DataFrame({text_col: [data]})
    elif isinstance(data, pd.DataFrame):
        frame = data
    else:
        frame = pd.DataFrame({text_col: list(data)})
    if text_col not in frame.columns:
        raise ValueError(f"text_col={text_col!r} is not a column of data; it has columns {list(frame.columns)}")
    cmap = ColumnMap(text=text_col, id=id_col, product=product_col, time=time_col, rating=rating_col, channel=channel_col)
    scorer = scorer or _cached_scorer(str(model) if model else None, int8, intent_rules)
    with tempfile.TemporaryDirectory(prefix="nlp-score-") as tmp:
        src, out = Path(tmp) / "input.parquet", Path(tmp) / "scored.parquet"
        frame.reset_index(drop=True).to_parquet(src, index=False)
        score_table(src, out, cmap, scorer=scorer, mask_pii=mask_pii, rating_scale=rating_scale, show_progress_bar=show_progress_bar)
        scored = read_table(out)
    if isinstance(data, pd.DataFrame):
        scored.index = data.index
    return scored.iloc[0].to_dict() if single else scored
