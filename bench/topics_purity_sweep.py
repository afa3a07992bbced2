"""Domain purity and aspect NMI of our topic set-up over a few settings, on the `nlp evaluate topics` corpora.

Embeddings (base e5) are computed once and cached in --cache; each setting refits the topic model.

    python bench/topics_purity_sweep.py --cache /tmp/topics_emb.npz
    python bench/topics_purity_sweep.py --settings '[{"outlier_quantile": 0.6}]'
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

import nlp.topics.evaluate as ev
from nlp.text.normalize import normalize
from nlp.text.pii import mask_pii
from nlp.topics.embedder import ProjectEmbedder
from nlp.topics.model import TopicModel

DEFAULT_SETTINGS = [
    {},
    {"reduce_outliers": False},
    {"min_topic_size": 8},
    {"n_neighbors": 5},
    {"n_neighbors": 30},
    {"n_components": 10},
    {"outlier_quantile": 0.3},
    {"outlier_quantile": 0.6},
    {"min_samples": 8},
    {"n_neighbors": 30, "outlier_quantile": 0.3},
]


def _prep(texts) -> list[str]:
    return [m for m, _ in mask_pii(normalize(list(texts)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=Path("topics_emb.npz"))
    ap.add_argument("--settings", default=None, help="JSON list of TopicModel keyword sets")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    asp = pd.read_csv(ev.DEFAULT_ASPECTS)
    a_docs, f_docs = _prep(asp["text"].astype(str)), _prep(ev._load_film(ev.DEFAULT_FILM, 500, args.seed))
    emb = ProjectEmbedder(None)
    if args.cache.exists():
        z = np.load(args.cache)
        ea, ef = z["a"], z["f"]
    else:
        ea, ef = np.asarray(emb.encode(a_docs), np.float32), np.asarray(emb.encode(f_docs), np.float32)
        np.savez(args.cache, a=ea, f=ef)
    docs, e_all = a_docs + f_docs, np.vstack([ea, ef])
    domains = asp["domain"].astype(str).tolist() + ["film"] * len(f_docs)
    for kw in json.loads(args.settings) if args.settings else DEFAULT_SETTINGS:
        t0 = time.time()
        mixed = TopicModel(emb, seed=args.seed, **kw).fit(docs, e_all)
        pur = ev.domain_purity(domains, mixed.topics_)
        aspects = TopicModel(emb, seed=args.seed, **kw).fit(a_docs, ea)
        nmi = ev.nmi_scores(asp["aspect"].astype(str), aspects.topics_)
        print(
            json.dumps(
                {
                    "settings": kw,
                    "mixed_topics": len(set(mixed.topics_) - {-1}),
                    "purity": round(pur["purity"], 3),
                    "purity_all": round(pur["purity_all"], 3),
                    "mixed_outliers": round(pur["outlier_share"], 3),
                    "aspect_nmi": round(nmi["nmi_with_outliers"], 3),
                    "aspect_outliers": round(nmi["outlier_share"], 3),
                    "seconds": round(time.time() - t0, 1),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
