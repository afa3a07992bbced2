"""``nlp aspects`` as a library function: a review table (raw or scored) in, the aspect rows out.

The whole input is read first (``--domain auto`` decides each product's domain from all of its
reviews), then extracted in one pass: Kiwi in batches, and every clause the rules leave open in
one batched scorer call. Rows that cannot be parsed go to ``OUT.rejects.jsonl`` as in ``nlp score``.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from nlp.aspects.extract import AspectExtractor, ExtractStats
from nlp.io.columns import ColumnMap
from nlp.io.rejects import RejectsWriter
from nlp.io.tables import InputError, iter_table, write_table

logger = logging.getLogger(__name__)

__all__ = ["aspects_table", "aspects_path", "check_aspect_options", "AspectTableStats", "ASPECTS_SUFFIX"]

ASPECTS_SUFFIX = ".aspects"
"""``nlp score --aspects`` writes ``OUT<suffix><ext>`` beside ``OUT`` (``scored.parquet`` → ``scored.aspects.parquet``)."""


def check_aspect_options(domain: str = "auto", taxonomy: str | os.PathLike | None = None) -> None:
    """The aspect stage's options, checked before a run scores anything.

    A taxonomy file must load and its seeds compile as the stage will compile them (a seed Kiwi would
    misread is refused: :class:`~nlp.aspects.matcher.SeedIndex`), which takes a few seconds; the
    built-in seeds are tested, so without a file only the domain name is checked.

    Raises:
        ValueError: an unknown domain, or a file or seed the taxonomy refuses.
    """
    from nlp.aspects.matcher import SeedIndex
    from nlp.aspects.taxonomy import Taxonomy

    tax = Taxonomy.load(taxonomy)
    if domain != "auto" and domain not in tax:
        raise ValueError(f"unknown aspect domain {domain!r}; choose auto or one of {tax.names} (or add it with --taxonomy FILE)")
    if taxonomy:
        SeedIndex(tax)


def aspects_path(scored: str | os.PathLike) -> Path:
    """Where ``nlp score --aspects`` puts the aspect table for a scored output path.

    Example:
        >>> aspects_path("out/scored.parquet").as_posix()
        'out/scored.aspects.parquet'
    """
    p = Path(scored)
    return p.with_name(p.stem + ASPECTS_SUFFIX + p.suffix)


@dataclass
class AspectTableStats:
    """Row accounting of one ``nlp aspects`` run."""

    input_rows: int = 0
    rejected_rows: int = 0
    output: str = ""
    rejects: str = ""
    extract: ExtractStats = field(default_factory=ExtractStats)

    def summary(self) -> str:
        e = self.extract
        doms = ", ".join(f"{d} {n}" for d, n in sorted(e.domains.items())) or "none"
        return (
            f"{self.input_rows} rows in ({self.rejected_rows} rejected): {e.with_aspects} reviews with aspects, "
            f"{e.without_aspects} without ({e.empty} empty); {e.rows} aspect rows → {self.output}; domains: {doms}"
        )


def aspects_table(
    input: str | os.PathLike | None,
    output: str | os.PathLike,
    columns: ColumnMap | None = None,
    domain: str = "auto",
    taxonomy=None,
    domain_col: str | None = None,
    scorer=None,
    model_dir: str | os.PathLike | None = None,
    quantize: bool = True,
    backend: str | None = None,
    summary: str | os.PathLike | None = None,
    freq: str | None = "W",
    **extractor_kwargs,
) -> AspectTableStats:
    """Extract aspects from every row of ``input`` into ``output`` (+ ``output.rejects.jsonl``).

    Args:
        input: CSV/TSV/JSONL/Parquet path or ``-``; raw reviews or the output of ``nlp score``
            (its ``sentiment_*`` probabilities are reused for single-clause reviews).
        output: the aspect table; the format follows the extension.
        columns: input column names.
        domain / taxonomy / domain_col: see :class:`~nlp.aspects.extract.AspectExtractor`.
        scorer / model_dir / quantize / backend: the scorer for clause polarity.
        summary: also write the per product × aspect summary (:func:`~nlp.aspects.aggregate.aggregate`) here.
        freq: with ``summary``, the period of its per-period table (written beside it as ``<summary>.periods<ext>``).
        **extractor_kwargs: further :class:`AspectExtractor` options.
    """
    cmap = columns or ColumnMap()
    out_path = Path(output)
    if input is not None and str(input) != "-" and Path(input).resolve() == out_path.resolve():
        raise InputError("the output path is the input file; choose another -o")
    stats = AspectTableStats()
    frames = []
    rejects = RejectsWriter(out_path)
    try:
        for k, chunk in enumerate(iter_table(input, chunk_size=50_000)):
            if k == 0:
                cmap.validate(list(chunk.frame.columns), source=str(input or "stdin"))
            frames.append(chunk.frame)
            rejects.write(chunk.rejects)
            stats.input_rows += len(chunk.frame) + len(chunk.rejects)
            stats.rejected_rows += len(chunk.rejects)
    except BaseException:
        rejects.abort()
        raise
    stats.rejects = str(rejects.close())
    if not frames:
        raise InputError(f"{input}: no table found")
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    ex = AspectExtractor(
        domain=domain, taxonomy=taxonomy, scorer=scorer, model_dir=model_dir, quantize=quantize, backend=backend, columns=cmap, domain_col=domain_col, **extractor_kwargs
    ).fit()
    rows = ex.transform(frame)
    stats.output = str(write_table(rows, out_path))
    stats.extract = ex.stats_
    if summary:
        from nlp.aspects.aggregate import aggregate

        agg = aggregate(rows, frame, cmap, freq=freq if freq and cmap.time in frame.columns else None)
        sp = Path(summary)
        write_table(agg.by_product, sp)
        if agg.by_period is not None:
            write_table(agg.by_period, sp.with_name(sp.stem + ".periods" + sp.suffix))
    return stats
