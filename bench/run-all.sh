#!/usr/bin/env bash
# Runs every benchmark; figures go to stdout (copy them to docs/performance.md).
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${LIMPIDE_SHARED_DATA:-$ROOT/../shared/data}
echo "== import (bench/import_bench.cpp)"; "$BUILD/import_bench" "$SHARED" 12 3
echo "== HTTP (bench/http_bench.sh)"; "$ROOT/bench/http_bench.sh" "$BUILD" "$SHARED" 10s 3
