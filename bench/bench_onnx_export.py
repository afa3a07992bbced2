"""How the scorer's ONNX graph is exported, and the batch size it runs at: an A/B in one process.

Exports the model twice into a temporary directory, with the model's own (SDPA) attention
and with eager attention (what ``export_onnx`` does), quantises both when int8 is asked, and
then scores the same texts with each graph at each batch size, alternating (this machine
drifts by ±15% between runs, so only back-to-back figures compare). Prints docs/s per
set-up (medians of ``--repeat``) and how far the two graphs' logits and labels differ.
Scoring only (sentiment + intent + blends, no file I/O).

    python bench/bench_onnx_export.py --rows 10000 --repeat 3 [--model models/sentiment-e5s3] [--fp32] [--batch-sizes 8,16,32]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import report, shared_reviews


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--model", default=None)
    ap.add_argument("--fp32", action="store_true", help="the fp32 graphs instead of int8")
    ap.add_argument("--batch-sizes", default="8,16,32")
    args = ap.parse_args()
    from nlp.scoring.onnx_backend import OnnxEncoder, _session, cached_graph
    from nlp.scoring.scorer import Scorer
    from nlp.text.normalize import normalize

    texts = normalize(shared_reviews(args.rows, seed=0)["text"].tolist())
    scorer = Scorer.load(args.model, quantize=not args.fp32, backend="onnx")
    sizes = [int(x) for x in args.batch_sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        sessions = {}
        enc = scorer._onnx
        for name, eager in (("sdpa", False), ("eager", True)):
            path = cached_graph(Path(tmp), name, lambda out, e=eager: OnnxEncoder._export(enc, scorer.model, out, eager=e), int8=not args.fp32)
            sessions[name] = _session(path, None)
        scorer.predict(texts[:200])
        rates: dict[str, list[float]] = {}
        logits: dict[str, dict] = {}
        for _ in range(args.repeat):
            for bs in sizes:
                for name, session in sessions.items():
                    scorer._onnx.session, scorer.batch_size = session, bs
                    t0 = time.perf_counter()
                    scorer.predict(texts)
                    rates.setdefault(f"{name}_bs{bs}", []).append(len(texts) / (time.perf_counter() - t0))
                    if bs == sizes[0] and name not in logits:
                        logits[name] = scorer.encode(texts)[0]
    diff = {t: float(np.abs(logits["eager"][t] - logits["sdpa"][t]).max()) for t in logits["eager"]}
    agree = {t: float((logits["eager"][t].argmax(1) == logits["sdpa"][t].argmax(1)).mean()) for t in logits["eager"]}
    report(
        "onnx_export", rows=len(texts), model=args.model or "default", int8=not args.fp32,
        docs_per_s={k: round(float(np.median(v)), 1) for k, v in rates.items()}, runs={k: [round(x, 1) for x in v] for k, v in rates.items()},
        max_abs_logit_diff=diff, label_agreement=agree,
    )


if __name__ == "__main__":
    main()
