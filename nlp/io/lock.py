"""One run per output: a lock file beside the output, so two runs never write into each other.

``OUT.lock`` holds the owner's process id, host, start time and run token (JSON). It is
created atomically (written under a temporary name opened with ``O_EXCL``, then hard-linked
to ``OUT.lock``, which fails when the lock exists), so a second run on the same output sees
either no lock or a complete one, and refuses at once with who holds it. A lock left by a
process that is gone (same host, its pid no longer running, or running but started after the
lock was taken: a reused pid) is stale: it is taken over with a warning. A lock from another
host cannot be checked and is never taken over; the message says how to remove it.

Example:
    >>> from nlp.io.lock import OutputLock
    >>> with OutputLock("out/scored.parquet"):  # doctest: +SKIP
    ...     ...  # write out/scored.parquet and its companions
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import time
from datetime import UTC, datetime
from pathlib import Path

from nlp.io.atomic import sweep_partials, use_run_token
from nlp.io.errors import InputError

logger = logging.getLogger(__name__)

__all__ = ["OutputLock", "OutputInUse", "lock_path", "locks_output"]

LOCK_SUFFIX = ".lock"
_HELD: set[str] = set()  # tokens of the locks this process holds now


class OutputInUse(InputError):
    """Another run is writing the same output."""


def lock_path(output: str | os.PathLike) -> Path:
    """``out/scored.parquet`` → ``out/scored.parquet.lock``; a directory ``out/run`` → ``out/run.lock``."""
    p = Path(output)
    return p.with_name(p.name + LOCK_SUFFIX)


class OutputLock:
    """Hold ``OUT.lock`` while a run writes ``OUT`` (a file or a directory).

    Args:
        output: the output the run writes.
        sweep: on acquiring, remove temporary files (``OUT.*.partial``) left by runs that died.

    Raises:
        OutputInUse: on :meth:`acquire`, when a live run holds the lock.
    """

    def __init__(self, output: str | os.PathLike, sweep: bool = True) -> None:
        self.output = Path(output)
        self.path = lock_path(self.output)
        self.token = secrets.token_hex(4)
        self.sweep = sweep
        self._held = False
        self._token_ctx = None

    # -- acquire / release -------------------------------------------------------------

    def acquire(self) -> OutputLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "started_epoch": time.time(),
            "token": self.token,
            "output": str(self.output),
        }
        # the token counts as held from before the lock file exists: another thread of this process that
        # reads the new lock must see a live holder, not "left by an earlier run in this process"
        _HELD.add(self.token)
        try:
            for _ in range(5):
                if self._create(info):
                    break
                holder = _read(self.path)
                if holder is None:
                    if self.path.exists() and _age(self.path) > 10:
                        # unreadable and old: a lock written by a tool that died mid-write (ours never are)
                        self._take_over(None)
                    continue  # vanished (its run just ended) or being replaced: try again
                reason = _stale_reason(holder)
                if reason is None:
                    raise OutputInUse(_busy_message(self.output, self.path, holder))
                self._take_over(holder, reason)
            else:
                raise OutputInUse(f"could not take the lock {self.path}: other runs keep creating it; try again")
        except BaseException:
            _HELD.discard(self.token)
            raise
        self._held = True
        self._token_ctx = use_run_token(self.token)
        self._token_ctx.__enter__()
        if self.sweep:
            n = sweep_partials(self.output, keep_token=self.token)
            if n:
                logger.info("removed %d temporary files left beside %s by an earlier run", n, self.output)
        return self

    def release(self) -> None:
        if not self._held:
            return
        self._held = False
        _HELD.discard(self.token)
        if self._token_ctx is not None:
            try:
                self._token_ctx.__exit__(None, None, None)
            except ValueError:
                pass  # released from another thread than the one that took it: its context is not ours to reset
            self._token_ctx = None
        holder = _read(self.path)
        if holder is not None and holder.get("token") == self.token:
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> OutputLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()

    # -- internals ------------------------------------------------------------------------

    def _create(self, info: dict) -> bool:
        """Create the lock with its full content in one step; False when one exists."""
        tmp = self.path.with_name(f"{self.path.name}.{self.token}.new")
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(json.dumps(info))
            try:
                os.link(tmp, self.path)
                return True
            except FileExistsError:
                return False
            except OSError:
                # a file system without hard links: exclusive create, then write
                try:
                    fd2 = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
                except FileExistsError:
                    return False
                with os.fdopen(fd2, "w", encoding="utf-8") as fh:
                    fh.write(json.dumps(info))
                return True
        finally:
            tmp.unlink(missing_ok=True)

    def _take_over(self, holder: dict | None, reason: str = "unreadable") -> None:
        """Remove a stale lock, unless another run replaced it meanwhile (checked under a short directory lock)."""
        with _DirGuard(self.path.parent):
            now = _read(self.path)
            if now != holder:
                return  # someone else took it over (or it went away): decide again
            self.path.unlink(missing_ok=True)
        if holder is None:
            logger.warning("removed an unreadable lock %s", self.path)
        else:
            logger.warning(
                "taking over the lock %s: %s (pid %s, started %s); its finished work is kept, its temporary files removed",
                self.path,
                reason,
                holder.get("pid"),
                holder.get("started"),
            )


class _DirGuard:
    """A short exclusive ``flock`` on a directory, so two runs never take over the same stale lock at once."""

    def __init__(self, d: Path) -> None:
        self.d = d
        self.fd = None

    def __enter__(self):
        try:
            import fcntl

            self.fd = os.open(self.d, os.O_RDONLY)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except (ImportError, OSError):
            if self.fd is not None:
                os.close(self.fd)
            self.fd = None  # no flock here (another OS or file system): the take-over is unguarded
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing releases the flock


def _read(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


def _stale_reason(holder: dict) -> str | None:
    """Why the lock's owner is gone, or ``None`` while it may be running."""
    if holder.get("host") != socket.gethostname():
        return None
    try:
        pid = int(holder.get("pid"))
    except (TypeError, ValueError):
        return "it names no process"
    if pid == os.getpid():
        return None if holder.get("token") in _HELD else "left by an earlier run in this process"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return "its process is gone"
    except PermissionError:
        pass  # alive, another user's
    except OSError:
        return None
    started = _process_start(pid)
    lock_started = holder.get("started_epoch")
    if started is not None and isinstance(lock_started, (int, float)) and started > lock_started + 2:
        return "its process id now belongs to a newer process"
    return None


def _process_start(pid: int) -> float | None:
    """When process ``pid`` started (Unix time), from ``/proc``; ``None`` where that cannot be read."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        ticks = int(stat.rsplit(")", 1)[1].split()[19])
        btime = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime"))
        return btime + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration, AttributeError):
        return None


def _busy_message(output: Path, path: Path, holder: dict) -> str:
    who = f"process {holder.get('pid')} on {holder.get('host')}, started {holder.get('started')}"
    here = holder.get("host") == socket.gethostname()
    fix = "wait for it to finish or stop it, or write to another -o" + (
        "" if here else f"; if no run is going on that host, delete {path}"
    )
    return f"another run is writing {output} ({who}); {fix}"


def locks_output(argument: str):
    """Decorator: hold the lock of the output named by the function's ``argument`` while it runs.

    Example:
        >>> @locks_output("output")  # doctest: +SKIP
        ... def write_thing(data, output): ...
    """
    import functools
    import inspect

    def decorate(fn):
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            output = signature.bind_partial(*args, **kwargs).arguments.get(argument)
            if output is None:
                return fn(*args, **kwargs)
            with OutputLock(output):
                return fn(*args, **kwargs)

        return wrapper

    return decorate
