"""nlp-insight for teams already in Spark: a DataFrame in, a DataFrame out, the local engine's results.

The stages run with ``mapInPandas`` over the local engine's chunks, the models loaded once per
Python worker; duplicates, duplicate ids and derived ids are computed over the whole
DataFrame as ``nlp score`` computes them over a file (details: :mod:`nlp.engines.spark`,
``docs/spark.md``). Needs ``pip install 'nlp-insight[spark]'`` and Java 17+.

Rows are numbered in the DataFrame's order, as ``nlp score`` numbers a file's rows: ids
derived for rows without one (``r<row>-<hash>``) and which of two equal texts counts as the
duplicate follow that order. A DataFrame read straight from files has a stable order; give
other DataFrames an id column, or persist them first, so a retried task sees the same rows.

Example:
    >>> import nlp.spark
    >>> spark = nlp.spark.session("local[*]")  # doctest: +SKIP
    >>> reviews = spark.read.parquet("reviews.parquet")  # doctest: +SKIP
    >>> scored = nlp.spark.score(reviews, int8=True)  # doctest: +SKIP
    >>> scored.groupBy("product_id", "sentiment").count().show()  # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from nlp.engines import DEFAULT_SPARK_MASTER
from nlp.io.columns import ColumnMap

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from nlp.text.table import TableStats

__all__ = ["session", "score", "aspects", "score_table", "aspects_table", "read", "report"]


def session(master: str = DEFAULT_SPARK_MASTER, conf: dict[str, str] | None = None) -> SparkSession:
    """A Spark session set up for the engine (an active session is reused).

    Args:
        master: ``local[*]``, ``spark://host:7077``, ``yarn``, ``k8s://...``.
        conf: further Spark settings.
    """
    from nlp.engines.spark import session as _session

    return _session(master, conf=conf)


def read(spark: SparkSession, path: str | os.PathLike, columns: ColumnMap | None = None) -> tuple[DataFrame, DataFrame]:
    """Read a table as ``nlp score --engine spark`` does: (rows, rejects).

    CSV/TSV in the detected encoding (CP949, UTF-8 with BOM ...), JSON lines or Parquet; rows
    the local reader would reject are in the second frame (``id``, ``row``, ``reason``,
    ``original``), not the first.
    """
    from nlp.engines.spark import CORRUPT_COL, number_rows, read_input, rejects_frame

    src = read_input(spark, str(path), columns)
    numbered, _ = number_rows(src.frame)
    rejects = rejects_frame(numbered, src.source)
    rows = src.frame
    if CORRUPT_COL in rows.columns:
        from pyspark.sql import functions as F

        good = numbered.join(rejects.select(F.col("row").alias("_row")), "_row", "left_anti")
        rows = good.drop(CORRUPT_COL, "_row")
    return rows, rejects


def score(
    df: DataFrame,
    *,
    columns: ColumnMap | None = None,
    model_dir: str | os.PathLike | None = None,
    int8: bool = True,
    recheck: float | None = None,
    fast: bool = False,
    backend: str | None = None,
    mask_pii: bool = True,
    batch_size: int = 8,
    threads: int | None = None,
    chunk_size: int = 5_000,
    rating_scale: str | float | None = None,
    intent_rules: bool = True,
) -> DataFrame:
    """Sentiment, purchase intent and quality flags for every row of ``df`` (lazily, as a DataFrame).

    The output is ``nlp score``'s: the input columns (the id first when derived), ``sentiment``,
    ``sentiment_score``, ``sentiment_<label>``, ``intent``, ``intent_<label>`` and ``flags``;
    the same rows, ids, labels and scores as ``nlp score`` on the same table with the same
    ``chunk_size``.

    Args:
        df: a DataFrame with a text column (the names in ``columns``).
        columns: input column names (``ColumnMap(text="body", id="review_id")``).
        model_dir: scorer model directory, as executors see it (default: the shipped model).
        int8, recheck, fast, backend: as ``nlp score``'s precision (int8 by default; ``int8=False`` is ``--fp32``), ``--recheck``, ``--fast``, ``--backend``.
        mask_pii: mask personal data in model input and output text.
        batch_size: texts per forward pass.
        threads: CPU threads per task (default: ``spark.task.cpus``, or every core of the executor when the
            job has no more chunks than task slots: short tasks then free their cores for the long ones).
        chunk_size: rows per chunk, as ``nlp score --chunk-size`` (int8 scores depend on it).
        rating_scale: the valid ratings for ``rating_invalid`` (``5``, ``10``, ``"0.5-5"``; default:
            1-5, or 1-10 when the first chunk with ratings has one above 5, as ``nlp score``).
        intent_rules: intent follows what the text states, as ``nlp score`` by default; ``False`` keeps the model's own intent.

    Example:
        >>> scored = nlp.spark.score(spark.read.parquet("reviews.parquet"), columns=ColumnMap(text="body"))  # doctest: +SKIP
    """
    from nlp.engines.spark import score_frame
    from nlp.engines.stages import ScoreStage
    from nlp.scoring.scorer import resolve_fast

    model_dir, int8, recheck = resolve_fast(fast, model_dir, int8, recheck)
    stage = ScoreStage(
        columns=columns or ColumnMap(),
        model_dir=str(model_dir) if model_dir else None,
        quantize=int8,
        recheck=recheck,
        backend=backend,
        batch_size=batch_size,
        threads=threads,
        mask_pii=mask_pii,
        rating_scale=rating_scale,
        intent_rules=intent_rules,
    )
    return score_frame(df, stage, chunk_size)


def aspects(
    df: DataFrame,
    *,
    domain: str = "auto",
    columns: ColumnMap | None = None,
    taxonomy: str | os.PathLike | None = None,
    model_dir: str | os.PathLike | None = None,
    int8: bool = True,
    backend: str | None = None,
    mask_pii: bool = True,
    **options: Any,
) -> DataFrame:
    """Aspect rows (one per review × aspect) for every row of ``df``, as ``nlp aspects`` writes them.

    The rows are grouped by product and each product goes through the local
    :class:`nlp.aspects.AspectExtractor` on an executor, so ``domain="auto"`` picks each
    product's domain from all its reviews, as locally (:mod:`nlp.engines.spark_aspects`).
    The result is sorted in the input's row order.

    Args:
        df: a DataFrame with a text column (and a product column for per-product domains).
        domain: ``auto`` or a taxonomy domain (``shopping``, ``lodging`` ...).
        columns, taxonomy, model_dir, int8, backend, mask_pii: as ``nlp aspects``.
        **options: further :class:`nlp.aspects.AspectExtractor` options (``domain_col``, ``rules_only`` ...).

    Example:
        >>> mentions = nlp.spark.aspects(spark.read.parquet("reviews.parquet"))  # doctest: +SKIP
    """
    from nlp.engines.spark import number_rows
    from nlp.engines.spark_aspects import SEQ_COL, aspect_rows
    from nlp.io.tables import ROW_COL

    cmap = columns or ColumnMap()
    cmap.validate(list(df.columns), source="the DataFrame")
    numbered, _ = number_rows(df)
    rows = aspect_rows(numbered, cmap, domain=domain, taxonomy=taxonomy, model_dir=model_dir, quantize=int8, backend=backend, mask_pii=mask_pii, **options)
    return rows.orderBy(ROW_COL, SEQ_COL).drop(ROW_COL, SEQ_COL)


def aspects_table(input: str | os.PathLike, output: str | os.PathLike, columns: ColumnMap | None = None, *, master: str = DEFAULT_SPARK_MASTER, **options: Any):
    """``nlp aspects INPUT -o OUTPUT --engine spark`` as a function (:func:`nlp.engines.spark_aspects.aspects_table`):
    rejects beside the output, row accounting in the returned :class:`~nlp.aspects.table.AspectTableStats`."""
    from nlp.engines.spark_aspects import aspects_table as _aspects_table

    return _aspects_table(input, output, columns, master=master, **options)


def score_table(input: str | os.PathLike, output: str | os.PathLike, columns: ColumnMap | None = None, *, master: str = DEFAULT_SPARK_MASTER, **options: Any) -> TableStats:
    """``nlp score INPUT -o OUTPUT --engine spark`` as a function (see :func:`nlp.engines.spark.score_table`)."""
    from nlp.engines.spark import score_table as _score_table

    return _score_table(input, output, columns, master=master, **options)


def report(output_dir: str | os.PathLike, columns: ColumnMap | None = None, *, master: str = DEFAULT_SPARK_MASTER, **options: Any):
    """The CX report of a run's output folder (``nlp run --engine spark -o DIR``), built again from Spark aggregates.

    Reads ``DIR/scored.parquet/``, ``aspects.parquet/``, ``topics/`` and ``trends.parquet`` and writes
    ``DIR/report.html`` and ``DIR/findings.json``, the driver holding group sums and the quoted
    texts only (:mod:`nlp.engines.spark_report`). ``options`` are report options
    (:class:`~nlp.report.options.ReportOptions`: ``title``, ``freq``, ``min_volume`` ...).
    Returns the report's path.

    Example:
        >>> nlp.spark.report("out/", title="3분기 리뷰")  # doctest: +SKIP
        PosixPath('out/report.html')
    """
    from nlp.engines.spark import number_rows
    from nlp.engines.spark_report import write_report

    spark = session(master)
    numbered, _ = number_rows(spark.read.parquet(os.fspath(os.path.join(os.fspath(output_dir), "scored.parquet"))), by_file=True)
    return write_report(numbered, output_dir, columns, **options)
