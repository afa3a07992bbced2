"""``batch_groups``: no batch mixes groups, so each group is batched as if it were scored alone.

On int8 the activation scales are computed per batch, so this is what makes the aspect stage's clause
scores the same on the local and the Spark engine (which scores one group of products per task).
"""

from __future__ import annotations

import numpy as np
import pytest


def _batches(scorer, texts, **kw):
    seen = []
    pad = scorer.model.pad_ids

    def spy(batch):
        seen.append(tuple(tuple(x) for x in batch))
        return pad(batch)

    scorer.model.pad_ids = spy
    try:
        logits, _ = scorer.encode(texts, show_progress_bar=False, **kw)
    finally:
        scorer.model.pad_ids = pad
    return seen, logits


def test_grouped_batches_are_those_of_each_group_alone(tiny_scorer):
    texts = ["좋아요", "배송이 정말 빨라서 좋았어요", "별로", "맛있어요 또 시킬게요 정말로", "그냥 그래요", "최악", "사이즈 딱 맞아요"]
    groups = [2, 0, 2, 0, 1, 2, 0]
    grouped, logits = _batches(tiny_scorer, texts, batch_groups=groups)
    alone = []
    for g in sorted(set(groups)):
        idx = [i for i, x in enumerate(groups) if x == g]
        b, part = _batches(tiny_scorer, [texts[i] for i in idx])
        alone += b
        for task in logits:
            np.testing.assert_allclose(logits[task][idx], part[task], atol=1e-6)
    assert sorted(grouped) == sorted(alone)
    assert len(grouped) > len(_batches(tiny_scorer, texts)[0])  # groups cost some partial batches


def test_batch_groups_must_cover_every_text(tiny_scorer):
    with pytest.raises(ValueError, match="batch_groups"):
        tiny_scorer.encode(["좋아요", "별로"], batch_groups=[0])
