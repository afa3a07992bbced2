"""`nlp topics` on N shared reviews: embedding and clustering docs/s, peak RSS, and the ratio to Kiwi.

The texts are embedded by the topic encoder (base e5) as `nlp topics` does when the table has
no embeddings, then clustered; each part is timed on its own.

    python bench/bench_topics.py --rows 20000 [--backend torch] [--int8]
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
    args = ap.parse_args()
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


if __name__ == "__main__":
    main()
