"""What the silver set (keyword rules over the shared reviews) adds, measured on the gold dev split.

Two learners, each trained on gold-train alone and on gold-train + silver:
  * char TF-IDF + logistic regression;
  * a logistic-regression head on the final model's frozen pooled embeddings.
(The shipped model's intent head was trained jointly with silver; retraining the encoder
twice does not fit the CPU budget, so the ablation uses these two cheaper learners.)

    python bench/intent_silver_ablation.py --model models/sentiment-e5s6 --silver runs/stage2/silver.parquet
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None)
    ap.add_argument("--silver", required=True, help="silver.parquet written by `nlp train intent` in its run dir")
    ap.add_argument("--gold", default="corpora/intent_gold")
    args = ap.parse_args()
    from sklearn.linear_model import LogisticRegression

    from nlp.modeling.intent import INTENT_LABELS, load_gold
    from nlp.modeling.metrics import classification_report
    from nlp.modeling.sparse import CharTfidfClassifier
    from nlp.scoring import Scorer
    from nlp.text.normalize import normalize

    gold = load_gold(args.gold)
    tr, dev = gold[gold["split"] == "train"], gold[gold["split"] == "dev"]
    silver = pd.read_parquet(args.silver)
    tr_texts, dev_texts = normalize(tr["text"].astype(str)), normalize(dev["text"].astype(str))
    y_dev = dev["label"].tolist()
    out = {}
    for name, texts, labels in (
        ("gold", tr_texts, tr["label"].tolist()),
        ("gold+silver", tr_texts + silver["text"].tolist(), tr["label"].tolist() + silver["label"].tolist()),
    ):
        clf = CharTfidfClassifier(max_features=100_000, C=4.0).fit(texts, labels)
        out[f"char_tfidf/{name}"] = classification_report(y_dev, clf.predict(dev_texts), INTENT_LABELS)["macro_f1"]
    scorer = Scorer.load(args.model)
    emb = lambda t: scorer.predict(t, want_embeddings=True, use_sparse=False)["embeddings"]  # noqa: E731
    e_tr, e_dev, e_si = emb(tr_texts), emb(dev_texts), emb(silver["text"].tolist())
    for name, X, y in (
        ("gold", e_tr, tr["label"].tolist()),
        ("gold+silver", np.concatenate([e_tr, e_si]), tr["label"].tolist() + silver["label"].tolist()),
    ):
        lr = LogisticRegression(max_iter=2000, C=1.0, class_weight="balanced").fit(X, y)
        out[f"frozen_encoder_head/{name}"] = classification_report(y_dev, lr.predict(e_dev).tolist(), INTENT_LABELS)["macro_f1"]
    print(json.dumps({"dev_macro_f1": {k: round(v, 3) for k, v in out.items()}, "silver_rows": len(silver), "gold_train": len(tr)}, indent=2))


if __name__ == "__main__":
    main()
