#!/usr/bin/env bash
# Benchmarks of the core at scale, on SQLite and PostgreSQL, against a given release binary (so that
# the binary before and after a change are measured by the same script):
#   a. staff offer list (/offers) with 100,000 offers (lotse demo offers), wrk as the coordination;
#   b. audited import of 100,000 measures (catalogue CSV files, `lotse import measures`, each file at
#      most the importer's 20,000 lines, header included), then the staff measure list (/measures);
#   c. audited import, second form: the offers of (a) exported as HSDS 3.0 (`lotse export hsds`)
#      and imported into another new database (`lotse import hsds`); both steps stop after
#      HSDS_LIMIT seconds, and the same is measured on smaller directories (HSDS_SCALE) that finish;
#   d. protected-record read: one user's page (/admin/users/{id}) as admin, which writes an audit
#      "read" entry per request.
# Only commands and routes that exist since commit 0f79222 are used. Every wrk run and timed step
# waits until no rustc or clippy-driver runs; a wrk run during which one ran is repeated once (the
# machine is shared); the tables say whether one ran and the load average around each step.
# Usage: scripts/bench-core.sh BINARY [seconds-per-run]   (prints Markdown; needs root for apt/PostgreSQL)
# Environment: OFFERS (100000), MEASURES (100000), CONNECTIONS (64), BACKENDS ("sqlite postgres"),
#   HSDS_LIMIT (600 s), HSDS_SCALE ("1000 2000 5000"; empty to skip).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:?usage: scripts/bench-core.sh BINARY [seconds]}")
DURATION=${2:-10}
OFFERS=${OFFERS:-100000}
MEASURES=${MEASURES:-100000}
CONNECTIONS=${CONNECTIONS:-64}
BACKENDS=${BACKENDS:-sqlite postgres}
HSDS_LIMIT=${HSDS_LIMIT:-600}
HSDS_SCALE=${HSDS_SCALE-1000 2000 5000}
ROWS_PER_FILE=${ROWS_PER_FILE:-19999} # the importer reads at most 20,000 lines (limits::TABLE_ROWS), the header is one
CONCEPT="IK 2010"                     # a concept of the demo data set (serve --demo)
WRK_TIMEOUT=30s
PG_DBS="lotse_bench_core lotse_bench_core_import lotse_bench_core_small" # see pg_name
command -v wrk >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
[ -x "$BIN" ] || { echo "not an executable: $BIN" >&2; exit 2; }

WORK=$(mktemp -d /var/tmp/lotse-bench-core.XXXXXX)
SERVER_PID=
PORT=
PG_BASE=
cleanup() {
    stop_server
    if [ -n "$PG_BASE" ]; then
        for db in $PG_DBS; do
            su postgres -c "psql -Atqc 'DROP DATABASE IF EXISTS $db WITH (FORCE)'" >/dev/null 2>&1 || true
        done
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

note() { echo "[bench-core $(date -u +%H:%M:%S)] $*" >&2; }
now_ns() { date +%s%N; }
ms_since() { echo $(( ($(now_ns) - $1) / 1000000 )); }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f s", ms / 1000 }'; }
per_s() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%d", (ms > 0 ? n * 1000 / ms : 0) }'; }
load1() { cut -d' ' -f1 /proc/loadavg; }

free_port() {
    local p
    for p in $(seq 18180 18299); do
        if ! ss -Htln "sport = :$p" | grep -q .; then echo "$p"; return; fi
    done
    echo "no free port" >&2; exit 1
}

compiling() { pgrep -x rustc >/dev/null || pgrep -x clippy-driver >/dev/null; }
wait_for_builds() { # the machine is shared: never measure while a compiler runs
    local waited=0
    while compiling; do sleep 5; waited=$((waited + 5)); done
    if [ $waited -gt 0 ]; then note "waited ${waited} s for rustc/clippy-driver to finish"; fi
}

# Samples once a second whether a compiler runs, into the flag file $1, until killed.
watch_builds() { while true; do if compiling; then : >"$1"; fi; sleep 1; done; }
WATCHER=
watch_start() { rm -f "$1"; watch_builds "$1" >/dev/null 2>&1 & WATCHER=$!; }
watch_stop() { # $1 = flag file; prints yes/no
    kill "$WATCHER" 2>/dev/null; wait "$WATCHER" 2>/dev/null || true
    if compiling; then : >"$1"; fi
    if [ -e "$1" ]; then echo yes; else echo no; fi
}

cpu_ticks() { # CPU time (ticks) of the given pids together
    local t=0 p
    for p in "$@"; do
        [ -r "/proc/$p/stat" ] || continue
        t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
    echo $t
}

# After a load run, abandoned requests may still be worked on; wait until the server (and
# PostgreSQL) use less than 5 % of a core, at most 300 s.
wait_idle() {
    local pids a b
    for _ in $(seq 1 300); do
        pids="$SERVER_PID $(pgrep -u postgres -d ' ' postgres 2>/dev/null || true)"
        # shellcheck disable=SC2086
        a=$(cpu_ticks $pids); sleep 1
        # shellcheck disable=SC2086
        b=$(cpu_ticks $pids)
        if [ $((b - a)) -lt 5 ]; then return; fi
    done
    note "server still busy after 300 s"
}

start_server() { # $1 = data dir, $2 = URL, further args for serve; sets SERVER_PID, PORT, READY_MS
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

rss_mib() { awk -v k="${2:-VmRSS}:" '$1 == k {print int($2 / 1024)}' "/proc/$1/status"; }

login() { # $1 = username; prints the session cookie
    local cookie
    cookie=$(curl -s -o /dev/null -D - -d "username=$1&password=lotse-demo" "http://127.0.0.1:$PORT/login" \
        | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(__Host-lotse_session=[^;]*\).*/\1/p')
    [ -n "$cookie" ] || { echo "login as $1 failed" >&2; exit 1; }
    echo "$cookie"
}

# Median of three single requests, one after the other: "status bytes seconds".
single() { # $1 = cookie, $2 = path
    for _ in 1 2 3; do
        curl -s -o /dev/null -H "Cookie: $1" -w '%{http_code} %{size_download} %{time_total}\n' \
            --max-time 300 "http://127.0.0.1:$PORT$2"
    done | sort -k3 -g | sed -n 2p
}

# One wrk run with $1 connections; repeated once if a compiler ran during it. Sets W_* (Markdown cells).
wrk_run() { # $1 = connections, $2 = cookie, $3 = path
    local conns=$1 cookie=$2 path=$3 out attempt flag="$WORK/rustc-wrk" rustc before
    for attempt in 1 2; do
        wait_for_builds
        wait_idle
        before=$(load1)
        watch_start "$flag"
        out=$(wrk -t"$((conns < 2 ? 1 : 2))" -c"$conns" -d"${DURATION}s" --timeout "$WRK_TIMEOUT" --latency -H "Cookie: $cookie" \
            "http://127.0.0.1:$PORT$path")
        rustc=$(watch_stop "$flag")
        W_LOAD="$before → $(load1)"
        printf '%s\n' "-c$conns $path (attempt $attempt, rustc: $rustc)" "$out" >>"$WORK/wrk.log"
        [ "$rustc" = yes ] || break
        note "rustc/clippy-driver ran during the run of $path with $conns connections (attempt $attempt)"
    done
    W_RUSTC=$rustc
    if [ "$attempt" = 2 ]; then W_RUSTC="$rustc (the first run had a compiler; figures from the repeat)"; fi
    W_N=$(echo "$out" | awk '/requests in/ {print $1}')
    if [ "${W_N:-0}" -gt 0 ]; then
        W_RPS=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
        W_P50=$(echo "$out" | awk '$1=="50%" {print $2}')
        W_P99=$(echo "$out" | awk '$1=="99%" {print $2}')
    else
        W_RPS=0 W_P50="–" W_P99="–"
    fi
    local errors non2xx
    errors=$(echo "$out" | sed -n 's/.*Socket errors: //p')
    non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
    W_ERR=""
    [ -z "$errors" ] || W_ERR="socket errors: $errors"
    [ -z "$non2xx" ] || W_ERR="${W_ERR:+$W_ERR; }non-2xx: $non2xx"
    W_ERR=${W_ERR:-none}
}

ROWS=()
# A page under wrk with CONNECTIONS connections and with one; appends Markdown rows to ROWS.
bench() { # $1 = label, $2 = cookie, $3 = path
    local label=$1 cookie=$2 path=$3 s status bytes t conns
    wait_for_builds
    s=$(single "$cookie" "$path")
    read -r status bytes t <<<"$s"
    [ "$status" = 200 ] || { echo "$path answered $status" >&2; exit 1; }
    for conns in "$CONNECTIONS" 1; do
        wrk_run "$conns" "$cookie" "$path"
        ROWS+=("| $label (\`$path\`) | $conns | $W_RPS | $W_P50 | $W_P99 | $W_N | $W_ERR | $(awk -v t="$t" 'BEGIN { printf "%.1f ms", t * 1000 }') | $((bytes / 1024)) KiB | $W_LOAD | $W_RUSTC |")
    done
}

# A catalogue of N synthetic measures as CSV files of at most ROWS_PER_FILE rows each (`;`, UTF-8).
write_catalogue() { # $1 = directory, $2 = rows
    mkdir -p "$1"
    awk -v total="$2" -v per="$ROWS_PER_FILE" -v dir="$1" 'BEGIN {
        split("Sprache|Bildung|Arbeit und Wirtschaft|Gesundheit und Sport|Querschnitt und Steuerung", field, "|")
        split("Kommunales Integrationszentrum (Demo)|Beratungsdienst Musterverband Beckum (Demo)|Integrationsagentur Beispielstadt (Demo)|Sprachkurse Muster gGmbH (Demo)", org, "|")
        split("geplant|in Umsetzung|umgesetzt|abgeschlossen|zurückgestellt", status, "|")
        split("Sprachkurs|Elterncafé|Bewerbungstraining|Hausaufgabenhilfe|Sportangebot|Lotsenprojekt|Beratungsstunde|Fortbildung", what, "|")
        split("Neuzugewanderte|Eltern|Jugendliche|Frauen|Seniorinnen und Senioren|Schulkinder", whom, "|")
        file = 0
        for (i = 1; i <= total; i++) {
            if ((i - 1) % per == 0) {
                if (file) close(out)
                file++
                out = sprintf("%s/katalog-%02d.csv", dir, file)
                print "Nr.;Maßnahme;Beschreibung;Handlungsfeld;Federführung;Partner;Sachstand;Beginn;Ende;Zielgruppe" > out
            }
            w = what[(i % 8) + 1]; g = whom[(i % 6) + 1]
            lead = org[(i % 4) + 1]
            partners = org[((i + 1) % 4) + 1]
            if (i % 3 == 0) partners = "\"" partners ";" org[((i + 2) % 4) + 1] "\""
            printf "BK-%06d;%s für %s (synthetisch %d);Synthetische Maßnahme für Lasttests: %s für %s im Kreis Warendorf, mit Anmeldung über die Federführung und regelmäßiger Auswertung.;%s;%s;%s;%s;%02d.%02d.%d;%02d/%d;%s\n", \
                i, w, g, i, w, g, field[(i % 5) + 1], lead, partners, status[(i % 5) + 1], \
                (i % 28) + 1, (i % 12) + 1, 2020 + (i % 6), (i % 12) + 1, 2027 + (i % 4), g > out
        }
        close(out)
    }'
}

# Runs a command after waiting for builds; sets T_MS, T_RC (124: stopped at the limit), T_RUSTC,
# T_LOAD. Output goes to $WORK/timed.log. $1 = time limit in seconds (0: none). A failing command
# ends the script unless T_TOLERATE=1.
T_TOLERATE=0
timed() {
    local limit=$1 start before flag="$WORK/rustc-timed"
    shift
    wait_for_builds
    before=$(load1)
    watch_start "$flag"
    start=$(now_ns)
    T_RC=0
    if [ "$limit" -gt 0 ]; then
        LOTSE_LOG=warn timeout "$limit" "$@" >>"$WORK/timed.log" 2>&1 || T_RC=$?
    else
        LOTSE_LOG=warn "$@" >>"$WORK/timed.log" 2>&1 || T_RC=$?
    fi
    T_MS=$(ms_since "$start")
    T_RUSTC=$(watch_stop "$flag")
    T_LOAD="$before → $(load1)"
    if [ $T_RC != 0 ] && [ $T_RC != 124 ] && [ "$T_TOLERATE" != 1 ]; then
        tail -20 "$WORK/timed.log" >&2; echo "failed ($T_RC): $*" >&2; exit 1
    fi
}
# Markdown cells "wall time | rows/s" of the last timed step.
timed_cells() { # $1 = rows
    if [ "$T_RC" = 124 ]; then
        echo "**not finished after $(secs "$T_MS")**, stopped | < $(per_s "$1" "$T_MS")"
    else
        echo "$(secs "$T_MS") | $(per_s "$1" "$T_MS")"
    fi
}

pg_name() { if [ "$1" = main ]; then echo lotse_bench_core; else echo "lotse_bench_core_$1"; fi; }
new_db() { # $1 = main, import or small; prints the URL of a new, empty database (SQLite in $WORK/$1)
    rm -rf "${WORK:?}/$1"; mkdir -p "$WORK/$1"
    if [ "$BACKEND" = sqlite ]; then
        echo "sqlite://$WORK/$1/lotse.db"
    else
        su postgres -c "psql -Atqc 'DROP DATABASE IF EXISTS $(pg_name "$1") WITH (FORCE)'" >/dev/null 2>&1
        su postgres -c "psql -Atqc 'CREATE DATABASE $(pg_name "$1") OWNER lotse'" >/dev/null
        echo "${PG_BASE%/*}/$(pg_name "$1")"
    fi
}
drop_db() { # $1 = main, import or small
    rm -rf "${WORK:?}/$1"
    if [ "$BACKEND" != sqlite ]; then
        su postgres -c "psql -Atqc 'DROP DATABASE IF EXISTS $(pg_name "$1") WITH (FORCE)'" >/dev/null 2>&1
    fi
}

# HSDS export of database $2 (data dir $1) to $3, then import into a new database; appends to STEPS.
hsds_exchange() { # $1 = data dir, $2 = URL, $3 = package dir, $4 = offers in the database, $5 = label suffix
    local dir=$1 url=$2 pkg=$3 n=$4 suffix=$5 services created url2 partial=""
    rm -rf "$pkg"
    timed "$HSDS_LIMIT" "$BIN" --data-dir "$dir" --database-url "$url" export hsds "$pkg"
    services=$(grep 'Angebote von' "$WORK/timed.log" | tail -1 | awk '{print $1}' || true)
    if [ "$T_RC" = 124 ]; then
        services="$n+"
        # The CSV files are written first, services.json (each service nested) last.
        [ -e "$pkg/services.csv" ] || { echo "export stopped before the datapackage was written" >&2; exit 1; }
        partial=": datapackage.json and all CSV files; services.json not yet"
    fi
    STEPS+=("| export the offers as HSDS 3.0$suffix (\`lotse export hsds DIR\`; $(du -sm "$pkg" | cut -f1) MiB written$partial) | $services | $(timed_cells "${services%+}") | $T_LOAD | $T_RUSTC |")
    url2=$(new_db import)
    : >"$WORK/timed.log"
    T_TOLERATE=1
    timed "$HSDS_LIMIT" "$BIN" --data-dir "$WORK/import" --database-url "$url2" import hsds "$pkg"
    T_TOLERATE=0
    local cells
    cells=$(timed_cells "${services%+}")
    created=$(grep 'Angebote angelegt' "$WORK/timed.log" | tail -1 | awk '{print $1}' || true)
    if [ "$T_RC" = 124 ]; then created="none (one transaction)"; fi
    if [ "$T_RC" != 0 ] && [ "$T_RC" != 124 ]; then
        # Refused (exit 1): the importer names the reasons, indented, below "Import abgelehnt".
        created="none; **refused** (exit $T_RC): $(grep -A3 'Import abgelehnt' "$WORK/timed.log" | sed -n 's/^  //p' | head -3 | tr '\n' ' ')"
        cells="refused after $(secs "$T_MS") | –"
    fi
    STEPS+=("| **audited import of the exported offers into a new database**$suffix (\`lotse import hsds DIR\`, the datapackage; created: $created) | ${services%+} | $cells | $T_LOAD | $T_RUSTC |")
    drop_db import
}

measure() { # $1 = label
    local label=$1 url dir
    url=$(new_db main)
    dir="$WORK/main"
    ROWS=()
    STEPS=()
    note "$label: demo data (serve --demo)"
    start_server "$dir" "$url" --demo
    local cold_ms=$READY_MS
    stop_server

    note "$label: $OFFERS synthetic offers"
    timed 0 "$BIN" --data-dir "$dir" --database-url "$url" demo offers --count "$OFFERS"
    STEPS+=("| generate $OFFERS offers (\`lotse demo offers --count $OFFERS\`; 500 per transaction, each with revision and audit entry) | $OFFERS | $(timed_cells "$OFFERS") | $T_LOAD | $T_RUSTC |")

    start_server "$dir" "$url"
    local ready1=$READY_MS rss1 coord
    rss1=$(rss_mib "$SERVER_PID")
    coord=$(login koordination)
    note "$label: wrk /offers"
    bench "staff offer list, page 1 of $OFFERS+ offers" "$coord" "/offers"
    local hwm1
    hwm1=$(rss_mib "$SERVER_PID" VmHWM)
    stop_server

    note "$label: HSDS export and import of $OFFERS+ offers (limit $HSDS_LIMIT s each)"
    hsds_exchange "$dir" "$url" "$WORK/hsds" "$OFFERS" ""
    rm -rf "$WORK/hsds"

    note "$label: import $MEASURES measures"
    local f files=0 total_ms=0 per_file=() any_rustc=no first_load=""
    rm -rf "$WORK/catalogue"
    write_catalogue "$WORK/catalogue" "$MEASURES"
    for f in "$WORK"/catalogue/katalog-*.csv; do
        timed 0 "$BIN" --data-dir "$dir" --database-url "$url" import measures "$f" --concept "$CONCEPT"
        grep 'rows read' "$WORK/timed.log" | tail -1 | grep -q ', 0 errors$' || { tail -5 "$WORK/timed.log" >&2; exit 1; }
        if [ "$T_RUSTC" = yes ]; then any_rustc=yes; fi
        first_load=${first_load:-${T_LOAD%% *}}
        per_file+=("$(secs "$T_MS")")
        total_ms=$((total_ms + T_MS)); files=$((files + 1))
    done
    T_MS=$total_ms T_RC=0
    STEPS+=("| **audited import of $MEASURES measures** (\`lotse import measures FILE --concept \"$CONCEPT\"\`, $files CSV files of ≤ $ROWS_PER_FILE rows into one concept; one transaction per file, an audit entry per measure; per file: ${per_file[*]}) | $MEASURES | $(timed_cells "$MEASURES") | $first_load → $(load1) | $any_rustc |")
    rm -rf "$WORK/catalogue"

    start_server "$dir" "$url"
    local ready2=$READY_MS admin user_id
    coord=$(login koordination)
    admin=$(login admin)
    note "$label: wrk /measures"
    bench "staff measure list, all $MEASURES+ measures (the page has no paging)" "$coord" "/measures"
    user_id=$(curl -sf -H "Cookie: $admin" "http://127.0.0.1:$PORT/api/v1/users" \
        | python3 -c 'import json, sys; d = json.load(sys.stdin); users = d["items"] if isinstance(d, dict) else d; print(next(u["id"] for u in users if u["username"] == "koordination"))')
    note "$label: wrk /admin/users/$user_id"
    bench "protected-record read: the user koordination's page as admin, logged (an audit \"read\" entry per request)" "$admin" "/admin/users/$user_id"
    local hwm2
    hwm2=$(rss_mib "$SERVER_PID" VmHWM)
    stop_server
    local db_size=""
    if [ "$BACKEND" = sqlite ]; then db_size="; database $(du -sm "$dir" | cut -f1) MiB with offers and measures"; fi
    drop_db main

    local n
    for n in $HSDS_SCALE; do
        note "$label: HSDS export and import of $n offers"
        url=$(new_db small)
        timed 0 "$BIN" --data-dir "$WORK/small" --database-url "$url" demo offers --count "$n"
        hsds_exchange "$WORK/small" "$url" "$WORK/hsds" "$n" ", smaller directory: $n generated offers"
        rm -rf "$WORK/hsds"
        drop_db small
    done

    echo "### $label"
    echo
    echo "- new database with the demo data (\`serve --demo\`) to ready: ${cold_ms} ms"
    echo "- start to ready with $OFFERS+ offers (search index built at start): ${ready1} ms; after the measure import: ${ready2} ms${db_size}"
    echo "- memory: ${rss1} MiB RSS after start; peak ${hwm1} MiB during the offer list loads; peak ${hwm2} MiB of the second server (measure list and user page loads)"
    echo
    echo "| request (wrk -t2 -d${DURATION}s, -t1 with 1 connection; timeout $WRK_TIMEOUT) | connections | requests/s | p50 | p99 | requests done | errors | alone (median of 3) | size | load avg (1 min) before → after | rustc or clippy during run |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "| step | rows | wall time | rows/s | load avg before → after | rustc or clippy during |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${STEPS[@]}"
    echo
}

echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr); date: $(date -u '+%Y-%m-%d %H:%M UTC'); binary: $BIN ($("$BIN" --version)); wrk -t2 -d${DURATION}s --timeout $WRK_TIMEOUT on loopback with $CONNECTIONS and with 1 connection (wrk shares the cores with the server)."
echo
for BACKEND in $BACKENDS; do
    case $BACKEND in
    sqlite) measure "SQLite" ;;
    postgres)
        PG_BASE=$(bash scripts/postgres.sh)
        measure "PostgreSQL $(su postgres -c "psql -Atqc 'SHOW server_version'" | cut -d' ' -f1) (same machine)"
        ;;
    *) echo "unknown backend $BACKEND" >&2; exit 2 ;;
    esac
done
