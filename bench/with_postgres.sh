#!/usr/bin/env bash
# Run a command against PostgreSQL: the DATABASE_URL given, or a throw-away cluster on loopback
# (started as the postgres user, removed on exit; the same recipe as .ci/run).
set -euo pipefail
if [[ "${DATABASE_URL:-}" == postgres* ]]; then exec "$@"; fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PGPORT=${BENCH_PGPORT:-54339}
PGDATA=$(mktemp -d /tmp/baocao-bench-pg.XXXXXX)
chown postgres:postgres "$PGDATA"
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi; }
stop_pg() { as_pg "$PGBIN/pg_ctl -D $PGDATA -m fast stop" >/dev/null 2>&1 || true; rm -rf "$PGDATA"; }
trap stop_pg EXIT
as_pg "$PGBIN/initdb -D $PGDATA -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
as_pg "$PGBIN/pg_ctl -D $PGDATA -l $PGDATA/server.log -w -o '-c listen_addresses=127.0.0.1 -p $PGPORT \
  -k $PGDATA -c max_connections=300 -c shared_buffers=512MB' start" >/dev/null
as_pg "$PGBIN/createdb -h 127.0.0.1 -p $PGPORT -U postgres baocao"
export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/baocao"
"$@"
