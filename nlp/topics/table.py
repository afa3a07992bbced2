"""``nlp topics``: a scored table in, the topic outputs directory out.

:func:`topics_table` reads the scored table, masks personal data in the texts, takes
the embeddings scoring handed over (a ``.npy`` in the table's row order, a Parquet file
or column of vectors) or computes them, fits a :class:`~nlp.topics.model.TopicModel`,
and writes into the output directory:

* ``doc_topics.parquet`` — ``id``, ``topic`` (``-1`` = outlier), ``topic_prob``;
* ``topics.parquet`` — per topic: size, label, keywords, representative ids, sentiment
  and intent measures (:func:`~nlp.topics.summary.topic_summary`);
* ``topics_by_product.parquet`` and ``topics_by_period.parquet`` — when the table has a
  product or a date column;
* ``model/`` — the saved topic model (BERTopic safetensors + ``nlp_topics.json`` + card).

Rows with no text (or an all-zero embedding, which is what scoring writes for them) are
not fitted; they are listed with topic ``-1`` and ``topic_prob`` 0, so ``doc_topics`` has
one row per scored row.

Example:
    >>> res = topics_table("scored.parquet", "out/topics", embeddings="out/embeddings.npy")  # doctest: +SKIP
    >>> res.topics.head()  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from nlp.io.atomic import replace_dir, sweep_partials, temp_path
from nlp.io.columns import ColumnMap, derive_ids
from nlp.io.lock import OutputLock
from nlp.io.tables import ROW_COL, InputError, TableWriter, read_table
from nlp.periods import DEFAULT_TZ
from nlp.schema import DOC_TOPICS_FILE, TOPIC_MODEL_DIR, TOPICS_BY_PERIOD_FILE, TOPICS_BY_PRODUCT_FILE, TOPICS_FILE
from nlp.topics.model import TopicModel
from nlp.topics.summary import Freq, topic_summary, topics_by_group, topics_by_period

logger = logging.getLogger(__name__)

__all__ = [
    "topics_table",
    "fit_and_assign",
    "TopicsResult",
    "load_embeddings",
    "parse_nr_topics",
    "EMBEDDING_COL",
]

EMBEDDING_COL = "embedding"


@dataclass
class TopicsResult:
    """What :func:`topics_table` wrote, and the main tables in memory."""

    output_dir: Path
    doc_topics: pd.DataFrame
    topics: pd.DataFrame
    by_product: pd.DataFrame | None
    by_period: pd.DataFrame | None
    model: TopicModel
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def n_topics(self) -> int:
        return int((self.topics["topic"] >= 0).sum())

    @property
    def outlier_share(self) -> float:
        return float((self.doc_topics["topic"] == -1).mean()) if len(self.doc_topics) else 0.0


def parse_nr_topics(value: str | int | None) -> int | Literal["auto"] | None:
    """``"auto"``, ``"none"``/``None`` or a whole number >= 2 (as given on the command line)."""
    if value is None or isinstance(value, int):
        return value
    v = str(value).strip().lower()
    if v in ("", "none", "off"):
        return None
    if v == "auto":
        return "auto"
    try:
        n = int(v)
    except ValueError:
        raise ValueError(f"nr_topics= must be auto, none or a whole number, got {value!r}") from None
    if n < 2:
        raise ValueError(f"nr_topics= must be at least 2, got {n}")
    return n


def load_embeddings(source: str | os.PathLike | np.ndarray | None, frame: pd.DataFrame, id_col: str = "id") -> np.ndarray | None:
    """Embeddings aligned with ``frame``'s rows, or ``None`` when there are none to reuse.

    Args:
        source: an array; a ``.npy`` file in the table's row order (what ``nlp score
            --embeddings`` writes); a Parquet file with an ``embedding`` column (aligned by
            ``id`` when it has one, else by row order); or ``None`` to use the table's own
            ``embedding`` column when it has one.
        frame: the scored rows.
        id_col: the id column of ``frame`` (for Parquet files with ids).

    Raises:
        InputError: the file is missing or does not match the table.
    """
    n = len(frame)
    if source is None:
        if EMBEDDING_COL not in frame.columns:
            return None
        return _stack(frame[EMBEDDING_COL], "the table's embedding column")
    if isinstance(source, np.ndarray):
        arr = source
        where = "the given embeddings"
    else:
        path = Path(source)
        where = str(path)
        if not path.is_file():
            raise InputError(
                f"embeddings file {path} does not exist; pass the .npy written by `nlp score --embeddings` or a Parquet file"
            )
        if path.suffix.lower() == ".npy":
            arr = np.load(path, allow_pickle=False)
        elif path.suffix.lower() in (".parquet", ".pq"):
            emb = pd.read_parquet(path)
            if EMBEDDING_COL not in emb.columns:
                raise InputError(
                    f"{path} has no {EMBEDDING_COL!r} column (it has {list(emb.columns)}); "
                    "expected one vector per row in a column named embedding"
                )
            if id_col in emb.columns and id_col in frame.columns:
                by_id = pd.Series(range(len(emb)), index=emb[id_col].astype(str))
                if by_id.index.has_duplicates:
                    raise InputError(f"{path} repeats ids; expected one embedding per id")
                want = frame[id_col].astype(str)
                lost = ~want.isin(by_id.index)
                if lost.any():
                    raise InputError(
                        f"{int(lost.sum())} ids of the table are not in {path} (e.g. {want[lost].iloc[0]!r}); "
                        "were the embeddings written for this table?"
                    )
                emb = emb.iloc[by_id.loc[want].to_numpy()]
            arr = _stack(emb[EMBEDDING_COL], where)
        else:
            raise InputError(f"cannot read embeddings from {path}: expected a .npy or .parquet file")
    arr = np.asarray(arr, dtype=np.float32)
    if arr.ndim != 2 or arr.shape[0] != n:
        raise InputError(
            f"{where} has shape {arr.shape} but the table has {n} rows; expected one embedding per row, "
            "in the table's row order (use the embeddings written together with this scored table)"
        )
    return arr


def _stack(col: pd.Series, where: str) -> np.ndarray:
    try:
        return np.stack([np.asarray(v, dtype=np.float32) for v in col])
    except (ValueError, TypeError) as exc:
        raise InputError(f"{where} does not hold one vector of the same length per row ({exc})") from exc


def texts_of(frame: pd.DataFrame, text_col: str) -> list[str]:
    """The texts the topic model reads: normalised, personal data masked, missing ones as ''."""
    from nlp.text.normalize import normalize
    from nlp.text.pii import mask_pii

    raw = ["" if pd.isna(t) else str(t) for t in frame[text_col].tolist()]
    return [masked for masked, _ in mask_pii(normalize(raw))]


FIT_SAMPLE = 50_000
"""Texts the topic model is fitted on at most; larger tables are fitted on a seeded random sample
of this size and the other texts go to their nearest topic centre (:meth:`TopicModel.transform`,
with the same outlier threshold). UMAP and HDBSCAN grow faster than linearly: on 100k reviews
the fit over every text took most of the topic stage and a 4.9 GB peak (docs/benchmarks.md)."""


def fit_and_assign(
    model: TopicModel, texts: list[str], embeddings: np.ndarray | None, fit_sample: int | None, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit ``model`` on the texts, or on a seeded sample of ``fit_sample`` of them and assign the rest.

    Returns:
        ``(topics, topic_prob, fitted)``: per text, and the indices of the texts the model was fitted on
        (the model's own indices, such as ``representative_docs_``, count within them).
    """
    if fit_sample and fit_sample < 0:
        raise ValueError(f"fit_sample= must be positive (or 0 for every text), got {fit_sample}")
    n = len(texts)
    fit = np.arange(n)
    if fit_sample and n > fit_sample:
        fit = np.sort(np.random.default_rng(seed).choice(n, fit_sample, replace=False))
        logger.info("fitting topics on a sample of %d of %d texts; the others go to their nearest topic", fit_sample, n)
    topics = np.full(n, -1, dtype=np.int64)
    probs = np.zeros(n, dtype=np.float32)
    topics[fit], probs[fit] = model.fit_transform([texts[j] for j in fit], embeddings[fit] if embeddings is not None else None)
    rest = np.setdiff1d(np.arange(n), fit)
    if len(rest):
        # each text is embedded once, when it is first needed (generic reviews never)
        topics[rest], probs[rest] = model.transform([texts[j] for j in rest], embeddings[rest] if embeddings is not None else None)
    return topics, probs, fit


def topics_table(
    scored: str | os.PathLike | pd.DataFrame,
    output_dir: str | os.PathLike,
    columns: ColumnMap | None = None,
    *,
    embeddings: str | os.PathLike | np.ndarray | None = None,
    model_dir: str | os.PathLike | None = None,
    nr_topics: str | int | None = None,
    min_topic_size: int | None = None,
    seed: int = 42,
    freq: Freq = "W",
    model: TopicModel | None = None,
    backend: str | None = None,
    int8: bool = False,
    fit_sample: int | None = FIT_SAMPLE,
    tz: str = DEFAULT_TZ,
    product_names: bool = True,
    **model_options,
) -> TopicsResult:
    """Fit topics on a scored table and write the topic outputs directory.

    Args:
        scored: the scored table (a path, or a frame) from ``nlp score``; only the text
            column is required, the scored columns are summarised when present.
        output_dir: where to write (created).
        columns: input column names (``--text-col`` ...).
        embeddings: precomputed embeddings (see :func:`load_embeddings`); by default the
            table's ``embedding`` column when it has one, else computed with the encoder.
        model_dir: the encoder for texts without embeddings and for the saved model
            (default: the base e5; a fine-tuned scorer only when given).
        nr_topics: ``None``/``"none"``, ``"auto"`` or a number (see :class:`TopicModel`).
        min_topic_size: smallest topic (default: from the corpus size).
        seed: random seed (UMAP).
        freq: period for ``topics_by_period`` (``D``, ``W``, ``M``, ``Q``).
        model: an unfitted :class:`TopicModel` to use instead of one built from the options.
        backend: how the encoder runs: ``auto`` (ONNX Runtime when installed; default, or
            ``$NLP_BACKEND``), ``onnx`` or ``torch`` (sentence-transformers). Same embeddings.
        int8: embed with the int8 (smoothed) encoder on ONNX Runtime: 2.3x the speed, and
            ``nlp evaluate topics`` within 0.01 of fp32 (docs/topics.md).
        fit_sample: fit on at most this many texts (a seeded sample) and assign the rest to the
            nearest topic (:data:`FIT_SAMPLE`); ``None`` or 0 fits on every text.
        tz: the zone ``topics_by_period`` counts periods in (:mod:`nlp.periods`).
        product_names: keep the words of the product column's values out of keywords and labels,
            and mask them for the encoder (:mod:`nlp.topics.names`); ignored when ``model`` has names.
        **model_options: further :class:`TopicModel` options (``noise_domains``, ``stopwords`` ...).

    Returns:
        A :class:`TopicsResult`.
    """
    # one run per output directory: a second run on the same -o refuses before any work
    with OutputLock(output_dir):
        return _topics_locked(scored, output_dir, columns, embeddings, model_dir, nr_topics, min_topic_size, seed, freq, model, backend, int8, fit_sample, model_options, tz, product_names)


def _write_outputs(out: Path, tables: dict[str, tuple[pd.DataFrame, str]], model: TopicModel) -> dict[str, Path]:
    """Write every output under a temporary name first, then rename them all into place.

    A run killed while writing leaves the directory as it was (plus temporary names that the
    next run removes), never a mix of old and new files or a half-saved model.
    """
    out.mkdir(parents=True, exist_ok=True)
    for name in [f for _, f in tables.values()] + [TOPIC_MODEL_DIR]:
        sweep_partials(out / name)
    staged: list[tuple[Path, Path]] = []
    try:
        for _key, (frame, name) in tables.items():
            tmp = temp_path(out / name)
            staged.append((tmp, out / name))
            with TableWriter(tmp, fmt="parquet") as w:
                w.write(frame)
        model_tmp = temp_path(out / TOPIC_MODEL_DIR)
        staged.append((model_tmp, out / TOPIC_MODEL_DIR))
        model.save(model_tmp)
    except BaseException:
        for tmp, _ in staged:
            shutil.rmtree(tmp, ignore_errors=True) if tmp.is_dir() else tmp.unlink(missing_ok=True)
        raise
    for tmp, final in staged[:-1]:
        os.replace(tmp, final)
    replace_dir(model_tmp, out / TOPIC_MODEL_DIR)
    files = {key: out / name for key, (_, name) in tables.items()}
    files["model"] = out / TOPIC_MODEL_DIR
    return files


def _topics_locked(scored, output_dir, columns, embeddings, model_dir, nr_topics, min_topic_size, seed, freq, model, backend, int8, fit_sample, model_options, tz, product_names=True) -> TopicsResult:
    cmap = columns or ColumnMap()
    if isinstance(scored, pd.DataFrame):
        frame, source = scored.copy(), "the table"
    else:
        frame, source = read_table(scored), str(scored)
    cmap.validate(list(frame.columns), source=source)
    frame = frame.reset_index(drop=True)
    if cmap.id in frame.columns:
        ids = frame[cmap.id].astype("string")
        if ids.isna().any():
            frame[ROW_COL] = np.arange(len(frame))
            ids = derive_ids(frame, cmap)
            frame = frame.drop(columns=[ROW_COL])
    else:
        frame[ROW_COL] = np.arange(len(frame))
        ids = derive_ids(frame, cmap)
        frame = frame.drop(columns=[ROW_COL])
    emb = load_embeddings(embeddings, frame, cmap.id)
    texts = texts_of(frame, cmap.text)
    live = np.array([bool(t.strip()) for t in texts], dtype=bool)
    if emb is not None:
        zero = ~np.any(emb != 0, axis=1)
        if (zero & live).any():
            logger.info(
                "%d rows have an all-zero embedding (not scored) and are left out of the topics", int((zero & live).sum())
            )
        live &= ~zero
    if not live.any():
        raise InputError(f"no row of {source} has text to model topics on (column {cmap.text!r} is empty)")
    if (~live).any():
        logger.info("%d of %d rows have no text and get topic -1", int((~live).sum()), len(frame))
    idx = np.flatnonzero(live)
    if model is None:
        from nlp.topics.embedder import ProjectEmbedder

        model = TopicModel(
            ProjectEmbedder(str(model_dir) if model_dir else None, backend=backend, int8=int8),
            nr_topics=parse_nr_topics(nr_topics),
            min_topic_size=min_topic_size,
            seed=seed,
            **model_options,
        )
    if product_names and cmap.product in frame.columns and not model.names:
        model.names = tuple(sorted({str(v) for v in frame[cmap.product].dropna().unique() if str(v).strip()}))
    live_texts = [texts[i] for i in idx]
    topics_live, probs_live, fit = fit_and_assign(model, live_texts, emb[idx] if emb is not None else None, fit_sample, seed)

    topic = np.full(len(frame), -1, dtype=np.int64)
    prob = np.zeros(len(frame), dtype=np.float32)
    topic[idx] = topics_live
    prob[idx] = probs_live
    doc_topics = pd.DataFrame({"id": ids.to_numpy(dtype=object), "topic": topic, "topic_prob": np.round(prob, 4)})
    rep_ids = {t: [str(ids.iloc[idx[fit[j]]]) for j in js] for t, js in model.representative_docs_.items()}

    rows = frame.drop(columns=[c for c in ("topic", "topic_prob") if c in frame.columns]).assign(topic=topic)
    rating = cmap.rating if cmap.rating in frame.columns else None
    topics = topic_summary(rows, model.keywords_, model.labels_, rep_ids, rating_col=rating)
    by_product = by_period = None
    if cmap.product in frame.columns:
        by_product = topics_by_group(rows, cmap.product, model.labels_, rating_col=rating)
    if cmap.time in frame.columns:
        by_period = topics_by_period(rows, cmap.time, freq, model.labels_, rating_col=rating, tz=tz)

    out = Path(output_dir)
    tables = {"doc_topics": (doc_topics, DOC_TOPICS_FILE), "topics": (topics, TOPICS_FILE)}
    if by_product is not None:
        tables["by_product"] = (by_product, TOPICS_BY_PRODUCT_FILE)
    if by_period is not None:
        tables["by_period"] = (by_period, TOPICS_BY_PERIOD_FILE)
    files = _write_outputs(out, tables, model)
    logger.info(
        "%d topics over %d rows (%.0f%% outliers) → %s",
        int((topics["topic"] >= 0).sum()),
        len(frame),
        100 * float((topic == -1).mean()),
        out,
    )
    return TopicsResult(out, doc_topics, topics, by_product, by_period, model, files)
