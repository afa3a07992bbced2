"""Purchase intent: the gold set, the silver set from rules, joint training with sentiment, evaluation.

The intent head sits on the same encoder as sentiment and is trained jointly with it
(a second stage that starts from the sentiment model and keeps sentiment data in the
mix), so one forward pass gives both.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from nlp.modeling.intent_rules import rule_labels
from nlp.modeling.sentiment import SentimentSource, _read, assemble_sentiment_data
from nlp.resources import checkout_dir
from nlp.schema import INTENT_LABELS
from nlp.text.normalize import normalize

logger = logging.getLogger(__name__)

__all__ = ["INTENT_LABELS", "load_gold", "make_gold_splits", "silver_set", "intent_training_data", "train_intent", "fit_intent_blend", "evaluate_intent"]

GOLD_DIR = checkout_dir() / "corpora" / "intent_gold"
GOLD_FILE = "gold.csv"
EXTRA_GLOB = "extra_train*.csv"  # extra_train.csv, extra_train_2.csv, ...


def make_gold_splits(gold_dir: str | Path = GOLD_DIR, seed: int = 13, shares=(0.6, 0.2, 0.2)) -> pd.DataFrame:
    """Join the labelled files into ``gold.csv`` with a stratified train/dev/test split (fixed seed)."""
    d = Path(gold_dir)
    film = pd.read_csv(d / "film_labelled.csv", dtype=str)
    film["channel"] = "review"
    written = pd.read_csv(d / "written_labelled.csv", dtype=str)
    cols = ["id", "source", "domain", "channel", "text", "label"]
    gold = pd.concat([film[cols], written[cols]], ignore_index=True)
    bad = gold[~gold["label"].isin(INTENT_LABELS)]
    if len(bad):
        raise ValueError(f"labels outside the guideline: {bad['label'].unique().tolist()}")
    rng = np.random.default_rng(seed)
    split = np.empty(len(gold), dtype=object)
    for _, idx in gold.groupby(["label", "source"]).indices.items():
        idx = rng.permutation(idx)
        n_tr = int(round(len(idx) * shares[0]))
        n_dev = int(round(len(idx) * shares[1]))
        split[idx[:n_tr]] = "train"
        split[idx[n_tr : n_tr + n_dev]] = "dev"
        split[idx[n_tr + n_dev :]] = "test"
    gold["split"] = split
    gold.to_csv(d / GOLD_FILE, index=False)
    return gold


def load_gold(gold_dir: str | Path = GOLD_DIR) -> pd.DataFrame:
    """``gold.csv`` with its splits, plus every ``extra_train*.csv`` (training rows only), in name order.

    Extra rows whose id or text is already loaded are dropped, so a text never counts twice
    and never leaks from dev or test into training.
    """
    p = Path(gold_dir) / GOLD_FILE
    if not p.exists():
        raise FileNotFoundError(f"{p} not found; build it with make_gold_splits() (see corpora/intent_gold/DATASHEET.md)")
    gold = pd.read_csv(p, dtype=str)
    for extra in sorted(Path(gold_dir).glob(EXTRA_GLOB)):  # labelled later, training only: dev and test stay as they were
        more = pd.read_csv(extra, dtype=str)
        bad = sorted(set(more["label"].fillna("<empty>")) - set(INTENT_LABELS))
        if bad:
            raise ValueError(f"{extra}: labels outside the guideline {bad}; expected one of {INTENT_LABELS}")
        more = more[~more["id"].isin(gold["id"]) & ~more["text"].isin(gold["text"])].assign(split="train")
        gold = pd.concat([gold, more[[c for c in gold.columns if c in more.columns]]], ignore_index=True)
    return gold


def silver_set(nsmc_path: str, exclude_ids: set[str], per_label: int = 1500, n_none: int = 3000, seed: int = 13) -> pd.DataFrame:
    """Weak labels from the keyword rules over the shared reviews (gold texts excluded).

    Rule hits are capped per label so that rare labels are not drowned; soft targets
    later keep some mass on ``none`` because rules over-fire.
    """
    df = _read(nsmc_path)
    df = df[~("nsmc-" + df["review_id"].astype(str)).isin(exclude_ids)]
    df = df.sample(min(len(df), 300_000), random_state=seed)
    texts = normalize(df["review"].astype(str))
    labels = rule_labels(texts)
    out = pd.DataFrame({"text": texts, "label": labels})
    out = out[out["text"].str.len() > 0].drop_duplicates("text")
    parts = []
    for lab in INTENT_LABELS:
        sub = out[out["label"] == lab]
        k = n_none if lab == "none" else per_label
        parts.append(sub.sample(min(len(sub), k), random_state=seed))
    silver = pd.concat(parts).sample(frac=1.0, random_state=seed).reset_index(drop=True)
    logger.info("silver set: %s", silver["label"].value_counts().to_dict())
    return silver


def _targets(labels: list[str], soft: bool) -> np.ndarray:
    y = np.zeros((len(labels), len(INTENT_LABELS)), dtype=np.float32)
    for i, lab in enumerate(labels):
        j = INTENT_LABELS.index(lab)
        if not soft:
            y[i, j] = 1.0
        elif lab == "none":
            y[i] = 0.02
            y[i, 0] = 0.9
        else:
            y[i, j] = 0.7
            y[i, 0] = 0.3
    return y


def intent_training_data(gold: pd.DataFrame, silver: pd.DataFrame | None, gold_repeat: int = 3) -> tuple[list[str], np.ndarray]:
    tr = gold[gold["split"] == "train"]
    texts = normalize(tr["text"].astype(str)) * gold_repeat
    y = np.concatenate([_targets(tr["label"].tolist(), soft=False)] * gold_repeat)
    if silver is not None and len(silver):
        texts += silver["text"].tolist()
        y = np.concatenate([y, _targets(silver["label"].tolist(), soft=True)])
    return texts, y


def train_intent(
    init_from: str | Path,
    out_dir: str | Path,
    run_dir: str | Path,
    sentiment_sources: list[SentimentSource],
    gold_dir: str | Path = GOLD_DIR,
    nsmc_path: str | None = None,
    silver_per_label: int = 1500,
    silver_none: int = 3000,
    gold_repeat: int = 3,
    train_config=None,
    seed: int = 13,
) -> Path:
    """Second stage: add the intent head and train it jointly with sentiment from a sentiment model."""
    import torch

    from nlp.artifacts.encoder import MultiTaskEncoder
    from nlp.modeling.sentiment_data import SENTIMENT_LABELS
    from nlp.modeling.train import TrainConfig, train

    gold = load_gold(gold_dir)
    silver = silver_set(nsmc_path, set(gold["id"]), silver_per_label, silver_none, seed) if nsmc_path else None
    i_texts, i_y = intent_training_data(gold, silver, gold_repeat)
    s_texts, s_y, _ = assemble_sentiment_data(sentiment_sources, seed=seed)
    model, _ = MultiTaskEncoder.load(init_from, merge=False)
    model.train()
    if "intent" not in model.heads:
        model.heads["intent"] = torch.nn.Linear(model.encoder.config.hidden_size, len(INTENT_LABELS))
        model.config.tasks["intent"] = list(INTENT_LABELS)
    texts = s_texts + i_texts
    nan_s = np.full((len(i_texts), len(SENTIMENT_LABELS)), np.nan, dtype=np.float32)
    nan_i = np.full((len(s_texts), len(INTENT_LABELS)), np.nan, dtype=np.float32)
    targets = {"sentiment": np.concatenate([s_y, nan_s]), "intent": np.concatenate([nan_i, i_y])}
    logger.info("joint training: %d sentiment rows, %d intent rows", len(s_texts), len(i_texts))
    cfg = train_config or TrainConfig(seed=seed)
    train(model, texts, targets, run_dir, cfg)
    out = model.save(out_dir)
    (Path(out) / "training_data.json").write_text(
        json.dumps(
            {
                "sentiment": [{"path": s.path, "max_rows": s.max_rows, "repeat": s.repeat} for s in sentiment_sources],
                "intent": {"gold_train": int((gold["split"] == "train").sum()), "gold_repeat": gold_repeat, "silver": len(silver) if silver is not None else 0},
                "init_from": str(init_from),
                "split_seed": seed,
                "train_seed": cfg.seed,
            },
            indent=2,
        )
    )
    if silver is not None:
        silver.to_parquet(Path(run_dir) / "silver.parquet")
    return out


def fit_intent_blend(
    model_dir: str | Path,
    gold_dir: str | Path = GOLD_DIR,
    silver: pd.DataFrame | None = None,
    method: str = "product",
    refit_sparse: bool = True,
    char_weight: float = 0.5,
) -> dict:
    """Char TF-IDF intent model (gold train + silver) and its blend with the encoder, fitted on gold dev.

    ``method``: ``product`` (the two models' probabilities multiplied, one temperature fitted on dev) or
    ``stacker`` (multinomial logistic regression over both models' log-probabilities, fitted on dev).
    ``char_weight``: with ``product``, the char model's share w of the product, p_enc^(2(1-w)) · p_char^(2w)
    before the temperature (0.5: the plain product; the shipped model uses 0.6, docs/decisions.md).
    """
    from safetensors.numpy import load_file, save_file

    from nlp.artifacts.sparse import CharTfidfClassifier
    from nlp.scoring.scorer import Scorer

    if method not in ("product", "stacker"):
        raise ValueError(f"method must be product or stacker, got {method!r}")
    if not 0.0 < char_weight < 1.0:
        raise ValueError(f"char_weight must be between 0 and 1 (exclusive), got {char_weight!r}")
    d = Path(model_dir)
    gold = load_gold(gold_dir)
    tr = gold[gold["split"] == "train"]
    texts = normalize(tr["text"].astype(str)) * 2
    labels = tr["label"].tolist() * 2
    if silver is not None:
        texts += silver["text"].tolist()
        labels += silver["label"].tolist()
    if refit_sparse:
        sparse = CharTfidfClassifier(max_features=100_000, C=4.0).fit(texts, labels)
        sparse.save(d, prefix="intent_")
    dev = gold[gold["split"] == "dev"]
    dev_texts = normalize(dev["text"].astype(str))
    scorer = Scorer.load(d)
    if not refit_sparse:  # the model's existing (or shared) sparse model
        if "intent" not in scorer.sparse:
            raise ValueError(f"{d} has no intent char TF-IDF model to blend with; fit one (refit_sparse=True)")
        sparse = scorer.sparse["intent"]
    p_enc = scorer.predict(dev_texts, use_sparse=False)["intent"]
    p_sp = sparse.predict_proba(dev_texts)[:, [sparse.classes_.index(lab) for lab in INTENT_LABELS]]
    y = np.array([INTENT_LABELS.index(lab) for lab in dev["label"]])
    k = len(INTENT_LABELS)
    if method == "product":
        # product of the two experts, sharpened or flattened by one temperature fitted on dev (log-loss); the
        # argmax is the plain product's. On gold dev this beat a fitted stacker (docs/decisions.md).
        a, b = 2 * (1 - char_weight), 2 * char_weight
        z = a * np.log(np.clip(p_enc, 1e-6, 1)) + b * np.log(np.clip(p_sp, 1e-6, 1))
        temps = np.linspace(0.2, 2.0, 37)
        t = float(temps[int(np.argmin([_log_loss(z * tt, y) for tt in temps]))])
        coef = np.hstack([np.eye(k) * a, np.eye(k) * b]) * t
        intercept = np.zeros(k)
    else:
        from sklearn.linear_model import LogisticRegression

        feats = np.concatenate([np.log(np.clip(p_enc, 1e-6, 1)), np.log(np.clip(p_sp, 1e-6, 1))], axis=1)
        # no class balancing: a calibration stacker keeps the label priors it sees (balancing pushed real `none` texts into intents)
        lr = LogisticRegression(C=0.5, max_iter=2000).fit(feats, dev["label"].tolist())
        order = [list(lr.classes_).index(lab) for lab in INTENT_LABELS]
        coef, intercept, t = lr.coef_[order], lr.intercept_[order], None
    blend_path = d / "blend.safetensors"
    weights = {k: v for k, v in load_file(str(blend_path)).items()} if blend_path.exists() else {}
    weights.update({"intent.coef": np.asarray(coef, np.float32), "intent.intercept": np.asarray(intercept, np.float32)})
    save_file(weights, str(blend_path))
    return {"sparse_rows": len(texts) if refit_sparse else None, "blend_dev_rows": len(dev), "method": method, "temperature": t, **({"char_weight": char_weight} if method == "product" else {})}


def _log_loss(z: np.ndarray, y: np.ndarray) -> float:
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(y)), y].mean())


def evaluate_intent(
    model_dir: str | Path | None, gold_dir: str | Path = GOLD_DIR, split: str = "test", quantize: bool = False, backend: str | None = None, recheck: float | None = None
) -> dict:
    """Macro-F1, per-class P/R/F1 and confusion on a gold split: encoder, char TF-IDF, blend, keyword rules."""
    from nlp.modeling.metrics import classification_report
    from nlp.scoring.scorer import Scorer

    gold = load_gold(gold_dir)
    part = gold[gold["split"] == split]
    texts = normalize(part["text"].astype(str))
    y = part["label"].tolist()
    scorer = Scorer.load(model_dir, quantize=quantize, backend=backend, recheck_margin=recheck)
    if "intent" not in scorer.labels:
        raise ValueError(f"model {model_dir} has no intent head; train it with `nlp train intent`")
    # the encoder row is the encoder alone; the avoid rules act on the blend, as in `nlp score`
    rules, scorer.intent_rules = scorer.intent_rules, False
    try:
        enc = scorer.predict(texts, use_sparse=False)["intent"]
    finally:
        scorer.intent_rules = rules
    systems = {"keyword_rules": rule_labels(texts), "encoder": [INTENT_LABELS[i] for i in enc.argmax(axis=1)]}
    sp = scorer.sparse.get("intent")
    if sp is not None:
        ps = sp.predict_proba(texts)[:, [sp.classes_.index(lab) for lab in INTENT_LABELS]]
        systems["char_tfidf"] = [INTENT_LABELS[i] for i in ps.argmax(axis=1)]
        if "intent" in scorer.blends:
            # with a re-check, the blend is what `nlp score` gives (re-checked on the blend's margin)
            if scorer.recheck_margin:
                pb = scorer.predict(texts)["intent"]
            else:
                pb = scorer.blends["intent"](enc, ps)
                if scorer.intent_rules:
                    from nlp.scoring.intent_override import apply_intent_rules

                    pb = apply_intent_rules(pb, INTENT_LABELS, texts)
            systems["blend"] = [INTENT_LABELS[i] for i in pb.argmax(axis=1)]
    res = {"model": str(model_dir or "default"), "split": split, "n": len(y), "quantized": quantize, "recheck": scorer.recheck_margin, "recheck_tasks": scorer.recheck_tasks, "backend": scorer.backend, "systems": {}}
    for name, pred in systems.items():
        r = classification_report(y, pred, INTENT_LABELS)
        srcs = part["source"].tolist()
        r["macro_f1_by_source"] = {
            src: classification_report([y[i] for i in range(len(y)) if srcs[i] == src], [pred[i] for i in range(len(y)) if srcs[i] == src], INTENT_LABELS)["macro_f1"]
            for src in sorted(set(srcs))
        }
        res["systems"][name] = r
    return res
