#!/usr/bin/env bash
# Install what is missing on a Debian 12 machine: system packages and ./.venv.
# Safe to run again: it installs only what is absent and reinstalls Python
# packages only when requirements/ changed. See docs/operations.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SPE_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

PACKAGES=(
  python3 python3-venv python3-dev build-essential ca-certificates
  postgresql redis-server redis-tools clamav-daemon
  libmagic1 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
  libarchive-tools
)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_system_packages() {
  local missing=()
  for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return
  echo "bootstrap: installing Debian packages: ${missing[*]}" >&2
  # Daemons are started privately by scripts/services.sh, never system-wide.
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_python_packages() {
  local stamp="$VENV/.requirements.sha256"
  local want; want="$(cat "$ROOT"/requirements/*.txt | sha256sum | cut -d' ' -f1)"
  if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11), sys.version' \
      || { echo "bootstrap: Python 3.11 or newer is required" >&2; exit 1; }
    "$PYTHON" -m venv "$VENV"
  fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "bootstrap: installing Python packages into $VENV" >&2
    "$VENV/bin/pip" install -q --disable-pip-version-check --upgrade pip >/dev/null
    "$VENV/bin/pip" install -q --disable-pip-version-check -r "$ROOT/requirements/dev.txt"
    echo "$want" >"$stamp"
  fi
}

if command -v dpkg-query >/dev/null; then install_system_packages; fi
install_python_packages
