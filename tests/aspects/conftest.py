"""Aspect fixtures: one rules-only extractor per test run (compiling the taxonomy reads ~2,000 terms with Kiwi)."""

from __future__ import annotations

import copy

import pytest


@pytest.fixture(scope="session")
def _rules_extractor():
    from nlp.aspects import AspectExtractor

    return AspectExtractor(rules_only=True).fit()


@pytest.fixture
def rules_extractor(_rules_extractor):
    return copy.copy(_rules_extractor)  # the compiled index is shared, read-only
