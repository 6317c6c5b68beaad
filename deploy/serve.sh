#!/usr/bin/env bash
# The production shape on this machine (`make serve`, docs/decisions/0029-serving.md): static files collected
# (hashed, compressed), migrations applied, then gunicorn (baocao/gunicorn.conf.py) and one job worker
# (`manage.py run_jobs`: PDFs, scheduled reminders). PostgreSQL when DATABASE_URL says so, else the SQLite
# file. Ctrl+C (or SIGTERM) stops both; if either one stops, the other is stopped too.
#
# Settings come from the environment (.env.example), and from a file `.env` in the project folder when there is
# one (or the file named by BAOCAO_ENV_FILE): KEY=VALUE lines as in .env.example — the same format systemd's
# EnvironmentFile= reads (deploy/systemd/) — where a variable already set in the environment wins. Left unset: DEBUG=0 and, outside production
# (BAOCAO_PRODUCTION unset), a SECRET_KEY generated once into var/serve-secret-key (not committed), so a
# fresh clone's `make serve` starts with no environment. Production sets its own SECRET_KEY.
set -euo pipefail
cd "$(dirname "$0")/.."

env_file=${BAOCAO_ENV_FILE:-.env}
if [ -f "$env_file" ]; then
  while IFS= read -r line || [ -n "$line" ]; do
    # KEY=VALUE only (comments and blank lines skipped); the value is taken as written, no shell expansion.
    if [[ $line =~ ^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]]; then
      key=${BASH_REMATCH[1]}
      [ -n "${!key+set}" ] || export "$key=${BASH_REMATCH[2]}"
    fi
  done < "$env_file"
  echo "baocao: đã đọc cấu hình từ $env_file"
fi

PYTHON=${PYTHON:-.venv/bin/python}
GUNICORN=${GUNICORN:-$(dirname "$PYTHON")/gunicorn}

export DEBUG=${DEBUG:-0}
if [ -z "${SECRET_KEY:-}" ] && [ "${BAOCAO_PRODUCTION:-0}" != "1" ]; then
  if [ ! -s var/serve-secret-key ]; then
    mkdir -p var
    (umask 077; "$PYTHON" -c "from django.core.management.utils import get_random_secret_key as k; print(k())" \
      > var/serve-secret-key)
  fi
  SECRET_KEY=$(cat var/serve-secret-key)
  export SECRET_KEY
fi
# The worker below runs the jobs: the web processes start no job threads of their own.
export BAOCAO_PDF_IN_THREAD=${BAOCAO_PDF_IN_THREAD:-0}
export BAOCAO_PERIODIC_IN_THREAD=${BAOCAO_PERIODIC_IN_THREAD:-0}

"$PYTHON" manage.py collectstatic --noinput --verbosity 0
"$PYTHON" manage.py migrate --noinput

"$PYTHON" manage.py run_jobs &
worker=$!
"$GUNICORN" -c baocao/gunicorn.conf.py &
web=$!

stop() {
  trap - INT TERM EXIT
  kill -TERM "$web" "$worker" 2>/dev/null || true
  wait "$web" "$worker" 2>/dev/null || true
}
trap stop INT TERM EXIT
echo "baocao: gunicorn (tiến trình $web) tại ${GUNICORN_BIND:-127.0.0.1:8000}, tiến trình nền run_jobs ($worker). Ctrl+C để dừng."
# Whichever ends first (a crash, or a signal), the EXIT trap stops the other.
wait -n "$web" "$worker" || true
