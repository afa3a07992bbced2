"""No network at run time, proven: ``nlp score`` (and, marked slow, ``nlp run``) traced with strace
connect and send to nothing outside the machine, look up no host name, and leave no ONNX Runtime
telemetry database behind. The commands run in fresh processes without the offline switches in
their environment, so what is tested is that the package sets them itself."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from nlp._offline import OFFLINE_ENV
from tests.conftest import KOREAN_ROWS

NETWORK_CALLS = re.compile(r"\b(connect|sendto|sendmsg|sendmmsg)\(")
LOCAL_FAMILIES = {"AF_UNIX", "AF_LOCAL", "AF_NETLINK", "AF_UNSPEC"}


def outside_traffic(log: str) -> list[str]:
    """The strace lines where a process connects or sends to an address off this machine.

    Local sockets and netlink are fine, and so is loopback, except port 53: a name lookup is a
    network access even when a local resolver stub answers it.
    """
    bad = []
    for line in log.splitlines():
        if not NETWORK_CALLS.search(line):
            continue
        for fam in re.finditer(r"sa_family=(AF_\w+)", line):
            family = fam.group(1)
            if family in LOCAL_FAMILIES:
                continue
            rest = line[fam.end() :]
            port = re.search(r"htons\((\d+)\)", rest)
            if family == "AF_INET":
                addr = re.search(r'inet_addr\("([^"]+)"\)', rest)
                local = addr is not None and addr.group(1).startswith("127.")
            elif family == "AF_INET6":
                addr = re.search(r'inet_pton\(AF_INET6, "([^"]+)"', rest)
                local = addr is not None and (addr.group(1) == "::1" or addr.group(1).startswith("::ffff:127."))
            else:
                local = False
            if not local or (port is not None and port.group(1) == "53"):
                bad.append(line)
                break
    return bad


def test_outside_traffic_reads_strace_lines():
    lines = {
        'connect(3, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT': False,
        "sendto(4, {len=20, type=RTM_GETADDR}, 20, 0, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 20": False,
        'connect(5, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("127.0.0.1")}, 16) = 0': False,
        'connect(5, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr)}, 28)': False,
        'sendto(8, "...", 50, MSG_NOSIGNAL, NULL, 0) = 50': False,
        'connect(8, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16 <unfinished ...>': True,
        'connect(9, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.53")}, 16) = 0': True,
        'connect(7, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("13.107.5.93")}, 16) = -1 EINPROGRESS': True,
        'connect(7, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2606:4700::1", &sin6_addr)}, 28)': True,
        'sendmsg(6, {msg_name={sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("8.8.8.8")}, msg_namelen=16}, 0) = 40': True,
    }
    assert outside_traffic("\n".join(lines)) == [line for line, bad in lines.items() if bad]


def _strace() -> list[str]:
    exe = shutil.which("strace")
    if exe is None:
        pytest.skip("strace is not installed (CI installs it with scripts/install_strace.sh)")
    for extra in (["--seccomp-bpf"], []):  # seccomp-bpf: only the traced calls stop the process (much faster)
        cmd = [exe, "-f", "-qq", *extra, "-e", "trace=connect,sendto,sendmsg,sendmmsg", "-o", os.devnull, "true"]
        if subprocess.run(cmd, capture_output=True).returncode == 0:
            return cmd[:-3]
    pytest.skip("strace cannot trace here (ptrace not permitted in this container)")


def _clean_env(home: Path) -> dict[str, str]:
    """The test run's environment without the offline switches, with a fresh home (where telemetry would land)."""
    env = {k: v for k, v in os.environ.items() if k not in OFFLINE_ENV}
    home.mkdir(parents=True, exist_ok=True)
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), NLP_CACHE=str(home / ".cache" / "nlp-insight"))
    return env


def _traced(args: list[str], tmp_path: Path) -> tuple[subprocess.CompletedProcess, str, Path]:
    log = tmp_path / "strace.log"
    home = tmp_path / "home"
    cmd = [*_strace(), "-o", str(log), sys.executable, "-m", "nlp.cli.main", *args]
    res = subprocess.run(cmd, env=_clean_env(home), capture_output=True, text=True, timeout=600)
    return res, log.read_text(errors="replace") if log.exists() else "", home


def _assert_offline(res: subprocess.CompletedProcess, log: str, home: Path) -> None:
    assert res.returncode == 0, res.stderr[-3000:]
    bad = outside_traffic(log)
    assert not bad, "network access at run time:\n" + "\n".join(bad[:20])
    telemetry = home / ".cache" / "Microsoft"
    assert not telemetry.exists(), f"ONNX Runtime telemetry is on: it wrote {sorted(p.name for p in telemetry.rglob('*'))}"


def test_score_makes_no_network_access(tmp_path, tiny_model_dir):
    src = tmp_path / "in.csv"
    pd.DataFrame(KOREAN_ROWS, columns=["id", "text", "product_id", "created_at", "rating"]).to_csv(src, index=False)
    out = tmp_path / "scored.parquet"
    res, log, home = _traced(["score", str(src), "-o", str(out), "--model", str(tiny_model_dir)], tmp_path)
    _assert_offline(res, log, home)
    assert len(pd.read_parquet(out)) == len(KOREAN_ROWS)


@pytest.mark.slow
def test_run_makes_no_network_access(tmp_path, tiny_model_dir):
    """The whole pipeline (score, topics, trends, report) in a fresh process: about 45 s on 2 cores."""
    from nlp.pipeline import DEMO_CORPUS

    src = tmp_path / "in.csv"
    demo = pd.read_csv(DEMO_CORPUS, dtype=str)
    demo[demo["product_id"].isin(demo["product_id"].unique()[:2])].head(200).to_csv(src, index=False)
    out = tmp_path / "out"
    model = str(tiny_model_dir)
    res, log, home = _traced(
        ["run", str(src), "-o", str(out), "--model", model, "--topics-model", model, "--min-topic-size", "10"], tmp_path
    )
    _assert_offline(res, log, home)
    assert (out / "report.html").exists()


_SESSION = """
import json, os, sys
import nlp
from onnx import TensorProto, helper
from nlp.scoring.onnx_backend import make_session
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])
graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "g", [x], [y])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
path = sys.argv[1]
open(path, "wb").write(model.SerializeToString())
make_session(path, 1)
print(json.dumps({k: os.environ.get(k) for k in %r}))
"""


@pytest.mark.parametrize("user_value", [None, "0"])
def test_telemetry_off_unless_the_user_turns_it_on(tmp_path, user_value):
    """The package's own switch keeps the telemetry database away; a user's explicit ORT_DISABLE_TELEMETRY=0
    wins."""
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    home = tmp_path / "home"
    env = _clean_env(home)
    if user_value is not None:
        env["ORT_DISABLE_TELEMETRY"] = user_value
    res = subprocess.run(
        [sys.executable, "-c", _SESSION % (list(OFFLINE_ENV),), str(tmp_path / "id.onnx")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    seen = json.loads(res.stdout.strip().splitlines()[-1])
    if user_value is None:
        assert seen == OFFLINE_ENV
        assert not (home / ".cache" / "Microsoft").exists()
    else:
        # Whether onnxruntime then writes its database depends on the build and platform, so only the
        # environment is checked here: the user's explicit choice is left alone.
        assert seen["ORT_DISABLE_TELEMETRY"] == "0" and seen["HF_HUB_OFFLINE"] == "1"


def test_every_onnxruntime_import_goes_through_the_offline_module():
    root = Path(__file__).resolve().parents[1] / "nlp"
    stray = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "_offline.py":
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            if re.match(r"\s*(import onnxruntime|from onnxruntime\b)", line):
                before = [x.strip() for x in lines[:i] if x.strip()]
                if not (line.lstrip().startswith("from onnxruntime.") and before and before[-1] == "import_onnxruntime()"):
                    stray.append(f"{path.relative_to(root.parent)}:{i + 1}: {line.strip()}")
    assert not stray, "import onnxruntime through nlp._offline.import_onnxruntime():\n" + "\n".join(stray)
