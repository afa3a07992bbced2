"""int8 with and without activation smoothing (``nlp/scoring/smoothing.py``): agreement with fp32 on dev, and speed.

For each set-up the scorer's int8 graph is exported into a temporary directory. On the
development sets, the domain dev rows (the 25% of ``corpora/domain_sentiment_train`` held out
of training, as ``scripts/domain_dev.py`` writes them) and the gold intent dev split, it
prints:
- the blend's macro-F1;
- how many labels differ from the fp32 graph's;
- the largest probability difference.
Then the set-ups are timed on film reviews, alternating (``--repeat`` runs; medians). This is
how α was chosen; the evaluation sets are never read.

    python bench/bench_int8_smoothing.py [--alphas 0.5,0.7,0.8,0.9] [--model models/sentiment-e5s3] [--rows 10000 --repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _common import report, shared_reviews

ROOT = Path(__file__).resolve().parents[1]


def dev_sets() -> dict[str, tuple[list[str], list[str], str]]:
    from nlp.modeling.sentiment_data import film_split
    from nlp.text.normalize import normalize

    parts = []
    for p in sorted((ROOT / "corpora" / "domain_sentiment_train").glob("*.csv")):
        df = pd.read_csv(p).dropna(subset=["text"])
        parts.append(df[film_split(df["id"], 0.25, 13)])
    dd = pd.concat(parts, ignore_index=True)
    gold = pd.read_csv(ROOT / "corpora" / "intent_gold" / "gold.csv")
    gd = gold[gold["split"] == "dev"]
    return {
        "domain_dev": (normalize(dd["text"].astype(str).tolist()), dd["label"].tolist(), "sentiment"),
        "intent_dev": (normalize(gd["text"].astype(str).tolist()), gd["label"].tolist(), "intent"),
    }


def fp32_nodes(fragments: tuple[str, ...], tasks: list[str]) -> tuple[str, ...]:
    """Name fragments of MatMuls left fp32; ``heads`` stands for every task head."""
    out = []
    for f in fragments:
        out += [f"/{t}/" for t in tasks] if f == "heads" else [f]
    return tuple(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None)
    ap.add_argument("--alphas", default="0.5,0.7,0.8,0.9")
    ap.add_argument("--keep-fp32", default="", help="also: graphs with some MatMuls left fp32, ';'-separated sets of ','-separated name fragments (e.g. 'heads;heads,layer.5.'), each with the first alpha")
    ap.add_argument("--no-plain", action="store_true", help="skip the unsmoothed int8 graph")
    ap.add_argument("--rows", type=int, default=10_000, help="film reviews for the speed runs (0: no speed runs)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from sklearn.metrics import f1_score

    from nlp.scoring.onnx_backend import OnnxEncoder, _session, cached_graph
    from nlp.scoring.scorer import Scorer
    from nlp.scoring.smoothing import activation_max, calibration_texts, smooth_linears
    from nlp.text.normalize import normalize

    sets = dev_sets()
    scorer = Scorer.load(args.model, backend="onnx")  # fp32: the reference labels
    ref = {k: scorer.predict(t)[task] for k, (t, _, task) in sets.items()}
    stats = activation_max(scorer.model.encoder, scorer.model.tokenize, scorer.model, calibration_texts())
    enc = scorer._onnx
    sessions, quality = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        alphas = [float(a) for a in args.alphas.split(",")]
        setups = {**({} if args.no_plain else {"plain": (None, ())}), **{f"alpha_{a}": (a, ()) for a in alphas}}
        for spec in filter(None, args.keep_fp32.split(";")):
            setups[f"alpha_{alphas[0]}+fp32:{spec}"] = (alphas[0], tuple(spec.split(",")))
        for name, (alpha, keep) in setups.items():
            if alpha is None:
                model = scorer.model
            else:
                import copy

                model = copy.deepcopy(scorer.model)
                smooth_linears(model.encoder, stats, alpha)
            path = cached_graph(Path(tmp), name.replace(":", "_").replace(",", "_").replace("/", ""), lambda out, m=model: OnnxEncoder._export(enc, m, out), int8=True, keep_fp32=fp32_nodes(keep, enc.tasks))
            sessions[name] = _session(path, None)
            enc.session = sessions[name]
            row = {}
            for k, (texts, gold, task) in sets.items():
                p = scorer.predict(texts)[task]
                labels = scorer.labels[task]
                pred = [labels[i] for i in p.argmax(1)]
                row[k] = {
                    "macro_f1": round(float(f1_score(gold, pred, average="macro")), 4),
                    "labels_changed": int((p.argmax(1) != ref[k].argmax(1)).sum()),
                    "max_prob_diff": round(float(np.abs(p - ref[k]).max()), 3),
                }
            row["labels_changed_total"] = sum(row[k]["labels_changed"] for k in sets)
            quality[name] = row
        fp32 = {k: round(float(f1_score(g, [scorer.labels[task][i] for i in ref[k].argmax(1)], average="macro")), 4) for k, (_, g, task) in sets.items()}
        rates: dict[str, list[float]] = {k: [] for k in sessions}
        if args.rows:
            texts = normalize(shared_reviews(args.rows, seed=0)["text"].tolist())
            for _ in range(args.repeat):
                for name, session in sessions.items():
                    enc.session = session
                    t0 = time.perf_counter()
                    scorer.predict(texts)
                    rates[name].append(len(texts) / (time.perf_counter() - t0))
    ffn_out = {k: [round(float(v.max()), 1), round(float(v.median()), 2)] for k, v in stats.items() if k.endswith("output.dense") and "attention" not in k}
    report(
        "int8_smoothing", model=args.model or "default", fp32_macro_f1=fp32, dev=quality, ffn_output_input_max_and_median=ffn_out,
        docs_per_s={k: round(float(np.median(v)), 1) for k, v in rates.items() if v}, runs={k: [round(x, 1) for x in v] for k, v in rates.items() if v},
    )


if __name__ == "__main__":
    main()
