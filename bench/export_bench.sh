#!/usr/bin/env bash
# Export throughput: `limpide export --format decp-json` (and decp-xml, csv,
# ocds-jsonl) of a big DECP 2.x data set, beside `cat` of a file of the same
# size in the same run, with the peak resident memory; then `limpide bulk
# --full` (the three bulk files in one pass) and the download of the full
# dump's decp.json and ocds.jsonl over HTTP with curl, beside `cat`.
#   bench/export_bench.sh BUILD_DIR SHARED_DATA [COUNT=200000] [RUNS=3]
# FORMATS="decp-json ocds-jsonl" limits the formats. BASE_BIN=/path/to/limpide
# (an older build) adds a before/after: each export is also run with it, in
# the same loop, turn about, and so is `bulk --full` (first, its files then
# removed), with its output compared byte for byte with the new one.
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
BASE_BIN=${BASE_BIN:-}

# One export under /usr/bin/time; appends wall, CPU, peak RSS and peak RssAnon
# to files under $WORK with the prefix $3.
export_once() {
  local bin=$1 format=$2 tag=$3 out=$4
  rm -f "$out" "$out.sha256"
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$bin" export --data-dir "$WORK/data" --format "$format" --output "$out" 2>"$WORK/log.$tag" &
  local tpid=$! lpid anon=0
  # /usr/bin/time's child is the limpide process.
  sleep 0.05
  lpid=$(pgrep -P "$tpid" || true)
  [[ -n $lpid ]] && anon=$(peak_of "$lpid" RssAnon)
  wait "$tpid"
  read -r secs user sys rss <"$WORK/time"
  echo "$secs" >>"$WORK/t_export.$tag"; echo "$rss" >>"$WORK/rss.$tag"; echo "$anon" >>"$WORK/anon.$tag"
  echo "$user + $sys" | bc >>"$WORK/cpu.$tag"
}

report_export() {
  local tag=$1 label=$2 out=$3 size mb te tc tu
  size=$(stat -c %s "$out")
  mb=$(echo "scale=1; $size / 1000000" | bc)
  te=$(median <"$WORK/t_export.$tag"); tc=$(median <"$WORK/t_cat"); tu=$(median <"$WORK/cpu.$tag")
  echo "$label: $mb MB, $(grep -o 'exported [0-9,]* of [0-9,]*' "$WORK/log.$tag")"
  echo "  export: $(echo "scale=1; $mb / $te" | bc) MB/s (median ${te} s of $RUNS: $(paste -sd' ' "$WORK/t_export.$tag")); CPU ${tu} s (runs: $(paste -sd' ' "$WORK/cpu.$tag")): $(echo "scale=1; $mb / $tu" | bc) MB/s of CPU time"
  echo "  cat:    $(echo "scale=1; $mb / $tc" | bc) MB/s (median ${tc} s)"
  echo "  peak RSS (time -v): $(median <"$WORK/rss.$tag") kB; peak RssAnon (heap): $(median <"$WORK/anon.$tag") kB"
}

for format in $FORMATS; do
  out="$WORK/out.$format"
  rm -f "$WORK"/t_export.* "$WORK"/cpu.* "$WORK"/rss.* "$WORK"/anon.*; : >"$WORK/t_cat"
  for ((i = 0; i < RUNS; i++)); do
    if [[ -n $BASE_BIN ]]; then
      export_once "$BASE_BIN" "$format" base "$out.base"
      # The baseline's output is the one the new binary must give.
      [[ $i -eq 0 ]] && mv "$out.base" "$out.base.keep"
      rm -f "$out.base"
    fi
    export_once "$BIN" "$format" new "$out"
    rm -f "$WORK/copy"
    start=$(date +%s.%N)
    cat "$out" >"$WORK/copy"
    echo "$(date +%s.%N) - $start" | bc >>"$WORK/t_cat"
  done
  rm -f "$WORK/copy"
  report_export new "$format" "$out"
  if [[ -n $BASE_BIN ]]; then
    mv "$out.base.keep" "$out.base"
    report_export base "$format (baseline $BASE_BIN)" "$out.base"
    if cmp -s "$out" "$out.base"; then echo "  output: byte for byte the baseline's"; else echo "  output: DIFFERS from the baseline's"; fi
    rm -f "$out.base"
  fi
  rm -f "$out"
done
echo "store file: $(du -m "$WORK/data/limpide.db" | cut -f1) MB"

# Bulk: one cut writes decp.json, ocds.jsonl and contracts.csv from one walk of
# the store (and, since 2026-11-29, a gzip copy of each).
bulk_once() {
  local bin=$1 label=$2 tpid lpid anon=0 full total gz
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$bin" bulk --data-dir "$WORK/data" --full 2>"$WORK/log" &
  tpid=$!
  sleep 0.05
  lpid=$(pgrep -P "$tpid" || true)
  [[ -n $lpid ]] && anon=$(peak_of "$lpid" RssAnon)
  wait "$tpid"
  read -r secs user sys rss <"$WORK/time"
  full=$(ls -d "$WORK"/data/bulk/full/*)
  total=$(cat "$full"/decp.json "$full"/ocds.jsonl "$full"/contracts.csv | wc -c)
  gz=$( (cat "$full"/*.gz 2>/dev/null || true) | wc -c)
  echo "$label: $(echo "scale=1; $total / 1000000" | bc) MB in three files (gzip copies: $(echo "scale=1; $gz / 1000000" | bc) MB), ${secs} s wall, $(echo "$user + $sys" | bc) s CPU: $(echo "scale=1; $total / 1000000 / $secs" | bc) MB/s; peak RSS $rss kB, peak RssAnon $anon kB"
  for f in "$full"/*.gz; do
    if [[ -e $f ]]; then
      echo "  $(basename "$f"): $(stat -c %s "$f") bytes, $(echo "scale=1; $(stat -c %s "${f%.gz}") / $(stat -c %s "$f")" | bc)x smaller"
    fi
  done
}
if [[ -n $BASE_BIN ]]; then
  bulk_once "$BASE_BIN" "bulk --full (baseline)"
  base_sums=$(cd "$(ls -d "$WORK"/data/bulk/full/*)" && cat decp.json.sha256 ocds.jsonl.sha256 contracts.csv.sha256)
  rm -rf "$WORK/data/bulk"
fi
bulk_once "$BIN" "bulk --full"
full=$(ls -d "$WORK"/data/bulk/full/*)
if [[ -n $BASE_BIN ]]; then
  if [[ $base_sums == "$(cd "$full" && cat decp.json.sha256 ocds.jsonl.sha256 contracts.csv.sha256)" ]]; then
    echo "  the three files: byte for byte the baseline's"
  else
    echo "  the three files DIFFER from the baseline's"
  fi
fi

# Download over HTTP (one request, Content-Length, from the file on disk), beside cat.
"$BIN" serve --data-dir "$WORK/data" --listen 127.0.0.1:0 --no-access-log --rate-limit 0 --bulk-every 0 >"$WORK/serve.out" 2>"$WORK/serve.err" &
spid=$!
trap 'kill "$spid" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 200); do grep -q listening "$WORK/serve.out" && break; sleep 0.1; done
base=$(grep -o 'http://[^/]*' "$WORK/serve.out" | head -1)
for name in decp.json ocds.jsonl ocds.jsonl.gz; do
  [[ -e $full/$name ]] || continue
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
