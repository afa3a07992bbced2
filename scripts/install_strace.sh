#!/usr/bin/env bash
# strace for the no-network test (tests/test_offline.py traces `nlp score` and fails on any connection
# off the machine; without strace that test is skipped). Idempotent; Debian/Ubuntu, root or sudo.
set -euo pipefail

if command -v strace >/dev/null; then
  echo "install_strace: $(strace -V | head -n 1) already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

echo "install_strace: installing strace"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends strace
strace -V | head -n 1
