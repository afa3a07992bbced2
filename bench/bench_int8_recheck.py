"""The int8 re-check (``nlp.scoring.scorer.RECHECK_MARGIN``): labels changed against fp32 on dev, and how much is scored twice.

An int8 scorer scores again, on the fp32 graph, the texts whose top-two blended probabilities
are closer than a margin. For each trigger (the smallest margin over both tasks, or the intent
margin only) and margin, this prints:
- on the dev sets (domain dev for sentiment, gold intent dev for intent): labels that differ
  from the fp32 scorer's, the macro-F1 with and without the re-check;
- the share of texts scored twice, there and on ``--rows`` film reviews (the speed cost).
The evaluation sets are never read. Re-run it when new weights ship: the model card quotes the
share of film reviews re-scored at the shipped margin (``--margins 0.05``). How the shipped setting
was chosen: docs/decisions.md.

    python bench/bench_int8_recheck.py [--model DIR] [--rows 10000] [--margins 0.02,0.05,0.1,0.15,0.2]
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import dev_sets, report, shared_reviews


def margin(p: np.ndarray) -> np.ndarray:
    s = np.sort(p, axis=1)
    return s[:, -1] - s[:, -2]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--margins", default="0.02,0.05,0.1,0.15,0.2")
    args = ap.parse_args()
    from sklearn.metrics import f1_score

    from nlp.scoring import Scorer
    from nlp.text.normalize import normalize

    fp32 = Scorer.load(args.model, backend="onnx")
    int8 = Scorer.load(args.model, backend="onnx", quantize=True, recheck_margin=0.0)  # the plain int8 graph; the re-check is simulated
    sets = dev_sets()
    film = normalize(shared_reviews(args.rows, seed=2)["text"].tolist())
    probs = {}
    for name, texts in [*((k, v[0]) for k, v in sets.items()), ("film", film)]:
        probs[name] = (fp32.predict(texts), int8.predict(texts))
    rows = []
    for trigger in ("all_tasks", "intent"):
        for t in [0.0, *map(float, args.margins.split(","))]:
            row = {"trigger": trigger, "margin": t}
            changed = 0
            for name, (pf, pq) in probs.items():
                m = margin(pq["intent"]) if trigger == "intent" else np.minimum(margin(pq["sentiment"]), margin(pq["intent"]))
                again = m < t
                row[f"{name}_rescored_share"] = round(float(again.mean()), 4)
                if name == "film":
                    continue
                _, gold, task = sets[name]
                labels = int8.labels[task]
                mixed = np.where(again[:, None], pf[task], pq[task])
                n = int((mixed.argmax(1) != pf[task].argmax(1)).sum())
                changed += n
                row[f"{name}_labels_changed"] = n
                row[f"{name}_macro_f1"] = round(float(f1_score(gold, [labels[i] for i in mixed.argmax(1)], average="macro")), 4)
                row[f"{name}_macro_f1_fp32"] = round(float(f1_score(gold, [labels[i] for i in pf[task].argmax(1)], average="macro")), 4)
            row["labels_changed_total"] = changed
            rows.append(row)
            report("int8_recheck", model=args.model or "default", **row)


if __name__ == "__main__":
    main()
