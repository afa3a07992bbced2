"""Time one char TF-IDF model of a model directory (``predict_proba``) on NSMC reviews, for A/B comparisons.

The end-to-end scoring bench moves by more than a char model costs when the machine drifts;
this times only the part that changed, alternating the directories in one process.

    python bench/bench_char_model.py models/sentiment-e5s6 OTHER_DIR --prefix intent_ --rows 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import time

from _common import shared_reviews

from nlp.modeling.sparse import CharTfidfClassifier
from nlp.text.normalize import normalize


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--prefix", default="intent_", help="intent_ or sentiment_")
    ap.add_argument("--rows", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    texts = normalize(shared_reviews(a.rows, seed=1)["text"].astype(str))
    models = {d: CharTfidfClassifier.load(d, prefix=a.prefix) for d in a.dirs}
    times: dict[str, list[float]] = {d: [] for d in a.dirs}
    for _ in range(a.repeat):
        for d, m in models.items():
            t = time.perf_counter()
            m.predict_proba(texts)
            times[d].append(round(time.perf_counter() - t, 3))
    print(json.dumps({"bench": "char_model", "prefix": a.prefix, "rows": a.rows, "seconds": times}))


if __name__ == "__main__":
    main()
