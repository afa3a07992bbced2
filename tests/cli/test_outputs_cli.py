"""What the commands do with a busy output, a broken disk, Ctrl-C, odd rows and spreadsheet formulas."""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from nlp.cli.main import app
from nlp.io.lock import lock_path
from tests.conftest import read_jsonl

runner = CliRunner()


@pytest.fixture
def lock_holder():
    """A live process; call it with an output to make that output's lock its own."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    made = []

    def hold(out):
        info = {"pid": proc.pid, "host": socket.gethostname(), "started": "now", "started_epoch": time.time() + 5, "token": "other"}
        lock_path(out).parent.mkdir(parents=True, exist_ok=True)
        lock_path(out).write_text(json.dumps(info))
        made.append(lock_path(out))
        return proc.pid

    yield hold
    proc.kill()
    proc.wait()


@pytest.mark.parametrize(
    "command",
    [
        ["score", "{src}", "-o", "{out}/o.parquet"],
        ["tokenize", "{src}", "-o", "{out}/o.parquet"],
        ["topics", "{src}", "-o", "{out}/topics"],
        ["trends", "{src}", "-o", "{out}/trends.parquet"],
        ["report", "{src}", "--topics", "{out}/topics", "-o", "{out}/report.html"],
        ["run", "{src}", "-o", "{out}/run"],
    ],
    ids=lambda c: c[0],
)
def test_second_run_on_the_same_output_refuses_at_once(tmp_path, korean_csv, lock_holder, command):
    args = [a.format(src=korean_csv, out=tmp_path) for a in command]
    out = args[args.index("-o") + 1]
    pid = lock_holder(out)
    t0 = time.perf_counter()
    res = runner.invoke(app, args)
    assert res.exit_code == 2, res.output
    assert "another run is writing" in res.output and str(pid) in res.output
    assert time.perf_counter() - t0 < 10  # refused before any work
    assert not os.path.exists(out)
    assert lock_path(out).exists()  # the other run's lock is left alone


def test_stale_lock_is_taken_over(tmp_path, korean_csv, tiny_model):
    out = tmp_path / "o.parquet"
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    lock_path(out).write_text(json.dumps({"pid": proc.pid, "host": socket.gethostname(), "started": "then", "token": "dead"}))
    (tmp_path / "o.parquet.dead.partial").write_bytes(b"half")
    res = runner.invoke(app, ["score", str(korean_csv), "-o", str(out), "--model", str(tiny_model)])
    assert res.exit_code == 0, res.output
    assert len(pd.read_parquet(out)) == 10
    assert not lock_path(out).exists() and not list(tmp_path.glob("*.partial"))


def test_tokenize_header_only_writes_a_valid_empty_table(tmp_path):
    src = tmp_path / "h.csv"
    src.write_text("id,text,rating\n", encoding="utf-8")
    out = tmp_path / "o.parquet"
    res = runner.invoke(app, ["tokenize", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    table = pq.read_table(out)
    assert table.num_rows == 0
    assert table.schema.names == ["id", "text", "rating", "text_normalized", "tokens", "sentences", "content_words", "flags"]
    assert table.schema.field("tokens").type == pa.list_(pa.string())


def test_tokenize_out_of_space_cleans_up(tmp_path, korean_csv, monkeypatch):
    from nlp.io import tables

    real = tables.TableWriter.write
    calls = {"n": 0}

    def full_disk(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, *a, **k)

    monkeypatch.setattr(tables.TableWriter, "write", full_disk)
    out = tmp_path / "o.csv"
    res = runner.invoke(app, ["tokenize", str(korean_csv), "-o", str(out), "--chunk-size", "3"])
    assert res.exit_code == 2
    assert "No space left" in res.output and "Traceback" not in res.output
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reviews.csv"]  # no .partial, no rejects, no lock


def test_error_lines_cap_echoed_input(tmp_path):
    src = tmp_path / "wide.csv"
    src.write_text("review_" + "x" * 20_000 + ",stars\n좋아요,5\n", encoding="utf-8")
    res = runner.invoke(app, ["tokenize", str(src), "-o", str(tmp_path / "o.csv")])
    assert res.exit_code == 2
    line = res.output.strip()
    assert "--text-col" in line and "…" in line
    assert len(line) < 800


def test_ctrl_c_in_tokenize_says_nothing_was_kept(tmp_path, korean_csv, monkeypatch):
    from nlp.text import kiwi

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(kiwi.KiwiTokenizer, "analyse", interrupted)
    out = tmp_path / "o.parquet"
    res = runner.invoke(app, ["tokenize", str(korean_csv), "-o", str(out)])
    assert res.exit_code == 130
    assert "interrupted" in res.output and "nothing was written" in res.output
    assert not out.exists() and not list(tmp_path.glob("*.partial"))


def test_ctrl_c_in_score_says_what_was_kept_and_how_to_resume(tmp_path, korean_csv, tiny_model, monkeypatch):
    import nlp.scoring.table as mod

    real = mod.score_frame
    calls = {"n": 0}

    def interrupted(*a, **k):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(mod, "score_frame", interrupted)
    out = tmp_path / "o.parquet"
    args = ["score", str(korean_csv), "-o", str(out), "--model", str(tiny_model), "--chunk-size", "3"]
    res = runner.invoke(app, args)
    assert res.exit_code == 130
    assert "2 finished chunk(s)" in res.output and "--resume" in res.output
    monkeypatch.setattr(mod, "score_frame", real)
    res = runner.invoke(app, args + ["--resume"])
    assert res.exit_code == 0, res.output
    assert len(pd.read_parquet(out)) == 10


def test_score_keeps_odd_rows_and_neutralises_formulas(tmp_path, tiny_model):
    src = tmp_path / "in.jsonl"
    src.write_bytes(
        b'{"id": "a", "text": "=cmd|\' /C calc\'!A0"}\n'
        b'{"id": "b", "text": 12345}\n'
        b'{"id": "c", "text": "bro\xffken \xec\xa2\x8b\xec\x95\x84\xec\x9a\x94"}\n'
        b'{"id": "d", "text": "@\xec\xa2\x8b\xec\x95\x84\xec\x9a\x94"}\n'
    )
    out = tmp_path / "o.csv"
    res = runner.invoke(app, ["score", str(src), "-o", str(out), "--model", str(tiny_model)])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert df["text"].tolist()[0] == "'=cmd|' /C calc'!A0" and df["text"].tolist()[3] == "'@좋아요"
    assert df["text"].tolist()[1] == "12345" and "empty" not in df["flags"].iloc[1]  # a number is scored as its text
    assert "decode_error" in df["flags"].iloc[2] and "\ufffd" in df["text"].iloc[2]
    assert df["sentiment"].iloc[1] != ""
    exact = tmp_path / "o.jsonl"
    assert runner.invoke(app, ["score", str(src), "-o", str(exact), "--model", str(tiny_model)]).exit_code == 0
    assert read_jsonl(exact)[0]["text"] == "=cmd|' /C calc'!A0"  # JSONL keeps the exact text


def test_score_parquet_int_ids_with_nulls(tmp_path, tiny_model):
    src = tmp_path / "in.parquet"
    pq.write_table(
        pa.table({"id": pa.array([101, None, 103], pa.int64()), "text": ["좋아요", "별로예요", "그냥 그래요"], "stock": pa.array([5, None, 7])}),
        src,
    )
    out = tmp_path / "o.parquet"
    res = runner.invoke(app, ["score", str(src), "-o", str(out), "--model", str(tiny_model)])
    assert res.exit_code == 0, res.output
    df = pd.read_parquet(out)
    assert df["id"].iloc[0] == "101" and df["id"].iloc[2] == "103" and df["id"].iloc[1].startswith("r1-")
    assert pq.read_schema(out).field("stock").type == pa.int64()
    assert df["stock"].iloc[0] == 5 and pd.isna(df["stock"].iloc[1])


def test_score_unterminated_quote_is_rejected_with_line_numbers(tmp_path, tiny_model):
    src = tmp_path / "q.csv"
    src.write_text('id,text\n1,"배송 빨라요\n2,사이즈 작아요\n3,좋아요\n', encoding="utf-8")
    out = tmp_path / "o.parquet"
    res = runner.invoke(app, ["score", str(src), "-o", str(out), "--model", str(tiny_model)])
    assert res.exit_code == 0, res.output
    assert pd.read_parquet(out)["id"].tolist() == ["2", "3"]
    rej = read_jsonl(str(out) + ".rejects.jsonl")
    assert len(rej) == 1 and "line 2" in rej[0]["reason"] and "lines 3-4" in rej[0]["reason"]
    said = " ".join(res.output.split())
    assert "3 rows in: 2 scored" in said and "1 rejected" in said


def _score_cmd(src, out, tiny_model):
    return [sys.executable, "-m", "nlp.cli.main", "score", str(src), "-o", str(out), "--model", str(tiny_model), "--chunk-size", "10", "--threads", "1"]


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="uses real processes and signals")
def test_two_real_runs_on_one_output_never_mix(tmp_path, tiny_model):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    pd.DataFrame({"id": [f"a{i}" for i in range(600)], "text": [f"리뷰 {i} 배송 빨라요" for i in range(600)]}).to_csv(a, index=False)
    pd.DataFrame({"id": [f"b{i}" for i in range(50)], "text": ["별로예요"] * 50}).to_csv(b, index=False)
    out = tmp_path / "o.parquet"
    first = subprocess.Popen(_score_cmd(a, out, tiny_model), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and not lock_path(out).exists():
        time.sleep(0.02)
    second = subprocess.run(_score_cmd(b, out, tiny_model), capture_output=True, text=True, timeout=120)
    assert second.returncode == 2 and "another run is writing" in second.stderr
    assert first.wait(timeout=300) == 0, first.stderr.read()[-2000:]
    ids = pd.read_parquet(out)["id"]
    assert len(ids) == 600 and ids.str.startswith("a").all()


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="uses SIGINT")
def test_real_sigint_exits_130_with_how_to_resume(tmp_path, tiny_model):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": range(600), "text": [f"리뷰 번호 {i} 배송 빨라요" for i in range(600)]}).to_csv(src, index=False)
    out = tmp_path / "o.parquet"
    proc = subprocess.Popen(_score_cmd(src, out, tiny_model), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    parts = tmp_path / "o.parquet.parts"
    deadline = time.time() + 120
    while time.time() < deadline and len(list(parts.glob("part-*.parquet"))) < 2:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 130
    assert "interrupted" in err and "--resume" in err and "finished chunk" in err
    assert not out.exists() and not lock_path(out).exists()
    resumed = subprocess.run(_score_cmd(src, out, tiny_model) + ["--resume"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert len(pd.read_parquet(out)) == 600
