#!/usr/bin/env bash
# GET /api/v1/contracts/{uid} with wrk at 64 connections beside GET /healthz of
# the same server in the same run (the ceiling), on >= 100,000 contracts; and
# the server's resident memory.
#   bench/http_bench.sh BUILD_DIR [SHARED_DATA] [DURATION=10s] [ROUNDS=3]
# Each round also prints the server's CPU time per request on each route
# (utime + stime from /proc/PID/stat around each wrk run, divided by the
# requests wrk counted): a figure that other work on the machine moves much
# less than the rates.
# BASELINE=path/to/limpide (another build, e.g. main's) imports the same file
# with that binary into its own directory and serves it beside the first; each
# round then measures the baseline's routes too, just before the build's,
# printed as "baseline round N: …". SERVE_ARGS and BASELINE_ARGS are added to
# each server's command line: BASELINE=build/limpide BASELINE_ARGS=
# "--contract-cache-mib 0" sets the same build without its cache of rendered
# contracts beside it. The contract cache's hits and misses are printed last.
set -euo pipefail
BUILD=${1:-build}; SHARED=${2:-../shared/data}; DURATION=${3:-10s}; ROUNDS=${4:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
PID=; BPID=
trap 'for p in $PID $BPID; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
node "$ROOT/bench/make-big-decp.mjs" "$SHARED" "$WORK/big.json" "$WORK/uids.txt" 12

# start BINARY DIR [SERVE ARGS…]: imports, indexes and serves DIR; sets SPID and SURL.
start() {
  local bin=$1 dir=$2
  shift 2
  "$bin" import --data-dir "$dir/data" --json "$WORK/big.json" > "$dir/import.json"
  # The search index is built to the ledger's head before the server starts, so
  # that its follower does not take a core from the measured routes.
  "$bin" reindex --data-dir "$dir/data" > /dev/null
  "$bin" serve --data-dir "$dir/data" --listen 127.0.0.1:0 --rate-limit 0 --no-access-log "$@" \
    > "$dir/out" 2>"$dir/err" &
  SPID=$!
  for _ in $(seq 100); do grep -q listening "$dir/out" && break; sleep 0.1; done
  SURL=$(sed -n 's/.*listening on \(http:\/\/[^/]*\)\/.*/\1/p' "$dir/out")
}

if [[ -n ${BASELINE:-} ]]; then
  mkdir -p "$WORK/baseline"
  # shellcheck disable=SC2086 # the arguments are split on purpose
  start "$BASELINE" "$WORK/baseline" ${BASELINE_ARGS:-}; BPID=$SPID; BURL=$SURL
  echo "baseline $BASELINE ${BASELINE_ARGS:-}: server $BURL"
fi
mkdir -p "$WORK/build"
# shellcheck disable=SC2086
start "$BUILD/limpide" "$WORK/build" ${SERVE_ARGS:-}; PID=$SPID; URL=$SURL
echo "server $URL, $(grep -o '"inserted": [0-9]*' "$WORK/build/import.json" | head -1) contracts"
export UIDS_FILE="$WORK/uids.txt"
TICK=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# wrk PID ARGS…: wrk's output, then a last line "cpu <µs of server CPU per request>".
run() {
  local pid=$1; shift
  local t0 out t1
  t0=$(ticks "$pid")
  out=$(wrk -t2 -c64 -d"$DURATION" --latency "$@" 2>&1)
  t1=$(ticks "$pid")
  echo "$out"
  echo "$out" | awk -v d=$((t1 - t0)) -v hz="$TICK" '/requests in/ {printf "cpu %.1f\n", d * 1e6 / hz / $1}'
}
# round LABEL PID URL
round() {
  local label=$1 pid=$2 url=$3 H U hr hp hc ur up uc ue
  H=$(run "$pid" "$url/healthz")
  U=$(run "$pid" -s "$ROOT/bench/uid.lua" "$url")
  hr=$(echo "$H" | awk '/Requests\/sec/ {print $2}'); hp=$(echo "$H" | awk '$1=="99%" {print $2}')
  ur=$(echo "$U" | awk '/Requests\/sec/ {print $2}'); up=$(echo "$U" | awk '$1=="99%" {print $2}')
  hc=$(echo "$H" | awk '$1=="cpu" {print $2}'); uc=$(echo "$U" | awk '$1=="cpu" {print $2}')
  ue=$(echo "$U" | grep -c 'Non-2xx' || true)
  echo "$label: healthz $hr req/s (p99 $hp) | contract by uid $ur req/s (p99 $up) | ratio $(awk -v a="$ur" -v b="$hr" 'BEGIN{printf "%.0f%%", 100*a/b}') | non-2xx lines: $ue"
  echo "$label CPU per request: healthz $hc µs | contract by uid $uc µs | ratio $(awk -v a="$uc" -v b="$hc" 'BEGIN{printf "%.2f", a/b}')"
}
# One unmeasured run of the uid route per server first: the rounds then see
# the caches (the OS's, SQLite's, the contract cache) as a server that has been
# up a while has them.
for url in ${BURL:-} "$URL"; do
  wrk -t2 -c64 -d"$DURATION" -s "$ROOT/bench/uid.lua" "$url" > /dev/null
done
for r in $(seq "$ROUNDS"); do
  [[ -n $BPID ]] && round "baseline round $r" "$BPID" "$BURL"
  round "round $r" "$PID" "$URL"
done
mb() { awk -v k="$1:" '$1==k {printf "%.0f MB", $2/1024}' "/proc/$2/status"; }
mem() { echo "$(mb VmRSS "$1") (VmHWM $(mb VmHWM "$1"); anonymous $(mb RssAnon "$1"), mapped files $(mb RssFile "$1"))"; }
[[ -n $BPID ]] && echo "baseline resident memory: $(mem "$BPID")"
echo "server resident memory: $(mem "$PID")"
cache() {
  curl -s "$1/metrics" | awk '/^limpide_contract_cache_(hits_total|misses_total|entries|bytes) / {
    sub("limpide_contract_cache_", "", $1); printf "%s %s ", $1, $2}'
}
[[ -n $BPID ]] && echo "baseline contract cache: $(cache "$BURL")"
echo "contract cache: $(cache "$URL")"
