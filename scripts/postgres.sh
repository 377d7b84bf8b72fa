#!/usr/bin/env bash
# Starts the machine's PostgreSQL 15 (installing it from Debian if missing) and makes sure the test
# role and database exist. Prints the connection URL on stdout. Idempotent; safe to run often.
# With --fresh the test database is dropped and created anew (tests leave one schema each behind).
set -euo pipefail

PGVER=15
ROLE=lotse
DB=lotse_test
PORT=${LOTSE_PG_PORT:-5432}

log() { echo "[postgres] $*" >&2; }

if ! command -v pg_ctlcluster >/dev/null || [ ! -d /usr/lib/postgresql/$PGVER/bin ]; then
    log "installing postgresql-$PGVER"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-$PGVER >&2
fi
if [ ! -d /etc/postgresql/$PGVER/main ]; then
    log "creating cluster $PGVER/main"
    pg_createcluster $PGVER main >&2
fi
if ! pg_lsclusters -h | awk -v v=$PGVER '$1==v && $2=="main" {print $4}' | grep -q online; then
    log "starting cluster $PGVER/main"
    pg_ctlcluster $PGVER main start >&2
fi
for _ in $(seq 1 30); do
    if su postgres -c "psql -p $PORT -Atqc 'SELECT 1'" >/dev/null 2>&1; then break; fi
    sleep 0.5
done
if [ "${1:-}" = "--fresh" ]; then
    su postgres -c "psql -p $PORT -Atqc 'DROP DATABASE IF EXISTS $DB WITH (FORCE)'" >&2
fi
su postgres -c "psql -p $PORT -v ON_ERROR_STOP=1 -Atq" >&2 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
    CREATE ROLE $ROLE LOGIN PASSWORD '$ROLE';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE $DB OWNER $ROLE' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB')
\gexec
SQL
echo "postgres://$ROLE:$ROLE@127.0.0.1:$PORT/$DB"
