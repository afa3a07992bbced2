"""ONNX Runtime graph fusions that cost speed on this CPU: an A/B on the scorer's cached graph, in one process.

Runs the same token-sorted batches (8 texts, two at once on one thread each, as the scorer
does) through sessions that differ only in which of ONNX Runtime's fusions are turned off, and
prints docs/s per set-up (medians of ``--repeat``, alternating; the machine drifts) and each
set-up's largest logit difference to the all-fusions session. The scorer turns off what
``nlp.scoring.onnx_backend.DISABLED_FUSIONS`` lists.

    python bench/bench_ort_fusions.py --rows 6000 --repeat 3 [--fp32] [--model models/sentiment-e5s3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import report, shared_reviews


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=6000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--model", default=None)
    ap.add_argument("--fp32", action="store_true")
    args = ap.parse_args()
    from nlp._offline import import_onnxruntime
    from nlp.scoring.onnx_backend import run_batches
    from nlp.scoring.scorer import DEFAULT_BATCH_SIZE, Scorer
    from nlp.text.normalize import normalize

    ort = import_onnxruntime()

    scorer = Scorer.load(args.model, quantize=not args.fp32, backend="onnx")
    path = str(scorer._onnx.path)
    texts = normalize(shared_reviews(args.rows, seed=1)["text"].tolist())
    ids = scorer.model.encode_ids(texts)
    order = np.argsort([len(x) for x in ids], kind="stable")
    feeds = [scorer.model.pad_ids([ids[j] for j in order[i : i + DEFAULT_BATCH_SIZE]]) for i in range(0, len(texts), DEFAULT_BATCH_SIZE)]

    def session(disabled: list[str]):
        so = ort.SessionOptions()
        so.intra_op_num_threads = so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"], disabled_optimizers=disabled)

    setups = {
        "all_fusions": [],
        "no_SkipLayerNormFusion": ["SkipLayerNormFusion"],
        "no_GeluFusions": ["GeluFusion", "BiasGeluFusion"],
    }
    sessions = {k: session(v) for k, v in setups.items()}
    rates: dict[str, list[float]] = {k: [] for k in setups}
    logits: dict[str, np.ndarray] = {}
    for _ in range(args.repeat):
        for name, sess in sessions.items():
            t0 = time.perf_counter()
            out = list(run_batches(sess, feeds, 2))
            rates[name].append(len(texts) / (time.perf_counter() - t0))
            logits.setdefault(name, np.concatenate([o[1] for o in out]))
    report(
        "ort_fusions", rows=len(texts), model=args.model or "default", int8=not args.fp32,
        docs_per_s={k: round(float(np.median(v)), 1) for k, v in rates.items()}, runs={k: [round(x, 1) for x in v] for k, v in rates.items()},
        max_abs_logit_diff={k: float(np.abs(v - logits["all_fusions"]).max()) for k, v in logits.items()},
    )


if __name__ == "__main__":
    main()
