"""nlp-insight: Korean review and social-post insight, offline.

The public API mirrors the commands; heavy stacks load only when a function that needs them runs.

* :func:`nlp.score` — sentiment, purchase intent and quality flags (``nlp score``).
* :func:`nlp.run` — the whole job: score, aspects, topics, trends, report (``nlp run``).
* :mod:`nlp.aspects` — aspect-level sentiment (``nlp aspects``).
* :class:`nlp.topics.TopicModel` — the topic estimator; :func:`nlp.topics.topics_table` (``nlp topics``).
* :func:`nlp.trends.build_features` — per product × period features (``nlp trends``).
* :func:`nlp.report.write_report` — the CX report (``nlp report``).

Importing the package first turns off the network switches of the stacks it uses (ONNX Runtime telemetry, the
Hugging Face hub), before anything can import them: see :mod:`nlp._offline`.

Example:
    >>> import nlp
    >>> isinstance(nlp.__version__, str)
    True
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from nlp._offline import apply_offline_env as _apply_offline_env

_apply_offline_env()

try:
    __version__ = version("nlp-insight")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__", "score", "run", "aspects", "topics", "trends", "report", "scoring", "schema", "periods"]

_FUNCTIONS = {"score": "nlp.scoring.api", "run": "nlp.pipeline"}
_MODULES = {"aspects", "topics", "trends", "report", "scoring", "schema", "periods"}


def __getattr__(name: str) -> Any:
    if name in _FUNCTIONS:
        return getattr(import_module(_FUNCTIONS[name]), name)
    if name in _MODULES:
        return import_module(f"nlp.{name}")
    raise AttributeError(f"module 'nlp' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
