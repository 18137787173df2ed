#!/usr/bin/env bash
# Runs every libFuzzer target over its committed seed corpus for a bounded time
# and fails on any crash, leak, timeout or sanitizer report.
#
#   scripts/fuzz.sh [seconds per target = 60] [target ...]
#   scripts/fuzz.sh --ci      what scripts/test.sh runs: every target for a fixed
#                             number of inputs from a fixed seed, so a pass or a
#                             failure reproduces exactly
# A longer local session, e.g. one hour on the command decoder:
#   scripts/fuzz.sh 3600 command
# New inputs found are written to build/fuzz/corpus/<target>/ (not the
# committed seeds); a crashing input is saved as build/fuzz/artifacts/<target>/crash-*.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=(-max_total_time="${1:-60}")
if [[ "${1:-}" == "--ci" ]]; then
  budget=(-seed=1 -runs=300000)
fi
shift || true
command -v clang++ >/dev/null || { echo "fuzz: clang++ missing (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
cmake --preset fuzz >/dev/null
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=()
  for f in fuzz/fuzz_*.cpp; do t=${f#fuzz/fuzz_}; targets+=("${t%.cpp}"); done
fi
cmake --build --preset fuzz --target "${targets[@]/#/fuzz_}"
status=0
for t in "${targets[@]}"; do
  work=build/fuzz/corpus/$t art=build/fuzz/artifacts/$t/
  mkdir -p "$work" "$art"
  echo "== fuzz_$t: ${budget[*]}"
  if ! ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      "build/fuzz/fuzz/fuzz_$t" "${budget[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="$art" -print_final_stats=1 "$work" "fuzz/corpus/$t" 2>"build/fuzz/$t.log"; then
    echo "fuzz_$t FAILED (log: build/fuzz/$t.log)"; tail -40 "build/fuzz/$t.log"; status=1
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "build/fuzz/$t.log" | tr '\n' ' '; echo
  fi
done
exit $status
