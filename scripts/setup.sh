#!/usr/bin/env bash
# Creates .venv and installs the pinned dependencies. Usage: scripts/setup.sh [runtime|dev]
# Works as root on a bare Debian with Python 3.11: installs python3-venv (and, for dev, chromium and
# postgresql) with apt when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-runtime}"
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "Perlu paket Debian: $* — jalankan sebagai root atau pasang sendiri: sudo apt-get install -y $*" >&2
    exit 1
  fi
  if [ ! -f /var/lib/apt/periodic/payung-updated ]; then
    apt-get update -qq && mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/payung-updated
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

"$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11), "Payung needs Python 3.11+"'
if [ ! -x "$VENV/bin/python" ]; then
  if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
    rm -rf "$VENV"
    apt_install python3-venv
    "$PYTHON" -m venv "$VENV"
  fi
fi

req=requirements.txt
[ "$kind" = dev ] && req=requirements-dev.txt
stamp="$VENV/.installed-$kind"
if [ ! -f "$stamp" ] || [ "$req" -nt "$stamp" ] || [ requirements.txt -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -r "$req" -c constraints.txt
  touch "$stamp"
fi

if [ "$kind" = dev ]; then
  command -v chromium >/dev/null || [ -x /usr/bin/chromium ] || apt_install chromium
  if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    apt_install postgresql
  fi
fi
