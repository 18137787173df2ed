#!/usr/bin/env bash
# A private PostgreSQL 15 for the tests: a fresh cluster in a temporary
# directory, listening only on 127.0.0.1 at a free port, trust authentication
# for its one superuser `tickstock`. The machine's own cluster is never touched.
#
#   scripts/pg-test-server.sh start STATE_DIR   # writes STATE_DIR/url (and pgdata, port, log)
#   scripts/pg-test-server.sh stop STATE_DIR    # stops it and removes its data
#
# ctest runs `start` and `stop` as the fixture PgServer (tests/CMakeLists.txt);
# tests read the connection URL from the file TICKSTOCK_TEST_PG_STATE names.
# As root the server runs as the unprivileged `postgres` user (PostgreSQL
# refuses to run as root); otherwise as the calling user.
# Exits non-zero with a clear message when PostgreSQL's binaries are missing:
# the PostgreSQL tests must fail, not skip, on a machine without them.
set -euo pipefail

cmd=${1:-}
state=${2:-}
if [[ -z "$cmd" || -z "$state" ]]; then
  echo "usage: $0 start|stop STATE_DIR" >&2
  exit 2
fi
bindir=${TICKSTOCK_PG_BINDIR:-/usr/lib/postgresql/15/bin}

as_server_user() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop() {
  [[ -f "$state/pgdata" ]] || return 0
  local data
  data=$(cat "$state/pgdata")
  if [[ -d "$data" ]]; then
    as_server_user "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$(dirname "$data")"
  fi
  rm -f "$state/pgdata" "$state/url" "$state/port"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

case "$cmd" in
  start)
    for b in initdb pg_ctl postgres; do
      if [[ ! -x "$bindir/$b" ]]; then
        echo "error: PostgreSQL 15 server binary $bindir/$b is missing; install postgresql-15" \
             "(scripts/install-deps.sh does) or set TICKSTOCK_PG_BINDIR" >&2
        exit 1
      fi
    done
    if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
      echo "error: running as root needs the unprivileged 'postgres' user (created by the postgresql-15 package)" >&2
      exit 1
    fi
    mkdir -p "$state"
    stop  # a server a crashed earlier run left behind
    root=$(mktemp -d /tmp/tickstock-pg.XXXXXX)
    chmod 755 "$root"
    data="$root/data"
    mkdir -p "$data"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$data"
    echo "$data" >"$state/pgdata"
    # C locale: the schema declares its ordered text COLLATE "C" anyway; fsync
    # off: a test cluster's data is thrown away, durability buys nothing here.
    as_server_user "$bindir/initdb" -D "$data" -U tickstock -A trust -E UTF8 --locale=C >"$root/initdb.log" 2>&1 ||
      { cat "$root/initdb.log" >&2; echo "error: initdb failed" >&2; exit 1; }
    for attempt in 1 2 3; do
      port=$(free_port)
      if as_server_user "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
           -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start \
           >/dev/null 2>&1; then
        echo "$port" >"$state/port"
        echo "postgresql://tickstock@127.0.0.1:$port/postgres" >"$state/url"
        echo "PostgreSQL test server on 127.0.0.1:$port (data in $data)"
        exit 0
      fi
    done
    cat "$data/server.log" >&2 || true
    echo "error: the PostgreSQL test server did not start" >&2
    stop
    exit 1
    ;;
  stop)
    stop
    ;;
  *)
    echo "usage: $0 start|stop STATE_DIR" >&2
    exit 2
    ;;
esac
