"""The shared contract between stages: label sets, score column names and output file names.

Every stage reads and writes the same names, so they are defined here once and imported
everywhere else (``nlp.scoring``, ``nlp.trends``, ``nlp.topics`` and ``nlp.report``
re-export the label sets as the very same objects). A stage that adds a label set or
an output file (aspects, findings ...) adds it here.

The loaders at the bottom read the outputs of ``nlp topics``; there is one per return
shape, each with its own name.

Example:
    >>> from nlp.schema import INTENT_LABELS, intent_column
    >>> [intent_column(label) for label in INTENT_LABELS[:2]]
    ['intent_none', 'intent_consider']
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)

__all__ = [
    "SENTIMENT_LABELS",
    "INTENT_LABELS",
    "LABEL_SETS",
    "SENTIMENT_COL",
    "SENTIMENT_SCORE_COL",
    "INTENT_COL",
    "FLAGS_COL",
    "intent_column",
    "INTENT_PROB_COLS",
    "SCORE_COLS",
    "SCORED_FILE",
    "REJECTS_SUFFIX",
    "TOPICS_DIR",
    "DOC_TOPICS_FILE",
    "TOPICS_FILE",
    "TOPICS_BY_PRODUCT_FILE",
    "TOPICS_BY_PERIOD_FILE",
    "TOPIC_MODEL_DIR",
    "TRENDS_FILE",
    "ASPECTS_FILE",
    "REPORT_FILE",
    "FINDINGS_FILE",
    "RUN_FILE",
    "load_topic_tables",
    "load_doc_topics",
]

# --------------------------------------------------------------------------- label sets
# Tuples, so no importer can change them for the others. Order matters: it is the order of
# the model heads' outputs and of the ``intent_<label>`` columns.

SENTIMENT_LABELS: tuple[str, ...] = ("negative", "neutral", "positive")
"""Values of the ``sentiment`` column (and of an aspect mention's polarity)."""

INTENT_LABELS: tuple[str, ...] = ("none", "consider", "intent", "repurchase", "recommend", "avoid")
"""Values of the ``intent`` column, as defined in ``guidelines/purchase_intent.md``."""

LABEL_SETS: dict[str, tuple[str, ...]] = {"sentiment": SENTIMENT_LABELS, "intent": INTENT_LABELS}
"""Task name → its labels (the scorer's tasks)."""

# --------------------------------------------------------------------------- score columns

SENTIMENT_COL = "sentiment"
"""The sentiment label (one of :data:`SENTIMENT_LABELS`)."""
SENTIMENT_SCORE_COL = "sentiment_score"
"""P(positive) − P(negative), in [−1, 1]."""
INTENT_COL = "intent"
"""The purchase-intent label (one of :data:`INTENT_LABELS`)."""
FLAGS_COL = "flags"
"""Quality flags joined with ``|`` (``empty``, ``duplicate``, ``pii_masked`` ...)."""


def intent_column(label: str) -> str:
    """The column holding the probability of an intent label.

    Example:
        >>> intent_column("recommend")
        'intent_recommend'
    """
    return f"{INTENT_COL}_{label}"


INTENT_PROB_COLS: tuple[str, ...] = tuple(intent_column(label) for label in INTENT_LABELS)
"""``intent_<label>`` for every intent label, in label order."""

SCORE_COLS: tuple[str, ...] = (SENTIMENT_COL, SENTIMENT_SCORE_COL, INTENT_COL, *INTENT_PROB_COLS, FLAGS_COL)
"""The columns ``nlp score`` adds to its input."""

# --------------------------------------------------------------------------- output files

SCORED_FILE = "scored.parquet"
"""The scored table inside an ``nlp run`` output directory."""
REJECTS_SUFFIX = ".rejects.jsonl"
"""Appended to an output's name for the rows it could not use (``scored.parquet.rejects.jsonl``)."""
TOPICS_DIR = "topics"
"""The ``nlp topics`` output directory inside an ``nlp run`` output directory."""
DOC_TOPICS_FILE = "doc_topics.parquet"
"""Per document: ``id``, ``topic`` (−1 = outlier), ``topic_prob``."""
TOPICS_FILE = "topics.parquet"
"""Per topic: ``size``, ``label``, ``keywords``, ``representative_ids`` and the sentiment/intent measures."""
TOPICS_BY_PRODUCT_FILE = "topics_by_product.parquet"
"""Per product and topic: counts, shares and measures."""
TOPICS_BY_PERIOD_FILE = "topics_by_period.parquet"
"""Per period and topic: counts, shares, measures and ``period_complete``."""
TOPIC_MODEL_DIR = "model"
"""The saved topic model, inside the topics directory."""
TRENDS_FILE = "trends.parquet"
"""The per product × period feature table inside an ``nlp run`` output directory."""
#: ``nlp run``'s aspect table (one row per review × aspect mention)
ASPECTS_FILE = "aspects.parquet"
REPORT_FILE = "report.html"
"""The CX report."""
FINDINGS_FILE = "findings.json"
"""The report's key findings and alerts, beside ``report.html``."""
RUN_FILE = "run.json"
"""Where an ``nlp run`` writes its row accounting and stage timings."""

# --------------------------------------------------------------------------- loaders


def _topics_dir(directory: str | os.PathLike) -> Path:
    from nlp.io.tables import InputError

    d = Path(directory)
    if not d.is_dir():
        what = "is a file, not a directory" if d.exists() else "does not exist"
        raise InputError(f"topics directory {d} {what}; pass the output directory of `nlp topics SCORED -o DIR` as topics_dir=")
    return d


def _missing(d: Path, names: tuple[str, ...]) -> None:
    from nlp.io.tables import InputError

    missing = [name for name in names if not (d / name).exists()]  # a file, or a folder of part files (Spark)
    if missing:
        found = sorted(p.name for p in d.iterdir())[:10]
        raise InputError(
            f"topics directory {d} has no {' or '.join(missing)} (found: {found or 'nothing'}); "
            f"expected {' and '.join(names)} as written by `nlp topics SCORED -o {d}`"
        )


def load_topic_tables(directory: str | os.PathLike) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both tables of an ``nlp topics`` output directory: ``(doc_topics, topics)``.

    Raises:
        InputError: the directory or one of the two files is missing; the message lists what was found.

    Example:
        >>> doc_topics, topics = load_topic_tables("out/topics")  # doctest: +SKIP
        >>> list(doc_topics.columns)  # doctest: +SKIP
        ['id', 'topic', 'topic_prob']
    """
    from nlp.io.tables import read_table

    d = _topics_dir(directory)
    _missing(d, (DOC_TOPICS_FILE, TOPICS_FILE))
    return read_table(d / DOC_TOPICS_FILE), read_table(d / TOPICS_FILE)


def load_doc_topics(directory: str | os.PathLike) -> tuple[pd.DataFrame, dict[int, str]]:
    """The document → topic assignments of an ``nlp topics`` directory, and topic id → label.

    ``doc_topics.parquet`` is required; the labels come from ``topics.parquet`` when it is
    there (an empty mapping otherwise).

    Raises:
        InputError: the directory or ``doc_topics.parquet`` is missing.

    Example:
        >>> doc_topics, labels = load_doc_topics("out/topics")  # doctest: +SKIP
        >>> labels[0]  # doctest: +SKIP
        '배송 · 택배'
    """
    import pandas as pd

    from nlp.io.tables import read_table

    d = _topics_dir(directory)
    _missing(d, (DOC_TOPICS_FILE,))
    doc_topics = read_table(d / DOC_TOPICS_FILE)
    labels: dict[int, str] = {}
    if (d / TOPICS_FILE).is_file():
        topics = read_table(d / TOPICS_FILE)
        if {"topic", "label"} <= set(topics.columns):
            labels = {int(k): str(v) for k, v in zip(topics["topic"], topics["label"], strict=True) if pd.notna(k)}
    return doc_topics, labels
