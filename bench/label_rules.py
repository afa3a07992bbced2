"""Decision rules on top of the models' probabilities: which label a row gets, with the probabilities unchanged.

    python bench/label_rules.py neutral-bias [--model models/sentiment-e5s6]
    python bench/label_rules.py avoid-gate --data A.csv
    python bench/label_rules.py avoid-statement --data A.csv

``neutral-bias``: the ``sentiment`` label as argmax(log p + b on neutral) for b in 0, 0.25 … 3, on the
sentiment blend's own 3-way calibration rows (the held-out 25% of the three team-written domain sets and
of the real training-allowed rows, rebuilt by ``python corpora/real_train/build.py -o runs/real_train.csv``;
the calibration films are binary and left out). Prints 3-way macro-F1 per b. With ``--scored S.parquet``
(``nlp evaluate sentiment --data REAL --split S --keep-scored S.parquet``) it prints the same curve on those
scored rows, to measure a b chosen elsewhere; nothing is written.

``avoid-gate``: ``avoid`` kept only where a won't-return / anti-recommendation cue fires or the model's
``avoid`` probability reaches t, else the next most probable label, on a labelled intent table
(``text``, ``intent``; e.g. chunk A of the real labels, ``python corpora/real_aspects/draw.py --materialise``).
Prints macro-F1 over the labels with at least 30 examples and avoid precision / recall / F1 per t.

``avoid-statement``: on the same kind of table, the models alone, the won't-return raise (G0), the
statement cap (G1), the cap and raise on every statement (G2, the scorer's default) and the scorer's own
path; macro-F1 over the frequent labels, their F1, and avoid precision / recall.

Rules that used these and their results: docs/decisions.md ("A neutral label bias", "`avoid` gated by a
won't-return cue", "`avoid` only with a statement").
"""

from __future__ import annotations

import argparse
import re

import numpy as np
from _common import report

CALIBRATION_SPECS = [
    "corpora/domain_sentiment_train/domain_sentiment_train.csv:label_col=label,rating_col=none,product_col=id,dev_share=0.25,repeat=3",
    "corpora/domain_sentiment_train/domain_sentiment_train_b.csv:label_col=label,rating_col=none,product_col=id,dev_share=0.25,repeat=3",
    "corpora/domain_sentiment_train/domain_sentiment_train_c.csv:label_col=label,rating_col=none,product_col=id,dev_share=0.25,repeat=3",
    "runs/real_train.csv:label_col=label,rating_col=none,product_col=id,dev_share=0.25,repeat=3",
]

WONT_RETURN = re.compile(
    r"(다시는|다신|두\s?번\s?다시|이제)\s?(절대\s?)?(안|못)\s?(시키|시켜|주문|사|살|먹|가|갈|오|올|방문|쓰|쓸|써|이용|보|볼|깔)|"
    r"(안|못)\s?(시킬|주문할|살|갈|올|쓸|이용할|볼)\s?(거|듯|게|래|예정|생각)|"
    r"(재주문|재구매|재방문|재이용)\s?(의사\s?)?(없|안|x|X|no|노)|마지막\s?(주문|구매|방문|이용)|손절|"
    r"갈아타|갈아탔|다른\s?(곳|데|집|가게|앱|업체|브랜드)\s?(에서|로|를)?\s?(시킬|시켜|주문|살|사|갈|가|쓸|써|이용|갈아)|"
    r"삭제\s?(합니다|할게|하고|했|함|각|하려|해야)|지웠|탈퇴|해지|환불|반품|취소했|"
    r"비추|거르세|거르시|걸러|사지\s?마|시키지\s?마|가지\s?마|먹지\s?마|쓰지\s?마|보지\s?마|깔지\s?마|하지\s?마세|"
    r"돈\s?아깝|시간\s?아깝|돈\s?버렸|돈\s?날|절대\s?(안|사지|가지|시키지|쓰지|보지)"
)
"""Ways of saying "won't buy / use / visit again", "returned", "don't buy it", written from the guideline's
definition of ``avoid`` and common phrasings, without reading evaluation texts."""


def _bias_curve(p: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import f1_score

    labels = np.array(["negative", "neutral", "positive"])
    out = {}
    for b in np.arange(0, 3.01, 0.25):
        lp = np.log(np.clip(p, 1e-9, 1))
        lp[:, 1] += b
        out[f"{b:.2f}"] = round(float(f1_score(gold, labels[lp.argmax(1)], average="macro", labels=labels)), 4)
    return out


def neutral_bias(args) -> None:
    import pandas as pd

    from nlp.schema import SENTIMENT_LABELS

    if args.scored:
        from nlp.io.tables import read_table
        from nlp.modeling.rated_eval import id_half, labels_from_ratings

        scored = read_table(args.scored)
        df = read_table(args.data)
        df = df[df["use"] == "evaluation-only"]
        df = df[df["id"].astype(str).map(id_half) == args.split].reset_index(drop=True)
        if len(df) != len(scored):
            raise SystemExit(f"--scored has {len(scored)} rows, the {args.split} half {len(df)}: score the same half")
        gold = labels_from_ratings(df["rating"], df["rating_scale"]).to_numpy()
        p = scored[[f"sentiment_{lab}" for lab in SENTIMENT_LABELS]].to_numpy(dtype=float)
        ok = ~np.isnan(p).any(axis=1) & pd.notna(gold)
        report("neutral-bias", rows=int(ok.sum()), on=str(args.scored), macro_f1_3way_by_bias=_bias_curve(p[ok], gold[ok].astype(str)))
        return
    from nlp.cli.models import parse_source
    from nlp.modeling.sentiment import assemble_sentiment_data
    from nlp.scoring.scorer import Scorer

    texts: list[str] = []
    gold: list[str] = []
    for spec in CALIBRATION_SPECS:
        src = parse_source(spec)
        _, _, dev = assemble_sentiment_data([src], seed=13)
        dev = dev[dev[src.label_col].isin(SENTIMENT_LABELS)]
        texts += dev["_text"].tolist()
        gold += dev[src.label_col].tolist()
    scorer = Scorer.load(args.model, quantize=not args.fp32)
    p = scorer.predict(texts)["sentiment"]
    counts = pd.Series(gold).value_counts().to_dict()
    report("neutral-bias", rows=len(texts), on="blend calibration rows (3-way)", labels=counts, model=args.model or "default",
           macro_f1_3way_by_bias=_bias_curve(p, np.asarray(gold)))


def avoid_gate(args) -> None:
    import pandas as pd

    from nlp.modeling.metrics import classification_report
    from nlp.modeling.rated_eval import score_like_cli
    from nlp.schema import INTENT_LABELS

    df = pd.read_csv(args.data)
    df = df[df["intent"].isin(INTENT_LABELS)].reset_index(drop=True)
    scored = score_like_cli(df["text"].astype(str), args.model, quantize=not args.fp32).reset_index(drop=True)
    p = scored[[f"intent_{lab}" for lab in INTENT_LABELS]].to_numpy(dtype=float)
    ok = ~np.isnan(p).any(axis=1)
    texts = df["text"].astype(str).tolist()
    gold = df["intent"].tolist()
    frequent = [lab for lab in INTENT_LABELS if gold.count(lab) >= 30]

    from nlp.scoring.intent_override import WONT_RETURN as SCORER_WONT_RETURN

    def stated(text: str) -> bool:  # the wide cue here, or the scorer's own won't-return pattern
        return bool(WONT_RETURN.search(text) or SCORER_WONT_RETURN.search(text))

    def labels(t: float | None) -> list[str]:
        out = []
        for row, good, text in zip(p, ok, texts):
            if not good:
                out.append("none")
                continue
            order = np.argsort(-row)
            lab = INTENT_LABELS[order[0]]
            if t is not None and lab == "avoid" and not stated(text) and row[order[0]] < t:
                lab = INTENT_LABELS[order[1]]
            out.append(lab)
        return out

    rows = {}
    for name, t in [("argmax", None)] + [(f"t={t}", t) for t in (0.5, 0.6, 0.7, 0.8, 0.9)] + [("cue only", np.inf)]:
        pred = labels(t)
        per = classification_report(gold, pred, INTENT_LABELS)["per_class"]
        a = per["avoid"]
        rows[name] = {"f1": {lab: round(per[lab]["f1"], 3) for lab in frequent}, "macro_f1_frequent": round(classification_report(gold, pred, frequent)["macro_f1"], 4),
                      "avoid_p": round(a["precision"], 3), "avoid_r": round(a["recall"], 3), "avoid_f1": round(a["f1"], 3), "avoid_predicted": pred.count("avoid")}
    report("avoid-gate", rows=len(df), data=args.data, frequent_labels=frequent, by_rule=rows)


def avoid_statement(args) -> None:
    """`avoid` from the models alone, forced by a won't-return (G0), also gated by a statement (G1), and
    gated and forced by any statement (G2), beside the scorer's default path (rules on its cleaned text)."""
    import pandas as pd

    import nlp.scoring.intent_override as override
    from nlp.modeling.metrics import classification_report
    from nlp.modeling.rated_eval import score_like_cli
    from nlp.schema import INTENT_LABELS
    from nlp.scoring.intent_override import apply_avoid_rules, apply_label_statements

    df = pd.read_csv(args.data)
    df = df[df["intent"].isin(INTENT_LABELS)].reset_index(drop=True)
    cols = [f"intent_{lab}" for lab in INTENT_LABELS]
    default = score_like_cli(df["text"].astype(str), args.model, quantize=not args.fp32).reset_index(drop=True)[cols].to_numpy(dtype=float)
    shipped = override.apply_intent_rules
    override.apply_intent_rules = lambda probs, *a, **k: probs  # the models' own reading, no rule
    try:
        p = score_like_cli(df["text"].astype(str), args.model, quantize=not args.fp32).reset_index(drop=True)[cols].to_numpy(dtype=float)
    finally:
        override.apply_intent_rules = shipped
    ok = ~np.isnan(p).any(axis=1)
    texts = df["text"].astype(str).tolist()
    gold = df["intent"].tolist()
    frequent = [lab for lab in INTENT_LABELS if gold.count(lab) >= 30]
    rows = {}
    kept = [t for t, g in zip(texts, ok) if g]

    def g2_then(**kw):
        return lambda q: apply_label_statements(apply_avoid_rules(q, INTENT_LABELS, kept), INTENT_LABELS, kept, **kw)

    variants = [("no rule", None), ("G0 force won't-return", lambda q: apply_avoid_rules(q, INTENT_LABELS, kept, force="wont_return", gate=False)),
                ("G1 gate", lambda q: apply_avoid_rules(q, INTENT_LABELS, kept, force="wont_return")),
                ("G2 gate+force", lambda q: apply_avoid_rules(q, INTENT_LABELS, kept)),
                ("R1 G2 + repurchase", g2_then(recommend=False)), ("R2 R1 + recommend", g2_then()), ("R3 R2 + repurchase cap", g2_then(cap_repurchase=True)),
                ("scorer default", "default")]
    for name, fn in variants:
        q = default.copy() if fn == "default" else p.copy()
        if callable(fn):
            q[ok] = fn(p[ok])
        pred = [INTENT_LABELS[int(np.argmax(r))] if g else "none" for r, g in zip(q, ok)]
        per = classification_report(gold, pred, INTENT_LABELS)["per_class"]
        a = per["avoid"]
        rows[name] = {"macro_f1_frequent": round(classification_report(gold, pred, frequent)["macro_f1"], 4), "f1": {lab: round(per[lab]["f1"], 3) for lab in frequent},
                      "avoid_p": round(a["precision"], 3), "avoid_r": round(a["recall"], 3), "avoid_predicted": pred.count("avoid")}
    report("avoid-statement", rows=len(df), data=args.data, frequent_labels=frequent, by_rule=rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["neutral-bias", "avoid-gate", "avoid-statement"])
    ap.add_argument("--model", default=None)
    ap.add_argument("--fp32", action="store_true", help="score in fp32 (default: int8, as nlp score)")
    ap.add_argument("--data", default="../shared/corpora/real_reviews/real_reviews.parquet")
    ap.add_argument("--scored", default=None, help="neutral-bias: measure on these scored real rows instead")
    ap.add_argument("--split", default="dev", choices=["dev", "test"])
    args = ap.parse_args()
    {"neutral-bias": neutral_bias, "avoid-gate": avoid_gate, "avoid-statement": avoid_statement}[args.what](args)


if __name__ == "__main__":
    main()
