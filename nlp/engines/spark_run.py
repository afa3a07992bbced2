"""``nlp run --engine spark``: scoring, topics and trends on Spark, the driver holding only samples and aggregates.

* **Score** with :func:`nlp.engines.spark.score_table` into ``DIR/scored.parquet/`` (a folder of
  part files in input order) and ``DIR/scored.parquet.rejects.jsonl/``.
* **Topics**: the topic model is fitted on the driver on at most
  :data:`~nlp.topics.table.FIT_SAMPLE` texts (``fit_sample``): every text when the table has no
  more, which is what ``nlp topics`` does, so the same table gives the local topics; above it,
  a seeded sample (the rows with the smallest hash of seed and row number, taken in table
  order). Why that size: UMAP and HDBSCAN grow faster than linearly and run on one machine,
  and 50,000 texts fit in a few GB there (README, Benchmarks), while a larger sample adds
  little to topics that are assigned by nearest centre anyway. Every other row is assigned
  on the executors (:meth:`TopicModel.transform`, the saved model loaded once per worker),
  ``doc_topics`` is written by Spark, and ``topics.parquet`` and the per-product and
  per-period tables are Spark aggregations (the same columns as :mod:`nlp.topics.summary`).
* **Aspects**: the local extractor per product on the executors (:mod:`nlp.engines.spark_aspects`),
  written to ``DIR/aspects.parquet/``; its per product × period shares and net polarity are
  joined onto the trend table as locally.
* **Trends**: each batch of rows goes through the local :func:`~nlp.trends.features.prepare_rows`
  and :func:`~nlp.trends.features.period_counts`; Spark adds the sums per product × period (and
  per topic), and the driver derives the same long feature table from them with
  :func:`~nlp.trends.features.features_from_counts`.
* **Report**: built on the driver from Spark aggregates of the output folders, and the few
  texts it quotes fetched by one Spark pass per table (:mod:`nlp.engines.spark_report`);
  ``nlp report`` on the same folders gives the same findings.

The output directory must be one the driver can write to as a local path (a shared mount on a
cluster): the driver writes the topic model, the summaries and the trend table there.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from nlp.engines import _worker
from nlp.engines.spark import _c, number_rows, score_table, session
from nlp.io.columns import ColumnMap
from nlp.io.tables import ROW_COL, InputError, write_table
from nlp.schema import SENTIMENT_LABELS
from nlp.topics.summary import measure_columns

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

    from nlp.pipeline import RunResult

logger = logging.getLogger(__name__)

__all__ = ["run", "topics", "trends", "topic_measures"]

SENTIMENTS = SENTIMENT_LABELS


def report_sources(out: Path) -> dict[str, str]:
    """The report footer's inputs: the run's output folders (what ``nlp report`` would be given)."""
    from nlp.schema import ASPECTS_FILE

    found = {"scored": out / "scored.parquet", "topics": out / "topics", "trends": out / "trends.parquet", "aspects": out / ASPECTS_FILE}
    return {k: str(v) for k, v in found.items() if v.exists()}


def _sample_key(row: int, seed: int) -> int:
    """A pseudo-random 63-bit number per row and seed: the fit sample is the rows with the smallest."""
    return int.from_bytes(hashlib.blake2b(f"{seed}:{row}".encode(), digest_size=8).digest(), "little") >> 1


def _auto_freq(numbered: DataFrame, time_col: str) -> str:
    """``W`` when the dates span at most 200 days, else ``M`` (as the local ``nlp run``), from per-batch minima and maxima."""
    from pyspark.sql.types import LongType, StructField, StructType

    def span(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for b in batches:
            t = pd.to_datetime(b[time_col], errors="coerce", utc=True, format="mixed").dropna()
            if len(t):
                yield pd.DataFrame({"lo": [t.min().value], "hi": [t.max().value]})

    schema = StructType([StructField("lo", LongType()), StructField("hi", LongType())])
    got = numbered.select(_c(time_col)).mapInPandas(span, schema).toPandas()
    if got.empty:
        return "W"
    days = (int(got["hi"].max()) - int(got["lo"].min())) / 86_400e9
    return "W" if days <= 200 else "M"


def run(
    input: str | os.PathLike | None = None,
    output_dir: str | os.PathLike = "out",
    columns: ColumnMap | None = None,
    *,
    master: str = "local[*]",
    model_dir: str | os.PathLike | None = None,
    freq: str = "auto",
    nr_topics: str | int = "auto",
    min_topic_size: int | None = None,
    seed: int = 42,
    quantize: bool = True,
    recheck: float | None = None,
    backend: str | None = None,
    mask_pii: bool = True,
    topics_model: str | os.PathLike | None = None,
    chunk_size: int = 5_000,
    fit_sample: int | None = None,
    rating_scale: str | float | None = None,
    title: str | None = None,
    intent_rules: bool = True,
    domain: str = "auto",
    taxonomy: str | os.PathLike | None = None,
    domain_col: str | None = None,
) -> RunResult:
    """:func:`nlp.pipeline.run` on Spark (see the module docs); returns the same :class:`~nlp.pipeline.RunResult`."""
    from nlp.pipeline import RunResult
    from nlp.resources import demo_corpus
    from nlp.topics.table import FIT_SAMPLE

    cmap = columns or ColumnMap()
    src = str(input) if input not in (None, "") else str(demo_corpus())
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    scored_path = out / "scored.parquet"
    res = RunResult(scored=scored_path, rejects=Path(str(scored_path) + ".rejects.jsonl"), topics=None, trends=None, report=None)
    spark = session(master)

    t0 = time.perf_counter()
    stats = score_table(
        src, str(scored_path), cmap, spark=spark, model_dir=model_dir, mask_pii=mask_pii, chunk_size=chunk_size, quantize=quantize, recheck=recheck, backend=backend,
        rating_scale=rating_scale, intent_rules=intent_rules,
    )
    res.input_rows, res.scored_rows, res.rejected_rows = stats.input_rows, stats.output_rows, stats.rejected_rows
    res.seconds["score"] = time.perf_counter() - t0

    scored = spark.read.parquet(str(scored_path))
    numbered, n = number_rows(scored, by_file=True)
    has_time = cmap.time in scored.columns and cmap.product in scored.columns
    tf = freq if freq in ("D", "W", "M") else (_auto_freq(numbered, cmap.time) if cmap.time in scored.columns else "W")

    t0 = time.perf_counter()
    from nlp.engines.spark_aspects import add_to_trends, aspect_trend_columns, aspects
    from nlp.schema import ASPECTS_FILE

    res.aspects = out / ASPECTS_FILE
    aspect_rows = aspects(
        numbered, res.aspects, cmap, domain=domain, taxonomy=str(taxonomy) if taxonomy else None, domain_col=domain_col, model_dir=model_dir, quantize=quantize, backend=backend
    )
    res.seconds["aspects"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    from nlp.topics.model import TooFewDocumentsError

    try:
        assigned = topics(
            numbered, out / "topics", cmap, freq=tf, model_dir=topics_model, nr_topics=nr_topics, min_topic_size=min_topic_size, seed=seed,
            backend=backend, int8=quantize, fit_sample=FIT_SAMPLE if fit_sample is None else fit_sample,
        )
        res.topics = out / "topics"
    except TooFewDocumentsError as exc:
        # as nlp run does locally: a small file still gets its trends and report, without the topics section
        res.skipped["topics"] = str(exc)
        with contextlib.suppress(OSError):
            (out / "topics").rmdir()  # made before the fit; empty
        from pyspark.sql import functions as F

        assigned = numbered.withColumn("topic", F.lit(None).cast("long")).withColumn("topic_prob", F.lit(None).cast("double")).cache()
    res.seconds["topics"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if has_time:
        res.trends = out / "trends.parquet"
        trends(assigned, res.trends, cmap, freq=tf)
        if not aspect_rows.isEmpty():
            add_to_trends(res.trends, aspect_trend_columns(numbered, aspect_rows, cmap, freq=tf))
    else:
        res.skipped["trends"] = f"no {cmap.product!r} and {cmap.time!r} columns (map them with --product-col / --time-col)"
    res.seconds["trends"] = time.perf_counter() - t0
    assigned.unpersist()
    aspect_rows.unpersist()

    t0 = time.perf_counter()
    from nlp.engines.spark_report import write_report

    kw = {"model": str(model_dir) if model_dir else "models/sentiment-e5s6 (default)", "source": report_sources(out)}
    if title:
        kw["title"] = title
    res.report = write_report(numbered, out, cmap, **kw)
    res.seconds["report"] = time.perf_counter() - t0
    (out / "run.json").write_text(res.to_json())
    return res


# -- topics ----------------------------------------------------------------------------------


def topics(
    numbered: DataFrame,
    output_dir: str | os.PathLike,
    columns: ColumnMap | None = None,
    *,
    freq: str = "W",
    model_dir: str | os.PathLike | None = None,
    nr_topics: str | int | None = "auto",
    min_topic_size: int | None = None,
    seed: int = 42,
    backend: str | None = None,
    int8: bool = False,
    fit_sample: int | None = 50_000,
) -> DataFrame:
    """``nlp topics`` over scored rows numbered by :func:`~nlp.engines.spark.number_rows` (see the module docs).

    Writes ``doc_topics.parquet/`` (Spark), ``topics.parquet``, ``topics_by_product.parquet``,
    ``topics_by_period.parquet`` and ``model/`` into ``output_dir``. Returns the rows with their
    topic (``_row``, the id, ``topic``, ``topic_prob``, the scored columns the summaries and
    trends read, and ``period``), persisted; the caller unpersists it.
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    from pyspark.sql.types import BooleanType, FloatType, LongType, StructField, StructType, TimestampNTZType

    from nlp.schema import DOC_TOPICS_FILE, TOPIC_MODEL_DIR, TOPICS_BY_PERIOD_FILE, TOPICS_BY_PRODUCT_FILE, TOPICS_FILE
    from nlp.topics.embedder import ProjectEmbedder
    from nlp.topics.model import TopicModel
    from nlp.topics.summary import period_start, topic_kind
    from nlp.topics.table import parse_nr_topics, texts_of

    cmap = columns or ColumnMap()
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    spark = numbered.sparkSession
    text_col, id_col = cmap.text, cmap.id
    cmap.validate([c for c in numbered.columns if c != ROW_COL], source="the scored table", need=("text", "id"))

    def live_pass(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for b in batches:
            live = [bool(t.strip()) for t in texts_of(b, text_col)]
            rows = b[ROW_COL].to_numpy(dtype=np.int64)
            yield pd.DataFrame({ROW_COL: rows, "live": live, "key": [_sample_key(int(r), seed) for r in rows]})

    schema = StructType([StructField(ROW_COL, LongType()), StructField("live", BooleanType()), StructField("key", LongType())])
    live = numbered.select(ROW_COL, _c(text_col)).mapInPandas(live_pass, schema).filter("live")
    n_live = live.count()
    if n_live == 0:
        raise InputError(f"no row of the scored table has text to model topics on (column {text_col!r} is empty)")
    if fit_sample and fit_sample < 0:
        raise ValueError(f"fit_sample= must be positive (or 0 for every text), got {fit_sample}")
    chosen = live.orderBy("key").limit(fit_sample) if fit_sample and n_live > fit_sample else live
    fit_rows = np.sort(np.array([r[ROW_COL] for r in chosen.select(ROW_COL).collect()], dtype=np.int64))
    if len(fit_rows) < n_live:
        logger.info("fitting topics on a sample of %d of %d texts; the others go to their nearest topic on the executors", len(fit_rows), n_live)
    wanted = spark.createDataFrame(pd.DataFrame({ROW_COL: fit_rows}))
    fit_frame = numbered.join(F.broadcast(wanted), ROW_COL).select(ROW_COL, _c(id_col), _c(text_col)).toPandas().sort_values(ROW_COL)
    fit_texts = texts_of(fit_frame, text_col)
    fit_ids = fit_frame[id_col].astype("string").to_numpy(dtype=object)

    embedder_args = (str(model_dir) if model_dir else None, backend, int8)
    model = TopicModel(ProjectEmbedder(embedder_args[0], backend=backend, int8=int8), nr_topics=parse_nr_topics(nr_topics), min_topic_size=min_topic_size, seed=seed)
    if cmap.product in numbered.columns:
        # product names do not define topics, as in nlp topics (one row per product: the catalogue, not the reviews)
        names = numbered.select(_c(cmap.product).cast("string").alias("p")).where("p is not null").distinct().collect()
        model.names = tuple(sorted({str(r["p"]) for r in names if str(r["p"]).strip()}))
    topics_fit, probs_fit = model.fit_transform(fit_texts, None)
    model_path = model.save(out / TOPIC_MODEL_DIR)
    fitted = {int(r): (int(t), float(p)) for r, t, p in zip(fit_frame[ROW_COL], topics_fit, probs_fit)}
    rep_ids = {t: [str(fit_ids[j]) for j in js] for t, js in model.representative_docs_.items()}

    model_ref = str(model_path)
    if len(fit_rows) < n_live and not _local_master(spark):
        spark.sparkContext.addFile(model_ref, recursive=True)  # executors read their copy (SparkFiles)
        model_ref = "sparkfiles:" + Path(model_ref).name
    fit_bc = spark.sparkContext.broadcast(fitted)

    keep = [c for c in (cmap.product, cmap.time, cmap.rating, "sentiment", "sentiment_score", "intent", "flags") if c in numbered.columns]
    keep += [c for c in numbered.columns if c.startswith("intent_") and c not in keep]
    has_time = cmap.time in numbered.columns
    in_fields = {f.name: f for f in numbered.schema.fields}
    schema = StructType(
        [StructField(ROW_COL, LongType()), StructField(id_col, in_fields[id_col].dataType), StructField("topic", LongType()), StructField("topic_prob", FloatType())]
        + [in_fields[c] for c in keep]
        + ([StructField("period", TimestampNTZType())] if has_time else [])
    )

    def assign(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        known = fit_bc.value
        for b in batches:
            texts = texts_of(b, text_col)
            rows = b[ROW_COL].to_numpy(dtype=np.int64)
            topic = np.full(len(b), -1, dtype=np.int64)
            prob = np.zeros(len(b), dtype=np.float32)
            rest = []
            for i, (r, t) in enumerate(zip(rows, texts)):
                if int(r) in known:
                    topic[i], prob[i] = known[int(r)]
                elif t.strip():
                    rest.append(i)
            if rest:
                m = _worker.cached(("topics", model_ref), lambda: _load_topic_model(model_ref, embedder_args))
                topic[rest], prob[rest] = m.transform([texts[i] for i in rest])
            o = pd.DataFrame({ROW_COL: rows, id_col: b[id_col].to_numpy(), "topic": topic, "topic_prob": np.round(prob, 4)})
            for c in keep:
                o[c] = b[c].to_numpy()
            if has_time:
                o["period"] = period_start(b[cmap.time].reset_index(drop=True), freq).to_numpy()
            yield o

    assigned = numbered.select(ROW_COL, *[_c(c) for c in dict.fromkeys([id_col, text_col, *keep])]).mapInPandas(assign, schema)
    assigned = assigned.persist(StorageLevel.MEMORY_AND_DISK)
    from nlp.engines.spark import write_frame

    write_frame(assigned.orderBy(ROW_COL).select(_c(id_col).alias("id"), "topic", "topic_prob"), str(out / DOC_TOPICS_FILE), "parquet")

    intents = _intent_labels(assigned)
    rating = cmap.rating if cmap.rating in numbered.columns else None
    n_all = assigned.count()
    per_topic = topic_measures(assigned, ["topic"], intents, rating)
    topic_ids = sorted(set(per_topic["topic"].astype(int)) | set(model.keywords_))
    rows = []
    for t in topic_ids:
        g = per_topic[per_topic["topic"] == t]
        m = g.iloc[0].to_dict() if len(g) else {}
        size = int(m.get("n", 0))
        rec = {
            "topic": t,
            "kind": topic_kind(t),
            "size": size,
            "share": size / n_all if n_all else float("nan"),
            "label": model.labels_.get(t, "outliers" if t == -1 else f"topic {t}"),
            "keywords": [str(k) for k in model.keywords_.get(t, [])],
            "representative_ids": [str(i) for i in rep_ids.get(t, [])],
        }
        rec.update(measure_columns(m, intents, rating, numbered.columns))
        rows.append(rec)
    summary = pd.DataFrame(rows)
    summary["topic"] = summary["topic"].astype("int64")
    summary["size"] = summary["size"].astype("int64")
    write_table(summary, out / TOPICS_FILE)
    if cmap.product in numbered.columns:
        write_table(_by_group(assigned, cmap.product, model.labels_, intents, rating, numbered.columns), out / TOPICS_BY_PRODUCT_FILE)
    if has_time:
        by_period = _by_group(assigned, "period", model.labels_, intents, rating, numbered.columns)
        by_period["period_complete"] = _period_complete(assigned, cmap.time, by_period["period"], freq)
        write_table(by_period, out / TOPICS_BY_PERIOD_FILE)
    logger.info("%d topics over %d rows → %s", int((summary["topic"] >= 0).sum()), n_all, out)
    return assigned


def _local_master(spark) -> bool:
    master = spark.sparkContext.master
    return master.startswith("local")


def _load_topic_model(ref: str, embedder_args: tuple):
    from nlp.topics.embedder import ProjectEmbedder
    from nlp.topics.model import TopicModel

    if ref.startswith("sparkfiles:"):
        from pyspark import SparkFiles

        ref = SparkFiles.get(ref[len("sparkfiles:") :])
    model_dir, backend, int8 = embedder_args
    return TopicModel.load(ref, embedding_model=ProjectEmbedder(model_dir, backend=backend, int8=int8))


def _intent_labels(frame: DataFrame) -> list[str]:
    """As :func:`nlp.topics.summary._intent_labels`: the known labels, then any others seen."""
    from nlp.topics.summary import INTENT_LABELS

    numeric = {f.name for f in frame.schema.fields if f.dataType.typeName() in ("float", "double", "integer", "long")}
    found = [c[len("intent_") :] for c in frame.columns if c.startswith("intent_") and c in numeric]
    if "intent" in frame.columns:
        found += [str(r["intent"]) for r in frame.select("intent").where("intent is not null").distinct().limit(1000).collect()]
        known = list(INTENT_LABELS)
    else:
        known = [lab for lab in INTENT_LABELS if lab in found]
    return known + sorted(set(found) - set(known))


def topic_measures(frame: DataFrame, keys: list[str], intents: list[str], rating_col: str | None) -> pd.DataFrame:
    """Per group of ``keys``: the sums behind :func:`nlp.topics.summary.topic_summary`'s measures (one Spark aggregation).

    The same columns as :func:`nlp.topics.summary.measure_sums`, the local engine's version."""
    from pyspark.sql import functions as F

    cols = set(frame.columns)
    aggs = [F.count(F.lit(1)).alias("n")]
    if "sentiment_score" in cols:
        aggs.append(F.avg("sentiment_score").alias("sentiment_mean"))
    if "sentiment" in cols:
        aggs.append(F.count("sentiment").alias("n_sentiment"))
        aggs += [F.sum(F.when(F.col("sentiment") == lab, 1).otherwise(0)).alias(f"n_{lab}") for lab in SENTIMENTS]
    if intents:
        if "intent" in cols:
            aggs.append(F.count("intent").alias("n_intent"))
            aggs += [F.sum(F.when(F.col("intent") == lab, 1).otherwise(0)).alias(f"n_intent_{lab}") for lab in intents]
        else:
            aggs += [F.avg(_c(f"intent_{lab}")).alias(f"intent_{lab}") for lab in intents]
    if rating_col and rating_col in cols:
        aggs.append(F.avg(F.expr(f"try_cast(`{rating_col}` as double)")).alias("rating_mean"))
    return frame.groupBy(*keys).agg(*aggs).toPandas()


def _period_complete(frame: DataFrame, time_col: str, periods: pd.Series, freq: str) -> np.ndarray:
    """``period_complete`` as the local engine decides it: from the latest date in the whole table (Seoul time)."""
    from pyspark.sql import functions as F

    from nlp.periods import parse_times, period_complete

    def latest(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for b in batches:
            t = parse_times(b[time_col].reset_index(drop=True))
            if t.notna().any():
                yield pd.DataFrame({"t": [int(t.max().value)]})

    row = frame.select(_c(time_col)).mapInPandas(latest, "t long").agg(F.max("t").alias("t")).collect()[0]
    end = pd.Timestamp(int(row["t"])) if row["t"] is not None else None
    return np.asarray(period_complete(pd.to_datetime(periods), freq, end), dtype=bool) if len(periods) else np.zeros(0, dtype=bool)


def _by_group(assigned: DataFrame, by: str, labels: dict, intents: list[str], rating_col: str | None, columns) -> pd.DataFrame:
    """:func:`nlp.topics.summary.topics_by_group` from Spark aggregates: per group value and topic."""
    from pyspark.sql import functions as F

    present = assigned.filter(F.col(by).isNotNull())
    g = topic_measures(present, [by, "topic"], intents, rating_col)
    cols = [by, "topic", "label", "n", "share"]
    if g.empty:
        return pd.DataFrame(columns=cols)
    totals = g.groupby(by)["n"].sum()
    g = g.sort_values([by, "topic"], kind="stable").reset_index(drop=True)
    rows = []
    for rec in g.to_dict("records"):
        t = int(rec["topic"])
        row = {by: rec[by], "topic": t, "label": (labels or {}).get(t, "outliers" if t == -1 else f"topic {t}"), "n": int(rec["n"]), "share": int(rec["n"]) / int(totals[rec[by]])}
        row.update(measure_columns(rec, intents, rating_col, columns))
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["topic"] = frame["topic"].astype("int64")
    frame["n"] = frame["n"].astype("int64")
    return frame


# -- trends ----------------------------------------------------------------------------------


def trends(assigned: DataFrame, output: str | os.PathLike, columns: ColumnMap | None = None, *, freq: str = "W", **options) -> pd.DataFrame:
    """``nlp trends`` from rows with topics (:func:`topics`' result): Spark sums per product × period, local derivation.

    Rows take the topic of the first row with their id, as ``nlp trends --topics`` joins
    ``doc_topics`` by id. Rows without a product or a parseable date are counted and left out
    (logged; the local ``nlp trends`` also lists them in a rejects file).
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F
    from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType

    from nlp.trends.features import (
        INTENT_LABELS,
        SENTIMENT_LABELS,
        TrendConfig,
        features_from_counts,
        largest_topics,
        period_counts,
        prepare_rows,
        topic_period_counts,
    )

    cfg = TrendConfig(freq=freq, **options)
    cmap = columns or ColumnMap()
    id_col = cmap.id
    frame = assigned.withColumn("_nlp_topic", F.min_by("topic", ROW_COL).over(Window.partitionBy(_c(id_col))))
    has_rating = cmap.rating in assigned.columns
    count_fields = ["n_reviews", "n_scored", "n_sentiment", *[f"n_sent_{lab}" for lab in SENTIMENT_LABELS], "n_intent", *[f"n_intent_{lab}" for lab in INTENT_LABELS]]
    count_fields += ["n_rating"] if has_rating else []
    count_fields += ["n_topic"]
    sum_fields = ["score_sum"] + (["rating_sum"] if has_rating else [])
    counts_schema = StructType(
        [StructField("unique_id", StringType()), StructField("period", LongType())]
        + [StructField(c, LongType()) for c in count_fields]
        + [StructField(c, DoubleType()) for c in sum_fields]
        + [StructField("_rejected", LongType()), StructField("_tmax", LongType())]
    )
    topic_schema = StructType([StructField("unique_id", StringType()), StructField("topic", LongType()), StructField("period", LongType()), StructField("n", LongType())])
    needed = [c for c in (ROW_COL, id_col, cmap.product, cmap.time, cmap.rating, "sentiment", "sentiment_score", "intent", "flags", "_nlp_topic") if c in frame.columns]

    def prepared(b: pd.DataFrame) -> tuple[pd.DataFrame, int]:
        p = prepare_rows(b.drop(columns=["_nlp_topic"]), cmap, config=cfg)
        topic_of = pd.Series(b["_nlp_topic"].to_numpy(), index=b[ROW_COL].to_numpy())
        rows = p.frame
        rows["topic"] = topic_of.reindex(rows["row"].to_numpy()).to_numpy(dtype=float)
        return rows, len(p.rejects)

    def sums(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for b in batches:
            rows, rejected = prepared(b)
            c = period_counts(rows, [], has_rating).reset_index()
            c["_rejected"] = 0
            # the latest date seen (naive Seoul time, in ns) decides which periods are complete, as locally
            c["_tmax"] = int(rows["time"].max().value) if len(rows) and rows["time"].notna().any() else 0
            if rejected:
                c = pd.concat([c, pd.DataFrame({"unique_id": [""], "period": [0], "_rejected": [rejected]})], ignore_index=True).fillna(0)
            yield c[counts_schema.fieldNames()].astype({f: "int64" for f in ["period", *count_fields, "_rejected", "_tmax"]})

    def topic_sums(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for b in batches:
            rows, _ = prepared(b)
            tc = topic_period_counts(rows).reset_index()
            if len(tc):
                yield tc[["unique_id", "topic", "period", "n"]].astype({"topic": "int64", "period": "int64", "n": "int64"})

    base = frame.select(*[_c(c) for c in needed])
    agg = base.mapInPandas(sums, counts_schema).groupBy("unique_id", "period").agg(*[F.sum(c).alias(c) for c in [*count_fields, *sum_fields, "_rejected"]], F.max("_tmax").alias("_tmax")).toPandas()
    rejected = int(agg["_rejected"].sum()) if len(agg) else 0
    data_end = pd.Timestamp(int(agg["_tmax"].max())) if len(agg) and agg["_tmax"].max() > 0 else None
    agg = agg[agg["n_reviews"] > 0].drop(columns=["_rejected", "_tmax"])
    if rejected:
        logger.warning("%d rows have no product or no parseable date and are left out of the trends", rejected)
    tc_frame = base.mapInPandas(topic_sums, topic_schema).groupBy("unique_id", "topic", "period").agg(F.sum("n").alias("n")).toPandas()
    tc = tc_frame.set_index(["unique_id", "topic", "period"])["n"].sort_index().astype("int64")
    main_topics = largest_topics(tc.groupby(level="topic").sum(), cfg.top_topics) if cfg.top_topics else []
    counts = agg.set_index(["unique_id", "period"]).sort_index()
    for k in main_topics:
        per = tc.xs(k, level="topic") if k in tc.index.get_level_values("topic") else pd.Series(dtype="int64")
        counts[f"n_topic_{k}"] = per.reindex(counts.index, fill_value=0).astype("int64").to_numpy()
    features = features_from_counts(counts, cfg, main_topics=main_topics, has_rating=has_rating, topic_counts=tc, data_end=data_end)
    write_table(features, output)
    return features
