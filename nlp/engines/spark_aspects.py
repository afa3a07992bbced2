"""Aspects on Spark: the local :class:`~nlp.aspects.extract.AspectExtractor` run per group of products on the executors.

``--domain auto`` picks one domain per product from all of that product's reviews, so the rows
are grouped by product: each product belongs to one of
:data:`~nlp.aspects.extract.SCORE_GROUPS` groups (a hash of its name,
:func:`~nlp.aspects.extract.score_groups`), and each group goes through the same extractor as
``nlp aspects`` (``groupBy(group).applyInPandas``). The local extractor never lets a scorer
batch mix these groups, so the int8 scorer sees the same batches in both engines and the same
rows come out, in the same order. The extractor (taxonomy, Kiwi, the clause scorer)
is loaded once per worker process. A table without a product column is one product, as locally,
and so one task; a table with products spreads over at most ``SCORE_GROUPS`` tasks.

The per product × period features (``aspect_<key>_share``, ``aspect_<key>_net``) are Spark
sums turned into the local columns by :func:`nlp.aspects.aggregate.trend_columns_from_counts`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from nlp.engines import _worker
from nlp.engines.spark import _c
from nlp.io.columns import ColumnMap, derive_ids
from nlp.io.tables import ROW_COL

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

logger = logging.getLogger(__name__)

__all__ = ["aspect_rows", "aspects", "aspects_table", "aspect_trend_columns", "add_to_trends"]

_GROUP = "_nlp_group"
SEQ_COL = "_nlp_seq"


def aspect_rows(
    numbered: DataFrame,
    columns: ColumnMap | None = None,
    *,
    domain: str = "auto",
    model_dir: str | os.PathLike | None = None,
    quantize: bool = True,
    backend: str | None = None,
    **extractor_kwargs,
) -> DataFrame:
    """Aspect rows (SPEC "Aspect outputs") of a numbered table (``_row``), lazily; ``_row`` and
    ``_nlp_seq`` give the local engine's order. ``extractor_kwargs``: further
    :class:`~nlp.aspects.extract.AspectExtractor` options (``taxonomy``, ``domain_col``,
    ``rules_only``, ``mask_pii`` ...)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType

    cmap = columns or ColumnMap()
    if cmap.text not in numbered.columns:
        raise ValueError(f"text column {cmap.text!r} not found; the table has columns {list(numbered.columns)}; pass text_col=NAME")
    fields = {f.name: f for f in numbered.schema.fields}
    has_prod, has_time = cmap.product in fields, cmap.time in fields
    schema = StructType(
        [StructField(ROW_COL, LongType()), StructField(SEQ_COL, LongType()), StructField(cmap.id, StringType())]
        + ([StructField(cmap.product, fields[cmap.product].dataType)] if has_prod else [])
        + ([StructField(cmap.time, fields[cmap.time].dataType)] if has_time else [])
        + [
            StructField("aspect", StringType()),
            StructField("aspect_label", StringType()),
            StructField("polarity", StringType()),
            StructField("score", DoubleType()),
            StructField("evidence", StringType()),
            StructField("start", LongType()),
            StructField("end", LongType()),
            StructField("domain", StringType()),
            StructField("mentions", LongType()),
            StructField("terms", StringType()),
        ]
    )
    key = ("aspects", domain, str(model_dir) if model_dir else None, bool(quantize), backend, repr(sorted(extractor_kwargs.items())))
    names = schema.fieldNames()

    def load():
        from nlp.aspects.extract import AspectExtractor

        return AspectExtractor(domain=domain, model_dir=model_dir, quantize=quantize, backend=backend, columns=cmap, **extractor_kwargs).fit()

    def per_product(pdf: pd.DataFrame) -> pd.DataFrame:
        pdf = pdf.drop(columns=[_GROUP]).sort_values(ROW_COL, kind="stable").reset_index(drop=True)
        ids = derive_ids(pdf, cmap).to_numpy(dtype=object)
        # the row number stands in for the id while extracting, so each aspect row knows its input row
        rows = _worker.cached(key, load).transform(pdf.assign(**{cmap.id: pdf[ROW_COL].astype("int64").astype(str)}))
        if rows.empty:
            return pd.DataFrame({n: pd.Series(dtype=object) for n in names})
        pos = pd.Series(np.arange(len(pdf)), index=pdf[ROW_COL].astype("int64").astype(str).to_numpy())
        at = pos.reindex(rows[cmap.id].to_numpy()).to_numpy()
        rows.insert(0, ROW_COL, pdf[ROW_COL].to_numpy(dtype=np.int64)[at])
        rows.insert(1, SEQ_COL, np.arange(len(rows), dtype=np.int64))
        rows[cmap.id] = ids[at]
        return rows[names]

    # the local extractor's scoring groups (nlp.aspects.extract.score_groups): md5 of the product, first 8 hex
    # digits, modulo SCORE_GROUPS; a group's reviews go through one transform, so its clauses share the
    # scorer's batches as locally, and each product's domain is still decided from its own reviews
    from nlp.aspects.extract import SCORE_GROUPS

    name = F.coalesce(_c(cmap.product).cast("string"), F.lit("")) if has_prod else F.lit("")
    group = F.pmod(F.conv(F.substring(F.md5(name), 1, 8), 16, 10).cast("long"), F.lit(SCORE_GROUPS))
    cols = [c for c in dict.fromkeys([ROW_COL, cmap.id, cmap.text, cmap.product, cmap.time, "sentiment", "sentiment_score"]) if c in fields]
    cols += [c for c in fields if c.startswith("sentiment_") and c not in cols]
    if extractor_kwargs.get("domain_col") and extractor_kwargs["domain_col"] in fields:
        cols.append(extractor_kwargs["domain_col"])
    return numbered.select(*[_c(c) for c in cols]).withColumn(_GROUP, group).groupBy(_GROUP).applyInPandas(per_product, schema)


def aspects(numbered: DataFrame, output: str | os.PathLike, columns: ColumnMap | None = None, **options) -> DataFrame:
    """:func:`aspect_rows` written to the folder ``output`` in the local order (the format follows its
    name: ``.parquet``, ``.csv``, ``.tsv``, ``.jsonl``).

    Returns the rows as a persisted Spark frame with ``_row`` (for the features); unpersist it when done.
    """
    from pyspark import StorageLevel

    from nlp.engines.spark import write_frame

    rows = aspect_rows(numbered, columns, **options).persist(StorageLevel.MEMORY_AND_DISK)
    write_frame(rows.orderBy(ROW_COL, SEQ_COL).drop(SEQ_COL, ROW_COL), str(output))
    return rows


def aspect_trend_columns(numbered: DataFrame, rows: DataFrame, columns: ColumnMap | None = None, *, freq: str = "W") -> pd.DataFrame:
    """:func:`nlp.aspects.aggregate.trend_columns` from Spark sums: reviews and aspect rows per product × period."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType

    from nlp.aspects.aggregate import POLARITY_SIGN, period_start, trend_columns_from_counts

    cmap = columns or ColumnMap()
    base_schema = StructType([StructField("unique_id", StringType()), StructField("ds", LongType()), StructField("n", LongType())])
    count_schema = StructType(
        [StructField("unique_id", StringType()), StructField("ds", LongType()), StructField("aspect", StringType()), StructField("size", LongType()), StructField("sum", DoubleType())]
    )

    def keyed(b: pd.DataFrame) -> pd.DataFrame:
        ds = period_start(b[cmap.time].reset_index(drop=True), freq)
        out = pd.DataFrame({"unique_id": b[cmap.product].astype("string").to_numpy(), "ds": ds.to_numpy()})
        return out.assign(**{c: b[c].to_numpy() for c in ("aspect", "polarity") if c in b.columns}).dropna(subset=["unique_id", "ds"])

    def base_sums(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for b in batches:
            k = keyed(b)
            if len(k):
                g = k.groupby(["unique_id", "ds"]).size().rename("n").reset_index()
                yield g.assign(ds=g["ds"].astype("datetime64[ns]").astype("int64"))[["unique_id", "ds", "n"]]

    def aspect_sums(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for b in batches:
            k = keyed(b)
            if len(k):
                k["sign"] = k["polarity"].map(POLARITY_SIGN).astype(float)
                g = k.groupby(["unique_id", "ds", "aspect"])["sign"].agg(["size", "sum"]).reset_index()
                yield g.assign(ds=g["ds"].astype("datetime64[ns]").astype("int64"))[["unique_id", "ds", "aspect", "size", "sum"]]

    def as_time(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(ds=pd.to_datetime(frame["ds"].astype("int64"), unit="ns"))

    base = numbered.select(_c(cmap.product), _c(cmap.time)).mapInPandas(base_sums, base_schema).groupBy("unique_id", "ds").agg(F.sum("n").alias("n")).toPandas()
    counts = (
        rows.select(_c(cmap.product), _c(cmap.time), "aspect", "polarity")
        .mapInPandas(aspect_sums, count_schema)
        .groupBy("unique_id", "ds", "aspect")
        .agg(F.sum("size").alias("size"), F.sum("sum").alias("sum"))
        .toPandas()
    )
    base = as_time(base).sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    counts = as_time(counts)
    # every aspect of the table gets its columns, as locally, even one whose mentions all lack a product or a date
    keys = sorted(str(r["aspect"]) for r in rows.select("aspect").where("aspect is not null").distinct().collect())
    return trend_columns_from_counts(base, counts.astype({"size": float}), keys)


def add_to_trends(trends_path: Path, cols: pd.DataFrame) -> None:
    """Join the aspect columns onto the trend table at ``trends_path`` (rewritten in place)."""
    from nlp.aspects.aggregate import join_trend_columns
    from nlp.io.tables import read_table, write_table

    write_table(join_trend_columns(read_table(trends_path), cols), trends_path)


def _restored(numbered: DataFrame, source) -> DataFrame:
    """The rows the local reader keeps, malformed text rows re-read by its rules (:func:`nlp.engines.spark._restore`)."""
    from pyspark.sql.types import StructType

    from nlp.engines.spark import CORRUPT_COL, _restore

    if not source.text or CORRUPT_COL not in numbered.columns:
        return numbered
    schema = StructType([f for f in numbered.schema.fields if f.name != CORRUPT_COL])
    names = schema.fieldNames()

    def restore(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for b in batches:
            ok, _ = _restore(b, source)
            yield ok[names]

    return numbered.mapInPandas(restore, schema)


def aspects_table(
    input: str | os.PathLike,
    output: str | os.PathLike,
    columns: ColumnMap | None = None,
    *,
    master: str = "local[*]",
    spark=None,
    **options,
):
    """``nlp aspects --engine spark``: aspect rows of every row of ``input`` into the folder ``output``,
    the rows the reader rejects in ``output.rejects.jsonl/``; ``options`` as :func:`aspects`.

    Returns:
        :class:`~nlp.aspects.table.AspectTableStats` (input and rejected rows, aspect rows,
        reviews with aspects, domains chosen).
    """
    from pyspark.sql import functions as F

    from nlp.aspects.extract import ExtractStats
    from nlp.aspects.table import AspectTableStats
    from nlp.engines.spark import _same_path, number_rows, read_input, session, write_rejects
    from nlp.io.tables import InputError

    inp, out = str(input), str(output)
    if _same_path(inp, out):
        raise InputError("the output path is the input file; choose another -o")
    cmap = columns or ColumnMap()
    spark = spark or session(master)
    src = read_input(spark, inp, cmap)
    numbered, n = number_rows(src.frame, by_file=src.source.fmt == "parquet")
    rej_path = out + ".rejects.jsonl"
    known = write_rejects(numbered, src.source, rej_path)
    rows = aspects(_restored(numbered, src.source), out, cmap, **options)
    try:
        stats = AspectTableStats(input_rows=n, output=out, rejects=rej_path)
        stats.rejected_rows = spark.read.text(rej_path).count() if known is None else known
        e = ExtractStats(reviews=n - stats.rejected_rows)
        e.rows = rows.count()
        e.with_aspects = rows.select(ROW_COL).distinct().count()
        # products per domain, as the local summary counts them (rows per domain without a product column)
        unit = cmap.product if cmap.product in rows.columns else ROW_COL
        per_unit = rows.groupBy(F.coalesce(_c(unit).cast("string"), F.lit("")).alias("_u")).agg(F.first("domain").alias("domain"))
        e.domains = {r["domain"]: int(r["count"]) for r in per_unit.groupBy("domain").count().collect()}
        text = F.col(f"`{cmap.text}`")
        e.empty = src.frame.filter(text.isNull() | (F.trim(text) == "")).count()
        stats.extract = e
    finally:
        rows.unpersist()
    return stats
