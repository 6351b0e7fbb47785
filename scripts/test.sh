#!/usr/bin/env bash
# The whole suite twice: on SQLite, then on a throwaway PostgreSQL cluster that
# this script starts in a temporary directory on loopback and stops afterwards.
# Ends with the counts of each run. In CI (CI=true) a skipped test fails the run
# unless its reason says it runs on the other database ("only on …").
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p test-artifacts
ARGS=("$@")

run_suite() {  # name, junit file, extra env…
  local name=$1 junit=$2; shift 2
  echo
  echo "════════ $name ════════"
  env "$@" "$BIN/pytest" -q -p no:cacheprovider --junitxml="$junit" "${ARGS[@]}"
  return $?
}

# ── SQLite ──
run_suite "SQLite" test-artifacts/junit-sqlite.xml TEST_DATABASE_URL=
sqlite_rc=$?

# ── PostgreSQL ──
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [[ -z $PG_BIN ]]; then
  echo "PostgreSQL is not installed: run 'make test' (it installs Debian's postgresql)" >&2
  exit 1
fi
PG_DIR=$(mktemp -d /tmp/quiz-pg.XXXXXX)
PG_PORT=$("$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[[ $(id -u) == 0 ]] && chown postgres "$PG_DIR"
cleanup() {
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$PG_DIR"
}
trap cleanup EXIT
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U quiz --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
  || { cat "$PG_DIR/initdb.log"; exit 1; }
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w start \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  >/dev/null || { cat "$PG_DIR/server.log"; exit 1; }
as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U quiz quiz_test
run_suite "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}')" test-artifacts/junit-postgresql.xml \
  TEST_DATABASE_URL="postgresql://quiz@127.0.0.1:$PG_PORT/quiz_test"
pg_rc=$?

"$BIN/python" scripts/test_summary.py test-artifacts/junit-sqlite.xml test-artifacts/junit-postgresql.xml
summary_rc=$?
if ((sqlite_rc != 0 || pg_rc != 0 || summary_rc != 0)); then exit 1; fi
