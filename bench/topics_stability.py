"""How stable the topic count is on N shared reviews under seeds and tiny embedding noise.

Embeds the reviews once (cached in --cache), then fits `TopicModel` for each case and prints
the topic count, the largest topic's share, the outlier share and which HDBSCAN selection
was used (``auto`` falls back to leaf clusters when one topic holds over half the texts).

    python bench/topics_stability.py --rows 20000 [--cluster-selection eom]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from _common import shared_reviews


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--cache", type=Path, default=Path("topics_stability_emb.npy"))
    ap.add_argument("--cluster-selection", default="auto", choices=["auto", "eom", "leaf"])
    ap.add_argument("--nr-topics", default="none", help="none (what clustering finds), auto or a number")
    args = ap.parse_args()
    from nlp.topics.embedder import ProjectEmbedder
    from nlp.topics.model import TopicModel
    from nlp.topics.table import parse_nr_topics

    texts = shared_reviews(args.rows, seed=3)["text"].tolist()
    emb = ProjectEmbedder(None)
    if args.cache.exists() and len(np.load(args.cache)) == len(texts):
        vectors = np.load(args.cache)
        emb.remember(texts, vectors)
    else:
        vectors = emb.encode(texts)
        np.save(args.cache, vectors)
    noisy = vectors + np.random.default_rng(0).normal(0, 1e-6, vectors.shape).astype(np.float32)
    for name, seed, x in (("seed 42", 42, vectors), ("seed 43", 43, vectors), ("seed 42, noise 1e-6", 42, noisy)):
        t0 = time.perf_counter()
        m = TopicModel(emb, seed=seed, cluster_selection=args.cluster_selection, nr_topics=parse_nr_topics(args.nr_topics)).fit(texts, x)
        t = np.asarray(m.topics_)
        sizes = np.bincount(t[t >= 0])
        print(json.dumps({"case": name, "selection": m.cluster_selection_, "topics": len(sizes), "largest_share": round(float(sizes.max() / len(t)), 3),
                          "outlier_share": round(float((t == -1).mean()), 3), "seconds": round(time.perf_counter() - t0, 1)}), flush=True)


if __name__ == "__main__":
    main()
