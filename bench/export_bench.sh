#!/usr/bin/env bash
# Export throughput: `limpide export --format decp-json` (and decp-xml, csv) of
# a big DECP 2.x data set, beside `cat` of a file of the same size in the same
# run, with the peak resident memory.
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

for format in decp-json decp-xml csv; do
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
