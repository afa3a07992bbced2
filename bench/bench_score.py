"""Scoring throughput (sentiment + intent, end to end through `score_table`) and peak memory.

Prints docs/s for the fp32 and int8 paths and, as a machine-independent figure, the ratio
to Kiwi's tokenisation docs/s measured in the same process on the same texts.

    python bench/bench_score.py --rows 20000 [--model DIR] [--fp32 | --recheck 0] [--threads 2] [--repeat 3] [--chunk-sizes 5000,2000,1000]
    python bench/bench_score.py --rows 10000 --data ../shared/corpora/real_reviews/real_reviews.parquet   # real reviews, long ones included

The default is what ``nlp score`` runs: int8 with its fp32 re-check (``--fp32`` for fp32). Texts are the
shared NSMC crawl (short film reviews), or ``--data`` (a table with a ``text`` column; rows whose ``use``
column is set are all used for timing only).

With ``--repeat N`` Kiwi and then the scorer are timed N times each and the medians are
printed with every run's figures. Kiwi is timed before the scorer is loaded, since an ONNX
Runtime session in the process slows Kiwi and would flatter the ratio (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import kiwi_docs_per_s, peak_rss_mb, report, shared_reviews, table_reviews


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--model", default=None)
    ap.add_argument("--int8", action="store_true", help="the default; kept for older command lines")
    ap.add_argument("--fp32", action="store_true", help="score in fp32 (nlp score --fp32)")
    ap.add_argument("--data", default=None, help="a table with a text column to sample from instead of the NSMC crawl")
    ap.add_argument("--recheck", type=float, default=None, help="with --int8: the fp32 re-check margin (default: the scorer's, 0.05 on intent; 0: plain int8)")
    ap.add_argument("--recheck-tasks", default=None, help="comma-separated tasks whose margins trigger the re-check (default: the scorer's)")
    ap.add_argument("--backend", default="auto", choices=["auto", "onnx", "torch"])
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--batch-size", type=int, default=None, help="default: the scorer's")
    ap.add_argument("--chunk-sizes", default="5000", help="rows per score_table chunk; several (e.g. 5000,2000,1000) are timed alternately in one process")
    ap.add_argument("--repeat", type=int, default=1, help="timed runs (Kiwi and scoring alternately); medians are reported")
    ap.add_argument("--cascade", type=float, default=None,
                    help="read every text with --cascade-model (int8, no re-check) and its close calls (top two probabilities closer than this) again with the scorer")
    ap.add_argument("--cascade-model", default="models/sentiment-e5s3")
    ap.add_argument("--sentiment-only", action="store_true", help="drop the intent head and its blend, to measure what intent costs")
    args = ap.parse_args()
    from nlp.scoring import Scorer, score_table

    df = shared_reviews(args.rows, seed=2) if not args.data else table_reviews(args.data, args.rows, seed=2)
    int8 = not args.fp32
    kiwis = [kiwi_docs_per_s(df["text"].tolist()) for _ in range(max(1, args.repeat))]
    from nlp.scoring.scorer import DEFAULT_BATCH_SIZE

    scorer = Scorer.load(args.model, quantize=int8, threads=args.threads, batch_size=args.batch_size or DEFAULT_BATCH_SIZE, backend=args.backend, recheck_margin=args.recheck,
                         recheck_tasks=tuple(args.recheck_tasks.split(",")) if args.recheck_tasks else None)
    if args.cascade is not None:
        first = Scorer.load(args.cascade_model, quantize=True, threads=args.threads, batch_size=args.batch_size or DEFAULT_BATCH_SIZE, backend=args.backend, recheck_margin=0.0)
        scorer = first.with_cascade(scorer, args.cascade)
    if args.sentiment_only:
        del scorer.model.heads["intent"]
        for d in (scorer.tasks, scorer.sparse, scorer.blends, scorer.model.config.tasks):
            d.pop("intent", None)
    scorer.predict(["워밍업 한 줄"])  # graph export / load outside the timed runs
    chunk_sizes = [int(c) for c in args.chunk_sizes.split(",")]
    by_chunk: dict[int, list[float]] = {c: [] for c in chunk_sizes}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.parquet"
        df.to_parquet(src)
        for _ in range(max(1, args.repeat)):
            for c in chunk_sizes:
                t0 = time.perf_counter()
                stats = score_table(src, Path(tmp) / "out.parquet", scorer=scorer, show_progress_bar=False, chunk_size=c)
                by_chunk[c].append(stats.output_rows / (time.perf_counter() - t0))
    rates = by_chunk[chunk_sizes[0]]
    ratios = [r / k for r, k in zip(rates, kiwis)]
    report(
        "score", cascade=args.cascade, rows=stats.output_rows, data=args.data or "nsmc", int8=int8, recheck=scorer.recheck_margin, recheck_tasks=scorer.recheck_tasks, backend=scorer.backend, model=args.model or "default", batch_size=scorer.batch_size, tasks=list(scorer.tasks),
        docs_per_s=float(np.median(rates)), kiwi_docs_per_s=float(np.median(kiwis)), ratio_to_kiwi=float(np.median(ratios)),
        runs=[{"docs_per_s": round(r, 1), "kiwi_docs_per_s": round(k, 1)} for r, k in zip(rates, kiwis)], peak_rss_mb=peak_rss_mb(),
        **({"docs_per_s_by_chunk_size": {str(c): [round(x, 1) for x in v] for c, v in by_chunk.items()}} if len(chunk_sizes) > 1 else {}),
    )

if __name__ == "__main__":
    main()
