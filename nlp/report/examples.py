"""The reviews and clauses a report shows, asked for by what they are, not taken from rows in memory.

Every figure of the report is a sum over weighted rows (:mod:`nlp.report.data`); the texts
it quotes are **picks**: "the 50 most negative reviews of product P in March", "the positive
clauses about 소음 for product P". A :class:`Pick` names its table, its filter, its order and
how many rows it wants, so the same pick can be answered from rows in memory
(:class:`FrameExamples`, ``nlp report``) or by a distributed engine that holds the rows
elsewhere (:class:`RecordedExamples`, filled by :mod:`nlp.engines.spark_report`): the report
asks for its picks on a first pass, the engine answers all of them in one job, and the
report is built again with the answers. Both apply :func:`apply_pick`, so they choose the same
rows.

Orders put rows a reader can use first (not empty, not a duplicate, not non-Korean) and break
ties by table order (``_row``), so a pick's answer does not depend on how rows were split up.

Example:
    >>> rows = pd.DataFrame({"_row": [0, 1, 2], "product_id": ["a", "a", "b"], "sentiment_score": [0.2, -0.9, -0.5],
    ...                      "created_at": pd.to_datetime(["2024-01-01"] * 3), "flags": ["", "", ""]})
    >>> apply_pick(rows, Pick("reviews", (("product_id", "==", "a"),), "negative", 1))["_row"].tolist()
    [1]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = ["Pick", "Examples", "FrameExamples", "RecordedExamples", "apply_pick", "ORDERS", "bad_rows"]

Table = Literal["reviews", "aspects"]

ORDERS: dict[str, tuple[tuple[str, bool], ...]] = {
    # (column, ascending); every order ends with table order
    "negative": (("_bad", True), ("sentiment_score", True), ("created_at", False)),
    "positive": (("_bad", True), ("sentiment_score", False), ("created_at", False)),
    "prob": (("_bad", True), ("topic_prob", False), ("created_at", False)),
    "listed": (("_listed", True),),
    "clause_negative": (("score", True),),
    "clause_positive": (("_against", True), ("score", False)),
    "clause_recent": (("created_at", False), ("score", True)),
}
"""The orders a pick can ask for: reviews (``negative``, ``positive``, ``prob``: clean rows first), the
order of a list of ids (``listed``), and aspect mentions (``clause_*``). Praise quoted from a review its
writer rated 1-2 (of 5) comes last (``_against``): such a clause is more often a comparison, a wish or
sarcasm ("요즘세상에 결제도 쉬운데") than praise a reader should see first. A complaint in a 5-star review
("버벅거리는 것만 빼면 훌륭합니다") is a real one and keeps its place."""

LOW_RATING = 2.0
"""Ratings at or below this count as a low rating for :data:`ORDERS` (``_against``)."""

_BAD = r"(?:^|\|)(?:empty|duplicate|non_korean)(?:\||$)"


def bad_rows(flags: pd.Series) -> pd.Series:
    """Rows a reader should see last: flagged empty, duplicate or non-Korean."""
    return flags.astype("string").str.contains(_BAD, regex=True, na=False)


@dataclass(frozen=True)
class Pick:
    """Which rows to show: ``table``, a filter, an order (:data:`ORDERS`) and a limit.

    ``where`` is a tuple of ``(column, op, value)`` with ``op`` one of ``==``, ``!=``, ``<``,
    ``>=``, ``in`` (``value`` a tuple) and ``notna`` (``value`` ignored); all must hold.
    """

    table: Table
    where: tuple[tuple[str, str, Any], ...]
    order: str
    limit: int


def _mask(frame: pd.DataFrame, where: tuple[tuple[str, str, Any], ...]) -> np.ndarray:
    keep = np.ones(len(frame), dtype=bool)
    for col, op, value in where:
        x = frame[col]
        if op == "notna":
            m = x.notna()
        elif op == "in":
            m = x.astype("string").isin([str(v) for v in value])
        elif op == "==":
            m = x == value
        elif op == "!=":
            m = x != value
        elif op == "<":
            m = x < value
        elif op == ">=":
            m = x >= value
        else:
            raise ValueError(f"unknown pick operator {op!r}")
        keep &= np.asarray(pd.Series(m).fillna(False), dtype=bool)
    return keep


def apply_pick(frame: pd.DataFrame, pick: Pick) -> pd.DataFrame:
    """The rows of ``frame`` a pick asks for: filtered, ordered (ties by ``_row``), at most ``limit``."""
    rows = frame[_mask(frame, pick.where)]
    if not len(rows) or pick.limit <= 0:
        return rows.iloc[0:0]
    keys = ORDERS[pick.order]
    if pick.order == "listed":
        listed = next((tuple(str(v) for v in value) for col, op, value in pick.where if col == "id" and op == "in"), ())
        position = {v: i for i, v in enumerate(listed)}
        rows = rows.assign(_listed=rows["id"].astype(str).map(position))
    elif "_bad" in dict(keys) and "_bad" not in rows.columns:
        rows = rows.assign(_bad=bad_rows(rows["flags"]) if "flags" in rows.columns else False)
    if "_against" in dict(keys):
        low = pd.to_numeric(rows["rating"], errors="coerce") <= LOW_RATING if "rating" in rows.columns else False
        rows = rows.assign(_against=low)
    cols = [c for c, _ in keys] + ["_row"]
    asc = [a for _, a in keys] + [True]
    out = rows.sort_values(cols, ascending=asc, na_position="last", kind="stable").head(pick.limit)
    return out.drop(columns=[c for c in ("_listed", "_against") if c in out.columns])


class Examples:
    """Answers picks; subclasses say from where."""

    def get(self, pick: Pick) -> pd.DataFrame:  # pragma: no cover - interface
        raise NotImplementedError


class FrameExamples(Examples):
    """Picks answered from rows in memory: the review rows and the aspect mentions of ``nlp report``."""

    def __init__(self, reviews: pd.DataFrame, aspects: pd.DataFrame | None) -> None:
        self.frames = {"reviews": reviews, "aspects": aspects}

    def get(self, pick: Pick) -> pd.DataFrame:
        frame = self.frames[pick.table]
        if frame is None:
            return pd.DataFrame()
        return apply_pick(frame, pick)


class RecordedExamples(Examples):
    """Picks answered elsewhere: each pick asked for is recorded; known answers are returned, the rest are empty.

    Args:
        columns: per table, the columns an empty answer has (so the report's code runs unchanged).
        answers: pick → rows, from the engine that holds the rows.
    """

    def __init__(self, columns: dict[str, list[str]], answers: dict[Pick, pd.DataFrame] | None = None) -> None:
        self.columns = columns
        self.answers = dict(answers or {})
        self.asked: list[Pick] = []

    def get(self, pick: Pick) -> pd.DataFrame:
        if pick not in self.answers and pick not in self.asked:
            self.asked.append(pick)
        got = self.answers.get(pick)
        return got if got is not None else pd.DataFrame(columns=self.columns[pick.table])
