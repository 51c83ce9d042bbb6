#!/usr/bin/env bash
# Run the whole platform in the foreground (make run). Ctrl-C stops it all.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${SPE_VENV:-$ROOT/.venv}/bin"
export SPE_WEB_PORT="${SPE_WEB_PORT:-8000}" SPE_SMTP_PORT="${SPE_SMTP_PORT:-2525}" SPE_SINK_PORT="${SPE_SINK_PORT:-2526}"
export PATH="$PY:$PATH"

scripts/services.sh start postgres redis clamav
"$PY/python" manage.py migrate_schemas --shared -v 0
"$PY/python" manage.py migrate_schemas --tenant -v 0
"$PY/python" manage.py collectstatic --noinput -v 0
"$PY/python" manage.py seed_demo
echo "Web: http://127.0.0.1:$SPE_WEB_PORT/   SMTP: 127.0.0.1:$SPE_SMTP_PORT   demo sink: 127.0.0.1:$SPE_SINK_PORT (var/sink/)"
exec "$PY/honcho" -f Procfile start
