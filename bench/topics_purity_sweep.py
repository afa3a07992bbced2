"""Domain purity and aspect NMI of our topic set-up over a few settings, on the `nlp evaluate topics` corpora.

Embeddings (base e5) are computed once and cached in --cache; each setting refits the topic model.
The default settings are the 12 below (UMAP dimensions, topic size, outlier handling, leaf clusters).

    python bench/topics_purity_sweep.py --cache /tmp/topics_emb.npz
    python bench/topics_purity_sweep.py --settings '[{"outlier_quantile": 0.6}]'

``--dev`` measures purity on a development mix instead, so settings are chosen without the
evaluation corpus: the shopping (fashion, electronics, food, household) and hotel rows of
corpora/domain_sentiment_train, sampled to the evaluation mix's sizes (259 / 221), plus 500
other NSMC film reviews (seed 7, none of the evaluation sample). No aspect labels there, so no NMI.

    python bench/topics_purity_sweep.py --dev --cache dev_emb.npz --settings '[{}, {"n_components": 10}]'

``--prompt query`` embeds with e5's ``query: `` prompt instead of ``passage: `` (the cache file
is per prompt: give each its own ``--cache``). ``--whiten P`` clusters partially whitened
embeddings instead: unit-normalised, centred, rotated onto their principal axes and scaled by
singular value^-P, fitted on the corpus itself (no labels). Both were measured and not adopted;
the figures and the rules behind them are in docs/decisions.md. The ``--keep-outliers`` trade
in docs/topics.md comes from this script.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

import nlp.topics.evaluate as ev
from nlp.text.normalize import normalize
from nlp.text.pii import mask_pii
from nlp.topics.embedder import ProjectEmbedder
from nlp.topics.model import TopicModel

DEFAULT_SETTINGS = [
    {},
    {"n_components": 10},
    {"n_components": 15},
    {"n_components": 20},
    {"min_topic_size": 8},
    {"min_topic_size": 8, "n_components": 10},
    {"min_topic_size": 8, "n_components": 15},
    {"n_components": 10, "outlier_quantile": 0.25},
    {"min_topic_size": 8, "n_components": 10, "outlier_quantile": 0.25},
    {"reduce_outliers": False},
    {"reduce_outliers": False, "n_components": 10},
    {"cluster_selection": "leaf"},
]


def _prep(texts) -> list[str]:
    return [m for m, _ in mask_pii(normalize(list(texts)))]


def whiten(emb: np.ndarray, power: float) -> np.ndarray:
    """Unit-normalise, centre, rotate onto the principal axes and scale each by singular value^-power."""
    e = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    c = e - e.mean(0)
    _, s, vt = np.linalg.svd(c, full_matrices=False)
    return (c @ vt.T / np.maximum(s, 1e-9) ** power).astype(np.float32)


def _dev_mix(seed: int) -> pd.DataFrame:
    from pathlib import Path as _P

    from _common import DOMAIN_SETS

    rows = pd.concat([pd.read_csv(_P("corpora/domain_sentiment_train") / name) for name in DOMAIN_SETS], ignore_index=True)
    shopping = rows[rows["domain"].isin(["shopping_fashion", "shopping_electronics", "shopping_food", "household"])]
    hotel = rows[rows["domain"] == "hotel"]
    shopping = shopping.sample(259, random_state=seed).assign(domain="shopping")
    hotel = hotel.sample(min(221, len(hotel)), random_state=seed).assign(domain="hotel")
    return pd.concat([shopping, hotel], ignore_index=True)[["text", "domain"]]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=Path("topics_emb.npz"))
    ap.add_argument("--settings", default=None, help="JSON list of TopicModel keyword sets")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--prompt", default="passage", choices=["passage", "query"], help="e5 prompt the texts are embedded with")
    ap.add_argument("--dev", action="store_true", help="purity on the development mix (see above), not the evaluation corpus")
    ap.add_argument(
        "--whiten", type=float, default=None, help="cluster partially whitened embeddings (singular value^-P, see above)"
    )
    args = ap.parse_args()
    if args.dev:
        asp = _dev_mix(args.seed)
        eval_film = set(ev._load_film(ev.DEFAULT_FILM, 500, args.seed))
        film = [t for t in ev._load_film(ev.DEFAULT_FILM, 1500, 7) if t not in eval_film][:500]
    else:
        asp = pd.read_csv(ev.DEFAULT_ASPECTS)
        film = ev._load_film(ev.DEFAULT_FILM, 500, args.seed)
    a_docs, f_docs = _prep(asp["text"].astype(str)), _prep(film)
    emb = ProjectEmbedder(None)
    if args.cache.exists():
        z = np.load(args.cache)
        ea, ef = z["a"], z["f"]
    else:
        ea = np.asarray(emb.encode(a_docs, prompt_name=args.prompt), np.float32)
        ef = np.asarray(emb.encode(f_docs, prompt_name=args.prompt), np.float32)
        np.savez(args.cache, a=ea, f=ef)
    docs, e_all = a_docs + f_docs, np.vstack([ea, ef])
    if args.whiten is not None:
        e_all = whiten(e_all, args.whiten)
        ea = whiten(ea, args.whiten)
    domains = asp["domain"].astype(str).tolist() + ["film"] * len(f_docs)
    for kw in json.loads(args.settings) if args.settings else DEFAULT_SETTINGS:
        t0 = time.time()
        mixed = TopicModel(emb, seed=args.seed, **kw).fit(docs, e_all)
        pur = ev.domain_purity(domains, mixed.topics_)
        if args.dev:
            nmi = {"nmi_with_outliers": float("nan"), "outlier_share": float("nan")}
        else:
            aspects = TopicModel(emb, seed=args.seed, **kw).fit(a_docs, ea)
            nmi = ev.nmi_scores(asp["aspect"].astype(str), aspects.topics_)
        print(
            json.dumps(
                {
                    "settings": kw,
                    "mixed_topics": len(set(mixed.topics_) - {-1}),
                    "purity": round(pur["purity"], 3),
                    "purity_all": round(pur["purity_all"], 3),
                    "mixed_outliers": round(pur["outlier_share"], 3),
                    "aspect_nmi": round(nmi["nmi_with_outliers"], 3),
                    "aspect_outliers": round(nmi["outlier_share"], 3),
                    "seconds": round(time.time() - t0, 1),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
