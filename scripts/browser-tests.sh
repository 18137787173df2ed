#!/usr/bin/env bash
# Browser tests of the dashboard (tests/browser/run.mjs): playwright-core driving Debian's
# chromium against a real `tickstock up` on 127.0.0.1.
#   scripts/browser-tests.sh <path to tickstock> [--artifacts DIR] [--update-docs]
# Installs the pinned npm packages when they are missing (web/: lightweight-charts, which the app
# serves; tests/browser/: playwright-core). Artifacts (screenshots, the server's log) default to
# build/browser-artifacts.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TICKSTOCK="${1:?usage: scripts/browser-tests.sh <path to tickstock> [--artifacts DIR] [--update-docs]}"
shift
ARTIFACTS="$ROOT/build/browser-artifacts"
EXTRA=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --artifacts) ARTIFACTS="$2"; shift 2 ;;
    --update-docs) EXTRA+=(--update-docs); shift ;;
    *) echo "browser-tests: unknown option $1" >&2; exit 2 ;;
  esac
done

command -v node >/dev/null && command -v npm >/dev/null || { echo "browser-tests: node and npm are required (scripts/install-deps.sh)" >&2; exit 2; }
[[ -x /usr/bin/chromium ]] || { echo "browser-tests: /usr/bin/chromium is missing (apt-get install chromium; scripts/install-deps.sh does)" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "browser-tests: the sqlite3 CLI is required (apt-get install sqlite3)" >&2; exit 2; }

# npm ci when node_modules is missing or older than the lock file.
install() {
  local dir="$1" marker="$1/node_modules/.package-lock.json"
  if [[ ! -f "$marker" || "$dir/package-lock.json" -nt "$marker" ]]; then
    echo "browser-tests: npm ci in ${dir#$ROOT/}"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
  fi
}
install "$ROOT/web"
install "$ROOT/tests/browser"

mkdir -p "$ARTIFACTS"
exec node "$ROOT/tests/browser/run.mjs" --tickstock "$TICKSTOCK" --artifacts "$ARTIFACTS" "${EXTRA[@]}"
