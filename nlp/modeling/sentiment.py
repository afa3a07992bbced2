"""Training the sentiment scorer: data assembly and the ``nlp train sentiment`` entry point."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
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
    lora_r: int = 16,
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
    from nlp.artifacts.encoder import DEFAULT_BASE, EncoderConfig, MultiTaskEncoder
    from nlp.modeling.train import TrainConfig, train

    texts, y, _ = assemble_sentiment_data(sources, seed=seed)
    if init_from:
        model, _ = MultiTaskEncoder.load(init_from, base=base, merge=False)
        model.train()
    else:
        cfg = EncoderConfig(base=base or DEFAULT_BASE, num_layers=num_layers, tasks={"sentiment": list(SENTIMENT_LABELS)}, lora_r=lora_r, lora_alpha=2 * lora_r)
        model = MultiTaskEncoder(cfg)
    logger.info("training on %d texts", len(texts))
    train(model, texts, {"sentiment": y}, run_dir, train_config or TrainConfig(seed=seed))
    out = model.save(out_dir)
    (Path(out) / "training_data.json").write_text(
        json.dumps([{"path": s.path, "max_rows": s.max_rows, "repeat": s.repeat} for s in sources], indent=2)
    )
    return out


# -- held-out films, the sparse half, the calibrated blend, evaluation --------------------------------------------------

NSMC_COLUMNS = {"text": "review", "rating": "rating", "product": "movie_id"}


def film_heldout(path: str, seed: int = 13, dev_share: float = 0.1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The films training never saw, split by film into a calibration half and a test half.

    Returns frames with ``text`` (normalised), ``rating`` and ``product``.
    """
    df = _read(path)
    cols = NSMC_COLUMNS if "review" in df.columns else {"text": "text", "rating": "rating", "product": "product_id"}
    df = df.rename(columns={cols["text"]: "text", cols["rating"]: "rating", cols["product"]: "product"})[["text", "rating", "product"]]
    df = df.dropna(subset=["text"])
    df = df[film_split(df["product"], dev_share, seed)]
    df = df.assign(text=normalize(df["text"].astype(str)))
    df = df[df["text"].str.len() > 0]
    test = film_split(df["product"], 0.5, seed + 1)
    return df[~test].reset_index(drop=True), df[test].reset_index(drop=True)


def _calibration_set(sources: list[SentimentSource], film_calib: pd.DataFrame | None, seed: int, n_film: int = 3000) -> tuple[list[str], list[str], np.ndarray]:
    """Texts, 3-way labels and weights for fitting the blend: held-out films (binary NSMC labels) + held-out labelled rows."""
    from nlp.modeling.sentiment_data import nsmc_binary

    texts: list[str] = []
    labels: list[str] = []
    weights: list[float] = []
    if film_calib is not None and len(film_calib):
        b = nsmc_binary(film_calib, n=n_film, seed=seed)
        texts += b["text"].tolist()
        labels += b["label"].tolist()
        weights += [1.0] * len(b)
    for src in sources:
        if not src.label_col or src.dev_share <= 0:
            continue
        _, _, dev = assemble_sentiment_data([src], seed=seed)
        dev = dev[dev[src.label_col].isin(SENTIMENT_LABELS)]
        w = max(1.0, (len(texts) or len(dev)) / max(1, len(dev)))  # the labelled set weighs as much as the films
        texts += dev["_text"].tolist()
        labels += dev[src.label_col].tolist()
        weights += [w] * len(dev)
    if not texts:
        # no film table and no labelled rows held out: the held-out rows of rated tables, labelled by
        # the argmax of their rating targets (only then, so blends fitted with films or labels keep theirs)
        for src in sources:
            if src.label_col or not src.rating_col or src.dev_share <= 0:
                continue
            _, _, dev = assemble_sentiment_data([src], seed=seed)
            if not len(dev):
                continue
            y = rating_targets(dev[src.rating_col], src.rating_scale)
            ok = ~np.isnan(y).any(axis=1)
            texts += dev["_text"][ok].tolist()
            labels += [SENTIMENT_LABELS[i] for i in y[ok].argmax(axis=1)]
            weights += [1.0] * int(ok.sum())
    if not texts:
        raise ValueError(
            "no rows to calibrate the sentiment blend: give a film table (--films) or a --sparse-data table whose held-out rows "
            "(dev_share > 0, split by product_col) have a label or rating column; or skip the blend (--no-blend)"
        )
    return texts, labels, np.asarray(weights)


def fit_sparse_and_blend(
    model_dir: str | Path,
    sources: list[SentimentSource],
    film_path: str | None,
    seed: int = 13,
    max_features: int = 200_000,
    refit_sparse: bool = True,
) -> dict:
    """Train the char TF-IDF model on the training data and a stacker that blends it with the encoder.

    The stacker (multinomial logistic regression over both models' log-probabilities) is
    fitted on held-out films and held-out labelled rows, so it also calibrates the scores.
    """
    from safetensors.numpy import save_file
    from sklearn.linear_model import LogisticRegression

    from nlp.artifacts.sparse import CharTfidfClassifier
    from nlp.scoring.scorer import Scorer

    d = Path(model_dir)
    n_sparse = None
    if refit_sparse:
        texts, y, _ = assemble_sentiment_data(sources, seed=seed)
        hard = [SENTIMENT_LABELS[i] for i in y.argmax(axis=1)]
        logger.info("fitting the char TF-IDF model on %d texts", len(texts))
        sparse = CharTfidfClassifier(max_features=max_features).fit(texts, hard)
        sparse.save(d, prefix="sentiment_")
        n_sparse = len(texts)
    calib, _ = film_heldout(film_path, seed) if film_path else (None, None)
    c_texts, c_labels, c_w = _calibration_set(sources, calib, seed)
    scorer = Scorer.load(d)
    if not refit_sparse:  # the model's existing (or shared) sparse model
        if "sentiment" not in scorer.sparse:
            raise ValueError(f"{d} has no sentiment char TF-IDF model to blend with; fit one (refit_sparse=True)")
        sparse = scorer.sparse["sentiment"]
    p_enc = scorer.predict(c_texts, use_sparse=False)["sentiment"]
    p_sp = sparse.predict_proba(c_texts)[:, [sparse.classes_.index(lab) for lab in SENTIMENT_LABELS]]
    feats = np.concatenate([np.log(np.clip(p_enc, 1e-6, 1)), np.log(np.clip(p_sp, 1e-6, 1))], axis=1)
    lr = LogisticRegression(C=1.0, max_iter=1000).fit(feats, c_labels, sample_weight=c_w)
    order = [list(lr.classes_).index(lab) for lab in SENTIMENT_LABELS]
    save_file(
        {"sentiment.coef": lr.coef_[order].astype(np.float32), "sentiment.intercept": lr.intercept_[order].astype(np.float32)},
        str(d / "blend.safetensors"),
    )
    info = {"sparse_train_rows": n_sparse, "calibration_rows": len(c_texts), "calibration_labels": {lab: c_labels.count(lab) for lab in SENTIMENT_LABELS}}
    logger.info("blend fitted: %s", info)
    return info


def evaluate_sentiment(
    model_dir: str | Path | None,
    film_path: str | None,
    ood_path: str | None,
    n_film: int = 4000,
    seed: int = 13,
    quantize: bool = False,
    backend: str | None = None,
    recheck: float | None = None,
) -> dict:
    """Accuracy / macro-F1 / ECE on held-out films (NSMC binary, balanced) and the out-of-domain set.

    Three systems side by side: the encoder alone, the char TF-IDF reference trained on the
    same data (when the model ships it), and the calibrated blend that ``nlp score`` uses.
    """
    from nlp.modeling.metrics import classification_report, expected_calibration_error
    from nlp.modeling.sentiment_data import nsmc_binary
    from nlp.scoring.scorer import Scorer

    scorer = Scorer.load(model_dir, quantize=quantize, backend=backend, recheck_margin=recheck)
    sparse = scorer.sparse.get("sentiment")
    sets: dict[str, tuple[list[str], list[str], list[str] | None]] = {}
    if film_path:
        _, test = film_heldout(film_path, seed)
        b = nsmc_binary(test, n=n_film, seed=seed)
        sets["films_heldout"] = (b["text"].tolist(), b["label"].tolist(), None)
    if ood_path:
        o = _read(ood_path)
        sets["out_of_domain"] = (normalize(o["text"].astype(str)), o["label"].tolist(), o["domain"].tolist() if "domain" in o else None)
    results: dict = {"model": str(model_dir or "default"), "quantized": quantize, "recheck": scorer.recheck_margin, "recheck_tasks": scorer.recheck_tasks, "backend": scorer.backend, "sets": {}}
    for name, (texts, gold, groups) in sets.items():
        enc = scorer.predict(texts, use_sparse=False)["sentiment"]
        systems = {"encoder": enc}
        if sparse is not None:
            systems["char_tfidf_reference"] = sparse.predict_proba(texts)[:, [sparse.classes_.index(lab) for lab in SENTIMENT_LABELS]]
            if "sentiment" in scorer.blends:
                # with a re-check, the blend is what `nlp score` gives (re-checked on the blend's margin)
                systems["blend"] = scorer.predict(texts)["sentiment"] if scorer.recheck_margin else scorer.blends["sentiment"](enc, systems["char_tfidf_reference"])
        y = np.array([SENTIMENT_LABELS.index(g) for g in gold])
        out = {}
        for sys_name, p in systems.items():
            if name == "films_heldout":
                # NSMC is binary: compare P(positive) with P(negative)
                pred = ["positive" if p[i, 2] >= p[i, 0] else "negative" for i in range(len(p))]
                rep = classification_report(gold, pred, ["negative", "positive"])
                pb = p[:, [0, 2]] / p[:, [0, 2]].sum(axis=1, keepdims=True)
                rep["ece"] = expected_calibration_error(pb, (y == 2).astype(int))
            else:
                pred = [SENTIMENT_LABELS[i] for i in p.argmax(axis=1)]
                rep = classification_report(gold, pred, SENTIMENT_LABELS)
                rep["ece"] = expected_calibration_error(p, y)
                if groups is not None:
                    rep["macro_f1_by_domain"] = {
                        g: classification_report([gold[i] for i in range(len(gold)) if groups[i] == g], [pred[i] for i in range(len(gold)) if groups[i] == g], SENTIMENT_LABELS)["macro_f1"]
                        for g in sorted(set(groups))
                    }
                pn = [i for i, g in enumerate(gold) if g != "neutral"]
                rep["polar_accuracy"] = float(np.mean([("positive" if p[i, 2] >= p[i, 0] else "negative") == gold[i] for i in pn])) if pn else float("nan")
            out[sys_name] = rep
        results["sets"][name] = out
    return results
