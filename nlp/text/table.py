"""``nlp tokenize`` as a library function: a table in, the table plus Kiwi's analysis out."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import pandas as pd

from nlp.io.columns import ColumnMap, derive_ids
from nlp.io.interrupt import RunInterrupted
from nlp.io.lock import OutputLock
from nlp.io.rejects import RejectsWriter
from nlp.io.tables import ROW_COL, TableWriter, add_row_flags, as_text, iter_table
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


class IdTracker:
    """Ids seen so far in a stream of chunks, for the ``duplicate_id`` flag."""

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
    rating_scale: str | float | None = None,
    chunk_size: int = 20_000,
    show_progress_bar: bool | None = None,
) -> TableStats:
    """Normalise and tokenise every row; writes ``output`` (+ ``output.rejects.jsonl``).

    Added columns: ``id`` (when derived), ``text_normalized``, ``tokens`` (``form/TAG``),
    ``sentences``, ``content_words`` (when asked) and ``flags``. With ``mask_pii`` every column
    written is masked (see :func:`nlp.text.pipeline.mask_output`). An input with a header and
    no rows gives a valid empty table with those columns. The output is written only when
    every row is done: after a failure or an interrupt nothing is left behind. ``rating_scale``:
    the valid ratings for ``rating_invalid`` (``5``, ``10``, ``"0.5-5"``; ``None``: inferred).
    """
    cmap = columns or ColumnMap()
    with OutputLock(output):
        return _tokenize_locked(input, output, cmap, user_dict, space, typos, mask_pii, content_words, rating_scale, chunk_size, show_progress_bar)


_LIST_COLUMNS = ("tokens", "sentences", "content_words")


def _tokenize_locked(input, output, cmap, user_dict, space, typos, mask_pii, content_words, rating_scale, chunk_size, show_progress_bar) -> TableStats:
    tok = KiwiTokenizer(user_dict=user_dict, space=space, typos=typos)
    prep = TextPreparer(mask_pii=mask_pii, max_chars=tok.max_chars, rating_scale=rating_scale)  # cuts and flags `truncated`
    ids_seen = IdTracker()
    stats = TableStats()
    writer = TableWriter(output)
    rejects = RejectsWriter(output)
    from tqdm.auto import tqdm

    if show_progress_bar is None:
        show_progress_bar = logger.getEffectiveLevel() <= logging.INFO
    bar = tqdm(disable=not show_progress_bar, unit=" rows", desc="tokenize", mininterval=2)
    template = None  # the columns of an empty chunk, written when no chunk has rows
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
            df[cmap.text] = as_text(df[cmap.text])  # a number in the text column is tokenised as its text
            ids = derive_ids(df, cmap)
            prepared = prep.table(df, cmap)
            mark_duplicate_ids(prepared.flags, ids_seen(ids))
            add_row_flags(prepared.flags, df, chunk.row_flags)
            analyses = tok.analyse(prepared.texts) if len(df) else []
            out = df.drop(columns=[ROW_COL]).copy()
            if cmap.id not in out.columns:
                out.insert(0, cmap.id, ids)
            else:
                out[cmap.id] = ids
            out["text_normalized"] = pd.Series(prepared.texts, index=out.index, dtype=object)
            out["tokens"] = pd.Series([a.tokens for a in analyses], index=out.index, dtype=object)
            out["sentences"] = pd.Series([a.sentences for a in analyses], index=out.index, dtype=object)
            if content_words:
                out["content_words"] = pd.Series([a.content_words for a in analyses], index=out.index, dtype=object)
            if prep.mask_pii:
                mask_output(out, prepared, cmap.text, [c for c in dict.fromkeys([cmap.id, *df.columns]) if c not in (ROW_COL, cmap.time)])
            out["flags"] = pd.Series([join_flags(f) for f in prepared.flags], index=out.index, dtype=object)
            bar.update(len(df) + len(chunk.rejects))
            if not len(out):
                template = out if template is None else template
                continue
            writer.write(out)
            stats.output_rows += len(out)
        if first:
            raise ValueError(f"{input}: no table found")
        if writer.rows == 0 and template is not None:
            writer.write(template, types=_empty_types(template))  # a header and no rows: a valid empty table
        bar.close()
        stats.output = str(writer.close())
        stats.rejects = str(rejects.close())
    except BaseException as exc:
        bar.close()
        writer.abort()
        rejects.abort()
        if isinstance(exc, KeyboardInterrupt) and not isinstance(exc, RunInterrupted):
            raise RunInterrupted(f"tokenizing was interrupted; nothing was written to {output}", "run the command again") from exc
        raise
    stats.check()
    return stats


def _empty_types(out: pd.DataFrame) -> dict:
    """Arrow types for the columns of a table with no rows (whose values cannot show them)."""
    import pyarrow as pa

    types = {c: pa.list_(pa.string()) for c in _LIST_COLUMNS}
    types.update({c: pa.string() for c in out.columns if c not in _LIST_COLUMNS})
    return types
