#!/usr/bin/env bash
# Runs every benchmark; figures go to stdout (copy them to docs/performance.md).
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${LIMPIDE_SHARED_DATA:-$ROOT/../shared/data}
echo "== import (bench/import_bench.cpp)"; "$BUILD/import_bench" "$SHARED" 12 3
echo "== HTTP (bench/http_bench.sh)"; "$ROOT/bench/http_bench.sh" "$BUILD" "$SHARED" 10s 3
echo "== export (bench/export_bench.sh)"; "$ROOT/bench/export_bench.sh" "$BUILD" "$SHARED" 200000 3
echo "== ledger appends (bench/ledger_append_bench.cpp)"; "$BUILD/ledger_append_bench" 200000 1000 3
echo "== ledger proofs and dump verification (bench/ledger_bench.cpp)"; "$BUILD/ledger_bench"
echo "== OCDS merge (bench/ocds_merge_bench.cpp)"; "$BUILD/ocds_merge_bench" "$SHARED" 1000
