"""The CX report of ``nlp run --engine spark``: built on the driver from Spark aggregates, never from collected rows.

Every figure of the report (:mod:`nlp.report`) is a sum over *weighted rows*. Locally a row
is one review; here Spark sends the driver one row per group of reviews that agree on
everything the figures read (product, day, rating, sentiment, intent, flags, topic, and
whether the review has an aspect mention, a negative one), with the group's count and the
sum and sum of squares of its sentiment scores. Aspect mentions are grouped the same way
(product, day, rating, aspect, domain, polarity). The driver holds groups: their number grows
with products × days × the combinations of the other keys that occur, not with reviews, so
it stops growing where products have many reviews a day (sparse data keeps about one small
row of sums per review). Without a trends table, the anomaly rule's features come from the
same Spark pass as ``nlp run``'s trends (:func:`nlp.engines.spark_run.trends`).

The texts the report quotes are **picks** (:mod:`nlp.report.examples`): the report is built
once with no texts to learn which it asks for, Spark answers all of them in one pass per
table (each batch's best candidates, then each pick's best overall, with the report's own
:func:`~nlp.report.examples.apply_pick`), and the report is built again with the answers.
The rows go through the same canonical reading as ``nlp report``
(:func:`~nlp.report.data.canonical_rows`), are numbered in the order ``nlp report`` reads
the output folders, and topics join by id as locally, so ``nlp report`` on the run's output
folders gives the same findings and the same page.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from nlp.engines.spark import _c, number_rows
from nlp.io.atomic import atomic_write_text
from nlp.io.columns import ColumnMap
from nlp.io.tables import ROW_COL
from nlp.report.data import signs
from nlp.schema import DOC_TOPICS_FILE, FINDINGS_FILE, TOPICS_FILE

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from nlp.report.build import Report
    from nlp.report.options import ReportOptions

logger = logging.getLogger(__name__)

__all__ = ["report", "write_report"]

def _plain(frame: pd.DataFrame, schema) -> pd.DataFrame:
    """The columns of ``schema``'s text fields as Python strings and ``None``: Arrow takes neither pandas'
    all-missing ``string`` columns nor a column of ``NaN`` (a missing product) for a text field."""
    from pyspark.sql.types import StringType

    for f in schema.fields:
        if isinstance(f.dataType, StringType) and f.name in frame.columns:
            col = frame[f.name]
            frame[f.name] = pd.Series([None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else str(v) for v in col], index=frame.index, dtype=object)
    return frame


def _review_schema():
    from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType, TimestampNTZType

    return StructType(
        [
            StructField(ROW_COL, LongType()),
            StructField("id", StringType()),
            StructField("product_id", StringType()),
            StructField("created_at", TimestampNTZType()),
            StructField("rating", DoubleType()),
            StructField("sentiment", StringType()),
            StructField("sentiment_score", DoubleType()),
            StructField("intent", StringType()),
            StructField("flags", StringType()),
        ]
    )


def _canonical(numbered: DataFrame, cmap: ColumnMap, tz: str) -> DataFrame:
    """The scored rows as :func:`nlp.report.data.canonical_rows` reads them, with ``_row``."""
    from nlp.report.data import canonical_rows

    wanted = [c for c in dict.fromkeys([cmap.id, cmap.product, cmap.time, cmap.rating, "sentiment", "sentiment_score", "intent", "flags"]) if c in numbered.columns]
    schema = _review_schema()
    names = schema.fieldNames()

    def canon(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for b in batches:
            d = canonical_rows(b.drop(columns=[ROW_COL]), cmap, tz, need_text=False)
            d[ROW_COL] = b[ROW_COL].to_numpy(dtype=np.int64)
            yield _plain(d[names].astype({"rating": float, "sentiment_score": float}), schema)

    return numbered.select(ROW_COL, *[_c(c) for c in wanted]).mapInPandas(canon, schema)


def _canonical_aspects(aspect_table: DataFrame, cmap: ColumnMap) -> DataFrame:
    """The aspect rows as :func:`nlp.report.data.canonical_aspects` reads them, numbered in file order."""
    from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType

    from nlp.report.data import canonical_aspects

    numbered, _ = number_rows(aspect_table, by_file=True)
    schema = StructType(
        [StructField(ROW_COL, LongType()), StructField("id", StringType()), StructField("aspect", StringType()), StructField("polarity", StringType()),
         StructField("aspect_label", StringType()), StructField("score", DoubleType()), StructField("evidence", StringType()), StructField("domain", StringType())]
    )  # fmt: skip
    names = schema.fieldNames()

    def canon(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for b in batches:
            a = canonical_aspects(b.drop(columns=[ROW_COL]).reset_index(drop=True), cmap)
            a[ROW_COL] = b[ROW_COL].to_numpy(dtype=np.int64)[a.index.to_numpy()]
            yield a[names]

    return numbered.mapInPandas(canon, schema)


def _cube(frame: DataFrame, keys: list[str], sums: list[str], prepare) -> pd.DataFrame:
    """Per group of ``keys``: the sums of ``sums``, each batch summed in pandas (``prepare``), then the batches by Spark."""
    from pyspark.sql import functions as F

    schema = frame.select(*keys).schema
    from pyspark.sql.types import DoubleType, StructField, StructType

    out_schema = StructType(list(schema.fields) + [StructField(s, DoubleType()) for s in sums])

    def partial(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for b in batches:
            if len(b):
                yield _plain(prepare(b), out_schema)

    agg = frame.mapInPandas(partial, out_schema).groupBy(*keys).agg(*[F.sum(s).alias(s) for s in sums])
    return agg.toPandas()


def _picked(frame: DataFrame, picks: list, periods) -> pd.DataFrame:
    """Each pick's rows from a Spark frame: every batch's best candidates, then each pick's best (``_pick`` = its index)."""
    from pyspark.sql.types import LongType, StructField, StructType, TimestampNTZType

    from nlp.report.examples import apply_pick

    fields = list(frame.schema.fields) + [StructField("period", TimestampNTZType())]
    schema = StructType(fields + [StructField("_pick", LongType())])
    names = schema.fieldNames()

    def add_period(b: pd.DataFrame) -> pd.DataFrame:
        if "polarity" in b.columns:
            b["_sign"] = signs(b["polarity"])
        b["period"] = periods.assign(pd.to_datetime(b["created_at"])) if periods is not None else pd.NaT
        return b

    def candidates(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for b in batches:
            b = add_period(b)
            for i, p in enumerate(picks):
                got = apply_pick(b, p)
                if len(got):
                    yield got.assign(_pick=i)[names]

    def best(g: pd.DataFrame) -> pd.DataFrame:
        if "polarity" in g.columns:
            g["_sign"] = signs(g["polarity"])
        return apply_pick(g, picks[int(g["_pick"].iloc[0])])[names]

    return frame.mapInPandas(candidates, schema).groupBy("_pick").applyInPandas(best, schema).toPandas()


def _texts(numbered: DataFrame, cmap: ColumnMap, rows: list[int] | None = None, ids: list[str] | None = None) -> pd.DataFrame:
    """The texts of some rows (by ``_row``) or of the first row of some ids, as ``nlp report`` reads them."""
    from pyspark.sql import functions as F

    spark = numbered.sparkSession
    base = numbered.select(ROW_COL, _c(cmap.id).cast("string").alias("id"), _c(cmap.text).cast("string").alias("text"))
    if rows is not None:
        keys = spark.createDataFrame(pd.DataFrame({ROW_COL: np.asarray(sorted(set(rows)), dtype=np.int64)}))
        got = base.join(F.broadcast(keys), ROW_COL).toPandas()
        return got[[ROW_COL, "text"]]
    keys = spark.createDataFrame(pd.DataFrame({"id": sorted(set(ids or []))}, dtype=object))
    got = base.join(F.broadcast(keys), "id").groupBy("id").agg(F.min_by("text", ROW_COL).alias("text")).toPandas()
    return got


def report(
    numbered: DataFrame,
    output_dir: str | os.PathLike,
    columns: ColumnMap | None = None,
    *,
    options: ReportOptions | None = None,
    **option_overrides,
) -> Report:
    """The report of a Spark run's output folder (``scored.parquet/``, ``aspects.parquet/``, ``topics/``,
    ``trends.parquet``), from Spark aggregates and picks (see the module docs).

    Args:
        numbered: the scored rows numbered in file order (:func:`~nlp.engines.spark.number_rows` with ``by_file=True``).
        output_dir: the run's output directory (``topics/``, ``trends.parquet`` and ``aspects.parquet/`` are read from it when present).
        columns: the input's column names.
        options: report options; keyword arguments override its fields.
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from nlp.io.tables import read_table
    from nlp.report.build import build_from, resolve_options
    from nlp.report.data import (
        MENTION_KEYS,
        MENTION_SUMS,
        REVIEW_KEYS,
        REVIEW_SUMS,
        assemble,
        choose_periods,
        mention_sums,
        read_trends,
        review_sums,
        weighted_mentions,
        weighted_rows,
    )
    from nlp.report.examples import RecordedExamples
    from nlp.schema import ASPECTS_FILE

    cmap = columns or ColumnMap()
    opts = resolve_options(options, option_overrides)
    out = Path(output_dir)
    spark: SparkSession = numbered.sparkSession
    cmap.validate([c for c in numbered.columns if c != ROW_COL], source="the scored table", need=("text", "id"))

    canon = _canonical(numbered, cmap, opts.tz)
    topic_table = None
    if (out / "topics" / DOC_TOPICS_FILE).exists() and (out / "topics" / TOPICS_FILE).exists():
        topic_table = read_table(out / "topics" / TOPICS_FILE)
        dt = spark.read.parquet(str(out / "topics" / DOC_TOPICS_FILE))
        dt, _ = number_rows(dt, by_file=True)
        first = dt.groupBy(F.col("id").cast("string").alias("id")).agg(
            F.min_by(F.col("topic").cast("long"), ROW_COL).alias("topic"), F.min_by(F.col("topic_prob").cast("double"), ROW_COL).alias("topic_prob")
        )
        canon = canon.join(first, "id", "left")
    else:
        canon = canon.withColumn("topic", F.lit(None).cast("long")).withColumn("topic_prob", F.lit(None).cast("double"))

    aspects = None
    aspect_path = out / ASPECTS_FILE
    if aspect_path.exists():
        a = _canonical_aspects(spark.read.parquet(str(aspect_path)), cmap)
        review = canon.groupBy("id").agg(*[F.min_by(c, ROW_COL).alias(c) for c in ("product_id", "created_at", "rating")])
        joined = a.join(review.withColumn("_known", F.lit(True)), "id", "left").persist(StorageLevel.MEMORY_AND_DISK)
        counted = joined.agg(F.count(F.lit(1)).alias("n"), F.count("_known").alias("known")).collect()[0]
        if counted["n"] > counted["known"]:
            logger.warning(
                "%d of %d aspect mentions have an id that is not in the scored table; they are left out", counted["n"] - counted["known"], counted["n"]
            )
        aspects = joined.filter(F.col("_known").isNotNull()).drop("_known")
        flags = aspects.groupBy("id").agg(F.lit(True).alias("_has_aspect"), F.max(F.col("polarity") == "negative").alias("_neg_aspect"))
        canon = canon.join(flags, "id", "left")
        canon = canon.fillna(False, subset=["_has_aspect", "_neg_aspect"])
    else:
        canon = canon.withColumn("_has_aspect", F.lit(False)).withColumn("_neg_aspect", F.lit(False))
    canon = canon.persist(StorageLevel.MEMORY_AND_DISK)

    cube, intents = weighted_rows(
        _cube(canon, REVIEW_KEYS, REVIEW_SUMS, review_sums),
        has_product=cmap.product in numbered.columns,
        intent_columns=[c for c in numbered.columns if c.startswith("intent_")],
        has_intent="intent" in numbered.columns,
    )

    trends = read_table(out / "trends.parquet") if (out / "trends.parquet").exists() else None
    tr = read_trends(trends, opts.tz) if trends is not None else None
    periods = choose_periods(cube["created_at"], opts.freq, tr)
    cube["period"] = periods.assign(cube["created_at"]) if periods else pd.Series(pd.NaT, index=cube.index, dtype="datetime64[ns]")

    rule_features = None
    if tr is None and periods is not None:
        rule_features = _rule_features(canon, periods, opts, has_product=cmap.product in numbered.columns)

    mentions = None
    if aspects is not None:
        mentions = weighted_mentions(_cube(aspects, MENTION_KEYS, MENTION_SUMS, mention_sums))
        mentions["period"] = periods.assign(mentions["created_at"]) if periods else pd.NaT

    review_cols = list(cube.columns)
    aspect_cols = list(mentions.columns) if mentions is not None else []
    recorded = RecordedExamples({"reviews": review_cols + ["text", "_bad"], "aspects": aspect_cols + ["text"]})
    data = assemble(cube, intents, mentions, topic_table, tr, periods, opts.domain, recorded)
    data.rule_features = rule_features
    build_from(data, opts)  # the first pass learns which texts the report quotes

    answers = {}
    review_picks = [p for p in recorded.asked if p.table == "reviews"]
    aspect_picks = [p for p in recorded.asked if p.table == "aspects"]
    if review_picks:
        got = _picked(canon, review_picks, periods)
        texts = _texts(numbered, cmap, rows=got[ROW_COL].tolist()) if len(got) else pd.DataFrame({ROW_COL: pd.Series([], dtype=got[ROW_COL].dtype), "text": pd.Series([], dtype=object)})
        got = got.merge(texts, on=ROW_COL, how="left")
        answers.update(_answers(got, review_picks))
    if aspect_picks:
        got = _picked(aspects, aspect_picks, periods)
        # no pick found a row (a small file): empty, with the key's own type, so the merge still holds
        texts = _texts(numbered, cmap, ids=got["id"].astype(str).tolist()) if len(got) else pd.DataFrame({"id": pd.Series([], dtype=got["id"].dtype), "text": pd.Series([], dtype=object)})
        got = got.merge(texts, on="id", how="left")
        got["_sign"] = signs(got["polarity"])
        answers.update(_answers(got, aspect_picks))
    canon.unpersist()
    if aspects is not None:
        joined.unpersist()
    data.examples = RecordedExamples(recorded.columns, answers)
    return build_from(data, opts)


def _rule_features(canon: DataFrame, periods, opts, *, has_product: bool) -> pd.DataFrame:
    """Without a trends table: the anomaly rule's features, as the report computes them from its rows
    (:func:`nlp.report.alerts.anomaly_flags`), from Spark sums (:func:`nlp.engines.spark_run.trends`)."""
    import tempfile

    from pyspark.sql import functions as F

    from nlp.engines.spark_run import trends
    from nlp.report.alerts import ALL_SERIES, anomaly_rule
    from nlp.schema import INTENT_LABELS

    rule = anomaly_rule(opts)
    rows = canon.where(F.col("created_at").isNotNull()).select(
        ROW_COL,
        "id",
        (F.col("product_id") if has_product else F.lit(ALL_SERIES)).alias("product_id"),
        "created_at",
        "sentiment",
        "sentiment_score",
        F.when(F.col("intent").isin(*INTENT_LABELS), F.col("intent")).alias("intent"),  # labels beyond the set: unscored
        "topic",
    )
    with tempfile.TemporaryDirectory() as tmp:
        return trends(
            rows, Path(tmp) / "rule.parquet", ColumnMap(), freq=periods.freq, min_volume=rule.min_volume, window=rule.window,
            min_periods=rule.min_periods, z_threshold=rule.z_threshold, tz=opts.tz,
        )  # fmt: skip


def _answers(got: pd.DataFrame, picks: list) -> dict:
    """Each pick's rows, in its order, typed as ``nlp report`` types them."""
    from nlp.report.examples import apply_pick

    got = got.copy()
    got["created_at"] = pd.to_datetime(got["created_at"])
    if "period" in got.columns:
        got["period"] = pd.to_datetime(got["period"])
    got["text"] = got["text"].astype("string").fillna("")
    for col in ("id", "product_id", "sentiment", "intent", "flags"):
        if col in got.columns:
            got[col] = got[col].astype("string")
    if "topic" in got.columns:
        got["topic"] = pd.to_numeric(got["topic"]).astype("Int64")
    out = {}
    for i, p in enumerate(picks):
        rows = got[got["_pick"] == i].drop(columns=["_pick"])
        out[p] = apply_pick(rows, p).reset_index(drop=True)
    return out


def write_report(numbered: DataFrame, output_dir: str | os.PathLike, columns: ColumnMap | None = None, **option_overrides) -> Path:
    """:func:`report` written to ``output_dir/report.html`` and ``findings.json``, atomically; returns the report's path."""
    from nlp.schema import REPORT_FILE

    out = Path(output_dir)
    built = report(numbered, out, columns, **option_overrides)
    atomic_write_text(out / FINDINGS_FILE, built.findings_json())
    atomic_write_text(out / REPORT_FILE, built.html)
    logger.info("report: %d findings, %d KB → %s", len(built.findings), len(built.html.encode("utf-8")) // 1024, out / REPORT_FILE)
    return out / REPORT_FILE
