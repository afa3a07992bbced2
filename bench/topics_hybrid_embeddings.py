"""Tried and not kept: topic embeddings that append a lexical part to base e5, on the development mix.

The lexical part is an SVD (100 dims) of TF-IDF over Kiwi content words; it is L2-normalised and
appended with weight w to the L2-normalised e5 embedding. For each w this prints the 10-nearest-
neighbour domain accuracy (5-fold) and the topic model's domain purity and outliers on the
``topics_purity_sweep.py --dev`` mix (never the evaluation corpus). The rule, written before the
run, was to adopt a w only if purity reached 0.95 within 30% outliers and beat e5 alone by 0.02.

    python bench/topics_hybrid_embeddings.py [--weights 0,0.3,0.5,0.7,1]
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import topics_purity_sweep as tps

import nlp.topics.evaluate as ev
from nlp.topics.embedder import ProjectEmbedder
from nlp.topics.model import TopicModel


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", default="0,0.3,0.5,0.7,1")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.model_selection import cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    from nlp.text.kiwi import KiwiTokenizer

    asp = tps._dev_mix(args.seed)
    eval_film = set(ev._load_film(ev.DEFAULT_FILM, 500, args.seed))
    film = [t for t in ev._load_film(ev.DEFAULT_FILM, 1500, 7) if t not in eval_film][:500]
    docs = tps._prep(asp["text"].astype(str)) + tps._prep(film)
    emb = ProjectEmbedder(None)
    e = np.asarray(emb.encode(docs), np.float32)
    e /= np.linalg.norm(e, axis=1, keepdims=True)
    domains = np.array(asp["domain"].astype(str).tolist() + ["film"] * len(film))
    tfidf = TfidfVectorizer(analyzer=lambda x: x, min_df=2, sublinear_tf=True).fit_transform(KiwiTokenizer().content_words(docs))
    lex = TruncatedSVD(100, random_state=0).fit_transform(tfidf)
    lex /= np.maximum(np.linalg.norm(lex, axis=1, keepdims=True), 1e-9)
    for w in map(float, args.weights.split(",")):
        h = np.hstack([e, w * lex]).astype(np.float32)
        knn = cross_val_score(KNeighborsClassifier(10, metric="cosine"), h, domains, cv=5).mean()
        topics = TopicModel(emb, seed=args.seed).fit(docs, h).topics_
        pur = ev.domain_purity(list(domains), topics)
        print(json.dumps({"w": w, "knn10_domain_acc": round(float(knn), 3), "topics": len(set(topics) - {-1}), "purity": round(pur["purity"], 3),
                          "purity_all": round(pur["purity_all"], 3), "outliers": round(pur["outlier_share"], 3)}), flush=True)


if __name__ == "__main__":
    main()
