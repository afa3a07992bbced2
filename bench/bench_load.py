"""How long a fresh process takes to load the scorer: from its cached ONNX graphs, and with the torch model built.

    python bench/bench_load.py [--repeat 3] [--fp32]

Each load runs in a new Python process (`Scorer.load(quantize=...)` with the default re-check), so
the time includes every import it needs; `NLP_LOAD_TORCH=1` gives the load that builds the torch
model. The graphs are exported first, outside the timings. Prints one JSON line per load and the
medians, and whether the process imported torch.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

from _common import report

CODE = """
import json, sys, time
t = time.perf_counter()
from nlp.scoring.scorer import Scorer
s = Scorer.load(None, quantize={q})
print(json.dumps({{"seconds": time.perf_counter() - t, "model": type(s.model).__name__, "torch": "torch" in sys.modules}}))
"""


def load_once(quantize: bool, torch_model: bool) -> dict:
    env = {**os.environ, "NLP_LOAD_TORCH": "1" if torch_model else "0"}
    res = subprocess.run([sys.executable, "-c", CODE.format(q=quantize)], capture_output=True, text=True, env=env)
    if res.returncode != 0:
        sys.exit(res.stderr[-3000:])
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--fp32", action="store_true", help="the fp32 scorer (default: int8 with the fp32 re-check, as nlp score)")
    args = ap.parse_args()
    quantize = not args.fp32
    load_once(quantize, torch_model=True)  # exports the graphs when they are missing
    times: dict[str, list[float]] = {"graphs": [], "torch": []}
    for _ in range(args.repeat):
        for kind in ("graphs", "torch"):
            got = load_once(quantize, torch_model=kind == "torch")
            times[kind].append(got["seconds"])
            report("scorer_load", kind=kind, int8=quantize, **got)
    report("scorer_load_summary", int8=quantize, median_seconds={k: round(statistics.median(v), 2) for k, v in times.items()})


if __name__ == "__main__":
    main()
