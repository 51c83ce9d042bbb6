#!/usr/bin/env bash
# Start what the tests need, then lint and run the whole suite (make test).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${SPE_VENV:-$ROOT/.venv}/bin"

scripts/services.sh start postgres redis clamav
echo "== ruff" >&2
"$PY/ruff" check .
echo "== migrations are up to date" >&2
"$PY/python" manage.py makemigrations --check --dry-run >/dev/null \
  || { echo "error: models changed without a migration (run manage.py makemigrations)" >&2; exit 1; }
echo "== pytest" >&2
exec "$PY/python" -m pytest "$@"
