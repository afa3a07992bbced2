"""``nlp trends`` as a library function: scored file (+ topics directory) → feature table on disk, rejects beside it.

Example:
    >>> run = trends_table("scored.parquet", "trends.parquet", freq="M")  # doctest: +SKIP
    >>> run.rows, run.rejected  # doctest: +SKIP
    (1204, 3)
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from nlp.io.columns import ColumnMap
from nlp.io.lock import locks_output
from nlp.io.rejects import RejectsWriter
from nlp.io.tables import InputError, iter_table, write_table
from nlp.schema import load_doc_topics
from nlp.trends.features import TrendConfig, _features_from_rows, prepare_rows

logger = logging.getLogger(__name__)

__all__ = ["TrendsRun", "read_scored", "trends_table"]


@dataclass
class TrendsRun:
    """What :func:`trends_table` wrote.

    Attributes:
        output: the feature table.
        features: the same table in memory.
        input_rows: rows read (parse failures included).
        rejected: rows not usable (unparseable, no product, no date), in ``rejects``.
        excluded: rows left out on purpose (``exclude_flags``).
        rejects: the rejects file (``OUT.rejects.jsonl``), or ``None`` when nothing was rejected.
    """

    output: Path
    features: pd.DataFrame
    input_rows: int
    rejected: int
    excluded: int
    rejects: Path | None

    @property
    def rows(self) -> int:
        return len(self.features)

    @property
    def series(self) -> int:
        return int(self.features["unique_id"].nunique()) if len(self.features) else 0

    def anomaly_counts(self) -> dict[str, int]:
        return {c: int(self.features[c].sum()) for c in self.features.columns if c.startswith("anomaly_")}


def read_scored(path: str | os.PathLike | None) -> tuple[pd.DataFrame, list]:
    """Read a whole scored table, keeping its input positions (``_row``) and the rows that could not be parsed."""
    frames, rejects = [], []
    for chunk in iter_table(path, chunk_size=200_000):
        frames.append(chunk.frame)
        rejects.extend(chunk.rejects)
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return df, rejects


@locks_output("output")
def trends_table(
    input: str | os.PathLike | None,
    output: str | os.PathLike,
    columns: ColumnMap | None = None,
    *,
    topics_dir: str | os.PathLike | None = None,
    by_topic: bool = False,
    extend_to: str | pd.Timestamp | None = None,
    data_end: str | pd.Timestamp | None = None,
    **options: Any,
) -> TrendsRun:
    """Read a scored table, build the features, write them (format from ``output``'s extension) and the rejects.

    Args:
        input: the scored table (``nlp score`` output), or ``-`` for stdin.
        output: where the features go (``.parquet``, ``.csv``, ``.jsonl``).
        columns: input column names.
        topics_dir: an ``nlp topics`` output directory, for topic shares and emerging topics.
        by_topic: one series per topic instead of per product.
        extend_to: extend every series to the period of this date.
        data_end: the latest date the data cover, for ``period_complete`` (default: the latest date in the table).
        **options: :class:`~nlp.trends.features.TrendConfig` fields (``freq``, ``lag``, ``min_volume`` ...).

    Returns:
        A :class:`TrendsRun`; ``input_rows == rows used + rejected + excluded``.
    """
    unknown = sorted(set(options) - set(TrendConfig.__dataclass_fields__))
    if unknown:
        raise TypeError(f"unknown trend options {unknown}; valid: {sorted(TrendConfig.__dataclass_fields__)}")
    cfg = TrendConfig(**options)
    cmap = columns or ColumnMap()
    scored, parse_rejects = read_scored(input)
    doc_topics, labels = load_doc_topics(topics_dir) if topics_dir is not None else (None, {})
    if by_topic and doc_topics is None:
        raise InputError("by_topic=True needs topics_dir=DIR (the output directory of `nlp topics`)")
    prepared = prepare_rows(scored, cmap, config=cfg, need_product=not by_topic)
    features = _features_from_rows(
        prepared.frame,
        cfg,
        cmap,
        doc_topics=doc_topics,
        topic_labels=labels,
        by_topic=by_topic,
        extend_to=extend_to,
        data_end=prepared.data_end if data_end is None else data_end,
    )
    all_rejects = parse_rejects + prepared.rejects
    rejects_file = None
    writer = RejectsWriter(output)
    try:
        writer.write(sorted(all_rejects, key=lambda r: r.row))
    except BaseException:
        writer.abort()
        raise
    if all_rejects:
        rejects_file = writer.close()
    else:
        writer.abort()
        writer.tmp.unlink(missing_ok=True)
        writer.path.unlink(missing_ok=True)  # no stale rejects from an earlier run
    out = write_table(features, output)
    input_rows = len(scored) + len(parse_rejects)
    logger.info(
        "%d feature rows (%d series) from %d rows; %d rejected",
        len(features),
        features["unique_id"].nunique(),
        input_rows,
        len(all_rejects),
    )
    return TrendsRun(
        output=out,
        features=features,
        input_rows=input_rows,
        rejected=len(all_rejects),
        excluded=prepared.n_excluded,
        rejects=rejects_file,
    )
