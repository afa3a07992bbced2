"""Training the sentiment scorer: data assembly and the ``nlp train sentiment`` entry point."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from nlp.modeling.sentiment_data import SENTIMENT_LABELS, film_split, label_targets, rating_targets
from nlp.text.normalize import normalize

logger = logging.getLogger(__name__)

__all__ = ["SentimentSource", "assemble_sentiment_data", "train_sentiment"]


@dataclass
class SentimentSource:
    """One training table and how to read it.

    Attributes:
        path: CSV/TSV/JSONL/Parquet.
        text_col / rating_col / label_col / product_col: column names (rating or label required).
        rating_scale: 10 (NSMC) or 5 (stars).
        max_rows: cap after the film split (stratified over rating groups).
        repeat: times each row is used (to up-weight small in-domain sets).
        dev_share: share of products held out (film-disjoint dev); 0 keeps everything for training.
    """

    path: str
    text_col: str = "text"
    rating_col: str | None = "rating"
    label_col: str | None = None
    product_col: str | None = "product_id"
    rating_scale: int = 10
    max_rows: int | None = None
    repeat: int = 1
    dev_share: float = 0.1
    extra: dict = field(default_factory=dict)

    @classmethod
    def nsmc(cls, path: str, **kw) -> SentimentSource:
        return cls(path=path, text_col="review", rating_col="rating", product_col="movie_id", **kw)


def _read(path: str) -> pd.DataFrame:
    from nlp.io.tables import read_table

    return read_table(path)


def _stratified(df: pd.DataFrame, rating: pd.Series, n: int, seed: int) -> pd.DataFrame:
    groups = pd.cut(rating, bins=[0, 4.5, 8.5, 10], labels=["neg", "mid", "pos"])
    shares = {"neg": 0.36, "mid": 0.28, "pos": 0.36}
    parts = []
    for g, share in shares.items():
        sub = df[groups == g]
        parts.append(sub.sample(min(len(sub), int(n * share)), random_state=seed))
    return pd.concat(parts)


def assemble_sentiment_data(sources: list[SentimentSource], seed: int = 13) -> tuple[list[str], np.ndarray, pd.DataFrame]:
    """Texts and (n, 3) targets for training, and the held-out rows (film-disjoint) for dev.

    Returns:
        (train texts, train targets, dev frame with ``text``, ``rating``, ``label`` where known).
    """
    texts: list[str] = []
    tgts: list[np.ndarray] = []
    devs: list[pd.DataFrame] = []
    for src in sources:
        df = _read(src.path)
        missing = [c for c in (src.text_col, src.rating_col, src.label_col, src.product_col) if c and c not in df.columns]
        if missing:
            raise ValueError(f"{src.path}: columns {missing} not found; it has {list(df.columns)}")
        df = df.dropna(subset=[src.text_col])
        df = df.assign(_text=normalize(df[src.text_col].astype(str)))
        df = df[df["_text"].str.len() > 0]
        if src.product_col and src.dev_share > 0:
            held = film_split(df[src.product_col], src.dev_share, seed)
            dev, df = df[held], df[~held]
            devs.append(dev)
        df = df.drop_duplicates("_text")
        if src.label_col:
            y = label_targets(df[src.label_col], SENTIMENT_LABELS)
        else:
            rating = pd.to_numeric(df[src.rating_col], errors="coerce")
            if src.max_rows and len(df) > src.max_rows:
                df = _stratified(df, rating * (2 if src.rating_scale == 5 else 1), src.max_rows, seed)
            y = rating_targets(df[src.rating_col], src.rating_scale)
        keep = ~np.isnan(y).any(axis=1)
        df, y = df[keep], y[keep]
        if src.label_col and src.max_rows and len(df) > src.max_rows:
            pick = np.random.default_rng(seed).choice(len(df), src.max_rows, replace=False)
            df, y = df.iloc[pick], y[pick]
        logger.info("%s: %d training rows (x%d)", src.path, len(df), src.repeat)
        for _ in range(src.repeat):
            texts += df["_text"].tolist()
            tgts.append(y)
    dev = pd.concat(devs) if devs else pd.DataFrame()
    return texts, np.concatenate(tgts), dev


def train_sentiment(
    sources: list[SentimentSource],
    out_dir: str | Path,
    run_dir: str | Path,
    base: str | None = None,
    num_layers: int = 6,
    init_from: str | Path | None = None,
    train_config=None,
    seed: int = 13,
) -> Path:
    """Fine-tune the sentiment head (and LoRA adapters) and save a model directory.

    Args:
        sources: training tables.
        out_dir: the model directory to write (config, adapter, card).
        run_dir: checkpoints (resumable).
        base: base encoder (``None`` = derived e5-small; or an HF directory / hub name).
        num_layers: encoder layers kept.
        init_from: a model directory whose adapter and heads start this run (second stage).
    """
    from nlp.modeling.encoder import DEFAULT_BASE, EncoderConfig, MultiTaskEncoder
    from nlp.modeling.train import TrainConfig, train

    texts, y, _ = assemble_sentiment_data(sources, seed=seed)
    if init_from:
        model, _ = MultiTaskEncoder.load(init_from, base=base, merge=False)
        model.train()
    else:
        cfg = EncoderConfig(base=base or DEFAULT_BASE, num_layers=num_layers, tasks={"sentiment": SENTIMENT_LABELS})
        model = MultiTaskEncoder(cfg)
    logger.info("training on %d texts", len(texts))
    train(model, texts, {"sentiment": y}, run_dir, train_config or TrainConfig(seed=seed))
    out = model.save(out_dir)
    (Path(out) / "training_data.json").write_text(
        json.dumps([{"path": s.path, "max_rows": s.max_rows, "repeat": s.repeat} for s in sources], indent=2)
    )
    return out
