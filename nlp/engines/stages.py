"""Pipeline stages as the engines run them: each is a function over a pandas batch of rows.

A :class:`Stage` is a small, picklable object holding its settings. An engine hands it one
batch of input rows at a time (a pandas frame with the input columns and ``_row``, the
row's position in the input) and gets the output rows back from :meth:`Stage.apply`. Heavy
resources (a loaded scorer) come from :meth:`Stage.resources`, loaded once per process and
reused for every batch, which is what Spark's reused Python workers need.

Whole-table facts that one batch cannot see are computed by the engine first and handed to
the batch as columns. A stage names them with :meth:`Stage.repeat_keys`: for each key column
it returns, the engine marks the rows whose key already occurred at an earlier ``_row``
(``duplicate`` and ``duplicate_id`` for scoring), exactly as the local engine's streaming
trackers do; a key with a time window (:meth:`Stage.repeat_key_windows`: a duplicate is the
same text of the same product within 7 days) only repeats an earlier row within that window.
Settings the local engine fixes from the first chunk (the rating scale) are resolved by the
engine over the whole table before any batch runs (:meth:`Stage.table_settings`). Batches follow the local engine's chunks (``_row // chunk_size``) when
:attr:`Stage.chunked` is set, so batch-dependent arithmetic (int8 scales, padding) is the same.

Stages: :class:`ScoreStage` (``nlp score``). Another stage plugs in the same way: subclass
:class:`Stage`, then :func:`register_stage`. Aspects run per product instead, because
``--domain auto`` needs a product's whole set of reviews (:mod:`nlp.engines.spark_aspects`).

Example:
    >>> stage = ScoreStage(quantize=True)
    >>> scored = stage.apply(frame)  # frame: input columns + _row  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from nlp.engines import _worker
from nlp.io.columns import ColumnMap
from nlp.io.tables import ROW_COL
from nlp.text.quality import DUPLICATE_WINDOW_DAYS, DuplicateDetector

_CHECKED = frozenset({"empty", "filler", "generic"})
"""Rows with none of these flags are the ones the preparer checks for duplicates (:class:`nlp.text.pipeline.TextPreparer`)."""

logger = logging.getLogger(__name__)

__all__ = [
    "Stage",
    "ScoreStage",
    "STAGES",
    "register_stage",
    "model_labels",
    "DUPLICATE_COL",
    "DUPLICATE_ID_COL",
    "DUPLICATE_TIME_COL",
]

DUPLICATE_COL = "_nlp_dup"
"""Engine-computed flag: the text repeats an earlier row's (exactly or nearly, after normalisation)."""
DUPLICATE_ID_COL = "_nlp_dup_id"
"""Engine-computed flag: the id repeats an earlier row's id."""
DUPLICATE_TIME_COL = "_nlp_dup_time"
"""The row's time in seconds, for the duplicate window (NaN when it has none)."""


class Stage:
    """A pipeline stage as the engines run it: ``apply(frame)`` over one batch of input rows.

    Subclasses are frozen dataclasses of settings (picklable, so Spark can ship them to its
    workers) and implement :meth:`cache_key`, :meth:`load`, :meth:`output_schema` and
    :meth:`apply`.
    """

    name: ClassVar[str] = ""
    chunked: ClassVar[bool] = True
    """Batches must be the local engine's chunks (rows ``k*chunk_size .. (k+1)*chunk_size-1``)."""

    def cache_key(self) -> Hashable:
        """What identifies the loaded resources (model directory and every setting that changes them)."""
        raise NotImplementedError

    def load(self) -> Any:
        """Load the heavy resources (called once per process per :meth:`cache_key`)."""
        raise NotImplementedError

    def resources(self) -> Any:
        """The loaded resources, from the per-process cache."""
        return _worker.cached(self.cache_key(), self.load)

    def prefetch(self) -> None:
        """Start loading :meth:`resources` in the background of this process (once)."""
        _worker.prefetch(self.cache_key(), self.load)

    def output_schema(self, input_schema):
        """The ``pyarrow.Schema`` of :meth:`apply`'s output for input with ``input_schema`` (without ``_row``)."""
        raise NotImplementedError

    def repeat_key_columns(self) -> tuple[str, ...]:
        """Names of the whole-table flags this stage needs (see :meth:`repeat_keys`); default none."""
        return ()

    def repeat_key_inputs(self) -> tuple[str, ...]:
        """The input columns :meth:`repeat_keys` reads (besides ``_row``)."""
        return ()

    def repeat_key_windows(self) -> dict[str, tuple[str, float | None]]:
        """Key columns whose repeats count only within a time window: key → (the column of
        :meth:`repeat_keys` holding each row's time in seconds, the window in seconds or ``None``
        for any gap). A row without a time repeats every earlier row of its key. Default: none."""
        return {}

    def table_settings(self) -> dict[str, str]:
        """Settings the local engine fixes from the first chunk that has a value: setting → input
        column. The engine calls :meth:`resolve_setting` with the first chunk's values of that column
        and gives the stage the result (:meth:`with_settings`). Default: none."""
        return {}

    def resolve_setting(self, name: str, values: pd.Series):
        """The setting ``name`` from one chunk's values, or ``None`` when the chunk says nothing."""
        return None

    def for_job(self, n_chunks: int, slots: int, executor_cores: int, task_cpus: int = 1) -> Stage:
        """This stage as the Spark engine runs it for a job of ``n_chunks`` tasks on ``slots`` task slots,
        each executor having ``executor_cores`` cores and each task ``task_cpus``. Default: unchanged."""
        return self

    def with_settings(self, **settings) -> Stage:
        """This stage with the resolved settings."""
        import dataclasses

        return dataclasses.replace(self, **settings)

    def repeat_keys(self, frame: pd.DataFrame) -> dict[str, pd.Series]:
        """Whole-table keys: for each column of :meth:`repeat_key_columns`, one key per row.

        The engine flags each row whose key occurred at an earlier ``_row`` and hands the flags
        to :meth:`apply` under the same column names. Keys are bytes or strings; ``None`` never
        repeats.
        """
        return {}

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Output rows for one batch of input rows (input columns + ``_row`` + the :meth:`repeat_keys` flags)."""
        raise NotImplementedError


STAGES: dict[str, type[Stage]] = {}


def register_stage(cls: type[Stage]) -> type[Stage]:
    """Make a stage known to the engines by its :attr:`Stage.name` (usable as a class decorator)."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} needs a name")
    STAGES[cls.name] = cls
    return cls


def model_labels(model_dir: str | Path | None = None) -> dict[str, list[str]]:
    """Task → labels of a scorer model directory, read from its ``config.json`` (no model is loaded).

    The order is the scorer's: the encoder's own tasks, then the extra heads.

    Example:
        >>> model_labels()["sentiment"]
        ['negative', 'neutral', 'positive']
    """
    from nlp.scoring.scorer import ModelError, default_model_dir

    d = Path(model_dir) if model_dir else default_model_dir()
    cfg_path = d / "config.json"
    if not cfg_path.is_file():
        raise ModelError(f"model directory {d} not found or lacks config.json; pass model_dir=DIR with a directory made by `nlp train sentiment`")
    cfg = json.loads(cfg_path.read_text())
    tasks = {t: list(labels) for t, labels in cfg.get("tasks", {}).items()}
    for task, labels in cfg.get("extra_heads", {}).items():
        tasks[task] = list(labels)
    return tasks


class _NoRepeats(DuplicateDetector):
    """A duplicate detector that flags nothing: the engine supplies whole-table duplicates instead."""

    def check(self, normalized: str, product: object = None, time: float | None = None) -> bool:
        return False


class _KeyRecorder(DuplicateDetector):
    """Records the duplicate key (product and text) and time of every text the preparer checks, in order; flags nothing."""

    def __init__(self, window_days: float | None) -> None:
        super().__init__(window_days)
        self.keys: list[tuple[bytes, float]] = []

    def check(self, normalized: str, product: object = None, time: float | None = None) -> bool:
        if normalized:
            t = float("nan") if time is None else float(time)
            self.keys.append((self.key(normalized, product).to_bytes(8, "little"), t))
        return False


def _set_field(fields: list, name: str, typ) -> None:
    import pyarrow as pa

    for i, f in enumerate(fields):
        if f.name == name:
            fields[i] = pa.field(name, typ)
            return
    fields.append(pa.field(name, typ))


@register_stage
@dataclass(frozen=True)
class ScoreStage(Stage):
    """``nlp score`` for one chunk: the local engine's own :func:`~nlp.scoring.table.prepare_frame` and
    :func:`~nlp.scoring.table.score_frame`, so ids, flags, labels and scores are the local ones.

    Args:
        columns: input column names.
        model_dir: the scorer (default: the shipped model, resolved where the stage runs).
        quantize, recheck, backend, batch_size, threads: as ``nlp score``'s options (int8 by default, as there).
        rating_scale: the valid ratings (``None``: resolved by the engine from the first chunk with ratings).
        duplicate_window_days: the duplicate window (7 days, as ``nlp score``).
        mask_pii: mask personal data before the model sees it.
        intent_rules: intent follows what the text states, as ``nlp score`` by default (``--no-intent-rules``: off).
    """

    name: ClassVar[str] = "score"

    columns: ColumnMap = field(default_factory=ColumnMap)
    model_dir: str | None = None
    quantize: bool = True
    recheck: float | None = None
    backend: str | None = None
    batch_size: int = 8
    threads: int | None = None
    mask_pii: bool = True
    rating_scale: tuple[float, float] | None = None
    duplicate_window_days: float | None = DUPLICATE_WINDOW_DAYS
    intent_rules: bool = True

    def __post_init__(self) -> None:
        if self.rating_scale is not None and not isinstance(self.rating_scale, tuple):
            from nlp.text.quality import parse_rating_scale

            object.__setattr__(self, "rating_scale", parse_rating_scale(self.rating_scale))

    def for_job(self, n_chunks: int, slots: int, executor_cores: int, task_cpus: int = 1) -> Stage:
        """Threads per task, when not given: ``task_cpus``, except in a job of one wave (no more chunks
        than slots), where each task may use every core of its executor. A short chunk's task ends
        early (6,000 rows are chunks of 5,000 and 1,000), and its cores then serve the long ones.
        The scores do not change: each ONNX Runtime call runs on one thread, whatever their number."""
        if self.threads is not None:
            return self
        return dataclasses.replace(self, threads=max(task_cpus, executor_cores) if n_chunks <= slots else max(1, task_cpus))

    def cache_key(self) -> Hashable:
        import os

        from nlp.scoring.scorer import default_model_dir

        d = Path(self.model_dir) if self.model_dir else default_model_dir()
        backend = self.backend or os.environ.get("NLP_BACKEND") or "auto"
        # not the threads: a loaded scorer takes them per job (resources), so one load serves every job
        return ("score", str(d.resolve()), self.quantize, self.recheck, backend, self.batch_size, self.intent_rules)

    def resources(self):
        """The process's cached scorer, set to this stage's threads (one loaded scorer serves any)."""
        scorer = super().resources()
        scorer.set_threads(self.threads)
        return scorer

    def load(self):
        from nlp.scoring.scorer import Scorer

        logger.info("loading the scorer (once per process): %s", self.model_dir or "the shipped model")
        return Scorer.load(
            self.model_dir, batch_size=self.batch_size, threads=self.threads, quantize=self.quantize, backend=self.backend, recheck_margin=self.recheck,
            intent_rules=self.intent_rules,
        )

    def labels(self) -> dict[str, list[str]]:
        return model_labels(self.model_dir)

    def output_schema(self, input_schema):
        """Mirrors :func:`~nlp.scoring.table.score_frame`: input columns, the id (first when derived), then the scores."""
        import pyarrow as pa

        cmap = self.columns
        fields = [f for f in input_schema if f.name != ROW_COL and f.name not in (DUPLICATE_COL, DUPLICATE_ID_COL)]
        names = [f.name for f in fields]
        if cmap.id in names:
            _set_field(fields, cmap.id, pa.string())
        else:
            fields.insert(0, pa.field(cmap.id, pa.string()))
        for task, labels in self.labels().items():
            _set_field(fields, task, pa.string())
            if task == "sentiment":
                _set_field(fields, "sentiment_score", pa.float32())
            for lab in labels:
                _set_field(fields, f"{task}_{lab}", pa.float32())
        _set_field(fields, "flags", pa.string())
        return pa.schema(fields)

    def repeat_key_columns(self) -> tuple[str, ...]:
        return (DUPLICATE_COL, DUPLICATE_ID_COL)

    def repeat_key_inputs(self) -> tuple[str, ...]:
        return (self.columns.text, self.columns.id, self.columns.product, self.columns.time)

    def repeat_key_windows(self) -> dict[str, tuple[str, float | None]]:
        w = self.duplicate_window_days
        return {DUPLICATE_COL: (DUPLICATE_TIME_COL, None if w is None else float(w) * 86_400.0)}

    def table_settings(self) -> dict[str, str]:
        return {} if self.rating_scale is not None else {"rating_scale": self.columns.rating}

    def resolve_setting(self, name: str, values: pd.Series):
        from nlp.text.quality import RatingCheck

        check = RatingCheck()
        check(values)
        return check.scale

    def repeat_keys(self, frame: pd.DataFrame) -> dict[str, pd.Series]:
        """The duplicate key of product and text with the row's time (``duplicate``), and the row id
        (``duplicate_id``), as the local trackers see them."""
        from nlp.io.columns import derive_ids
        from nlp.text.pipeline import TextPreparer

        cmap = self.columns
        prep = TextPreparer(mask_pii=self.mask_pii, duplicate_window_days=self.duplicate_window_days)
        recorder = prep.duplicates = _KeyRecorder(self.duplicate_window_days)

        def col(name: str):
            return frame[name] if name in frame.columns else None

        prepared = prep(frame[cmap.text].tolist(), products=col(cmap.product), times=col(cmap.time))
        keys: list[bytes | None] = [None] * len(frame)
        times = np.full(len(frame), np.nan)
        checked = [i for i, f in enumerate(prepared.flags) if _CHECKED.isdisjoint(f)]  # the texts the preparer checks, in order
        if len(checked) != len(recorder.keys):
            raise RuntimeError(f"duplicate keys out of step: {len(recorder.keys)} recorded for {len(checked)} texts")
        for i, (key, t) in zip(checked, recorder.keys):
            keys[i], times[i] = key, t
        ids = derive_ids(frame, cmap)
        return {
            DUPLICATE_COL: pd.Series(keys, index=frame.index, dtype=object),
            DUPLICATE_TIME_COL: pd.Series(times, index=frame.index, dtype="float64"),
            DUPLICATE_ID_COL: pd.Series(ids.to_numpy(dtype=object), index=frame.index, dtype=object),
        }

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        from nlp.scoring.table import prepare_frame, score_frame
        from nlp.text.pipeline import TextPreparer
        from nlp.text.table import IdTracker

        scorer = self.resources()
        cmap = self.columns
        whole_table = DUPLICATE_COL in frame.columns
        df = frame.drop(columns=[c for c in (DUPLICATE_COL, DUPLICATE_ID_COL) if c in frame.columns])
        prep = TextPreparer(mask_pii=self.mask_pii, rating_scale=self.rating_scale, duplicate_window_days=self.duplicate_window_days)
        if whole_table:
            prep.duplicates = _NoRepeats()
            ready = prepare_frame(df, scorer, cmap, prep, None)
            dup = frame[DUPLICATE_COL].eq(True).to_numpy(dtype=bool)
            dup_id = frame[DUPLICATE_ID_COL].eq(True).to_numpy(dtype=bool) if DUPLICATE_ID_COL in frame.columns else np.zeros(len(df), bool)
            for flags, d, di in zip(ready.prepared.flags, dup, dup_id):
                if d:
                    flags.append("duplicate")
                if di:
                    flags.append("duplicate_id")
        else:  # this batch alone is the table
            ready = prepare_frame(df, scorer, cmap, prep, IdTracker())
        out, _ = score_frame(df, scorer, cmap, prep, ready=ready)
        return out
