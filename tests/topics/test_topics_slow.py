"""The real set-up on the real corpora (base e5, UMAP): ``pytest -m slow tests/topics``."""

from __future__ import annotations

import pytest

from nlp.topics.evaluate import DEFAULT_ASPECTS, DEFAULT_FILM, evaluate_topics


@pytest.mark.slow
def test_ours_beats_bertopic_defaults_on_aspects_and_keywords() -> None:
    if not DEFAULT_FILM.is_file():
        pytest.skip(f"{DEFAULT_FILM} not available")
    report = evaluate_topics(DEFAULT_ASPECTS, DEFAULT_FILM, n_film=500, seed=42)
    asp, mixed = report["results"]["aspects"], report["results"]["mixed"]
    ours, base = asp["ours"], asp["bertopic_default"]
    assert ours["nmi_with_outliers"] >= 0.25
    assert ours["nmi_with_outliers"] >= base["nmi_with_outliers"] + 0.05
    assert ours["outlier_share"] <= 0.30 and mixed["ours"]["outlier_share"] <= 0.30
    for r in (ours, mixed["ours"]):
        assert r["valid_share"] >= 0.9
        assert r["duplicate_stem_share"] == 0.0
    assert ours["topic_diversity"] >= base["topic_diversity"]
    # counting the outliers, our topics keep domains apart better than the defaults (target 0.95: not reached, see docs/topics.md)
    assert mixed["ours"]["purity_all"] > mixed["bertopic_default"]["purity_all"]
    assert mixed["ours"]["purity"] >= 0.85
