#!/usr/bin/env bash
# Test: install what is missing, build everything (Release, with tests) and run
# the whole suite through ctest, then the fuzz targets. .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release
cmake --build --preset release -j2
ctest --preset release
# The ASan + UBSan suite (CMakePresets.json "asan") is not run here yet: its
# integration half has not completed a verified run on this machine class
# (docs/security.md, "Hostile input"). Run it with:
#   cmake --preset asan && cmake --build --preset asan && ctest --preset asan
# The libFuzzer targets (clang, ASan + UBSan) over their seed corpora, a fixed
# number of inputs from a fixed seed each (scripts/fuzz.sh; longer runs: see there).
bash scripts/fuzz.sh --ci
