"""`nlp topics` on N shared reviews: embedding and clustering docs/s, peak RSS, and the ratio to Kiwi.

The texts are embedded by the topic encoder (base e5) as `nlp topics` does when the table has
no embeddings, then clustered; each part is timed on its own.

    python bench/bench_topics.py --rows 20000 [--backend torch] [--int8]
    python bench/bench_topics.py --rows 4000 --batch-sizes 64,16,8 --repeat 3   # embedding only, batch sizes alternating
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _common import kiwi_docs_per_s, peak_rss_mb, report, shared_reviews


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--backend", default="auto", help="auto (ONNX Runtime when installed), onnx or torch")
    ap.add_argument("--int8", action="store_true", help="the int8 topic encoder (ONNX only)")
    ap.add_argument("--batch-sizes", default=None, help="compare embedding speed at these batch sizes (no clustering)")
    ap.add_argument("--repeat", type=int, default=3, help="rounds for --batch-sizes")
    args = ap.parse_args()
    if args.batch_sizes:
        return batch_sizes(args)
    from nlp.io.columns import ColumnMap
    from nlp.topics.embedder import ProjectEmbedder
    from nlp.topics.model import TopicModel
    from nlp.topics.table import topics_table

    df = shared_reviews(args.rows, seed=3)
    texts = df["text"].tolist()
    kiwi = kiwi_docs_per_s(texts[:20_000])
    emb = ProjectEmbedder(None, backend=args.backend, int8=args.int8)
    emb.encode(texts[:64])  # load (and export on first use) outside the timing
    emb.forget()
    t0 = time.perf_counter()
    vectors = emb.encode(texts)
    t_embed = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        res = topics_table(df, Path(tmp), ColumnMap(), embeddings=vectors, model=TopicModel(emb, seed=42), freq="M")
        t_fit = time.perf_counter() - t0
    n = len(df)
    report(
        "topics", rows=n, backend=type(emb._backend).__name__, int8=args.int8, embed_seconds=t_embed, embed_docs_per_s=n / t_embed,
        fit_seconds=t_fit, fit_docs_per_s=n / t_fit, docs_per_s=n / (t_embed + t_fit), n_topics=res.n_topics,
        outlier_share=res.outlier_share, kiwi_docs_per_s=kiwi, ratio_to_kiwi=n / (t_embed + t_fit) / kiwi, peak_rss_mb=peak_rss_mb(),
    )


def batch_sizes(args) -> None:
    import numpy as np

    from nlp.topics.embedder import ProjectEmbedder

    texts = shared_reviews(args.rows, seed=3)["text"].tolist()
    emb = ProjectEmbedder(None, backend=args.backend, int8=args.int8)
    emb.encode(texts[:64])
    backend = emb._backend
    sizes = [int(x) for x in args.batch_sizes.split(",")]
    rates: dict[int, list[float]] = {b: [] for b in sizes}
    for _ in range(args.repeat):
        for b in sizes:
            t0 = time.perf_counter()
            backend.encode(texts, batch_size=b)
            rates[b].append(len(texts) / (time.perf_counter() - t0))
    report(
        "topics_embed_batch_size", rows=len(texts), backend=type(backend).__name__, int8=args.int8,
        docs_per_s={str(b): round(float(np.median(v)), 1) for b, v in rates.items()}, runs={str(b): [round(x, 1) for x in v] for b, v in rates.items()},
    )


if __name__ == "__main__":
    main()
