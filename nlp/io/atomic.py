"""Outputs appear whole or not at all: temporary names unique to the run, then one rename.

Every file a command writes is first written as ``NAME.<token>.partial`` beside its final
place (``<token>`` identifies the run, so two runs never write the same temporary file) and
renamed onto ``NAME`` when complete; a failure of any kind removes the temporary file. A
directory (a saved model) is built as ``NAME.<token>.partial/`` and swapped in.

Example:
    >>> from nlp.io.atomic import atomic_path
    >>> with atomic_path("out/report.html") as tmp:  # doctest: +SKIP
    ...     tmp.write_text(html, encoding="utf-8")
"""

from __future__ import annotations

import contextvars
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = [
    "PARTIAL_SUFFIX",
    "run_token",
    "use_run_token",
    "temp_path",
    "atomic_path",
    "atomic_write_text",
    "replace_dir",
    "sweep_partials",
]

PARTIAL_SUFFIX = ".partial"

_PROCESS_TOKEN = f"{os.getpid()}-{secrets.token_hex(3)}"
_token: contextvars.ContextVar[str | None] = contextvars.ContextVar("nlp_run_token", default=None)


def run_token() -> str:
    """The token of the current run (set by :class:`~nlp.io.lock.OutputLock`), else one per process."""
    return _token.get() or _PROCESS_TOKEN


@contextmanager
def use_run_token(token: str) -> Iterator[None]:
    """Temporary names made inside the block carry ``token``."""
    reset = _token.set(token)
    try:
        yield
    finally:
        _token.reset(reset)


def temp_path(path: str | os.PathLike, tag: str = "") -> Path:
    """``dir/NAME`` → ``dir/NAME.<token>[-tag].partial``: where ``NAME`` is written before it is renamed into place."""
    p = Path(path)
    suffix = f"{run_token()}-{tag}" if tag else run_token()
    return p.with_name(f"{p.name}.{suffix}{PARTIAL_SUFFIX}")


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path`` in one rename, on any failure it is removed."""
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(final)
    try:
        yield tmp
        os.replace(tmp, final)
    except BaseException:
        _remove(tmp)
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write a text file atomically (UTF-8)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def replace_dir(built: str | os.PathLike, final: str | os.PathLike) -> Path:
    """Put the finished directory ``built`` at ``final``, replacing what was there.

    A directory cannot be renamed over a non-empty one, so the old one is first renamed
    aside (``final.<token>.old.partial``) and removed after the new one is in place: at
    every moment ``final`` is either the old directory, absent, or the complete new one.
    """
    built, final = Path(built), Path(final)
    old = None
    if final.exists() or final.is_symlink():
        old = temp_path(final, "old")
        os.replace(final, old)
    os.replace(built, final)
    if old is not None:
        _remove(old)
    return final


def sweep_partials(path: str | os.PathLike, keep_token: str | None = None) -> int:
    """Remove temporary files and folders left beside ``path`` by runs that died; returns how many.

    Call it only while holding the output's lock: then no live run is writing them.
    """
    p = Path(path)
    if not p.parent.is_dir():
        return 0
    n = 0
    for leftover in p.parent.glob(f"{_glob_escape(p.name)}.*{PARTIAL_SUFFIX}"):
        if keep_token and f".{keep_token}" in leftover.name:
            continue
        _remove(leftover)
        n += 1
    return n


def _glob_escape(name: str) -> str:
    import glob

    return glob.escape(name)


def _remove(p: Path) -> None:
    try:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
    except OSError:
        pass
