"""Quiet loading of Hugging Face models: no per-tensor "Loading weights" bar, no load report."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

__all__ = ["quiet_hf_loading"]


@contextlib.contextmanager
def quiet_hf_loading() -> Iterator[None]:
    """Load a local model without transformers' progress bars and load reports; the caller's settings come back after.

    Keeping fewer layers than the base has is intended, so "unexpected keys" reports are noise, and a
    bar per tensor of a small encoder says nothing a user needs.
    """
    from transformers.utils import logging as hf_logging

    bars = hf_logging.is_progress_bar_enabled()
    level = hf_logging.get_verbosity()
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            yield
    finally:
        hf_logging.set_verbosity(level)
        if bars:
            hf_logging.enable_progress_bar()
