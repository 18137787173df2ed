#!/usr/bin/env bash
# Demo: install what is missing, build in Release and process the dow30
# universe on synthetic data into ./tickstock-data/tickstock.db.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target tickstock
exec ./build/release/tickstock run --universe dow30 --provider synthetic "$@"
