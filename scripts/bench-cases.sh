#!/usr/bin/env bash
# Benchmark of KIM case management at a district of a million persons (issue 10), on SQLite and
# PostgreSQL, against a given release binary (so that a binary before and after a change are
# measured by the same script):
#   a. `lotse demo cases --persons N`: the synthetic district (persons, cases with their phases,
#      assessments, goals, referrals, hand-offs, contacts, follow-ups, consents, a few shares and
#      releases; synthetic case managers at about 80 open cases each);
#   b. wrk at CONNECTIONS and at one connection: a case manager's start page and case list, a case
#      page, the case list of a partner who sees a handful of released cases among all of them
#      (the access scope's worst case), and the coordination's statistics page and API over
#      everything (one connection: a page of many figures, not a page under load);
#   c. `lotse import cases`: IMPORT rows as CSV files of at most 19,999 rows, into the district.
# Every wrk run and timed step waits until no rustc or clippy-driver runs (the machine is shared).
# Usage: scripts/bench-cases.sh BINARY [seconds-per-run]   (prints Markdown; needs root for PostgreSQL)
# Environment: PERSONS (1000000), IMPORT (100000), CONNECTIONS (64), BACKENDS ("sqlite postgres").
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:?usage: scripts/bench-cases.sh BINARY [seconds]}")
DURATION=${2:-10}
PERSONS=${PERSONS:-1000000}
IMPORT=${IMPORT:-100000}
CONNECTIONS=${CONNECTIONS:-64}
BACKENDS=${BACKENDS:-sqlite postgres}
ROWS_PER_FILE=19999 # the importer reads at most 20,000 lines (limits::TABLE_ROWS), the header is one
WRK_TIMEOUT=30s
PG_DB=lotse_bench_cases
command -v wrk >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
[ -x "$BIN" ] || { echo "not an executable: $BIN" >&2; exit 2; }

WORK=$(mktemp -d /var/tmp/lotse-bench-cases.XXXXXX)
SERVER_PID=
PORT=
PG_BASE=
cleanup() {
    stop_server
    if [ -n "$PG_BASE" ]; then
        su postgres -c "psql -Atqc 'DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)'" >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

note() { echo "[bench-cases $(date -u +%H:%M:%S)] $*" >&2; }
now_ns() { date +%s%N; }
ms_since() { echo $(( ($(now_ns) - $1) / 1000000 )); }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f s", ms / 1000 }'; }
per_s() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%d", (ms > 0 ? n * 1000 / ms : 0) }'; }
load1() { cut -d' ' -f1 /proc/loadavg; }
compiling() { pgrep -x rustc >/dev/null || pgrep -x clippy-driver >/dev/null; }
wait_for_builds() {
    local waited=0
    while compiling; do sleep 5; waited=$((waited + 5)); done
    if [ $waited -gt 0 ]; then note "waited ${waited} s for rustc/clippy-driver to finish"; fi
}

free_port() {
    local p
    for p in $(seq 18300 18399); do
        if ! ss -Htln "sport = :$p" | grep -q .; then echo "$p"; return; fi
    done
    echo "no free port" >&2; exit 1
}

start_server() { # $1 = data dir, $2 = URL, further args for serve
    local dir=$1 url=$2 start
    shift 2
    PORT=$(free_port)
    start=$(now_ns)
    LOTSE_LOG=warn "$BIN" --data-dir "$dir" --database-url "$url" serve --listen "127.0.0.1:$PORT" "$@" \
        >>"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; do
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$WORK/server.log" >&2; echo "server exited" >&2; exit 1; }
        sleep 0.05
    done
    READY_MS=$(ms_since "$start")
}
stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=
}

login() { # $1 = username; prints the session cookie
    local cookie
    cookie=$(curl -s -o /dev/null -D - -d "username=$1&password=lotse-demo" "http://127.0.0.1:$PORT/login" \
        | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(__Host-lotse_session=[^;]*\).*/\1/p')
    [ -n "$cookie" ] || { echo "login as $1 failed" >&2; exit 1; }
    echo "$cookie"
}

# Median of three single requests: "status bytes seconds".
single() { # $1 = cookie, $2 = path
    for _ in 1 2 3; do
        curl -s -o /dev/null -H "Cookie: $1" -w '%{http_code} %{size_download} %{time_total}\n' \
            --max-time 300 "http://127.0.0.1:$PORT$2"
    done | sort -k3 -g | sed -n 2p
}

ROWS=()
bench() { # $1 = label, $2 = cookie, $3 = path, further args: connection counts (none: alone only)
    local label=$1 cookie=$2 path=$3 status bytes t conns out rps p50 p99 n before
    shift 3
    wait_for_builds
    read -r status bytes t <<<"$(single "$cookie" "$path")"
    [ "$status" = 200 ] || { echo "$path answered $status" >&2; exit 1; }
    if [ $# = 0 ]; then # a page of seconds: alone only (wrk would time out)
        ROWS+=("| $label (\`$path\`) | – | – | – | – | – | – | $(awk -v t="$t" 'BEGIN { printf "%.1f ms", t * 1000 }') | $((bytes / 1024)) KiB | – |")
    fi
    for conns in "$@"; do
        wait_for_builds
        before=$(load1)
        out=$(wrk -t"$((conns < 2 ? 1 : 2))" -c"$conns" -d"${DURATION}s" --timeout "$WRK_TIMEOUT" --latency \
            -H "Cookie: $cookie" "http://127.0.0.1:$PORT$path")
        printf '%s\n' "-c$conns $path" "$out" >>"$WORK/wrk.log"
        n=$(echo "$out" | awk '/requests in/ {print $1}')
        rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
        p50=$(echo "$out" | awk '$1=="50%" {print $2}')
        p99=$(echo "$out" | awk '$1=="99%" {print $2}')
        local errors non2xx err=""
        errors=$(echo "$out" | sed -n 's/.*Socket errors: //p')
        non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
        [ -z "$errors" ] || err="socket errors: $errors"
        [ -z "$non2xx" ] || err="${err:+$err; }non-2xx: $non2xx"
        ROWS+=("| $label (\`$path\`) | $conns | $rps | $p50 | $p99 | $n | ${err:-none} | $(awk -v t="$t" 'BEGIN { printf "%.1f ms", t * 1000 }') | $((bytes / 1024)) KiB | $before → $(load1) |")
    done
}

# IMPORT persons as CSV files of ROWS_PER_FILE rows: family names nobody in the district has
# (consonants that never repeat side by side, so that their skeletons differ), valid values.
write_import() { # $1 = directory
    mkdir -p "$1"
    python3 - "$1" "$IMPORT" "$ROWS_PER_FILE" <<'PY'
import random, sys
out, total, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
letters = "bcdfghjklmnpqrstvwxz"
towns = ["Ahlen", "Beckum", "Warendorf", "Oelde", "Telgte", "Ennigerloh", "Sendenhorst"]
routes = ["Jobcenter", "Ausländerbehörde", "Schule", "Beratungsstelle", "eigene Initiative"]
rng = random.Random(10)
def name(i):
    word, prev = [], 0
    while True:
        step = i % 19; i //= 19
        prev = (prev + 1 + step) % 20
        word.append(letters[prev])
        if i == 0:
            break
    return "Qu" + "a".join(word).capitalize() + "a"
f = None
for i in range(total):
    if i % per == 0:
        if f: f.close()
        f = open(f"{out}/faelle-{i // per + 1:02d}.csv", "w", encoding="utf-8")
        f.write("Name;Vorname;Geburtsdatum;Geschlecht;Wohnort;Rechtskreis;Sprachen;Zugangsweg;Beginn\n")
    f.write(f"{name(i)};Amal;{rng.randint(1,28):02d}.{rng.randint(1,12):02d}.{rng.randint(1960,2005)};weiblich;"
            f"{rng.choice(towns)};SGB II (Jobcenter);Arabisch, Deutsch;{rng.choice(routes)};"
            f"{rng.randint(1,28):02d}.{rng.randint(1,12):02d}.{rng.randint(2022,2025)}\n")
f.close()
PY
}

measure() { # $1 = label
    local label=$1 url dir="$WORK/data" start
    rm -rf "$dir"; mkdir -p "$dir"
    if [ "$BACKEND" = sqlite ]; then
        url="sqlite://$dir/lotse.db"
    else
        su postgres -c "psql -Atqc 'DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)'" >/dev/null 2>&1
        su postgres -c "psql -Atqc 'CREATE DATABASE $PG_DB OWNER lotse'" >/dev/null
        url="${PG_BASE%/*}/$PG_DB"
    fi
    ROWS=()
    note "$label: demo data"
    start_server "$dir" "$url" --demo
    stop_server

    note "$label: $PERSONS synthetic persons"
    wait_for_builds
    local before gen_ms gen_load
    before=$(load1); start=$(now_ns)
    LOTSE_LOG=warn "$BIN" --data-dir "$dir" --database-url "$url" demo cases --persons "$PERSONS" >"$WORK/generate.log" 2>&1 \
        || { tail -5 "$WORK/generate.log" >&2; exit 1; }
    gen_ms=$(ms_since "$start"); gen_load="$before → $(load1)"
    local counts size
    if [ "$BACKEND" = sqlite ]; then
        counts=$(sqlite3 "$dir/lotse.db" "SELECT (SELECT COUNT(*) FROM persons), (SELECT COUNT(*) FROM cases WHERE phase <> 'closed'), (SELECT COUNT(*) FROM case_contacts), (SELECT COUNT(*) FROM referrals), (SELECT COUNT(*) FROM handoffs), (SELECT COUNT(*) FROM case_assessments) + (SELECT COUNT(*) FROM case_goals) + (SELECT COUNT(*) FROM case_follow_ups) + (SELECT COUNT(*) FROM case_phase_changes) + (SELECT COUNT(*) FROM consents), (SELECT COUNT(*) FROM users)" | tr '|' ' ')
        size="$(du -sm "$dir" | cut -f1) MiB"
    else
        counts=$(su postgres -c "psql -Atq -F ' ' -d $PG_DB -c \"SELECT (SELECT COUNT(*) FROM persons), (SELECT COUNT(*) FROM cases WHERE phase <> 'closed'), (SELECT COUNT(*) FROM case_contacts), (SELECT COUNT(*) FROM referrals), (SELECT COUNT(*) FROM handoffs), (SELECT COUNT(*) FROM case_assessments) + (SELECT COUNT(*) FROM case_goals) + (SELECT COUNT(*) FROM case_follow_ups) + (SELECT COUNT(*) FROM case_phase_changes) + (SELECT COUNT(*) FROM consents), (SELECT COUNT(*) FROM users)\"")
        size="$(su postgres -c "psql -Atqc \"SELECT pg_database_size('$PG_DB') / 1048576\"") MiB"
        su postgres -c "psql -Atq -d $PG_DB -c 'ANALYZE'" >/dev/null
    fi
    local persons open contacts referrals handoffs other accounts
    read -r persons open contacts referrals handoffs other accounts <<<"$counts"

    local served_from; served_from=$(date +%s%3N)
    start_server "$dir" "$url"
    local ready=$READY_MS cm partner coord case_id figures_job
    # The job case-figures starts with the server and counts the usual periods ahead (decision
    # 0012, "Case figures are served from snapshots"): wait for it, so that wrk does not share
    # the cores with it and the statistics page is measured as it is served from then on.
    note "$label: waiting for the job case-figures"
    figures_job=
    while [ -z "$figures_job" ]; do
        sleep 2
        local q="SELECT (finished_at - started_at) || ' ms: ' || summary FROM job_runs WHERE job = 'case-figures' AND finished_at IS NOT NULL AND started_at >= $served_from ORDER BY started_at LIMIT 1"
        if [ "$BACKEND" = sqlite ]; then
            figures_job=$(sqlite3 "$dir/lotse.db" "$q")
        else
            figures_job=$(su postgres -c "psql -Atq -d $PG_DB -c \"$q\"")
        fi
    done
    cm=$(login fallmanagement)
    partner=$(login partner)
    coord=$(login koordination)
    case_id=$(curl -sf -H "Cookie: $cm" "http://127.0.0.1:$PORT/api/v1/cases" \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["id"])')
    local mine released
    mine=$(curl -sf -H "Cookie: $cm" "http://127.0.0.1:$PORT/api/v1/cases" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["items"]))')
    released=$(curl -sf -H "Cookie: $partner" "http://127.0.0.1:$PORT/api/v1/cases" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["items"]))')
    note "$label: wrk"
    bench "case manager's start page" "$cm" "/" "$CONNECTIONS" 1
    bench "case page (one of the case manager's)" "$cm" "/cases/$case_id" "$CONNECTIONS" 1
    bench "case manager's case list" "$cm" "/cases" "$CONNECTIONS" 1
    bench "partner's case list ($released released cases among all)" "$partner" "/cases" "$CONNECTIONS" 1
    bench "hand-off monitor of the coordination (all cases, pseudonymised)" "$coord" "/cases/monitor" 1
    bench "statistics page of the coordination, all figures over all cases" "$coord" "/cases/statistics"
    bench "statistics API, caseload by town" "$coord" "/api/v1/statistics/cases?by=town"
    local rss
    rss=$(awk '$1 == "VmHWM:" {print int($2 / 1024)}' "/proc/$SERVER_PID/status")
    stop_server

    note "$label: import of $IMPORT rows"
    rm -rf "$WORK/import"; write_import "$WORK/import"
    local f total_ms=0 per_file=() created=0 c
    for f in "$WORK"/import/faelle-*.csv; do
        wait_for_builds
        start=$(now_ns)
        LOTSE_LOG=warn "$BIN" --data-dir "$dir" --database-url "$url" import cases "$f" --case-manager fallmanagement \
            >"$WORK/import.log" 2>&1 || { tail -5 "$WORK/import.log" >&2; exit 1; }
        local ms; ms=$(ms_since "$start")
        c=$(awk '/rows read/ {print $4}' "$WORK/import.log")
        created=$((created + c)); total_ms=$((total_ms + ms)); per_file+=("$(secs "$ms")")
    done
    rm -rf "$WORK/import"

    echo "### $label"
    echo
    echo "- district: $persons persons ($open open cases), $contacts contacts, $referrals referrals, $handoffs hand-offs and $other assessments, goals, follow-ups, phase changes and consents; $accounts accounts; database $size"
    echo "- generated in $(secs "$gen_ms") ($(per_s "$PERSONS" "$gen_ms") persons/s; load $gen_load)"
    echo "- the job case-figures after the start, counting the usual periods ahead: $figures_job"
    echo "- start to ready: ${ready} ms; the case manager \`fallmanagement\` sees $mine cases, the partner $released; server peak memory ${rss} MiB"
    echo "- **import of $IMPORT rows** (\`lotse import cases FILE --case-manager fallmanagement\`, files of ≤ $ROWS_PER_FILE rows, one transaction each, every row checked, an audit entry per person and case): $created created in $(secs "$total_ms"), **$(per_s "$created" "$total_ms") rows/s** (per file, process start included: ${per_file[*]})"
    echo
    echo "| request (wrk -t2 -d${DURATION}s, -t1 with 1 connection; timeout $WRK_TIMEOUT) | connections | requests/s | p50 | p99 | requests done | errors | alone (median of 3) | size | load avg before → after |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
    if [ "$BACKEND" != sqlite ]; then
        su postgres -c "psql -Atqc 'DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)'" >/dev/null 2>&1
    fi
    rm -rf "$dir"
}

echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr); date: $(date -u '+%Y-%m-%d %H:%M UTC'); binary: $BIN ($("$BIN" --version)); wrk on loopback (it shares the cores with the server)."
echo
for BACKEND in $BACKENDS; do
    case $BACKEND in
    sqlite) measure "SQLite" ;;
    postgres)
        PG_BASE=$(bash scripts/postgres.sh)
        measure "PostgreSQL 15" ;;
    esac
done
