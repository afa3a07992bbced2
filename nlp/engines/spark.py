"""The Spark engine: the local engine's stage functions over Arrow batches, with the same results.

``nlp score INPUT -o OUT --engine spark`` (and :func:`score_table`) does, in Spark:

1. **Read** INPUT with Spark's own reader (Parquet, CSV/TSV, JSON lines; any path Spark
   reads: local, ``hdfs://``, ``s3a://`` ...). CSV is read with ``multiLine`` (quoted line
   breaks stay in their field; each CSV file is then read by one task) in the encoding the
   local engine detects from the file's first 64 KB (CP949/EUC-KR, UTF-8 with a BOM ...).
   Rows Spark's reader marks malformed are re-read by the local engine's rules: a CSV row with
   fewer fields than the header is kept (missing fields empty), one with more is a reject, a
   JSON line that is not an object is a reject, each with the local engine's reason.
2. **Number rows** as the local engine does (``_row`` = position in the file, rejects
   included): one counting pass per input partition, then offsets. Ids derived from row
   numbers are therefore the local ids.
3. **Whole-table flags** with Spark aggregations before scoring: ``duplicate`` (the text, after
   normalisation, repeats an earlier row's) and ``duplicate_id`` are "a row whose key occurred
   at a smaller ``_row``", a window minimum per key, exactly what the local stream's trackers flag.
4. **Chunks**: rows go to tasks by the local engine's chunks (``_row // chunk_size``), whole and
   in order, so each chunk's token-sorted batches, and with them padding and the int8 scales
   ("batch companions"), are the local ones. One chunk per task, placed by an exact hash
   partitioning (no sampling), so output part files are in input order; on a local master, a job
   of no more chunks than task slots scores them all in one task with every core (one model load).
5. **Score** each chunk with ``mapInPandas``: the scorer is loaded once per Python worker
   (:mod:`nlp.engines._worker`) and :class:`~nlp.engines.stages.ScoreStage` calls the local
   ``prepare_frame`` / ``score_frame``.
6. **Write** through Spark's output committer (a directory of part files and ``_SUCCESS``; a
   failed job leaves no ``_SUCCESS`` and no part files), the rejects beside it as
   ``OUT.rejects.jsonl/`` (one JSON object per line: ``id``, ``row``, ``reason``, ``original``),
   and check ``input rows = output rows + rejected rows``.

Known differences from the local engine, all in reading malformed text files (well-formed
files give the same rows): a CSV field with a stray quote inside an unquoted field keeps its
quotes on Spark; a line holding a JSON array of objects is one reject locally and several
rows on Spark; the ``line N`` in a JSON reject's reason counts non-blank lines. Parquet and
JSON pass-through columns keep Spark's types (a JSON integer column is ``long``, not ``float``).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import logging
import math
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from nlp.engines.stages import ScoreStage, Stage
from nlp.io.columns import ColumnMap
from nlp.io.tables import ROW_COL, InputError, detect_encoding, detect_format
from nlp.text.table import TableStats

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

logger = logging.getLogger(__name__)

__all__ = [
    "SparkInput",
    "session",
    "read_input",
    "number_rows",
    "run_stage",
    "score_frame",
    "score_table",
    "stage_table",
    "rejects_frame",
    "write_frame",
    "java_version",
    "SPARK_MISSING",
]

SPARK_MISSING = (
    "--engine spark needs pyspark and Java 17 or newer: pip install 'nlp-insight[spark]' "
    "(Java on Debian/Ubuntu: apt-get install -y default-jre-headless)"
)

CORRUPT_COL = "_nlp_corrupt"
MID_COL = "_nlp_mid"
CHUNK_COL = "_nlp_chunk"
PART_COL = "_nlp_part"
_INTERNAL = (CORRUPT_COL, MID_COL, CHUNK_COL, PART_COL)
_PART_BITS = 33  # monotonically_increasing_id(): partition index above bit 33, position in the partition below
_JAVA_CHARSETS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "cp949": "x-windows-949", "euc_kr": "x-windows-949", "utf-16": "UTF-16"}
MAX_PARTITIONS = 100_000
"""At most this many scoring tasks; beyond it (500 million rows at the default chunk size) a task scores several chunks."""


def require_pyspark():
    try:
        import pyspark
    except ImportError as exc:
        raise ImportError(SPARK_MISSING) from exc
    return pyspark


def java_version() -> int | None:
    """The major version of the ``java`` Spark would start (``$JAVA_HOME/bin/java``, else ``java`` on the PATH), or ``None``."""
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not java or not Path(java).exists():
        return None
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not m:
        return None
    major = int(m.group(1))
    return int(m.group(2)) if major == 1 and m.group(2) else major  # "1.8.0" is Java 8


def _is_local(master: str) -> bool:
    return master == "local" or master.startswith("local[") or master.startswith("local-cluster")


def _one_executor(master: str) -> bool:
    """A local master other than ``local-cluster``: one executor in the driver's JVM, with every core."""
    return _is_local(master) and not master.startswith("local-cluster")


def session(master: str = "local[*]", app_name: str = "nlp-insight", conf: dict[str, str] | None = None) -> SparkSession:
    """A Spark session for the engine (an active session is reused as it is).

    Local masters run the workers on this Python (``sys.executable``), so the installed
    package and models are what the workers use; on a cluster, ship an environment and point
    ``spark.pyspark.python`` at it (``docs/spark.md``).

    Raises:
        ImportError: pyspark or Java 17+ is missing (the message says how to install them).
    """
    require_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        _configure(active)
        return active
    if not os.environ.get("SPARK_REMOTE") and not os.environ.get("PYSPARK_GATEWAY_PORT"):  # no JVM of ours to start otherwise
        version = java_version()
        if version is None or version < 17:
            found = "no java" if version is None else f"Java {version}"
            raise ImportError(f"engine='spark' needs Java 17 or newer, found {found}; {SPARK_MISSING}")
    builder = SparkSession.builder.appName(app_name)
    if not os.environ.get("PYSPARK_GATEWAY_PORT") or master != "local[*]":
        builder = builder.master(master)  # under spark-submit, its --master decides unless --spark-master says otherwise
    quiet = not sys.stderr.isatty() or bool(os.environ.get("CI"))
    settings = {
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.showConsoleProgress": "false" if quiet else "true",
        # a failed job must leave no part files in the output folder: tasks commit into _temporary, the job moves them
        "spark.hadoop.mapreduce.fileoutputcommitter.algorithm.version": "1",
        "spark.sql.legacy.javaCharsets": "true",  # CP949 CSV (Spark 4 otherwise reads only the UTF and Latin-1 charsets)
    }
    if _is_local(master):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        settings["spark.ui.enabled"] = "false"
        cores = re.match(r"local\[(\d+)", master)
        n = int(cores.group(1)) if cores else (os.cpu_count() or 1) if "[" in master else 1
        settings["spark.sql.shuffle.partitions"] = str(max(2, 2 * n))  # the row-key shuffles are small; 200 tasks each cost more than they do
    settings.update(conf or {})
    for k, v in settings.items():
        builder = builder.config(k, v)
    logging.getLogger("py4j").setLevel(logging.WARNING)  # its INFO lines reach the console, some after exit
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    _configure(spark)
    return spark


def _configure(spark: SparkSession) -> None:
    # every pass must see the same malformed CSV rows: with column pruning, a query reading a few
    # columns parses only those and misses a row's extra fields
    spark.conf.set("spark.sql.csv.parser.columnPruning.enabled", "false")
    try:
        spark.conf.set("spark.sql.legacy.javaCharsets", "true")
    except Exception:  # an older Spark without the setting reads every Java charset anyway
        pass


def _c(name: str):
    """A column by its exact name (dots and spaces are not struct paths here)."""
    from pyspark.sql import functions as F

    return F.col("`" + name.replace("`", "``") + "`")


# -- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceSpec:
    """How the rows were read, so workers can re-read the rows Spark's reader marked malformed."""

    fmt: str  # csv, tsv, jsonl, parquet or frame (a DataFrame given in code)
    header: tuple[str, ...] = ()
    sep: str = ","

    @property
    def text(self) -> bool:
        return self.fmt in ("csv", "tsv", "jsonl")


@dataclass
class SparkInput:
    """An input table as Spark reads it: ``frame`` has the input columns (and ``_nlp_corrupt`` for text formats)."""

    frame: DataFrame
    source: SourceSpec
    path: str


def _head_bytes(spark: SparkSession, path: str, n: int = 1 << 16) -> bytes:
    """The first ``n`` bytes of ``path`` (the first file of a folder or glob, decompressed), through Hadoop's file systems."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    p = jvm.org.apache.hadoop.fs.Path(path)
    fs = p.getFileSystem(conf)
    statuses = fs.globStatus(p)
    if statuses is None or len(statuses) == 0:
        raise InputError(f"input {path} does not exist; check the path")
    files = []
    for st in statuses:
        if st.isDirectory():
            files += [s for s in fs.listStatus(st.getPath()) if s.isFile() and not s.getPath().getName().startswith(("_", "."))]
        else:
            files.append(st)
    if not files:
        return b""
    first = sorted(files, key=lambda s: s.getPath().toString())[0].getPath()
    stream = fs.open(first)
    try:
        codec = jvm.org.apache.hadoop.io.compress.CompressionCodecFactory(conf).getCodec(first)
        if codec is not None:
            stream = codec.createInputStream(stream)
        return bytes(stream.readNBytes(n))
    finally:
        stream.close()


def _fmt_of(path: str) -> str:
    try:
        return detect_format(path)
    except InputError:
        # a folder written by Spark (out.parquet/part-...): the name usually says it; Parquet otherwise
        return "parquet"


def read_input(spark: SparkSession, path: str, columns: ColumnMap | None = None, fmt: str | None = None, encoding: str | None = None) -> SparkInput:
    """Read a table with Spark's reader, in the local engine's terms (see the module docs).

    Args:
        spark: the session.
        path: a file, folder or glob Spark can read; the format follows the extension.
        columns: the column mapping, validated against what was read.
        fmt: ``csv``, ``tsv``, ``jsonl`` or ``parquet`` instead of the extension's.
        encoding: the text encoding instead of the detected one.
    """
    if str(path) == "-":
        raise InputError("engine='spark' reads files (local, hdfs://, s3a:// ...), not stdin; save the input to a file or use engine='local'")
    path = str(path)
    fmt = fmt or _fmt_of(path)
    reader = spark.read
    if fmt in ("csv", "tsv"):
        head = _head_bytes(spark, path)
        enc = encoding or (detect_encoding(head) if head else "utf-8")
        sep = "\t" if fmt == "tsv" else ","
        text = head.decode(enc, errors="replace") if head else ""
        try:
            header = next(csv.reader(io.StringIO(text), delimiter=sep))
        except StopIteration:
            header = []
        except csv.Error as exc:
            raise InputError(f"{path}: the header line cannot be read as {fmt.upper()} ({exc})") from exc
        header = [h.strip() for h in header]
        if len(set(header)) != len(header):
            dup = sorted({h for h in header if header.count(h) > 1})
            raise InputError(f"the header repeats column names {dup}; each column needs a unique name")
        from pyspark.sql.types import StringType, StructField, StructType

        schema = StructType([StructField(h, StringType()) for h in header] + [StructField(CORRUPT_COL, StringType())])
        java_enc = _JAVA_CHARSETS.get(codecs.lookup(enc).name if enc != "utf-8-sig" else "utf-8-sig", enc)
        frame = (
            reader.schema(schema)
            .options(header=True, multiLine=True, sep=sep, quote='"', escape='"', encoding=java_enc, mode="PERMISSIVE", columnNameOfCorruptRecord=CORRUPT_COL)
            .csv(path)
        )
        source = SourceSpec(fmt, tuple(header), sep)
    elif fmt == "jsonl":
        from pyspark.sql import functions as F

        frame = reader.options(mode="PERMISSIVE", columnNameOfCorruptRecord=CORRUPT_COL).json(path)
        if CORRUPT_COL not in frame.columns:
            frame = frame.withColumn(CORRUPT_COL, F.lit(None).cast("string"))
        order = _json_key_order(_head_bytes(spark, path))
        cols = [c for c in order if c in frame.columns] + [c for c in frame.columns if c not in order and c != CORRUPT_COL]
        frame = frame.select(*[_c(c) for c in cols], _c(CORRUPT_COL))
        source = SourceSpec("jsonl")
    elif fmt == "parquet":
        frame = reader.parquet(path)
        source = SourceSpec("parquet")
    else:
        raise InputError(f"cannot read {path} as {fmt!r}; expected csv, tsv, jsonl or parquet")
    cols = [c for c in frame.columns if c != CORRUPT_COL]
    (columns or ColumnMap()).validate(cols, source=path)
    return SparkInput(frame, source, path)


def _json_key_order(head: bytes) -> list[str]:
    """Keys in order of first appearance in the first lines (Spark's JSON reader sorts them; the local reader does not)."""
    order: dict[str, None] = {}
    lines = head.decode("utf-8", errors="replace").splitlines()
    for line in lines[:-1] if len(head) >= (1 << 16) else lines:
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict):
            order.update(dict.fromkeys(obj))
    return list(order)


def _classify(source: SourceSpec, raw: str | None, row: int) -> tuple[str | None, Any, list | None]:
    """A row Spark's reader marked malformed, by the local reader's rules: (reject reason or None, original, fields)."""
    if raw is None:
        return None, None, None
    if source.fmt in ("csv", "tsv"):
        try:
            # strict, as the local reader: a quote still open at the end of the file is no field's end
            rec = next(csv.reader(io.StringIO(raw), delimiter=source.sep, strict=True), [])
        except csv.Error as exc:
            # the rejects file's CSV originals are lists of fields: the line as its one field
            return f"unparseable CSV record ({exc})", [raw.splitlines()[0][:10_000] if raw else raw], None
        width = len(source.header)
        if len(rec) > width:
            return f"expected {width} fields as in the header, found {len(rec)}", rec, None
        return None, None, rec + [""] * (width - len(rec))  # short rows: trailing fields missing, as locally
    original = raw[:10_000]
    try:
        obj = json.loads(raw)
        if not isinstance(obj, dict):
            raise ValueError(f"a JSON {type(obj).__name__}, not an object")
    except ValueError as exc:
        return f"invalid JSON on line {row + 1}: {exc}", original, None
    return "Spark's JSON reader could not read this line", original, None


def _restore(frame: pd.DataFrame, source: SourceSpec) -> tuple[pd.DataFrame, list[tuple[int, str, Any]]]:
    """Rows as the local reader gives them: malformed rows re-read or set aside as (row, reason, original)."""
    rejects: list[tuple[int, str, Any]] = []
    if source.text and CORRUPT_COL in frame.columns:
        bad = frame[CORRUPT_COL].notna().to_numpy()
        if bad.any():
            frame = frame.copy()
            drop = []
            for i in np.flatnonzero(bad):
                row = int(frame[ROW_COL].iat[i])
                reason, original, fields = _classify(source, frame[CORRUPT_COL].iat[i], row)
                if reason is not None:
                    rejects.append((row, reason, original))
                    drop.append(frame.index[i])
                elif fields is not None:
                    for name, value in zip(source.header, fields):
                        if name in frame.columns:
                            frame.at[frame.index[i], name] = value
            frame = frame.drop(index=drop)
        frame = frame.drop(columns=[CORRUPT_COL])
    if source.fmt in ("csv", "tsv") and len(frame):
        # the local CSV reader reads an empty field as missing, quoted or not
        cols = [c for c in source.header if c in frame.columns]
        frame[cols] = frame[cols].replace({"": None})
    return frame, rejects


# -- numbering and chunks --------------------------------------------------------------------


def number_rows(frame: DataFrame, by_file: bool = False) -> tuple[DataFrame, int]:
    """Add ``_row`` (0-based position in the frame's read order) and return the row count.

    One pass counts the rows of each partition; the position is then the partition's offset
    plus the row's place in it. For a single input file this is the position in the file, as
    the local engine numbers it. ``by_file`` (a Parquet scan) numbers by file name, then the
    row's index in its file, so a folder of part files is numbered in the order its part files
    are named (Spark itself reads the largest files first).
    """
    from pyspark.sql import functions as F

    if by_file:
        path, index = "_nlp_file", "_nlp_index"
        with_pos = frame.select("*", F.col("_metadata.file_path").alias(path), F.col("_metadata.row_index").alias(index))
        sizes = {r[path]: int(r["count"]) for r in with_pos.groupBy(path).count().collect()}
        if not sizes:
            return frame.withColumn(ROW_COL, F.lit(0).cast("long")), 0
        files = sorted(sizes)
        offsets = np.concatenate([[0], np.cumsum([sizes[f] for f in files])[:-1]]).astype(np.int64)
        table = F.create_map(*[x for f, o in zip(files, offsets) for x in (F.lit(f), F.lit(int(o)).cast("long"))])
        numbered = with_pos.withColumn(ROW_COL, F.element_at(table, F.col(path)) + F.col(index))
        return numbered.drop(path, index), sum(sizes.values())

    mid = frame.withColumn(MID_COL, F.monotonically_increasing_id())
    counts = mid.groupBy(F.shiftright(F.col(MID_COL), _PART_BITS).alias("p")).count().collect()
    sizes = {int(r["p"]): int(r["count"]) for r in counts}
    n = sum(sizes.values())
    if not sizes:
        return mid.withColumn(ROW_COL, F.lit(0).cast("long")).drop(MID_COL), 0
    offsets = np.concatenate([[0], np.cumsum([sizes.get(p, 0) for p in range(max(sizes) + 1)])[:-1]]).astype(np.int64)
    table = F.array(*[F.lit(int(o)).cast("long") for o in offsets])
    row = F.element_at(table, (F.shiftright(F.col(MID_COL), _PART_BITS) + 1).cast("int")) + F.col(MID_COL).bitwiseAND((1 << _PART_BITS) - 1)
    return mid.withColumn(ROW_COL, row).drop(MID_COL), n


def _murmur3_long(values: np.ndarray, seed: int = 42) -> np.ndarray:
    """Spark's ``hash()`` of long values (Murmur3 x86 32-bit, seed 42), vectorised."""
    v = np.asarray(values, dtype=np.int64).view(np.uint64)
    h = np.full(v.shape, seed, dtype=np.uint32)

    def rotl(x, r):
        return (x << np.uint32(r)) | (x >> np.uint32(32 - r))

    with np.errstate(over="ignore"):
        for word in ((v & np.uint64(0xFFFFFFFF)).astype(np.uint32), (v >> np.uint64(32)).astype(np.uint32)):
            k = word * np.uint32(0xCC9E2D51)
            k = rotl(k, 15) * np.uint32(0x1B873593)
            h = rotl(h ^ k, 13) * np.uint32(5) + np.uint32(0xE6546B64)
        h ^= np.uint32(8)
        h ^= h >> np.uint32(16)
        h *= np.uint32(0x85EBCA6B)
        h ^= h >> np.uint32(13)
        h *= np.uint32(0xC2B2AE35)
        h ^= h >> np.uint32(16)
    return h.view(np.int32)


def partition_keys(n_partitions: int) -> np.ndarray:
    """For each partition p, a long key that Spark's hash partitioning into ``n_partitions`` sends to p.

    ``repartition(n, key)`` places a row by ``pmod(hash(key), n)``; choosing the key per chunk
    places each chunk on a chosen task, without sampling the data as range partitioning does.
    """
    keys = np.full(n_partitions, -1, dtype=np.int64)
    start = 0
    while (keys < 0).any():
        cand = np.arange(start, start + max(4 * n_partitions, 1024), dtype=np.int64)
        part = _murmur3_long(cand).astype(np.int64) % n_partitions
        missing = keys < 0
        first = pd.Series(cand).groupby(part).min()
        take = first[missing[first.index.to_numpy()]]
        keys[take.index.to_numpy()] = take.to_numpy()
        start += len(cand)
    return keys


# -- running a stage -------------------------------------------------------------------------


_KEY_NO, _KEY_VALUE, _KEY_TIME = "_nlp_key_no", "_nlp_key", "_nlp_key_time"  # the long key records of the duplicate pass
DRIVER_KEYS_MAX = 200_000
"""Tables up to this many rows get their duplicate flags on the driver from the collected keys (two
hashes and a time per row, a few MB), sparing four small Spark jobs (a window count, the rule per
key, an aggregation, a join: about 4 s however small the table); larger tables are flagged by Spark."""
_SET_NAME, _SET_VALUE = "_nlp_setting", "_nlp_setting_value"  # readings of table settings riding along the keys pass


def _first_occurrence_flags(
    frame: DataFrame,
    stage: Stage,
    source: SourceSpec,
    chunk_size: int | None = None,
    n_rows: int | None = None,
    kept: list | None = None,
    tasks: int | None = None,
) -> tuple[DataFrame | None, Stage]:
    """``_row`` and, per key of :meth:`Stage.repeat_keys`, whether an earlier row had the same key (only rows with a flag).

    A key with a window (:meth:`Stage.repeat_key_windows`) repeats only an earlier row whose time is
    within the window (or either time unknown); without one, any earlier row counts. The keys come
    from one Python pass, whatever their number; the rows of each key seen more than once are
    grouped and walked in row order with the local detector's rule.

    With ``chunk_size``, the same pass reads the stage's :meth:`Stage.table_settings` (one pass
    over the input instead of two; its output is kept for the flags), and the stage is returned
    with them resolved; otherwise it is returned as given. A table of at most :data:`DRIVER_KEYS_MAX`
    rows (``n_rows``) gets its flags on the driver from the collected keys (the same rule). A frame
    this persists is appended to ``kept``, for the caller to unpersist once the output is written.
    ``tasks``: run the keys pass as this many tasks (default: at least one per task slot, each
    starting to load the stage's model); 1 for a job scored in one task (see :func:`_one_task`).
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F
    from pyspark.sql.types import BinaryType, BooleanType, DoubleType, IntegerType, LongType, StringType, StructField, StructType

    names = list(stage.repeat_key_columns())
    if not names:
        return None, stage
    wanted = _wanted_settings(frame, stage) if chunk_size else {}
    windows = stage.repeat_key_windows()
    time_cols = [windows[k][0] for k in names if k in windows]
    setting_cols = [_SET_NAME, _SET_VALUE] if wanted else []
    schema = StructType(
        [StructField(ROW_COL, LongType())]
        + [StructField(k, BinaryType()) for k in names]
        + [StructField(t, DoubleType()) for t in time_cols]
        + [StructField(c, StringType()) for c in setting_cols]
    )

    def keys(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        stage.prefetch()  # the model loads while this cheap pass runs
        for b in batches:
            b, _ = _restore(b, source)
            if not len(b):
                continue
            got = stage.repeat_keys(b)
            out = pd.DataFrame({ROW_COL: b[ROW_COL].to_numpy(dtype=np.int64)})
            for k in names:
                out[k] = [v.encode("utf-8") if isinstance(v, str) else v for v in got[k]]
            for t in time_cols:
                out[t] = got[t].to_numpy(dtype="float64")
            if wanted:
                # readings travel as extra rows with a negative _row (chunk c → -1 - c) and no keys
                readings = _chunk_readings(stage, wanted, b, chunk_size)
                out[_SET_NAME] = None
                out[_SET_VALUE] = None
                if readings:
                    extra = pd.DataFrame({ROW_COL: np.asarray([-1 - c for _, c, _ in readings], dtype=np.int64)})
                    for k in names:
                        extra[k] = None
                    for t in time_cols:
                        extra[t] = np.nan
                    extra[_SET_NAME] = [n for n, _, _ in readings]
                    extra[_SET_VALUE] = [v for _, _, v in readings]
                    out = pd.concat([out, extra], ignore_index=True)
            yield out

    needed = [ROW_COL] + [c for c in stage.repeat_key_inputs() if c in frame.columns] + [c for c in (CORRUPT_COL,) if c in frame.columns]
    needed += [c for c in wanted.values() if c in frame.columns]
    real = next(c for c in frame.columns if c not in _INTERNAL and c != ROW_COL)  # see rejects_frame
    keyed = frame.select(*[_c(c) for c in dict.fromkeys([*needed, real])])
    if tasks == 1:
        # the job scores in one task: one Python worker, and one model load, is enough
        keyed = keyed.coalesce(1)
    elif keyed.rdd.getNumPartitions() < (workers := frame.sparkSession.sparkContext.defaultParallelism):
        # one CSV file is one partition: spread this pass (and the model loading it starts) over every worker
        keyed = keyed.repartition(workers)
    info = keyed.mapInPandas(keys, schema)
    tcols = {k: windows[k][0] for k in names if k in windows}
    spans = [windows[k][1] if k in windows else None for k in names]
    if n_rows is not None and n_rows <= DRIVER_KEYS_MAX:
        # a small table: the keys (not the texts) come to the driver, which applies the same rule
        got = _to_pandas(info)
        if wanted:
            readings = got[got[ROW_COL] < 0]
            stage = _settings_from(stage, [(n, -1 - int(r), v) for r, n, v in zip(readings[ROW_COL], readings[_SET_NAME], readings[_SET_VALUE])])
        flags = _driver_flags(got[got[ROW_COL] >= 0], names, tcols, spans)
        flag_schema = StructType([StructField(ROW_COL, LongType())] + [StructField(k, BooleanType()) for k in names])
        return _from_pandas(frame.sparkSession, flags, flag_schema), stage
    if wanted:
        from pyspark import StorageLevel

        # the pass runs once: its readings are collected now, its keys kept for the flags below
        info = info.persist(StorageLevel.MEMORY_AND_DISK)
        if kept is not None:
            kept.append(info)
        got = info.filter(F.col(ROW_COL) < 0).select(ROW_COL, _SET_NAME, _SET_VALUE).collect()
        stage = _settings_from(stage, [(r[_SET_NAME], -1 - int(r[ROW_COL]), r[_SET_VALUE]) for r in got])
        info = info.filter(F.col(ROW_COL) >= 0).drop(*setting_cols)
    # one record per row and key (the keys pass above runs once, however many keys there are);
    # only keys seen more than once can repeat: most rows are alone with their key and skip the walk
    record = F.explode(
        F.array(
            *[
                F.struct(
                    F.lit(i).alias(_KEY_NO),
                    F.col(k).alias(_KEY_VALUE),
                    (F.col(tcols[k]) if k in tcols else F.lit(None).cast("double")).alias(_KEY_TIME),
                )
                for i, k in enumerate(names)
            ]
        )
    ).alias("r")
    long = info.select(ROW_COL, record).select(ROW_COL, f"r.{_KEY_NO}", f"r.{_KEY_VALUE}", f"r.{_KEY_TIME}")
    long = long.filter(F.col(_KEY_VALUE).isNotNull())
    shared = long.select("*", F.count(F.lit(1)).over(Window.partitionBy(_KEY_NO, _KEY_VALUE)).alias("_nlp_n")).filter(F.col("_nlp_n") > 1)
    hit_schema = StructType([StructField(ROW_COL, LongType()), StructField(_KEY_NO, IntegerType())])
    hits = shared.select(ROW_COL, _KEY_NO, _KEY_VALUE, _KEY_TIME).groupBy(_KEY_NO, _KEY_VALUE).applyInPandas(_within_window(spans), hit_schema)
    # a row's flag is True where its key repeats an earlier row's, null otherwise (as the local trackers leave it)
    return hits.groupBy(ROW_COL).agg(*[F.max(F.when(F.col(_KEY_NO) == i, F.lit(True))).alias(k) for i, k in enumerate(names)]), stage


@contextlib.contextmanager
def _arrow(spark: SparkSession):
    """Arrow for pandas conversions on the driver, for the duration: without it, ``createDataFrame`` of a
    pandas frame ships pickled rows that a Python worker must read (a job of ~2 s even for ten rows)."""
    key = "spark.sql.execution.arrow.pyspark.enabled"
    before = spark.conf.get(key, "false")
    spark.conf.set(key, "true")
    try:
        yield
    finally:
        spark.conf.set(key, before)


def _to_pandas(frame: DataFrame) -> pd.DataFrame:
    """``frame.toPandas()`` through Arrow."""
    with _arrow(frame.sparkSession):
        return frame.toPandas()


def _from_pandas(spark: SparkSession, pdf: pd.DataFrame, schema=None) -> DataFrame:
    """``spark.createDataFrame(pdf)`` through Arrow: a local relation, no Python worker."""
    with _arrow(spark):
        return spark.createDataFrame(pdf, schema)


def _driver_flags(keys: pd.DataFrame, names: list[str], tcols: dict[str, str], spans: list[float | None]) -> pd.DataFrame:
    """The flags of :func:`_first_occurrence_flags` from the collected keys: ``_row`` and a column per key,
    True where the row repeats an earlier one (null otherwise), for the rows with any flag."""
    within = _within_window(spans)
    hits = []
    for no, k in enumerate(names):
        t = keys[tcols[k]] if k in tcols else pd.Series(np.nan, index=keys.index)
        long = pd.DataFrame({ROW_COL: keys[ROW_COL].to_numpy(dtype=np.int64), _KEY_NO: no, _KEY_VALUE: keys[k].to_numpy(), _KEY_TIME: t.to_numpy(dtype="float64")})
        long = long[long[_KEY_VALUE].notna()]
        long = long[long[_KEY_VALUE].duplicated(keep=False)]  # only keys seen more than once can repeat
        for _, group in long.groupby(_KEY_VALUE, sort=False):
            hit = within(group)
            if len(hit):
                hits.append(hit)
    out = pd.DataFrame({ROW_COL: pd.Series([], dtype=np.int64)})
    if hits:
        found = pd.concat(hits, ignore_index=True)
        out = pd.DataFrame({ROW_COL: np.unique(found[ROW_COL].to_numpy(dtype=np.int64))})
        for no, k in enumerate(names):
            rows = set(found.loc[found[_KEY_NO] == no, ROW_COL].tolist())
            out[k] = [True if r in rows else None for r in out[ROW_COL]]
    for k in names:
        if k not in out.columns:
            out[k] = pd.Series([], dtype=object)
    return out[[ROW_COL, *names]]


def _within_window(spans: list[float | None]):
    """The local duplicate rule over one key's rows (key number ``_KEY_NO``, window ``spans[no]`` seconds):
    a row repeats an earlier one when either time is unknown or they are at most the window apart
    (:class:`nlp.text.quality.DuplicateDetector`); a window of ``None`` means any gap. Returns the rows that repeat."""

    def within(pdf: pd.DataFrame) -> pd.DataFrame:
        span = spans[int(pdf[_KEY_NO].iloc[0])] if len(pdf) else None
        pdf = pdf.sort_values(ROW_COL, kind="stable")
        seen: list[float | None] = []
        hit = []
        for t in pdf[_KEY_TIME].to_numpy(dtype="float64"):
            t = None if (span is None or np.isnan(t)) else float(t)
            hit.append(bool(seen) and (t is None or any(s is None or abs(s - t) <= span for s in seen)))
            if t not in seen:
                seen.append(t)
        out = pd.DataFrame({ROW_COL: pdf[ROW_COL].to_numpy(dtype=np.int64), _KEY_NO: pdf[_KEY_NO].to_numpy(dtype=np.int32)})
        return out[np.asarray(hit, dtype=bool)]

    return within


def _chunk_readings(stage: Stage, wanted: dict[str, str], b: pd.DataFrame, chunk_size: int) -> list[tuple[str, int, str]]:
    """``(setting, chunk, JSON value)`` for each chunk part of batch ``b`` that says something about a setting."""
    chunk = b[ROW_COL].to_numpy(dtype=np.int64) // chunk_size
    rows = []
    for name, col in wanted.items():
        for c in np.unique(chunk):
            # a chunk split over batches: each part's value is the chunk's when the rule is a maximum (ratings)
            v = stage.resolve_setting(name, b[col][chunk == c].reset_index(drop=True))
            if v is not None:
                rows.append((name, int(c), json.dumps(v)))
    return rows


def _settings_from(stage: Stage, readings: list[tuple[str, int, str]]) -> Stage:
    """The stage with each setting taken from the first chunk with a reading, as locally."""
    resolved = {}
    for name in dict.fromkeys(r[0] for r in readings):
        mine = [(c, v) for n, c, v in readings if n == name]
        first = min(c for c, _ in mine)
        values = [json.loads(v) for c, v in mine if c == first]
        # parts of one chunk: the widest reading (for ratings, 1-10 when any part has a rating above 5)
        best = max(values, key=lambda v: tuple(v) if isinstance(v, list) else v)
        resolved[name] = tuple(best) if isinstance(best, list) else best
    return stage.with_settings(**resolved) if resolved else stage


def _wanted_settings(numbered: DataFrame, stage: Stage) -> dict[str, str]:
    return {name: col for name, col in stage.table_settings().items() if col in numbered.columns}


def _resolve_settings(numbered: DataFrame, stage: Stage, chunk_size: int, source: SourceSpec) -> Stage:
    """The stage with each :meth:`Stage.table_settings` resolved from the first chunk that has a value, as locally
    (a pass of its own; :func:`_first_occurrence_flags` reads them in its keys pass when the stage has keys)."""
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    wanted = _wanted_settings(numbered, stage)
    if not wanted:
        return stage
    schema = StructType([StructField("name", StringType()), StructField("chunk", LongType()), StructField("value", StringType())])

    def per_chunk(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for b in batches:
            b, _ = _restore(b, source)
            if len(b):
                rows = _chunk_readings(stage, wanted, b, chunk_size)
                if rows:
                    yield pd.DataFrame(rows, columns=["name", "chunk", "value"])

    cols = list(dict.fromkeys([ROW_COL, *wanted.values(), *([CORRUPT_COL] if CORRUPT_COL in numbered.columns else [])]))
    # one row per chunk part with a reading: a few hundred rows even for millions of input rows
    got = numbered.select(*[_c(c) for c in cols]).mapInPandas(per_chunk, schema).collect()
    return _settings_from(stage, [(r["name"], int(r["chunk"]), r["value"]) for r in got])


def _output_schema(frame: DataFrame, stage: Stage):
    """The stage's output schema in Spark types; pass-through columns keep their exact Spark type."""
    import pyarrow as pa
    from pyspark.sql.pandas.types import from_arrow_type, to_arrow_type
    from pyspark.sql.types import StructField, StructType

    inputs = {f.name: f for f in frame.schema.fields if f.name not in _INTERNAL and f.name != ROW_COL}
    arrow_in = pa.schema([pa.field(f.name, to_arrow_type(f.dataType)) for f in inputs.values()])
    fields = []
    for f in stage.output_schema(arrow_in):
        src = inputs.get(f.name)
        if src is not None and to_arrow_type(src.dataType) == f.type:
            fields.append(src)
        else:
            fields.append(StructField(f.name, from_arrow_type(f.type)))
    return StructType(fields)


def _task_slots(spark: SparkSession) -> tuple[int, int, int]:
    """(task slots, cores per executor, cores per task) of the session: local masters are one executor with every core."""
    conf = spark.sparkContext.getConf()
    task_cpus = max(1, int(conf.get("spark.task.cpus", "1")))
    cores = max(1, spark.sparkContext.defaultParallelism)
    master = spark.sparkContext.master
    executor = cores if _one_executor(master) else int(conf.get("spark.executor.cores", str(task_cpus)))
    return max(1, cores // task_cpus), max(1, executor), task_cpus


def warm(spark: SparkSession, stage: Stage) -> threading.Thread | None:
    """On a local master, start loading ``stage``'s model in a Python worker while the input is read.

    A one-task pandas job, on a driver thread of its own, whose Python worker starts the load on a
    thread and returns; Spark then reuses that worker for the passes that follow, so the worker's start
    and the model's load (seconds) overlap the JVM's reading and numbering instead of following them.
    Returns the thread (join it before the session stops), or ``None`` where nothing was started: a
    cluster's executors load their models in the first pass.
    """
    if not _one_executor(spark.sparkContext.master):
        return None

    def start(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        stage.prefetch()
        yield from batches

    def run() -> None:
        try:  # a pandas pass, not an RDD one: Spark keeps the workers of each kind apart
            spark.range(1, numPartitions=1).mapInPandas(start, "id long").collect()
        except Exception:  # only a head start: the passes that need the model load it themselves
            logger.debug("warming the model failed", exc_info=True)

    thread = threading.Thread(target=run, name="nlp-warm", daemon=True)
    thread.start()
    return thread


def _one_task(spark: SparkSession, n_chunks: int) -> bool:
    """Whether a job of ``n_chunks`` chunks scores them all in one task, with every core.

    True on a local master (one executor: one machine's cores) for a job of one wave (no more
    chunks than task slots): one task per chunk would start a Python worker per chunk, each loading
    the model on the same cores (seconds each, the larger part of a small job's cost), where one
    task with every core loads it once and scores its chunks one after another, as the local engine
    does. Larger jobs, and clusters, keep one task per chunk.
    """
    return _one_executor(spark.sparkContext.master) and n_chunks <= _task_slots(spark)[0]


def run_stage(numbered: DataFrame, n_rows: int, stage: Stage, chunk_size: int = 5_000, source: SourceSpec | None = None, kept: list | None = None) -> DataFrame:
    """Run ``stage`` over rows numbered by :func:`number_rows` (``n_rows`` of them), one local-engine chunk at a time.

    Returns the stage's output rows (lazily), in input order across part files. Rows the
    local reader would reject are left out here (see :func:`rejects_frame`). Above
    :data:`DRIVER_KEYS_MAX` rows, the duplicate pass is persisted for the output to read; it is
    appended to ``kept`` (unpersist it once the output is written) or stays cached otherwise.
    """
    from pyspark.sql import functions as F

    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    source = source or SourceSpec("frame")
    spark = numbered.sparkSession
    schema = _output_schema(numbered, stage)
    if n_rows == 0:
        return spark.createDataFrame([], schema)
    frame = numbered
    n_chunks = max(1, math.ceil(n_rows / chunk_size))
    stage = stage.for_job(n_chunks, *_task_slots(spark))  # before the keys pass: it starts loading the stage's model
    one_task = _one_task(spark, n_chunks)
    if stage.repeat_key_columns():
        flags, stage = _first_occurrence_flags(numbered, stage, source, chunk_size, n_rows, kept, tasks=1 if one_task else None)
    else:
        stage = _resolve_settings(numbered, stage, chunk_size, source)
        flags = None
    if flags is not None:
        frame = frame.join(flags, ROW_COL, "left")
    n_parts = 1 if one_task else min(n_chunks, MAX_PARTITIONS)
    keys = partition_keys(n_parts)
    chunk_part = (np.arange(n_chunks, dtype=np.int64) * n_parts) // n_chunks
    mapping = _from_pandas(spark, pd.DataFrame({CHUNK_COL: np.arange(n_chunks, dtype=np.int64), PART_COL: keys[chunk_part]}))
    frame = frame.withColumn(CHUNK_COL, F.expr(f"`{ROW_COL}` div {int(chunk_size)}"))
    frame = frame.join(F.broadcast(mapping), CHUNK_COL).repartition(n_parts, PART_COL).sortWithinPartitions(ROW_COL)
    names = schema.fieldNames()

    def chunks(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        # rows arrive sorted by _row; a chunk's rows are contiguous and all in this partition
        pending: list[pd.DataFrame] = []
        current = None
        for b in batches:
            if not len(b):
                continue
            ids = b[CHUNK_COL].to_numpy()
            cuts = np.flatnonzero(np.diff(ids)) + 1
            for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(b)]):
                if current is not None and ids[lo] != current:
                    yield from _apply(pd.concat(pending, ignore_index=True))
                    pending = []
                current = ids[lo]
                pending.append(b.iloc[lo:hi])
        if pending:
            yield from _apply(pd.concat(pending, ignore_index=True))

    def _apply(chunk: pd.DataFrame) -> Iterator[pd.DataFrame]:
        chunk = chunk.drop(columns=[CHUNK_COL, PART_COL])
        chunk, _ = _restore(chunk, source)
        if len(chunk):
            out = stage.apply(chunk.reset_index(drop=True))
            yield out[names]

    return frame.mapInPandas(chunks, schema)


def can_reject(numbered: DataFrame, source: SourceSpec) -> bool:
    """Whether :func:`rejects_frame` may hold rows: only a text format read with a malformed-row column."""
    return bool(source.text and CORRUPT_COL in numbered.columns)


def rejects_frame(numbered: DataFrame, source: SourceSpec) -> DataFrame:
    """The rows the local reader rejects, as the rejects file has them: ``id``, ``row``, ``reason``, ``original``."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import ArrayType, LongType, StringType, StructField, StructType

    original = ArrayType(StringType()) if source.fmt in ("csv", "tsv") else StringType()
    schema = StructType([StructField("id", StringType()), StructField("row", LongType()), StructField("reason", StringType()), StructField("original", original)])
    spark = numbered.sparkSession
    if not can_reject(numbered, source):
        return spark.createDataFrame([], schema)

    def rejects(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for b in batches:
            rows = [(None, row, reason, orig) for row, reason, orig in _restore(b, source)[1]]
            if rows:
                yield pd.DataFrame(rows, columns=["id", "row", "reason", "original"])

    # Spark refuses a query of a text file that reads only the malformed-row column: take one real column along
    real = next(c for c in numbered.columns if c not in _INTERNAL and c != ROW_COL)
    bad = numbered.filter(F.col(CORRUPT_COL).isNotNull()).select(ROW_COL, CORRUPT_COL, _c(real))
    return bad.mapInPandas(rejects, schema)


# -- writing ---------------------------------------------------------------------------------


def write_frame(frame: DataFrame, path: str, fmt: str | None = None) -> None:
    """Write through Spark's committer: a folder of part files, complete when ``_SUCCESS`` is there.

    The format follows the name (``.parquet``, ``.csv``, ``.tsv``, ``.jsonl``; ``.gz`` compresses
    text formats); an existing output is replaced.
    """
    fmt = fmt or _fmt_of(path)
    w = frame.write.mode("overwrite")
    gz = str(path).lower().endswith(".gz")
    if fmt == "parquet":
        w.option("compression", "zstd").parquet(path)
        return
    if gz:
        w = w.option("compression", "gzip")
    if fmt in ("csv", "tsv"):
        w.options(header=True, sep="\t" if fmt == "tsv" else ",", quote='"', escape='"').csv(path)
    else:
        w.option("ignoreNullFields", False).json(path)


def write_rejects(numbered: DataFrame, source: SourceSpec, path: str) -> int | None:
    """Write :func:`rejects_frame` to the folder ``path`` (one JSON line per reject, in row order).

    Returns 0 when the input cannot have rejects (Parquet, or a text file Spark read without a
    malformed-row column), whose folder is written without a job; ``None`` otherwise (count it).
    """
    if not can_reject(numbered, source):
        write_empty(numbered.sparkSession, path)
        return 0
    rejects_frame(numbered, source).repartition(1).sortWithinPartitions("row").write.mode("overwrite").option("ignoreNullFields", False).json(path)
    return None


def write_empty(spark: SparkSession, path: str) -> None:
    """An output folder of no rows, as Spark's committer leaves it (only ``_SUCCESS``), through the Hadoop file system."""
    jvm = spark.sparkContext._jvm
    hpath = jvm.org.apache.hadoop.fs.Path(str(path))
    fs = hpath.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    fs.delete(hpath, True)
    fs.mkdirs(hpath)
    fs.create(jvm.org.apache.hadoop.fs.Path(hpath, "_SUCCESS"), True).close()


def _count_written(spark: SparkSession, path: str, fmt: str) -> int:
    if fmt == "parquet":
        return spark.read.parquet(path).count()  # from the footers
    if fmt in ("csv", "tsv"):
        return spark.read.options(header=True, multiLine=True, sep="\t" if fmt == "tsv" else ",", quote='"', escape='"').csv(path).count()
    return spark.read.text(path).count()  # one JSON object per line


def _same_path(a: str, b: str) -> bool:
    def norm(p: str) -> str:
        p = p[len("file:") :] if p.startswith("file:") else p
        return os.path.abspath(p) if "://" not in p else p.rstrip("/")

    return norm(str(a)) == norm(str(b))


def score_frame(frame: DataFrame, stage: ScoreStage | None = None, chunk_size: int = 5_000) -> DataFrame:
    """Score a Spark DataFrame (see :func:`nlp.spark.score`): numbered in its read order, chunked as locally."""
    stage = stage or ScoreStage()
    stage.columns.validate([c for c in frame.columns if c not in _INTERNAL], source="the DataFrame")
    warm(frame.sparkSession, stage)
    numbered, n = number_rows(frame)
    return run_stage(numbered, n, stage, chunk_size)


def stage_table(
    input: str | os.PathLike,
    output: str | os.PathLike,
    stage: Stage,
    *,
    chunk_size: int = 5_000,
    spark: SparkSession | None = None,
    master: str = "local[*]",
    one_row_per_input: bool = True,
) -> TableStats:
    """Run ``stage`` over every row of ``input`` into the folder ``output``, rejects beside it (``output.rejects.jsonl/``).

    The file-to-file form of :func:`run_stage` that ``nlp score --engine spark`` uses, and
    a stage with more rows out than in can (``one_row_per_input=False``: e.g. one row per mention,
    so only ``input rows = rows read + rejected rows`` is checked).
    """
    inp, out = str(input), str(output)
    if _same_path(inp, out):
        raise InputError("the output path is the input file; choose another -o")
    out_fmt = detect_format(out)
    spark = spark or session(master)
    warming = warm(spark, stage)
    src = read_input(spark, inp, stage.columns if hasattr(stage, "columns") else None)
    numbered, n = number_rows(src.frame, by_file=src.source.fmt == "parquet")
    logger.info("%s: %d rows in %d chunks of %d", inp, n, math.ceil(n / chunk_size) if n else 0, chunk_size)
    rej_path = out + ".rejects.jsonl"
    # rejects first (small), then the output: the output's _SUCCESS marks the whole result complete
    known = write_rejects(numbered, src.source, rej_path)
    kept: list = []
    try:
        write_frame(run_stage(numbered, n, stage, chunk_size, src.source, kept), out, out_fmt)
    finally:
        for f in kept:
            f.unpersist()
        if warming is not None:
            warming.join()
    stats = TableStats(input_rows=n, output=out, rejects=rej_path)
    stats.output_rows = _count_written(spark, out, out_fmt)
    stats.rejected_rows = spark.read.text(rej_path).count() if known is None else known
    if one_row_per_input:
        stats.check()
    return stats


def score_table(
    input: str | os.PathLike,
    output: str | os.PathLike,
    columns: ColumnMap | None = None,
    *,
    master: str = "local[*]",
    model_dir: str | os.PathLike | None = None,
    mask_pii: bool = True,
    chunk_size: int = 5_000,
    batch_size: int = 8,
    threads: int | None = None,
    quantize: bool = True,
    recheck: float | None = None,
    backend: str | None = None,
    spark: SparkSession | None = None,
    rating_scale: str | float | None = None,
    intent_rules: bool = True,
) -> TableStats:
    """``nlp score --engine spark``: score every row of ``input`` into the folder ``output`` (+ ``output.rejects.jsonl/``).

    Same arguments as :func:`nlp.scoring.table.score_table` (no ``resume``: Spark re-runs failed
    tasks itself; no ``embeddings``). ``threads`` per task: see :meth:`ScoreStage.for_job` when not given.

    Returns:
        Row accounting; ``input_rows == output_rows + rejected_rows`` is checked.
    """
    cmap = columns or ColumnMap()
    spark = spark or session(master)
    stage = ScoreStage(
        columns=cmap,
        model_dir=str(model_dir) if model_dir else None,
        quantize=quantize,
        recheck=recheck,
        backend=backend,
        batch_size=batch_size,
        threads=threads,
        mask_pii=mask_pii,
        rating_scale=rating_scale,
        intent_rules=intent_rules,
    )
    return stage_table(input, output, stage, chunk_size=chunk_size, spark=spark)
