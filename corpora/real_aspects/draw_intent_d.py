"""Draw chunk D: a fresh development set of real reviews for purchase intent only.

Chunks A and C had chosen the intent statement rules, so they measure them too kindly. D holds
`evaluation-only` reviews of the same seven domains that are in none of A, B, C or the books chunk, drawn
with another seed (half below the top rating, as in ``draw.py``). Only ids and labels are committed;
``--materialise`` rebuilds the texts locally.

    python corpora/real_aspects/draw_intent_d.py                       # writes corpora/real_aspects/intent_d_ids.csv
    python corpora/real_aspects/draw_intent_d.py --materialise D.csv   # + texts and labels (intent_d_labels.csv); keep D.csv outside the repo

The two blind labellings are merged by ``corpora/real_train/merge_intent.py`` (a folder holding ``chunk1_a1.csv`` and
``chunk1_a2.csv``, ``id,intent`` in the order of ``intent_d_ids.csv``):

    python corpora/real_train/merge_intent.py --labels-dir DIR -o corpora/real_aspects/intent_d_labels.csv
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from draw_intent_c import draw_chunk, main_for

SEED = 20261209
PLAN: dict[str, int] = {
    "delivery": 120,
    "restaurant": 100,
    "grocery": 30,
    "cosmetics_shopping": 120,
    "finance_app": 90,
    "health_app": 80,
    "electronics": 60,
}
TAKEN = ("ids.csv", "intent_c_ids.csv", "books_ids.csv")


def draw(source: Path) -> pd.DataFrame:
    return draw_chunk(source, PLAN, SEED, TAKEN, "D")


if __name__ == "__main__":
    main_for(draw, "intent_d_ids.csv", "intent_d_labels.csv", __doc__)
