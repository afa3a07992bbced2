"""Intent blend on gold dev: a fitted logistic stacker (5-fold CV, several C, with and without keyword-rule
features) against the plain product of the encoder's and the char TF-IDF model's probabilities.

    python bench/intent_blend_cv.py [--model DIR]
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from nlp.modeling.intent import INTENT_LABELS, load_gold
from nlp.modeling.intent_rules import rule_labels
from nlp.scoring.scorer import Scorer
from nlp.text.normalize import normalize


def _log(p: np.ndarray) -> np.ndarray:
    return np.log(np.clip(p, 1e-6, 1))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model")
    args = ap.parse_args()
    gold = load_gold()
    dev = gold[gold["split"] == "dev"]
    texts = normalize(dev["text"].astype(str))
    y = np.array(dev["label"].tolist())
    scorer = Scorer.load(args.model, threads=1)
    p_enc = scorer.predict(texts, use_sparse=False)["intent"]
    sparse = scorer.sparse["intent"]
    p_sp = sparse.predict_proba(texts)[:, [sparse.classes_.index(lab) for lab in INTENT_LABELS]]
    rules = np.array([[1.0 if r == lab else 0.0 for lab in INTENT_LABELS] for r in rule_labels(texts)])
    variants = {"enc+tfidf": np.hstack([_log(p_enc), _log(p_sp)]), "enc+tfidf+rules": np.hstack([_log(p_enc), _log(p_sp), rules]), "enc": _log(p_enc)}
    for name, x in variants.items():
        for c in (0.1, 0.5, 2.0):
            scores = []
            for seed in range(5):
                pred = np.empty(len(y), dtype=object)
                for tr, te in StratifiedKFold(5, shuffle=True, random_state=seed).split(x, y):
                    pred[te] = LogisticRegression(C=c, max_iter=2000).fit(x[tr], y[tr]).predict(x[te])
                scores.append(f1_score(y, pred.astype(str), average="macro"))
            print(f"stacker {name:16s} C={c}: 5-fold CV macro-F1 {np.mean(scores):.3f} ± {np.std(scores):.3f}", flush=True)
    product = _log(p_enc) + _log(p_sp)
    print(f"product of the two models (nothing fitted): macro-F1 {f1_score(y, np.array(INTENT_LABELS)[product.argmax(1)], average='macro'):.3f}")


if __name__ == "__main__":
    main()
