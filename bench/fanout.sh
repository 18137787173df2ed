#!/usr/bin/env bash
# Fan-out benchmark (docs/PERFORMANCE.md, "Dashboard fan-out"): a private
# redis-server, a real engine, `tickstock app`, and bench/fanout_bench playing
# the engine's event publisher at 1,000 events/s to 1,000 WebSocket clients,
# then the same with 1 client (the single-client engine -> browser latency).
#
#   bench/fanout.sh [clients=1000] [rate=1000] [seconds=10]
# Needs: cmake --preset release && cmake --build --preset release --target tickstock
#        cmake --preset bench && cmake --build build/bench --target fanout_bench
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-1000} rate=${2:-1000} seconds=${3:-10}
bin=build/release/tickstock
bench=build/bench/bench/fanout_bench
dir=$(mktemp -d /tmp/tickstock-fanout.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT

source bench/stack.sh
start_stack bench

echo "== $clients clients, $rate events/s, $seconds s"
"$bench" --app "127.0.0.1:$aport" --redis "$url" --password-file "$dir/password" \
  --clients "$clients" --rate "$rate" --seconds "$seconds" --app-pid "$app_pid"
echo "== 1 client, $rate events/s, $seconds s"
"$bench" --app "127.0.0.1:$aport" --redis "$url" --password-file "$dir/password" \
  --clients 1 --rate "$rate" --seconds "$seconds" --special-every 1 --app-pid "$app_pid"
