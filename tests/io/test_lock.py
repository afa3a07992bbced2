"""One run per output: the lock refuses a live holder, takes over a dead one, and only one run wins a take-over."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import threading
import time

import pytest

from nlp.io.atomic import atomic_path, replace_dir, temp_path
from nlp.io.lock import OutputInUse, OutputLock, lock_path


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _write_lock(out, **info) -> None:
    base = {"pid": 1, "host": socket.gethostname(), "started": "2026-01-01T00:00:00+00:00", "started_epoch": time.time(), "token": "t0"}
    lock_path(out).write_text(json.dumps({**base, **info}))


def test_lock_file_holds_pid_host_start_and_goes_away(tmp_path):
    out = tmp_path / "o.parquet"
    with OutputLock(out) as lock:
        info = json.loads(lock_path(out).read_text())
        assert info["host"] == socket.gethostname() and info["token"] == lock.token and "started" in info and info["pid"] > 0
        with pytest.raises(OutputInUse, match="another run is writing"):
            OutputLock(out).acquire()
    assert not lock_path(out).exists()


def test_live_process_holding_the_lock_is_refused(tmp_path):
    out = tmp_path / "o.csv"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _write_lock(out, pid=holder.pid, started_epoch=time.time() + 5)
        with pytest.raises(OutputInUse) as exc:
            OutputLock(out).acquire()
        assert str(holder.pid) in str(exc.value) and "another -o" in str(exc.value)
        assert lock_path(out).exists()
    finally:
        holder.kill()
        holder.wait()


def test_stale_lock_of_a_dead_process_is_taken_over_with_a_warning(tmp_path, caplog):
    out = tmp_path / "o.parquet"
    _write_lock(out, pid=_dead_pid())
    leftover = out.with_name("o.parquet.deadrun.partial")
    leftover.write_text("half")
    with caplog.at_level(logging.WARNING, logger="nlp.io.lock"), OutputLock(out) as lock:
        assert json.loads(lock_path(out).read_text())["token"] == lock.token
    assert "taking over the lock" in caplog.text and "process is gone" in caplog.text
    assert not leftover.exists()  # the dead run's temporary file is swept


def test_reused_pid_counts_as_stale(tmp_path, caplog):
    out = tmp_path / "o.parquet"
    newer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        time.sleep(0.2)
        _write_lock(out, pid=newer.pid, started_epoch=time.time() - 3_600)  # the lock is older than the process
        with caplog.at_level(logging.WARNING, logger="nlp.io.lock"), OutputLock(out):
            pass
        assert "newer process" in caplog.text
    finally:
        newer.kill()
        newer.wait()


def test_lock_from_another_host_is_never_taken_over(tmp_path):
    out = tmp_path / "o.parquet"
    _write_lock(out, host="elsewhere.example", pid=_dead_pid())
    with pytest.raises(OutputInUse, match="delete"):
        OutputLock(out).acquire()


def test_only_one_of_many_runs_takes_over_a_stale_lock(tmp_path):
    out = tmp_path / "o.parquet"
    _write_lock(out, pid=_dead_pid())
    won, refused = [], []
    start = threading.Barrier(8)

    def contend():
        start.wait()
        try:
            won.append(OutputLock(out).acquire())
        except OutputInUse:
            refused.append(1)

    threads = [threading.Thread(target=contend) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and len(refused) == 7
    won[0].release()


def test_temporary_names_carry_the_run_token_and_vanish_on_failure(tmp_path):
    out = tmp_path / "r.html"
    with OutputLock(out) as lock:
        assert lock.token in temp_path(out).name
        with pytest.raises(RuntimeError), atomic_path(out) as tmp:
            tmp.write_text("half")
            raise RuntimeError("disk full")
    assert not out.exists() and not list(tmp_path.glob("*.partial"))


def test_replace_dir_swaps_a_whole_directory(tmp_path):
    final = tmp_path / "model"
    final.mkdir()
    (final / "old.txt").write_text("old")
    built = tmp_path / "model.x.partial"
    built.mkdir()
    (built / "new.txt").write_text("new")
    replace_dir(built, final)
    assert [p.name for p in final.iterdir()] == ["new.txt"] and not list(tmp_path.glob("*.partial"))
