#!/usr/bin/env bash
# GET /api/v1/contracts/{uid} with wrk at 64 connections beside GET /healthz of
# the same server in the same run (the ceiling), on >= 100,000 contracts; and
# the server's resident memory.
#   bench/http_bench.sh BUILD_DIR [SHARED_DATA] [DURATION=10s] [ROUNDS=3]
set -euo pipefail
BUILD=${1:-build}; SHARED=${2:-../shared/data}; DURATION=${3:-10s}; ROUNDS=${4:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'kill $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
node "$ROOT/bench/make-big-decp.mjs" "$SHARED" "$WORK/big.json" "$WORK/uids.txt" 12
"$BUILD/limpide" import --data-dir "$WORK/data" --json "$WORK/big.json" > "$WORK/import.json"
# The search index is built to the ledger's head before the server starts, so
# that its follower does not take a core from the measured routes.
"$BUILD/limpide" reindex --data-dir "$WORK/data" > /dev/null
"$BUILD/limpide" serve --data-dir "$WORK/data" --listen 127.0.0.1:0 --rate-limit 0 --no-access-log > "$WORK/out" 2>"$WORK/err" &
PID=$!
for _ in $(seq 100); do grep -q listening "$WORK/out" && break; sleep 0.1; done
URL=$(sed -n 's/.*listening on \(http:\/\/[^/]*\)\/.*/\1/p' "$WORK/out")
echo "server $URL, $(grep -o '"inserted": [0-9]*' "$WORK/import.json" | head -1) contracts"
export UIDS_FILE="$WORK/uids.txt"
run() { wrk -t2 -c64 -d"$DURATION" --latency "$@" 2>&1; }
for r in $(seq "$ROUNDS"); do
  H=$(run "$URL/healthz")
  U=$(run -s "$ROOT/bench/uid.lua" "$URL")
  hr=$(echo "$H" | awk '/Requests\/sec/ {print $2}'); hp=$(echo "$H" | awk '$1=="99%" {print $2}')
  ur=$(echo "$U" | awk '/Requests\/sec/ {print $2}'); up=$(echo "$U" | awk '$1=="99%" {print $2}')
  ue=$(echo "$U" | grep -c 'Non-2xx' || true)
  echo "round $r: healthz $hr req/s (p99 $hp) | contract by uid $ur req/s (p99 $up) | ratio $(awk -v a="$ur" -v b="$hr" 'BEGIN{printf "%.0f%%", 100*a/b}') | non-2xx lines: $ue"
done
mb() { awk -v k="$1:" '$1==k {printf "%.0f MB", $2/1024}' /proc/$PID/status; }
echo "server resident memory: $(mb VmRSS) (VmHWM $(mb VmHWM); anonymous $(mb RssAnon), mapped files $(mb RssFile))"
