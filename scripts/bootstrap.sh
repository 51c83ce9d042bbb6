#!/usr/bin/env bash
# Install what is missing on a Debian 12 machine: system packages and ./.venv.
# Safe to run again: it installs only what is absent and reinstalls Python
# packages only when requirements/ changed. See docs/operations.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SPE_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-}"

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

choose_python() {
  # Debian's own python3 (built with PGO and LTO) runs the engine about a third
  # faster than a plain source build of the same version found first on PATH
  # (docs/adr/0004-debian-python.md). PYTHON=... overrides.
  [ -n "$PYTHON" ] && return
  if /usr/bin/python3 -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
    PYTHON=/usr/bin/python3
  else
    PYTHON=python3
  fi
}

install_python_packages() {
  choose_python
  local stamp="$VENV/.requirements.sha256"
  local want; want="$(cat "$ROOT"/requirements/*.txt | sha256sum | cut -d' ' -f1)"
  local base; base="$(dirname "$(command -v "$PYTHON")")"
  if [ -f "$VENV/pyvenv.cfg" ] && ! grep -qx "home = $base" "$VENV/pyvenv.cfg" 2>/dev/null; then
    echo "bootstrap: $VENV was made from another Python; making it anew from $PYTHON" >&2
    rm -rf "$VENV"
  fi
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
