#!/usr/bin/env bash
# Java for `--engine spark` (Spark 4 runs on Java 17 or newer): Debian's default JRE, headless.
# Idempotent: does nothing when `java` (or $JAVA_HOME/bin/java) is already version 17 or newer.
# Debian/Ubuntu, run as root (or with sudo).
set -euo pipefail

java_bin="${JAVA_HOME:+$JAVA_HOME/bin/java}"
java_bin="${java_bin:-$(command -v java || true)}"
if [ -n "$java_bin" ] && [ -x "$java_bin" ]; then
  version="$("$java_bin" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -1)"
  if [ -n "$version" ] && [ "$version" -ge 17 ]; then
    echo "install_java: Java $version already installed ($java_bin)"
    exit 0
  fi
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

echo "install_java: installing default-jre-headless"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends default-jre-headless
java -version
