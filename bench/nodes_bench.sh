#!/usr/bin/env bash
# Read throughput of two `limpide serve` nodes on one PostgreSQL database beside
# one node on the same database, in the same run: GET /api/v1/contracts/{uid}
# (random uids, wrk, 64 connections in all) and GET /api/v1/contracts?limit=50.
# Starts its own throw-away cluster (scripts/pg-test-cluster.sh).
#   bench/nodes_bench.sh BUILD_DIR [SHARED_DATA] [DURATION=10s] [ROUNDS=3] [REPEAT=2]
set -euo pipefail
BUILD=${1:-build}; SHARED=${2:-../shared/data}; DURATION=${3:-10s}; ROUNDS=${4:-3}; REPEAT=${5:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
chmod 755 "$WORK"  # the cluster runs as the postgres user
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  "$ROOT/scripts/pg-test-cluster.sh" stop "$WORK/pg" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
DB=$("$ROOT/scripts/pg-test-cluster.sh" start "$WORK/pg")
node "$ROOT/bench/make-big-decp.mjs" "$SHARED" "$WORK/big.json" "$WORK/uids.txt" "$REPEAT" >/dev/null
"$BUILD/limpide" import --data-dir "$WORK/a" --database "$DB" --json "$WORK/big.json" > "$WORK/import.json"

start_node() {  # DIR -> prints URL
  "$BUILD/limpide" serve --data-dir "$1" --database "$DB" --listen 127.0.0.1:0 --rate-limit 0 \
    --no-access-log > "$1/out" 2>"$1/err" &
  PIDS+=($!)
  for _ in $(seq 300); do grep -q listening "$1/out" && break; sleep 0.1; done
  sed -n 's/.*listening on \(http:\/\/[^/]*\)\/.*/\1/p' "$1/out"
}
A=$(start_node "$WORK/a")
mkdir -p "$WORK/b" && cp "$WORK/a/ledger.key" "$WORK/b/"  # one platform, one signing key
B=$(start_node "$WORK/b")
echo "nodes $A $B on $DB, $(grep -o '"inserted": *[0-9]*' "$WORK/import.json" | head -1 | grep -o '[0-9]*$') contracts"
export UIDS_FILE="$WORK/uids.txt"
rate() { awk '/Requests\/sec/ {print $2}'; }
p99() { awk '$1=="99%" {print $2}'; }
errors() { grep -c 'Non-2xx\|Socket errors' || true; }
one() { wrk -t2 -c64 -d"$DURATION" --latency "$@" 2>&1; }
# Two nodes: two wrk at once, 32 connections each, summed.
two() {
  local path=$1; shift
  wrk -t1 -c32 -d"$DURATION" --latency "$@" "$A$path" > "$WORK/wa" 2>&1 &
  local w=$!
  wrk -t1 -c32 -d"$DURATION" --latency "$@" "$B$path" > "$WORK/wb" 2>&1
  wait "$w"
  awk -v a="$(rate < "$WORK/wa")" -v b="$(rate < "$WORK/wb")" 'BEGIN {printf "%.0f", a + b}'
  echo " (p99 $(p99 < "$WORK/wa") / $(p99 < "$WORK/wb"), error lines $(cat "$WORK/wa" "$WORK/wb" | errors))"
}
for r in $(seq "$ROUNDS"); do
  U1=$(one -s "$ROOT/bench/uid.lua" "$A"); U2=$(two / -s "$ROOT/bench/uid.lua")
  L1=$(one "$A/api/v1/contracts?limit=50"); L2=$(two "/api/v1/contracts?limit=50")
  u1=$(echo "$U1" | rate); l1=$(echo "$L1" | rate)
  echo "round $r: contract by uid: 1 node $u1 req/s (p99 $(echo "$U1" | p99)) | 2 nodes $U2"
  echo "round $r: list of 50:      1 node $l1 req/s (p99 $(echo "$L1" | p99)) | 2 nodes $L2"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
