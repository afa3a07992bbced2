"""The scorer's ONNX Runtime session alone: the ceiling `nlp score` could reach on this machine.

Token ids are made before the clock starts; the timed part is only the encoder and heads on
token-sorted batches, as many calls at once as the scorer makes (no cleaning, flags, char models,
re-check or writing). Kiwi is timed first on the same texts, as in ``bench_score.py``.

    python bench/encoder_ceiling.py --rows 4000 [--batch-sizes 8,32] [--fp32]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import kiwi_docs_per_s, report, shared_reviews


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=4000)
    ap.add_argument("--batch-sizes", default="8,32")
    ap.add_argument("--fp32", action="store_true")
    args = ap.parse_args()
    texts = shared_reviews(args.rows, seed=2)["text"].tolist()
    kiwi = kiwi_docs_per_s(texts)
    from nlp.scoring import Scorer
    from nlp.scoring.onnx_backend import run_batches

    sc = Scorer.load(None, quantize=not args.fp32)
    ids = sc.model.encode_ids(texts)
    order = np.argsort([len(x) for x in ids], kind="stable")
    session, workers = sc._onnx.session, sc._onnx.workers
    rates = {}
    for bs in [int(b) for b in args.batch_sizes.split(",")]:
        feeds = []
        for s in range(0, len(ids), bs):
            b = sc.model.pad_ids([ids[i] for i in order[s : s + bs]])
            feeds.append({k: np.asarray(b[k], dtype=np.int64) for k in ("input_ids", "attention_mask")})
        list(run_batches(session, feeds[:4], workers))  # warm-up
        t0 = time.perf_counter()
        list(run_batches(session, feeds, workers))
        rates[bs] = len(ids) / (time.perf_counter() - t0)
    report("encoder_ceiling", rows=len(ids), int8=not args.fp32, workers=workers, docs_per_s_by_batch={str(k): round(v, 1) for k, v in rates.items()},
           kiwi_docs_per_s=kiwi, ratio_to_kiwi_by_batch={str(k): round(v / kiwi, 3) for k, v in rates.items()},
           tokens_per_doc=float(np.mean([len(x) for x in ids])))


if __name__ == "__main__":
    main()
