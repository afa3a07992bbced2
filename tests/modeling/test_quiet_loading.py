"""Loading a local Hugging Face model prints no per-tensor bars or load reports, and leaves the caller's settings as they were."""

from __future__ import annotations

import pytest

hf_logging = pytest.importorskip("transformers.utils.logging")


def test_quiet_loading_turns_bars_and_reports_off_and_restores_them():
    from nlp.artifacts.hf import quiet_hf_loading

    hf_logging.enable_progress_bar()
    hf_logging.set_verbosity_warning()
    with quiet_hf_loading():
        assert not hf_logging.is_progress_bar_enabled()
        assert hf_logging.get_verbosity() == hf_logging.ERROR
    assert hf_logging.is_progress_bar_enabled()
    assert hf_logging.get_verbosity() == hf_logging.WARNING


def test_quiet_loading_restores_settings_after_an_error():
    from nlp.artifacts.hf import quiet_hf_loading

    hf_logging.enable_progress_bar()
    with pytest.raises(RuntimeError), quiet_hf_loading():
        raise RuntimeError("load failed")
    assert hf_logging.is_progress_bar_enabled()
