"""The blend's char TF-IDF sentiment model on every training-film review, instead of a 140k sample.

The char model used to see the stage-1 sample (140k NSMC reviews, stratified 36/28/36 over rating
groups) plus the domain training sets (A). This trains it on all ~570k training-film reviews instead
(B), or with a 500k vocabulary (C), and prints, on development data only (the blend's calibration
set: 3,000 balanced reviews of the calibration half of held-out films + the held-out 25% of the
domain sets), the char model's own film accuracy / domain macro-F1 and the blend's under 5-fold
cross-validation of its stacker. The rule, written before the first run: adopt B or C only if the
blend's film-dev accuracy beats A by >= 0.5 points with domain-dev macro-F1 no more than 0.5 points
lower; between B and C the higher film dev (ties under 0.2: B).

Outcome: tried, not kept. On the stop-14 encoder, a scratch run of the same logic (figures not
kept) missed the rule for B. On the stop-15 encoder, this script: A 0.855 / 0.896, B 0.864 / 0.896,
C 0.867 / 0.897. The rule picked C; a 500k vocabulary would take models/ from 13 MB to ~24 MB (the
200k model's files, 7.1 MB, scaled linearly), over the 20 MB cap, so B was fitted into the default
model and evaluated. Then it was reverted, for a reason the dev lines above already showed and the
rule had left out: the char model itself is much weaker on the natural rating mix (film dev 0.851 ->
0.818, domain dev 0.803 -> 0.766), and it doubles as #3's reference ("trained on the same data"),
so shipping it would flatter the margin over the reference with a worse baseline. Its test figures,
measured before the reversal (the card's ``nlp train blend`` with ``preset=nsmc`` and no
max_rows, then ``nlp evaluate sentiment``): blend films 0.869, out-of-domain 0.826,
reference 0.830 / 0.731, against 0.871 / 0.833 and 0.866 / 0.791 with A. Test agreed: no gain.

    python bench/sentiment_sparse_scale.py A    # then B, C; appends to runs/sparse_scale.jsonl
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from nlp.modeling.sentiment import SENTIMENT_LABELS, SentimentSource, _calibration_set, assemble_sentiment_data, film_heldout
from nlp.modeling.sparse import CharTfidfClassifier

NSMC = str(Path(__file__).resolve().parents[2] / "shared" / "corpora" / "nsmc_reviews.parquet")
DOMAIN = [
    SentimentSource(path=f"corpora/domain_sentiment_train/domain_sentiment_train{s}.csv", label_col="label", rating_col=None, product_col="id", dev_share=0.25, repeat=3)
    for s in ("", "_b", "_c")
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("candidate", choices=["A", "B", "C"])
    ap.add_argument("--model", default="models/sentiment-e5s6")
    ap.add_argument("--out", default="runs")
    a = ap.parse_args()
    max_features = {"A": 200_000, "B": 200_000, "C": 500_000}[a.candidate]
    nsmc = SentimentSource.nsmc(NSMC, max_rows=140_000 if a.candidate == "A" else None)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    calib, _ = film_heldout(NSMC, 13)
    c_texts, c_labels, c_w = _calibration_set(DOMAIN, calib, 13)
    n_film = 3000  # _calibration_set puts the films first
    enc_path = out / "sparse_scale_encoder_calib.npy"
    if not enc_path.exists():
        from nlp.scoring.scorer import Scorer

        np.save(enc_path, Scorer.load(a.model).predict(c_texts, use_sparse=False)["sentiment"])
    p_enc = np.load(enc_path)
    t = time.time()
    texts, y, _ = assemble_sentiment_data([nsmc, *DOMAIN], seed=13)
    sparse = CharTfidfClassifier(max_features=max_features).fit(texts, [SENTIMENT_LABELS[i] for i in y.argmax(axis=1)])
    p_sp = sparse.predict_proba(c_texts)[:, [sparse.classes_.index(lab) for lab in SENTIMENT_LABELS]]
    feats = np.concatenate([np.log(np.clip(p_enc, 1e-6, 1)), np.log(np.clip(p_sp, 1e-6, 1))], axis=1)
    lab = np.array(c_labels)
    pred = np.empty(len(lab), dtype=object)
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=13).split(feats, lab):
        lr = LogisticRegression(C=1.0, max_iter=1000).fit(feats[tr], lab[tr], sample_weight=c_w[tr])
        cls = list(lr.classes_)
        for i, p in zip(te, lr.predict_proba(feats[te])):
            pred[i] = ("positive" if p[cls.index("positive")] >= p[cls.index("negative")] else "negative") if i < n_film else cls[int(p.argmax())]
    film, dom = slice(0, n_film), slice(n_film, None)
    res = {
        "candidate": a.candidate,
        "sparse_rows": len(texts),
        "fit_seconds": round(time.time() - t),
        "sparse_film_dev_acc": float(np.mean([("positive" if p[2] >= p[0] else "negative") == g for p, g in zip(p_sp[film], lab[film])])),
        "sparse_domain_dev_macro_f1": float(f1_score(lab[dom], [SENTIMENT_LABELS[i] for i in p_sp[dom].argmax(1)], average="macro")),
        "blend_cv_film_dev_acc": float(np.mean(pred[film] == lab[film])),
        "blend_cv_domain_dev_macro_f1": float(f1_score(lab[dom], list(pred[dom]), average="macro")),
    }
    print(json.dumps(res))
    with open(out / "sparse_scale.jsonl", "a") as f:
        f.write(json.dumps(res) + "\n")


if __name__ == "__main__":
    main()
