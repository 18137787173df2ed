#!/usr/bin/env bash
# The distributed-workers benchmark on a private PostgreSQL 15 (scripts/pg-test-server.sh):
#   bench/workers.sh [symbols=200] [years=10] [shard=8] [indicators]
# Builds nothing: expects build/bench/bench/workers_bench and build/release/tickstock
# (or TICKSTOCK_BINARY). Results go to docs/PERFORMANCE.md, "Distributed workers".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bench=${WORKERS_BENCH:-$root/build/bench/bench/workers_bench}
binary=${TICKSTOCK_BINARY:-$root/build/release/tickstock}
state=$(mktemp -d)
trap 'bash "$root/scripts/pg-test-server.sh" stop "$state" >/dev/null 2>&1 || true; rm -rf "$state"' EXIT
bash "$root/scripts/pg-test-server.sh" start "$state" >/dev/null
server=$(cat "$state/url")
db="tickstock_workers_bench"
psql "$server" -qc "CREATE DATABASE $db" >/dev/null
PG_POSTMASTER_PID=$(head -1 "$(cat "$state/pgdata")/postmaster.pid") \
  "$bench" "$binary" "${server%/*}/$db" "${1:-200}" "${2:-10}" "${3:-8}" ${4:-}
