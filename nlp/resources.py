"""Where the files that ship with the package live: the default models and the demo corpus.

They are package data (``nlp/_models`` and ``nlp/_demo`` in an installed wheel, mapped from ``models/`` and
``corpora/demo/`` in a checkout), so ``nlp score`` and ``nlp run`` work from any directory after ``pip install``.
``$NLP_MODEL`` / ``$NLP_FAST_MODEL`` point the scorer elsewhere.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

__all__ = ["shipped_models_dir", "demo_corpus"]

_CHECKOUT = Path(__file__).resolve().parents[1]


def _package_dir(package: str, checkout_fallback: Path) -> Path:
    # a data-only package (no __init__.py): its spec's search locations name the folder, installed or editable
    try:
        spec = importlib.util.find_spec(package)
    except ModuleNotFoundError:
        spec = None
    for loc in (spec.submodule_search_locations or []) if spec else []:
        if Path(loc).is_dir():
            return Path(loc)
    return checkout_fallback


def shipped_models_dir() -> Path:
    """The directory holding the shipped model directories (``sentiment-e5s6``, ``sentiment-e5s3``)."""
    return _package_dir("nlp._models", _CHECKOUT / "models")


def demo_corpus() -> Path:
    """The demo reviews table (2,400 film reviews, CC0) that ``nlp run`` reads when given no input."""
    return _package_dir("nlp._demo", _CHECKOUT / "corpora" / "demo") / "demo_reviews.csv"


def checkout_dir() -> Path:
    """The source checkout (where ``corpora/`` with the training and evaluation sets lives)."""
    return _CHECKOUT


def shared_corpora_dir() -> Path:
    """``$NLP_SHARED_CORPORA``, else ``../shared/corpora`` beside the checkout: NSMC and the real-review set.

    Only training and evaluation commands read it; scoring never does. The path is anchored to the checkout, not to
    the working directory, so commands give the same answer from any directory.
    """
    env = os.environ.get("NLP_SHARED_CORPORA")
    return Path(env) if env else _CHECKOUT.parent / "shared" / "corpora"
