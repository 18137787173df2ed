#!/usr/bin/env bash
# Fan-out benchmark (docs/PERFORMANCE.md, "Dashboard fan-out"): a private
# redis-server, a real engine, `tickstock app`, and bench/fanout_bench playing
# the engine's event publisher at 1,000 events/s to 1,000 WebSocket clients,
# then the same with 1 client (the single-client engine -> browser latency).
#
#   bench/fanout.sh [clients=1000] [rate=1000] [seconds=10]
#   bench/fanout.sh run [rate=200] [seconds=20] [universe=sp500]
#     the event path with a run in progress: the engine runs a --full run of
#     the universe (all phases, its own events) on the same 2 cores while 1
#     client measures every event of the publisher (all must-deliver)
# Needs: cmake --preset release && cmake --build --preset release --target tickstock
#        cmake --preset bench && cmake --build build/bench --target fanout_bench
set -euo pipefail
cd "$(dirname "$0")/.."
mode=fanout
if [ "${1:-}" = run ]; then mode=run; shift; fi
if [ "$mode" = run ]; then
  clients=1 rate=${1:-200} seconds=${2:-20} universe=${3:-sp500}
else
  clients=${1:-1000} rate=${2:-1000} seconds=${3:-10}
fi
bin=build/release/tickstock
bench=build/bench/bench/fanout_bench
dir=$(mktemp -d /tmp/tickstock-fanout.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT

source bench/stack.sh
start_stack bench

if [ "$mode" = run ]; then
  until "$bin" ctl --redis "$url" status >/dev/null 2>&1; do sleep 0.2; done
  # Back to back --full runs for the whole measurement: the engine's phases
  # and its own event stream compete with the app for the 2 cores.
  ( end=$((SECONDS + seconds + 5)); n=0
    while [ $SECONDS -lt $end ]; do
      "$bin" ctl --redis "$url" --timeout 600 trigger --universe "$universe" --full --skip-market-check --wait \
        >"$dir/trigger.out" 2>&1 || true
      n=$((n + 1))
    done; echo "$n" >"$dir/runs" ) &
  pids+=($!)
  sleep 2  # the run is under way
  echo "== 1 client, $rate events/s, $seconds s, a --full $universe run in progress"
  "$bench" --app "127.0.0.1:$aport" --redis "$url" --password-file "$dir/password" \
    --clients 1 --rate "$rate" --seconds "$seconds" --special-every 1 --app-pid "$app_pid"
  echo "engine status after: $("$bin" ctl --redis "$url" status 2>/dev/null | head -3 | tr '\n' ' ')"
  exit 0
fi
echo "== $clients clients, $rate events/s, $seconds s"
"$bench" --app "127.0.0.1:$aport" --redis "$url" --password-file "$dir/password" \
  --clients "$clients" --rate "$rate" --seconds "$seconds" --app-pid "$app_pid"
echo "== 1 client, $rate events/s, $seconds s"
"$bench" --app "127.0.0.1:$aport" --redis "$url" --password-file "$dir/password" \
  --clients 1 --rate "$rate" --seconds "$seconds" --special-every 1 --app-pid "$app_pid"
