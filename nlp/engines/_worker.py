"""Per-process cache of heavy stage resources (a loaded scorer, an extractor).

Spark reuses its Python workers across tasks, so a module-level cache keeps one scorer per
worker process instead of one per batch; the local engine gets the same object back on every
chunk. Entries are keyed by everything that changes the loaded object (model directory,
int8, re-check margin, backend, batch size, threads), and only the few most recently used
are kept, so a worker that scores and then assigns topics does not hold every model at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

__all__ = ["cached", "prefetch", "clear", "cache_size", "MAX_ENTRIES"]

MAX_ENTRIES = 2
"""Resources kept per process (each scorer is ~0.5–1 GB with its ONNX sessions)."""

_CACHE: OrderedDict[Hashable, Any] = OrderedDict()
_LOCK = threading.Lock()
_STARTED: set[Hashable] = set()
_STARTED_LOCK = threading.Lock()


def cached(key: Hashable, load: Callable[[], Any]) -> Any:
    """``load()`` once per process for ``key``; later calls return the same object."""
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
        value = load()
        _CACHE[key] = value
        while len(_CACHE) > MAX_ENTRIES:
            _CACHE.popitem(last=False)
        return value


def prefetch(key: Hashable, load: Callable[[], Any]) -> None:
    """Start loading ``key`` on a background thread of this process, once; :func:`cached` then waits for it.

    The Spark engine calls this while a worker runs the cheap pass before scoring, so the model
    loads (seconds, mostly reading files and building ONNX sessions) while that pass runs.
    """
    with _STARTED_LOCK:  # not the load lock: a second task must not wait here while the first load runs
        if key in _STARTED:
            return
        _STARTED.add(key)

    def run() -> None:
        try:
            cached(key, load)
        except Exception:  # the task that needs it loads again and reports the error
            pass

    threading.Thread(target=run, name="nlp-prefetch", daemon=True).start()


def cache_size() -> int:
    return len(_CACHE)


def clear() -> None:
    with _LOCK, _STARTED_LOCK:
        _CACHE.clear()
        _STARTED.clear()
