"""A cascade measured as ``nlp evaluate`` measures the default model: sentiment against stars on the real
set, and intent against a labelled table, for several margins.

The cascade reads every text with the 3-layer student (``--first``, int8, no re-check) and gives the
texts whose top two probabilities differ by less than the margin in either task (sentiment, intent) to
the default model (int8 with its fp32 re-check), whose whole reading replaces the student's
(:meth:`nlp.scoring.Scorer.with_cascade`). Margin 0 is the student alone; the default model alone is
reported first, as ``margin: null``.

    python bench/cascade_eval.py --split dev --margins 0.2,0.3,0.5 [--intent D.csv] [--shared DIR]

``--intent``: a table with ``text`` and ``intent`` columns (e.g. the real intent chunks materialised by
``corpora/real_aspects/draw_intent_d.py --materialise``); macro-F1 over the labels with at least 30 examples.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import _common
from _common import report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", default="dev")
    ap.add_argument("--margins", default="0.2,0.3,0.5")
    ap.add_argument("--first", default="models/sentiment-e5s3")
    ap.add_argument("--intent", default=None)
    ap.add_argument("--shared", type=Path, default=None, help="the shared corpora folder (default: ../shared/corpora beside the repository)")
    args = ap.parse_args()
    corpora = args.shared or _common.SHARED.parent
    from nlp.modeling.rated_eval import evaluate_labelled_intent, evaluate_rated
    from nlp.scoring import Scorer

    default = Scorer.load(None, quantize=True)
    runs: list[tuple[float | None, object]] = [(None, default)]
    for m in (float(x) for x in args.margins.split(",")):
        first = Scorer.load(args.first, quantize=True, recheck_margin=0.0)
        runs.append((m, first.with_cascade(default, m) if m > 0 else first))
    for m, scorer in runs:
        r = evaluate_rated(corpora / "real_reviews" / "real_reviews.parquet", split=args.split, scorer=scorer)["pooled"]
        out = {"margin": m, "split": args.split, "binary": r["binary_macro_f1"], "three_way": r["macro_f1_3way"], "neg_p": r["negative_precision"], "neg_r": r["negative_recall"]}
        if args.intent:
            out["intent_frequent"] = evaluate_labelled_intent(args.intent, scorer=scorer)["pooled"]["macro_f1_frequent"]
        report("cascade_eval", **out)


if __name__ == "__main__":
    main()
