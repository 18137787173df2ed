#!/usr/bin/env bash
# The whole-pipeline performance targets (docs/PERFORMANCE.md, "Pipeline
# targets"), one after the other on the same machine:
#   1. the bare-SQLite limits on the engine's schema (sqlite_limits)
#   2. 5,000 synthetic symbols x 10 years into SQLite, all phases, then two
#      daily incremental runs (1 new bar per symbol: a Monday that opens a
#      week and a month, then the Tuesday after it); peak RSS
#   3. the same 1,000 symbols (RSS flat in universe size)
#   4. the same 5,000 on a private PostgreSQL 15 (scripts/pg-test-server.sh,
#      with synchronous_commit=off and shared_buffers=256MB)
#   5. the event path with a run in progress (bench/fanout.sh run)
#
#   bench/targets.sh [symbols=5000] [out=build/targets]
# Builds nothing: expects the bench preset's pipeline_bench, sqlite_limits and
# fanout_bench, and build/release/tickstock. Each step's output goes to
# OUT/<step>.txt as well as to the terminal.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
symbols=${1:-5000}
out=${2:-$root/build/targets}
bench=$root/build/bench/bench
mkdir -p "$out"
work=$(mktemp -d /tmp/tickstock-targets.XXXXXX)
pg_state="$work/pg"
trap 'bash "$root/scripts/pg-test-server.sh" stop "$pg_state" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

step() {  # step NAME COMMAND...: runs it with the load average before and after
  local name=$1
  shift
  {
    echo "## $name: $*"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
    "$@"
    echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
  } 2>&1 | tee "$out/$name.txt"
}

step sqlite_limits "$bench/sqlite_limits" "$work" 500
step sqlite_${symbols} /usr/bin/time -f "max RSS %M KB" "$bench/pipeline_bench" "$symbols" 10 "$work" incremental
step sqlite_1000 /usr/bin/time -f "max RSS %M KB" "$bench/pipeline_bench" 1000 10 "$work"

bash "$root/scripts/pg-test-server.sh" start "$pg_state" >/dev/null
server=$(cat "$pg_state/url")
psql "$server" -qc "ALTER SYSTEM SET synchronous_commit=off" -c "ALTER SYSTEM SET shared_buffers='256MB'" >/dev/null
data=$(cat "$pg_state/pgdata")
if [[ $(id -u) -eq 0 ]]; then as=(runuser -u postgres --); else as=(); fi
"${as[@]}" "${TICKSTOCK_PG_BINDIR:-/usr/lib/postgresql/15/bin}/pg_ctl" -D "$data" -w restart >/dev/null
psql "$server" -qc "CREATE DATABASE targets" >/dev/null
step postgresql_${symbols} /usr/bin/time -f "max RSS %M KB" "$bench/pipeline_bench" "$symbols" 10 \
  "${server%/*}/targets" incremental
bash "$root/scripts/pg-test-server.sh" stop "$pg_state" >/dev/null

step event_path bash "$root/bench/fanout.sh" run 200 20 sp500
