#!/usr/bin/env bash
# Burn-down of the PostgreSQL queue layer beside pgbench, on a private PostgreSQL cluster started
# here with the server's defaults (fsync and synchronous_commit on). Three rounds, each: pgbench's
# default TPC-B-like write transaction for 20 s, then a burn-down of JOBS pre-inserted jobs in each
# mode (batch: a worker completes its claim in one statement; perjob: one goroutine per job through
# the BatchCompleter).
# Usage (from the repository root, after ./mvnw -q -B -DskipTests -pl bench -am package):
#   bench/postgres/run-burndown.sh [jobs=100000] [workers=4] [batch=200]
# PGBENCH_SECONDS (default 20) sets pgbench's duration.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
JOBS=${1:-100000}; WORKERS=${2:-4}; BATCH=${3:-200}
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
DIR=$(mktemp -d /tmp/gonode-bench-pg.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
AS=(); [ "$(id -u)" -eq 0 ] && { chown postgres "$DIR"; AS=(runuser -u postgres --); }
"${AS[@]}" "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
"${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
  -o "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$DIR" start >/dev/null
trap '"${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null; rm -rf "$DIR"' EXIT
PSQL=("$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -q)
"${PSQL[@]}" -c "CREATE DATABASE gonode" -c "CREATE DATABASE pgbench"
"$BIN/pgbench" -h 127.0.0.1 -p "$PORT" -U postgres -i -s 10 -q pgbench 2>/dev/null
echo "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}'), $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in 1 2 3; do
  "$BIN/pgbench" -h 127.0.0.1 -p "$PORT" -U postgres -c "$WORKERS" -j 2 -T ${PGBENCH_SECONDS:-20} pgbench 2>/dev/null \
    | awk -v r="$round" '/^tps/ {printf "round %s pgbench clients='"$WORKERS"' tps=%d\n", r, $3}'
  for mode in batch perjob; do
    "$JAVA" @bench/target/classes/gonode-jvm.options \
      -cp bench/target/gonode-bench.jar dev.gonode.bench.store.PostgresBurnDown \
      "jdbc:postgresql://127.0.0.1:$PORT/gonode" postgres "" "$JOBS" "$WORKERS" "$BATCH" "$mode" \
      | grep "^burn-down" \
      | sed "s/^/round $round /"
  done
done
