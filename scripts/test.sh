#!/usr/bin/env bash
# Test: install what is missing, build everything (Release, with tests) and run
# the whole suite through ctest, then the fuzz targets. .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release
cmake --build --preset release -j2
ctest --preset release
# The same suite again under AddressSanitizer + UndefinedBehaviorSanitizer
# (CMakePresets.json "asan": leak detection on, UBSan halts on the first report,
# cmake/lsan.supp lists the one third-party leak with its reason). It leaves out
# the browser and spec-document checks, which exercise no C++ of ours.
cmake --preset asan
cmake --build --preset asan -j2
ctest --preset asan
# The libFuzzer targets (clang, ASan + UBSan) over their seed corpora, a fixed
# number of inputs from a fixed seed each (scripts/fuzz.sh; longer runs: see there).
bash scripts/fuzz.sh --ci
