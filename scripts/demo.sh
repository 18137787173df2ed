#!/usr/bin/env bash
# Demo: install what is missing, build in Release and start `tickstock up`:
# the engine with a private Redis, SQLite and synthetic data in
# ./tickstock-data. On its first start it processes dow30 and logs progress;
# it then serves commands (tickstock ctl, HTTP API) until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target tickstock
exec ./build/release/tickstock up "$@"
