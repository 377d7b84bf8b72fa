#!/usr/bin/env bash
# Measures what docs/benchmarks.md records: cold start to ready, idle memory, and throughput/latency
# of an authenticated page next to a static asset, under wrk on loopback, on SQLite and PostgreSQL.
# Usage: scripts/bench.sh [seconds-per-run]   (prints Markdown; needs root for apt/PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/lotse-target}
DURATION=${1:-10}
command -v wrk >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release -p lotse --locked >&2
BIN="$CARGO_TARGET_DIR/release/lotse"
PG_BASE=$(bash scripts/postgres.sh)
PORT=18080

measure() { # $1 = label, $2 = database URL
    local label=$1 url=$2 dir start pid ready_ms cookie rss
    dir=$(mktemp -d)
    start=$(date +%s%N)
    LOTSE_LOG=warn "$BIN" --data-dir "$dir" --database-url "$url" serve --demo --listen 127.0.0.1:$PORT >/dev/null 2>&1 &
    pid=$!
    until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; do sleep 0.005; done
    ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    cookie=$(curl -s -o /dev/null -D - -d 'username=koordination&password=lotse-demo' "http://127.0.0.1:$PORT/login" \
        | sed -n 's/^set-cookie: \(__Host-lotse_session=[^;]*\).*/\1/p')
    curl -sf -H "Cookie: $cookie" "http://127.0.0.1:$PORT/organisations" >/dev/null
    sleep 1
    rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
    echo "### $label"
    echo
    echo "- cold start to ready (new data directory: process start, migration, reference and demo data, until /readyz answers 200): ${ready_ms} ms"
    echo "- idle memory after login and one page: $((rss / 1024)) MiB RSS"
    echo
    echo "| request | requests/s | p50 | p99 |"
    echo "|---|---|---|---|"
    for target in "/assets/app.css|static asset" "/healthz|health check" "/api/v1/me|authenticated API, session check only" "/organisations|authenticated page: organisation list" "/api/v1/organisations|authenticated API: organisations JSON"; do
        local path=${target%%|*} name=${target##*|} out
        out=$(wrk -t2 -c16 -d"${DURATION}s" --latency -H "Cookie: $cookie" "http://127.0.0.1:$PORT$path")
        local rps p50 p99
        rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
        p50=$(echo "$out" | awk '$1=="50%" {print $2}')
        p99=$(echo "$out" | awk '$1=="99%" {print $2}')
        echo "| $name (\`$path\`) | $rps | $p50 | $p99 |"
    done
    echo
    kill -TERM $pid; wait $pid || true
    rm -rf "$dir"
}

echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr); date: $(date -u +%Y-%m-%d); wrk -t2 -c16 -d${DURATION}s on loopback (wrk shares the 2 cores with the server)."
echo
measure "SQLite (default)" "sqlite://$(mktemp -d)/bench.db"
su postgres -c "psql -Atqc 'DROP DATABASE IF EXISTS lotse_bench WITH (FORCE)'" >/dev/null
su postgres -c "psql -Atqc 'CREATE DATABASE lotse_bench OWNER lotse'" >/dev/null
measure "PostgreSQL 15 (same machine)" "${PG_BASE%/*}/lotse_bench"
