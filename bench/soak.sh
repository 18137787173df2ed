#!/usr/bin/env bash
# Soak (issue #7; result in docs/PERFORMANCE.md, "Soak"): N consecutive full
# runs of a synthetic universe on a real engine + app + private redis-server,
# with C dashboard WebSocket clients connected and `ctl watch` following the
# event stream the whole time. After every run it samples the engine's and
# the app's RSS and open file descriptors and Redis's memory, into a CSV.
#
#   bench/soak.sh [runs=50] [clients=200] [universe=sp500] [out=build/soak]
# Needs: cmake --preset release && cmake --build --preset release --target tickstock
#        cmake --preset bench && cmake --build build/bench --target fanout_bench
# Exit status 1 when a run did not complete, a client was dropped, or RSS grew
# by 10% or more after the first run.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-50} clients=${2:-200} universe=${3:-sp500} out=${4:-build/soak}
bin=$PWD/build/release/tickstock
bench=$PWD/build/bench/bench/fanout_bench
mkdir -p "$out"
out=$(cd "$out" && pwd)
dir=$(mktemp -d /tmp/tickstock-soak.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT

rss_mb() { awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
hwm_mb() { awk '/^VmHWM/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
fds() { ls "/proc/$1/fd" | wc -l; }

source bench/stack.sh
start_stack soak
redis_mb() { redis-cli -p "$rport" info memory | awk -F: '/^used_memory:/ {printf "%.1f", $2/1048576}'; }


until "$bin" ctl --redis "$url" status >/dev/null 2>&1; do sleep 0.2; done

"$bench" --app "127.0.0.1:$aport" --redis "$url" --user soak --password-file "$dir/password" \
  --clients "$clients" --rate 0 --seconds 0 >"$out/clients.txt" 2>&1 &
clients_pid=$!
pids+=($clients_pid)
"$bin" ctl --redis "$url" --json watch >"$dir/watch.jsonl" 2>"$out/watch.err" &
watch_pid=$!
pids+=($watch_pid)
sleep 2

csv="$out/soak.csv"
echo "run,exit,seconds,engine_rss_mb,engine_fds,app_rss_mb,app_fds,redis_mb,watch_lines" >"$csv"
echo "run,exit,seconds,engine_rss_mb,engine_fds,app_rss_mb,app_fds,redis_mb,watch_lines"
echo "0,0,0,$(rss_mb $engine_pid),$(fds $engine_pid),$(rss_mb $app_pid),$(fds $app_pid),$(redis_mb),0" | tee -a "$csv"
failed=0
for n in $(seq 1 "$runs"); do
  t0=$(date +%s.%N)
  rc=0
  "$bin" ctl --redis "$url" --timeout 60 trigger --universe "$universe" --full --skip-market-check --wait \
    >"$dir/trigger.out" 2>&1 || rc=$?
  t1=$(date +%s.%N)
  [ "$rc" = 0 ] || { failed=$((failed + 1)); tail -3 "$dir/trigger.out" >&2; }
  echo "$n,$rc,$(echo "$t1 - $t0" | bc),$(rss_mb $engine_pid),$(fds $engine_pid),$(rss_mb $app_pid),$(fds $app_pid),$(redis_mb),$(wc -l <"$dir/watch.jsonl")" | tee -a "$csv"
done
engine_hwm=$(hwm_mb $engine_pid) app_hwm=$(hwm_mb $app_pid)
kill -TERM "$clients_pid"
wait "$clients_pid" && clients_ok=1 || clients_ok=0
completed=$("$bin" ctl --redis "$url" --json history --limit 200 | python3 -c \
  'import json,sys; r=json.load(sys.stdin); print(sum(1 for x in r["runs"] if x["status"]=="completed"))')

# Growth after the first run: the last sample against the one after run 1.
verdict=$(python3 - "$csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
first, last = rows[1], rows[-1]
def growth(k): return 100.0 * (float(last[k]) - float(first[k])) / float(first[k])
print(f"{growth('engine_rss_mb'):.1f} {growth('app_rss_mb'):.1f} {first['engine_fds']}->{last['engine_fds']} "
      f"{first['app_fds']}->{last['app_fds']} {max(float(r['redis_mb']) for r in rows):.1f}")
EOF
)
read -r eg ag efd afd redis_peak <<<"$verdict"
echo "runs completed     $completed of $runs (ctl exit codes: $failed non-zero)"
echo "clients            $(grep RESULT "$out/clients.txt" | sed 's/^RESULT //')"
echo "engine RSS growth  ${eg}% after run 1 (peak ${engine_hwm} MB); fds $efd"
echo "app RSS growth     ${ag}% after run 1 (peak ${app_hwm} MB); fds $afd"
echo "redis used_memory  peak ${redis_peak} MB"
echo "ctl watch          $(wc -l <"$dir/watch.jsonl") events followed"
awk -v e="$eg" -v a="$ag" 'BEGIN { exit !(e < 10 && a < 10) }' &&
  [ "$completed" = "$runs" ] && [ "$failed" = 0 ] && [ "$clients_ok" = 1 ]
