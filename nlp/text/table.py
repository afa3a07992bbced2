"""``nlp tokenize`` as a library function: a table in, the table plus Kiwi's analysis out."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import pandas as pd

from nlp.io.columns import ColumnMap, derive_ids
from nlp.io.rejects import RejectsWriter
from nlp.io.tables import ROW_COL, TableWriter, iter_table
from nlp.text.kiwi import KiwiTokenizer
from nlp.text.pipeline import TextPreparer, mask_output
from nlp.text.quality import join_flags

logger = logging.getLogger(__name__)

__all__ = ["tokenize_table", "TableStats", "mark_duplicate_ids"]


@dataclass
class TableStats:
    """Row accounting for one run: ``input_rows == output_rows + rejected_rows``."""

    input_rows: int = 0
    output_rows: int = 0
    rejected_rows: int = 0
    output: str = ""
    rejects: str = ""

    def check(self) -> None:
        if self.input_rows != self.output_rows + self.rejected_rows:
            raise RuntimeError(f"row accounting broke: {self}")


class _IdTracker:
    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, ids: pd.Series) -> list[bool]:
        out = []
        for i in ids:
            out.append(i in self.seen)
            self.seen.add(i)
        return out


def mark_duplicate_ids(flags: list[list[str]], dup: list[bool]) -> None:
    for f, d in zip(flags, dup):
        if d:
            f.append("duplicate_id")


def tokenize_table(
    input: str | os.PathLike | None,
    output: str | os.PathLike,
    columns: ColumnMap | None = None,
    user_dict: str | None = None,
    space: bool = False,
    typos: bool = False,
    mask_pii: bool = False,
    content_words: bool = True,
    chunk_size: int = 20_000,
    show_progress_bar: bool | None = None,
) -> TableStats:
    """Normalise and tokenise every row; writes ``output`` (+ ``output.rejects.jsonl``).

    Added columns: ``id`` (when derived), ``text_normalized``, ``tokens`` (``form/TAG``),
    ``sentences``, ``content_words`` (when asked) and ``flags``. With ``mask_pii`` every column
    written is masked (see :func:`nlp.text.pipeline.mask_output`).
    """
    cmap = columns or ColumnMap()
    tok = KiwiTokenizer(user_dict=user_dict, space=space, typos=typos)
    prep = TextPreparer(mask_pii=mask_pii, max_chars=tok.max_chars)  # cuts and flags `truncated`
    ids_seen = _IdTracker()
    stats = TableStats()
    writer = TableWriter(output)
    rejects = RejectsWriter(output)
    from tqdm.auto import tqdm

    if show_progress_bar is None:
        show_progress_bar = logger.getEffectiveLevel() <= logging.INFO
    bar = tqdm(disable=not show_progress_bar, unit=" rows", desc="tokenize", mininterval=2)
    try:
        first = True
        for chunk in iter_table(input, chunk_size=chunk_size):
            df = chunk.frame
            if first:
                cmap.validate(list(df.columns), source=str(input or "stdin"))
                first = False
            stats.input_rows += len(df) + len(chunk.rejects)
            rejects.write(chunk.rejects)
            stats.rejected_rows += len(chunk.rejects)
            if not len(df):
                continue
            ids = derive_ids(df, cmap)
            prepared = prep(df[cmap.text].tolist())
            mark_duplicate_ids(prepared.flags, ids_seen(ids))
            analyses = tok.analyse(prepared.texts)
            out = df.drop(columns=[ROW_COL]).copy()
            if cmap.id not in out.columns:
                out.insert(0, cmap.id, ids)
            else:
                out[cmap.id] = ids
            out["text_normalized"] = prepared.texts
            out["tokens"] = [a.tokens for a in analyses]
            out["sentences"] = [a.sentences for a in analyses]
            if content_words:
                out["content_words"] = [a.content_words for a in analyses]
            if prep.mask_pii:
                mask_output(out, prepared, cmap.text, [c for c in dict.fromkeys([cmap.id, *df.columns]) if c not in (ROW_COL, cmap.time)])
            out["flags"] = [join_flags(f) for f in prepared.flags]
            writer.write(out)
            stats.output_rows += len(out)
            bar.update(len(df) + len(chunk.rejects))
        if first:
            raise ValueError(f"{input}: no table found")
    except BaseException:
        writer.abort()
        rejects.abort()
        raise
    bar.close()
    stats.output = str(writer.close())
    stats.rejects = str(rejects.close())
    stats.check()
    return stats

