"""`nlp topics` on N shared reviews: embedding and clustering docs/s, peak RSS, and the ratio to Kiwi.

The texts are embedded by the topic encoder (base e5) as `nlp topics` does when the table has
no embeddings, then clustered; each part is timed on its own.

    python bench/bench_topics.py --rows 20000 [--backend torch] [--int8]
    python bench/bench_topics.py --rows 4000 --batch-sizes 64,16,8 --repeat 3   # embedding only, batch sizes alternating
    python bench/bench_topics.py --rows 20000 --int8 --fit-sample 10000 --compare-full   # a sampled fit against the full one
    python bench/bench_topics.py --corpus real --rows 20000 --end-to-end [--int8] [--settings JSON] [--max-tokens N]   # `nlp topics` as run

`--corpus real` draws the rows from ../shared/corpora/real_reviews (all ten domains, product and date columns);
`--end-to-end` times `topics_table` as `nlp topics` runs it (it embeds the texts itself, the generic group
never), with wall and CPU seconds: the CPU figure moves less when other work shares the machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

import pandas as pd
from _common import ROOT, kiwi_docs_per_s, peak_rss_mb, report, shared_reviews

REAL = ROOT.parent / "shared" / "corpora" / "real_reviews" / "real_reviews.parquet"


def real_reviews(n: int, seed: int = 3) -> pd.DataFrame:
    """``n`` rows of the shared real reviews (all domains) under the input column names."""
    df = pd.read_parquet(REAL, columns=["id", "text", "product", "date", "rating"])
    df = df.sample(n, random_state=seed, replace=n > len(df))
    return pd.DataFrame(
        {"id": df["id"].astype(str).values, "text": df["text"].values, "product_id": df["product"].values,
         "created_at": df["date"].values, "rating": df["rating"].values}
    )


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--backend", default="auto", help="auto (ONNX Runtime when installed), onnx or torch")
    ap.add_argument("--int8", action="store_true", help="the int8 topic encoder (ONNX only)")
    ap.add_argument("--batch-sizes", default=None, help="compare embedding speed at these batch sizes (no clustering)")
    ap.add_argument("--repeat", type=int, default=3, help="rounds for --batch-sizes")
    ap.add_argument("--fit-sample", type=int, default=None, help="topics_table's fit_sample (default: its own, 50,000)")
    ap.add_argument("--compare-full", action="store_true", help="also fit on every text (seeds 42 and 43) and report how the assignments agree (NMI)")
    ap.add_argument("--corpus", choices=["nsmc", "real"], default="nsmc", help="film reviews (NSMC) or the real reviews of ten domains")
    ap.add_argument("--end-to-end", action="store_true", help="time topics_table as `nlp topics` runs it (embedding inside)")
    ap.add_argument("--settings", default="{}", help="JSON of topics_table / TopicModel options for --end-to-end")
    ap.add_argument("--max-tokens", type=int, default=None, help="tokens the topic encoder reads per text (default: TOPIC_MAX_TOKENS)")
    args = ap.parse_args()
    if args.max_tokens:
        import nlp.topics.embedder as embedder

        embedder.TOPIC_MAX_TOKENS = args.max_tokens  # read when the encoder is loaded
    if args.batch_sizes:
        return batch_sizes(args)
    if args.end_to_end:
        return end_to_end(args)
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
    from nlp.topics.table import FIT_SAMPLE

    fit_sample = FIT_SAMPLE if args.fit_sample is None else args.fit_sample
    extra = {}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        res = topics_table(df, Path(tmp) / "a", ColumnMap(), embeddings=vectors, model=TopicModel(emb, seed=42), freq="M", fit_sample=fit_sample)
        t_fit = time.perf_counter() - t0
        if args.compare_full:
            from sklearn.metrics import normalized_mutual_info_score

            t0 = time.perf_counter()
            full = topics_table(df, Path(tmp) / "b", ColumnMap(), embeddings=vectors, model=TopicModel(emb, seed=42), freq="M", fit_sample=0)
            a, b = res.doc_topics["topic"].to_numpy(), full.doc_topics["topic"].to_numpy()
            extra = {"full_fit_seconds": time.perf_counter() - t0, "full_n_topics": full.n_topics, "full_outlier_share": full.outlier_share,
                     "nmi_sample_vs_full": float(normalized_mutual_info_score(b, a))}
            # the yardstick: two full fits that differ only in their seed
            other = topics_table(df, Path(tmp) / "c", ColumnMap(), embeddings=vectors, model=TopicModel(emb, seed=43), freq="M", fit_sample=0)
            extra["nmi_full_vs_full_seed43"] = float(normalized_mutual_info_score(b, other.doc_topics["topic"].to_numpy()))
    n = len(df)
    report(
        "topics", rows=n, backend=type(emb._backend).__name__, int8=args.int8, embed_seconds=t_embed, embed_docs_per_s=n / t_embed,
        fit_seconds=t_fit, fit_docs_per_s=n / t_fit, docs_per_s=n / (t_embed + t_fit), n_topics=res.n_topics,
        outlier_share=res.outlier_share, fit_sample=fit_sample, **extra, kiwi_docs_per_s=kiwi, ratio_to_kiwi=n / (t_embed + t_fit) / kiwi, peak_rss_mb=peak_rss_mb(),
    )


def end_to_end(args) -> None:
    from nlp.io.columns import ColumnMap
    from nlp.topics.table import FIT_SAMPLE, topics_table

    df = real_reviews(args.rows) if args.corpus == "real" else shared_reviews(args.rows, seed=3)
    opts = json.loads(args.settings)
    fit_sample = FIT_SAMPLE if args.fit_sample is None else args.fit_sample
    kiwi = kiwi_docs_per_s(df["text"].tolist()[:20_000])
    with tempfile.TemporaryDirectory() as tmp:
        t0, c0 = time.perf_counter(), cpu_seconds()
        res = topics_table(df, Path(tmp) / "t", ColumnMap(), backend=args.backend, int8=args.int8, fit_sample=fit_sample, freq="M", **opts)
        wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    t = res.doc_topics["topic"]
    sizes = t[t >= 0].value_counts()
    report(
        "topics_end_to_end", corpus=args.corpus, rows=len(df), int8=args.int8, fit_sample=fit_sample, settings=opts, max_tokens=_max_tokens(),
        seconds=wall, cpu_seconds=cpu, docs_per_s=len(df) / wall, embedded=res.model.embedder.computed_,
        n_topics=res.n_topics, generic_share=float((t == -2).mean()), outlier_share=res.outlier_share,
        largest_topic_share=float(sizes.iloc[0] / len(t)) if len(sizes) else 0.0,
        kiwi_docs_per_s=kiwi, ratio_to_kiwi=len(df) / wall / kiwi, peak_rss_mb=peak_rss_mb(),
        labels=res.topics.sort_values("size", ascending=False)["label"].head(12).tolist(),
    )


def _max_tokens() -> int:
    from nlp.topics.embedder import TOPIC_MAX_TOKENS

    return TOPIC_MAX_TOKENS


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
