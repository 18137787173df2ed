#!/usr/bin/env bash
# Demo: install what is missing, build in Release and start `tickstock up`:
# the engine and the dashboard in one process, with a private Redis, SQLite
# and synthetic data in ./tickstock-data. On its first start it creates the
# `admin` account (the password is printed once and kept in
# ./tickstock-data/admin-password.txt, mode 0600), prints the dashboard's URL
# and processes dow30. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# The chart library the dashboard serves (pinned in web/package-lock.json).
if [[ ! -f web/node_modules/.package-lock.json || web/package-lock.json -nt web/node_modules/.package-lock.json ]]; then
  npm ci --prefix web --no-audit --no-fund --loglevel=error
fi
cmake --preset release >/dev/null
cmake --build --preset release --target tickstock
exec ./build/release/tickstock up "$@"
