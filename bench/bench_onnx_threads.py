"""One batch on all threads vs several batches at once on one thread each (ONNX Runtime), A/B in one process.

Alternates the two set-ups on the same texts (this machine drifts by ±15% between runs, so
only back-to-back figures compare) and prints each run and the medians. Scoring only
(sentiment + intent + blends, no file I/O).

    python bench/bench_onnx_threads.py --rows 10000 --repeat 3 [--model models/sentiment-e5s3] [--fp32]
    python bench/bench_onnx_threads.py --topics --rows 4000   # the topic encoder (12-layer base e5, fp32)
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from _common import report, shared_reviews


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--model", default=None)
    ap.add_argument("--fp32", action="store_true", help="the fp32 graph instead of int8")
    ap.add_argument("--topics", action="store_true", help="time the topic encoder instead of the scorer")
    args = ap.parse_args()
    if args.topics:
        return topics(args)
    from nlp._offline import import_onnxruntime
    from nlp.scoring.onnx_backend import DISABLED_FUSIONS
    from nlp.scoring.scorer import Scorer
    from nlp.text.normalize import normalize

    ort = import_onnxruntime()

    texts = normalize(shared_reviews(args.rows, seed=0)["text"].tolist())
    scorer = Scorer.load(args.model, quantize=not args.fp32, backend="onnx")
    cores = os.cpu_count() or 1
    so = ort.SessionOptions()
    so.intra_op_num_threads = cores
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    setups = {
        "one_batch_all_threads": (ort.InferenceSession(str(scorer._onnx.path), so, providers=["CPUExecutionProvider"], disabled_optimizers=DISABLED_FUSIONS), 1),
        "batches_in_parallel": (scorer._onnx.session, scorer._onnx.workers),
    }
    scorer.predict(texts[:200])
    rates: dict[str, list[float]] = {k: [] for k in setups}
    for _ in range(args.repeat):
        for name, (session, n_workers) in setups.items():
            scorer._onnx.session, scorer._onnx.workers = session, n_workers
            t0 = time.perf_counter()
            scorer.predict(texts)
            rates[name].append(len(texts) / (time.perf_counter() - t0))
    report(
        "onnx_threads", rows=len(texts), model=args.model or "default", int8=not args.fp32, cores=cores,
        **{f"{k}_docs_per_s": float(np.median(v)) for k, v in rates.items()}, runs={k: [round(x, 1) for x in v] for k, v in rates.items()},
    )


def topics(args) -> None:
    from nlp._offline import import_onnxruntime
    from nlp.scoring.onnx_backend import DISABLED_FUSIONS
    from nlp.topics.embedder import ProjectEmbedder

    ort = import_onnxruntime()

    texts = shared_reviews(args.rows, seed=3)["text"].tolist()
    emb = ProjectEmbedder(None, backend="onnx")
    emb.encode(texts[:64])
    backend = emb._backend
    so = ort.SessionOptions()
    so.intra_op_num_threads = os.cpu_count() or 1
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    setups = {
        "one_batch_all_threads": (ort.InferenceSession(str(backend.path), so, providers=["CPUExecutionProvider"], disabled_optimizers=DISABLED_FUSIONS), 1),
        "batches_in_parallel": (backend.session, backend.workers),
    }
    rates: dict[str, list[float]] = {k: [] for k in setups}
    for _ in range(args.repeat):
        for name, (session, n_workers) in setups.items():
            backend.session, backend.workers = session, n_workers
            t0 = time.perf_counter()
            backend.encode(texts)
            rates[name].append(len(texts) / (time.perf_counter() - t0))
    report("onnx_threads_topics", rows=len(texts), **{f"{k}_docs_per_s": float(np.median(v)) for k, v in rates.items()}, runs={k: [round(x, 1) for x in v] for k, v in rates.items()})


if __name__ == "__main__":
    main()
