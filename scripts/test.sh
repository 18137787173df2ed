#!/usr/bin/env bash
# Test: install what is missing, build everything (Release, with tests) and run
# the whole suite through ctest. .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release
cmake --build --preset release -j2
ctest --preset release
