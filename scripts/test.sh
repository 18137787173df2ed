#!/usr/bin/env bash
# Test: install what is missing, build everything (Release, with tests) and run
# the whole suite through ctest, then the fuzz targets. .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release
cmake --build --preset release -j2
ctest --preset release
# The whole suite again under ASan + UBSan (CMakePresets.json "asan": UBSan
# halts on the first report, LeakSanitizer on). BrowserTests and
# SpecDocumentsValidate are excluded there: they drive node/chromium against
# the same C++ paths the other tests already cover.
cmake --preset asan
cmake --build --preset asan -j2
ctest --preset asan
# The libFuzzer targets (clang, ASan + UBSan) over their seed corpora, a fixed
# number of inputs from a fixed seed each (scripts/fuzz.sh; longer runs: see there).
bash scripts/fuzz.sh --ci
