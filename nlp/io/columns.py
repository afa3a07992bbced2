"""Column mapping (the SPEC's ``--text-col`` ... options) and stable row ids."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd

from nlp.io.errors import InputError, echo
from nlp.io.tables import ROW_COL

__all__ = ["ColumnMap", "derive_ids"]

_OPTION = {"text": "--text-col", "id": "--id-col", "product": "--product-col", "time": "--time-col", "rating": "--rating-col", "channel": "--channel-col"}


@dataclass(frozen=True)
class ColumnMap:
    """Names of the input columns the product uses; everything else passes through.

    ``text`` is required; the others are optional and used when present.
    """

    text: str = "text"
    id: str = "id"
    product: str = "product_id"
    time: str = "created_at"
    rating: str = "rating"
    channel: str = "channel"

    def validate(self, columns: list[str], source: str = "the input", need: tuple[str, ...] = ("text",)) -> None:
        """Fail early, naming the missing column, the option that maps it, and the columns found."""
        cols = [c for c in columns if c != ROW_COL]
        shown = echo(cols)  # a malformed header can be one huge "column"
        for role in need:
            name = getattr(self, role)
            if name not in cols:
                raise InputError(
                    f"column {echo(name)!r} not found in {echo(source)}; it has columns {shown}. "
                    f"Pass {role}_col=NAME ({_OPTION[role]} NAME on the command line) to say which column holds the {role}."
                )
        for role in ("id", "product", "time", "rating", "channel"):
            name = getattr(self, role)
            default = ColumnMap.__dataclass_fields__[role].default
            if name != default and name not in cols:
                raise InputError(f"column {echo(name)!r} given as {role}_col ({_OPTION[role]}) is not in {echo(source)}; it has columns {shown}.")

    def has(self, frame: pd.DataFrame, role: str) -> bool:
        return getattr(self, role) in frame.columns


def derive_ids(frame: pd.DataFrame, cmap: ColumnMap) -> pd.Series:
    """Row ids: the id column where given (missing ids derived), else ``r<row>-<hash of text>``.

    Derived ids are stable: the same row of the same file always gets the same id.
    """
    texts = frame[cmap.text].astype("string").fillna("")
    derived = [f"r{int(r)}-{hashlib.blake2b(t.encode('utf-8'), digest_size=4).hexdigest()}" for r, t in zip(frame[ROW_COL], texts)]
    if cmap.id in frame.columns:
        given = frame[cmap.id].astype("string")
        return given.where(given.notna() & (given.str.strip() != ""), pd.Series(derived, index=frame.index, dtype="string"))
    return pd.Series(derived, index=frame.index, dtype="string")
