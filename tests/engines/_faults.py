"""Stages that fail on purpose, for the Spark engine's fault tests (imported by Spark's Python workers)."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass

import pandas as pd

from nlp.engines.stages import ScoreStage, Stage


@dataclass(frozen=True)
class FailingStage(Stage):
    """Scores as ``inner`` does, but the chunk holding ``row`` fails: its worker is killed on the
    first attempt (``always=False``) or the task raises on every attempt (``always=True``)."""

    inner: ScoreStage
    row: int
    always: bool = False

    name = "failing"

    def cache_key(self):
        return self.inner.cache_key()

    def load(self):
        return self.inner.load()

    def output_schema(self, input_schema):
        return self.inner.output_schema(input_schema)

    def repeat_key_columns(self):
        return self.inner.repeat_key_columns()

    def repeat_key_inputs(self):
        return self.inner.repeat_key_inputs()

    def repeat_keys(self, frame: pd.DataFrame):
        return self.inner.repeat_keys(frame)

    def repeat_key_windows(self):
        return self.inner.repeat_key_windows()

    def table_settings(self):
        return self.inner.table_settings()

    def resolve_setting(self, name, values):
        return self.inner.resolve_setting(name, values)

    def with_settings(self, **settings):
        return FailingStage(self.inner.with_settings(**settings), self.row, self.always)

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        from pyspark import TaskContext

        if (frame["_row"] == self.row).any():
            if self.always:
                raise RuntimeError(f"chunk with row {self.row} fails on purpose")
            ctx = TaskContext.get()
            if ctx is not None and ctx.attemptNumber() == 0:
                out = self.inner.apply(frame)  # the work is done, then the worker dies before handing it back
                if len(out):
                    os.kill(os.getpid(), signal.SIGKILL)
        return self.inner.apply(frame)


@dataclass(frozen=True)
class WordsStage(Stage):
    """A stage with more output rows than input rows (one per word), shaped like the aspects stage."""

    text_col: str = "text"
    name = "words"

    def cache_key(self):
        return ("words",)

    def load(self):
        return None

    def output_schema(self, input_schema):
        import pyarrow as pa

        return pa.schema([pa.field("row", pa.int64()), pa.field("word", pa.string())])

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        rows = [(int(r), w) for r, t in zip(frame["_row"], frame[self.text_col]) if isinstance(t, str) for w in t.split()]
        return pd.DataFrame(rows, columns=["row", "word"]).astype({"row": "int64"})
