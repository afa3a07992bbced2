"""Where the stages run: ``local`` (one process, streamed in chunks) or ``spark`` (the same stage functions over Arrow batches).

* :mod:`nlp.engines.stages` — each stage as a function over a pandas batch (:class:`Stage`,
  :class:`ScoreStage`), its heavy resources loaded once per process; aspects run per product
  (:mod:`nlp.engines.spark_aspects`).
* :mod:`nlp.engines.spark` — the Spark engine: reads any path Spark reads, numbers rows as the
  local engine does, computes whole-table flags with Spark aggregations, runs the stages with
  ``mapInPandas`` over the local engine's chunks, and writes through Spark's output committer.
  Needs ``pip install 'nlp-insight[spark]'`` and Java 17+.
* :mod:`nlp.spark` — the Python API for teams already in Spark (DataFrame in, DataFrame out).

Nothing here imports pyspark, torch or pyarrow until a stage or the Spark engine runs.
"""

from __future__ import annotations

from typing import Literal

from nlp.engines.stages import STAGES, ScoreStage, Stage, model_labels, register_stage

__all__ = ["ENGINES", "Engine", "DEFAULT_SPARK_MASTER", "check_engine", "Stage", "ScoreStage", "STAGES", "register_stage", "model_labels"]

Engine = Literal["local", "spark"]
ENGINES: tuple[str, ...] = ("local", "spark")
DEFAULT_SPARK_MASTER = "local[*]"


def check_engine(engine: str, spark_master: str | None = None) -> str:
    """Validate ``--engine`` (and that ``--spark-master`` is only given with ``spark``); returns the engine.

    Example:
        >>> check_engine("spark")
        'spark'
    """
    if engine not in ENGINES:
        raise ValueError(f"engine= must be one of {', '.join(ENGINES)}, got {engine!r}")
    if engine != "spark" and spark_master not in (None, DEFAULT_SPARK_MASTER):
        raise ValueError("spark_master= applies to engine='spark'; add engine='spark' or drop spark_master=")
    return engine
