"""Padding tokens per batch: texts sorted by characters (the old batching) vs by token count (the current one).

    python bench/padding.py --rows 10000 [--model DIR] [--batch-size 32]
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import report, shared_reviews


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--model", default=None)
    ap.add_argument("--batch-size", type=int, default=32)
    args = ap.parse_args()
    from nlp.scoring import Scorer

    texts = shared_reviews(args.rows, seed=2)["text"].tolist()
    model = Scorer.load(args.model, backend="torch").model
    real = np.array([len(x) for x in model.encode_ids(texts)])
    b = args.batch_size

    def padded(order: np.ndarray) -> int:
        return int(sum(real[order[a : a + b]].max() * len(order[a : a + b]) for a in range(0, len(order), b)))

    by_chars = padded(np.argsort([len(t) for t in texts], kind="stable"))
    by_tokens = padded(np.argsort(real, kind="stable"))
    report("padding", rows=len(texts), batch_size=b, real_tokens=int(real.sum()), padded_by_chars=by_chars, padded_by_tokens=by_tokens,
           padding_share_by_chars=1 - real.sum() / by_chars, padding_share_by_tokens=1 - real.sum() / by_tokens)


if __name__ == "__main__":
    main()
