"""No network at run time: the environment switches that keep third-party stacks off the network.

ONNX Runtime's Python package records telemetry events (a device id and a database under
``~/.cache/Microsoft/DeveloperTools``) and, a few seconds into a run, resolves its collector's
host name, unless ``ORT_DISABLE_TELEMETRY=1`` is set *before* ``onnxruntime`` is first imported
(``onnxruntime.disable_telemetry_events()`` after the import is too late). The Hugging Face
libraries read ``HF_HUB_OFFLINE`` / ``TRANSFORMERS_OFFLINE`` when they are imported; every model
this project loads is a local directory, so offline mode costs nothing and turns any accidental
hub look-up into an immediate error instead of a connection attempt.

:func:`apply_offline_env` sets them with ``os.environ.setdefault`` (a user may still opt in,
e.g. ``HF_HUB_OFFLINE=0``); ``nlp/__init__.py`` calls it, so it runs before any module of the
package can import onnxruntime or transformers. :func:`import_onnxruntime` is the one way the
package imports onnxruntime, and applies it again in case ``os.environ`` was reset since.
"""

from __future__ import annotations

import os
from types import ModuleType

__all__ = ["OFFLINE_ENV", "apply_offline_env", "import_onnxruntime"]

OFFLINE_ENV = {
    "ORT_DISABLE_TELEMETRY": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_UPDATE_CHECK": "1",
}
"""Set (unless already set) before any third-party stack is imported."""


def apply_offline_env() -> None:
    """Set every :data:`OFFLINE_ENV` variable the user has not set."""
    for name, value in OFFLINE_ENV.items():
        os.environ.setdefault(name, value)


def import_onnxruntime() -> ModuleType:
    """``import onnxruntime``, with telemetry off (raises ``ImportError`` when it is not installed)."""
    apply_offline_env()
    import onnxruntime

    return onnxruntime
