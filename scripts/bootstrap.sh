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

upgrade_debian_python() {
  # Python's html.parser took time quadratic in tags left open at the end of
  # the input (CVE-2025-6069: 80 KB of "<a " took 53 s in the threat stage).
  # Debian 12's python3.11 3.11.2-6+deb12u6 lacks the fix; u8 and u9 have it.
  # The probe is the project's own (mailflow/spam/htmltext.py), run by the
  # environment's Python, which is Debian's: an upgrade takes effect at once.
  local probe="import sys; sys.path.insert(0, '$ROOT')
from mailflow.spam.htmltext import stdlib_parser_is_linear
raise SystemExit(0 if stdlib_parser_is_linear() else 1)"
  "$VENV/bin/python" -c "$probe" 2>/dev/null && return
  local pkgs; pkgs="$(dpkg-query -W -f='${Package} ${Status}\n' 'python3.11*' 'libpython3.11*' 2>/dev/null \
    | awk '/install ok installed/ {print $1}' | tr '\n' ' ')"
  if [ -n "$pkgs" ]; then
    echo "bootstrap: upgrading Debian's Python for the html.parser fix (CVE-2025-6069): $pkgs" >&2
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    # shellcheck disable=SC2086 # one word per package
    as_root apt-get install -y -qq --only-upgrade $pkgs >/dev/null
  fi
  "$VENV/bin/python" -c "$probe" 2>/dev/null \
    || echo "bootstrap: WARNING: $PYTHON's html.parser lacks the CVE-2025-6069 fix; hostile HTML can stall the threat stage" >&2
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
if command -v dpkg-query >/dev/null; then upgrade_debian_python; fi
