#!/usr/bin/env bash
# Load test of the public offer finder, as docs/benchmarks.md records it: N synthetic offers in
# seven languages (lotse demo offers), then wrk against the public search API and pages, the last
# page of the search window and the first and last pages of the HSDS API (decision 0009).
# Usage: scripts/bench-finder.sh [offers] [seconds-per-run]   (prints Markdown)
# BIN=path/to/lotse measures that binary instead of building this checkout (before and after).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/lotse-target}
OFFERS=${1:-100000}
DURATION=${2:-10}
command -v wrk >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
if [ -z "${BIN:-}" ]; then
    cargo build --release -p lotse --locked >&2
    BIN="$CARGO_TARGET_DIR/release/lotse"
fi
PORT=18081
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

start=$(date +%s%N)
"$BIN" --data-dir "$dir" demo offers --count "$OFFERS" >/dev/null 2>&1
gen_s=$(( ($(date +%s%N) - start) / 1000000 ))
db_mib=$(( $(du -sk "$dir" | cut -f1) / 1024 ))

start=$(date +%s%N)
LOTSE_LOG=warn "$BIN" --data-dir "$dir" serve --listen 127.0.0.1:$PORT >/dev/null 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; do sleep 0.05; done
ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)

echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr); date: $(date -u +%Y-%m-%d); SQLite; wrk -t2 -c16 -d${DURATION}s on loopback (wrk shares the 2 cores with the server)."
echo
echo "- $OFFERS synthetic offers (texts in 7 languages) written in ${gen_s} ms; database ${db_mib} MiB"
echo "- start to ready, including building the search index of all offers: ${ready_ms} ms"
echo "- memory after start: $((rss / 1024)) MiB RSS"
echo
echo "| request | results | requests/s | p50 | p99 |"
echo "|---|---|---|---|---|"
for target in \
    "/api/v1/public/offers?q=Sprachkurs|API: one word (stemmed)" \
    "/api/v1/public/offers?q=Beratnug%20Familien|API: two words, one with a typo" \
    "/api/v1/public/offers?q=Sprachkurs&town=Ahlen&language=ar&free=true|API: word and three filters" \
    "/api/v1/public/offers?topic=counselling&town=Beckum|API: filters only (title order)" \
    "/api/v1/public/offers?q=%D8%AF%D9%88%D8%B1%D8%A9&locale=ar|API: Arabic word, Arabic texts" \
    "/api/v1/public/offers?q=Bewerbung|API: part of a compound (Bewerbungstraining)" \
    "/api/v1/public/offers?q=Deutschkurs|API: a compound typed (its parts; a concept)" \
    "/api/v1/public/offers?q=Gesundh|API: the start of a word, as typed" \
    "/api/v1/public/offers?q=%D0%B6%D0%B8%D1%82%D0%BB%D0%BE&locale=uk|API: Ukrainian word reaching German offers (житло)" \
    "/api/v1/public/offers?q=Beratung&near=Neubeckum|API: nearest first from a village" \
    "/api/v1/public/offers?q=Beratung&open=now&places=true|API: open now, with free places" \
    "/angebote?q=Sprachkurs|page: German results with town overview" \
    "/angebote?q=Schuldnerbreatnugg|page: nothing found, did you mean" \
    "/prs/angebote?q=Sprachkurs|page: Dari results with town overview" \
    "/ar/angebote?q=Sprachkurs|page: Arabic results with town overview" \
    "/api/v1/public/offers?offset=980|API: last page of the search window, title order" \
    "/api/v1/public/offers?q=Angebot&offset=980|API: last page of the search window, relevance" \
    "/angebote?page=50|page: last page of the search window" \
    "/hsds/services?per_page=100|HSDS: services, first page of 100" \
    "/hsds/services?per_page=100&page=$((OFFERS / 100))|HSDS: services, last page of 100" \
    "/hsds/service_at_locations?per_page=100&page=$((OFFERS / 100))|HSDS: service-at-locations, last page of 100"; do
    path=${target%%|*} name=${target##*|}
    # What the request finds (JSON answers), or its status if it is not 200: noted, not fatal.
    status=$(curl -s -o "$dir/answer" -w '%{http_code}' "http://127.0.0.1:$PORT$path")
    if [ "$status" = 200 ]; then
        found=$(python3 -c 'import json, sys
try:
    print(json.load(open(sys.argv[1])).get("total", "–"))
except Exception:
    print("–")' "$dir/answer")
    else
        found="HTTP $status"
    fi
    out=$(wrk -t2 -c16 -d"${DURATION}s" --latency "http://127.0.0.1:$PORT$path")
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}')
    p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    echo "| $name (\`$path\`) | $found | $rps | $p50 | $p99 |"
done
rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
echo
echo "- memory after the load: $((rss / 1024)) MiB RSS"
kill -TERM $pid; wait $pid || true
