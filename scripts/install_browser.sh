#!/usr/bin/env bash
# Headless Chromium, Korean fonts and colour emoji (reviews are full of them) for the report's browser
# tests (pytest -m browser) and screenshots.
# Idempotent: does nothing when all are already installed. Debian/Ubuntu, run as root (or with sudo).
set -euo pipefail

packages=(chromium fonts-noto-cjk fonts-noto-color-emoji)
missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install_browser: ${packages[*]} already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

echo "install_browser: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
command -v chromium >/dev/null && chromium --version || true
