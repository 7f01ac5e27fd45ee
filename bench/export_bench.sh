#!/usr/bin/env bash
# Export throughput: `limpide export --format decp-json` (and decp-xml, csv,
# ocds-jsonl) of a big DECP 2.x data set, beside `cat` of a file of the same
# size in the same run, with the peak resident memory; then `limpide bulk
# --full` (the three bulk files in one pass) and the download of the full
# dump's decp.json and ocds.jsonl over HTTP with curl, beside `cat`.
#   bench/export_bench.sh BUILD_DIR SHARED_DATA [COUNT=200000] [RUNS=3]
# The data set is made by bench/make-big-decp2.mjs (COUNT records built from
# the official 2.x examples, every one of them exportable) and imported into a
# fresh data directory under $TMPDIR. Figures go to stdout.
set -euo pipefail
BUILD=${1:?build dir}
SHARED=${2:?shared data dir}
COUNT=${3:-200000}
RUNS=${4:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$BUILD/limpide
WORK=$(mktemp -d "${TMPDIR:-/tmp}/limpide-export-bench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT

node "$ROOT/bench/make-big-decp2.mjs" "$SHARED" "$WORK/big.json" "$COUNT" 100
start=$(date +%s.%N)
"$BIN" import --data-dir "$WORK/data" "$WORK/big.json" >/dev/null
echo "import: $(echo "$(date +%s.%N) - $start" | bc) s for $COUNT records ($(du -m "$WORK/big.json" | cut -f1) MB of DECP 2.x JSON)"
rm -f "$WORK/big.json"

# Peak of a /proc/PID/status field (kB) while PID runs.
peak_of() {
  local pid=$1 field=$2 peak=0 v
  while kill -0 "$pid" 2>/dev/null; do
    v=$(awk -v f="$field:" '$1 == f {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [[ -n $v && $v -gt $peak ]] && peak=$v
    sleep 0.02
  done
  echo "$peak"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

FORMATS=${FORMATS:-decp-json decp-xml csv ocds-jsonl}
for format in $FORMATS; do
  out="$WORK/out.$format"
  : >"$WORK/t_export"; : >"$WORK/cpu"; : >"$WORK/t_cat"; : >"$WORK/rss"; : >"$WORK/anon"
  for ((i = 0; i < RUNS; i++)); do
    rm -f "$out" "$out.sha256" "$WORK/copy"
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$BIN" export --data-dir "$WORK/data" --format "$format" --output "$out" 2>"$WORK/log" &
    tpid=$!
    # /usr/bin/time's child is the limpide process.
    sleep 0.05
    lpid=$(pgrep -P "$tpid" || true)
    anon=0
    [[ -n $lpid ]] && anon=$(peak_of "$lpid" RssAnon)
    wait "$tpid"
    read -r secs user sys rss <"$WORK/time"
    echo "$secs" >>"$WORK/t_export"; echo "$rss" >>"$WORK/rss"; echo "$anon" >>"$WORK/anon"
    echo "$user + $sys" | bc >>"$WORK/cpu"
    start=$(date +%s.%N)
    cat "$out" >"$WORK/copy"
    echo "$(date +%s.%N) - $start" | bc >>"$WORK/t_cat"
  done
  size=$(stat -c %s "$out")
  mb=$(echo "scale=1; $size / 1000000" | bc)
  te=$(median <"$WORK/t_export"); tc=$(median <"$WORK/t_cat"); tu=$(median <"$WORK/cpu")
  echo "$format: $mb MB, $(grep -o 'exported [0-9,]* of [0-9,]*' "$WORK/log")"
  echo "  export: $(echo "scale=1; $mb / $te" | bc) MB/s (median ${te} s of $RUNS: $(paste -sd' ' "$WORK/t_export")); CPU ${tu} s: $(echo "scale=1; $mb / $tu" | bc) MB/s of CPU time"
  echo "  cat:    $(echo "scale=1; $mb / $tc" | bc) MB/s (median ${tc} s)"
  echo "  peak RSS (time -v): $(median <"$WORK/rss") kB; peak RssAnon (heap): $(median <"$WORK/anon") kB"
done
echo "store file: $(du -m "$WORK/data/limpide.db" | cut -f1) MB"

# Bulk: one cut writes decp.json, ocds.jsonl and contracts.csv from one walk of the store.
/usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$BIN" bulk --data-dir "$WORK/data" --full 2>"$WORK/log" &
tpid=$!
sleep 0.05
lpid=$(pgrep -P "$tpid" || true)
anon=0
[[ -n $lpid ]] && anon=$(peak_of "$lpid" RssAnon)
wait "$tpid"
read -r secs user sys rss <"$WORK/time"
full=$(ls -d "$WORK"/data/bulk/full/*)
total=$(cat "$full"/decp.json "$full"/ocds.jsonl "$full"/contracts.csv | wc -c)
echo "bulk --full: $(echo "scale=1; $total / 1000000" | bc) MB in three files, ${secs} s wall, $(echo "$user + $sys" | bc) s CPU: $(echo "scale=1; $total / 1000000 / $secs" | bc) MB/s; peak RSS $rss kB, peak RssAnon $anon kB"

# Download over HTTP (one request, Content-Length, from the file on disk), beside cat.
"$BIN" serve --data-dir "$WORK/data" --listen 127.0.0.1:0 --no-access-log --rate-limit 0 --bulk-every 0 >"$WORK/serve.out" 2>"$WORK/serve.err" &
spid=$!
trap 'kill "$spid" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 200); do grep -q listening "$WORK/serve.out" && break; sleep 0.1; done
base=$(grep -o 'http://[^/]*' "$WORK/serve.out" | head -1)
for name in decp.json ocds.jsonl; do
  : >"$WORK/t_http"; : >"$WORK/t_cat"
  size=$(stat -c %s "$full/$name")
  mb=$(echo "scale=1; $size / 1000000" | bc)
  for ((i = 0; i < RUNS; i++)); do
    curl -s -o /dev/null -w '%{time_total}\n' "$base/api/v1/bulk/full/$name" >>"$WORK/t_http"
    start=$(date +%s.%N)
    cat "$full/$name" >/dev/null
    echo "$(date +%s.%N) - $start" | bc >>"$WORK/t_cat"
  done
  th=$(median <"$WORK/t_http"); tc=$(median <"$WORK/t_cat")
  echo "GET /api/v1/bulk/full/$name ($mb MB): $(echo "scale=1; $mb / $th" | bc) MB/s (median ${th} s of $RUNS); cat: $(echo "scale=1; $mb / $tc" | bc) MB/s; server VmRSS after: $(awk '$1 == "VmRSS:" {print $2}' /proc/$spid/status) kB, RssAnon $(awk '$1 == "RssAnon:" {print $2}' /proc/$spid/status) kB"
done
kill "$spid"
wait "$spid" 2>/dev/null || true
