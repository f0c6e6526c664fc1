#!/usr/bin/env bash
# Burn-down of JOBS pre-inserted echo jobs beside pgbench, on a private PostgreSQL cluster started
# here with the server's defaults (fsync and synchronous_commit on). Three rounds, each: pgbench's
# default TPC-B-like write transaction for PGBENCH_SECONDS, then a burn-down in each mode of MODES:
#   node    ONE NODE (dev.gonode.node.Main, jobs.store=postgres, started once and kept across
#           rounds) works off JOBS echo jobs inserted in one transaction: its claimers, actors,
#           goroutines and batch completer, end to end. Jobs/s by the database's clock, from the
#           first claim to the last completion; every job must end succeeded on its first attempt.
#   batch   the queue layer alone: a worker completes its claim in one statement;
#   perjob  the queue layer alone: one goroutine per job through the BatchCompleter.
# Usage (from the repository root, after ./mvnw -q -B -DskipTests -pl bench -am package):
#   bench/postgres/run-burndown.sh [jobs=100000] [workers=4] [batch=200]
# Environment: PGBENCH_SECONDS (default 20); MODES (default "node batch perjob"); NODE_ENV, extra
# VAR=value words for the node (e.g. "GONODE_HANDLERS_ECHO_CONCURRENCY=64"); ROUNDS (default 3).
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
node_pid=""
cleanup() {
  [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null
  "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT
PSQL=("$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -q)
"${PSQL[@]}" -c "CREATE DATABASE gonode" -c "CREATE DATABASE gonode_node" -c "CREATE DATABASE pgbench"
"$BIN/pgbench" -h 127.0.0.1 -p "$PORT" -U postgres -i -s 10 -q pgbench 2>/dev/null
MODES=${MODES:-node batch perjob}
sql() { "${PSQL[@]}" -d gonode_node -X -tAc "$1"; }

# One node on the cluster, started once: its migrations make the table; rounds reuse it (warm JIT).
# It has its own database, so that it never claims the queue layer's jobs.
start_node() {
  # shellcheck disable=SC2086 # NODE_ENV is a word list
  env GONODE_SERVER_HOST=127.0.0.1 GONODE_SERVER_PORT=0 GONODE_ADMIN_HOST=127.0.0.1 GONODE_ADMIN_PORT=0 \
    GONODE_JOBS_STORE=postgres GONODE_JOBS_POSTGRES_URL="jdbc:postgresql://127.0.0.1:$PORT/gonode_node" \
    GONODE_JOBS_POSTGRES_USER=postgres GONODE_NODE_NAME=bench-node ${NODE_ENV:-} \
    "$JAVA" @bench/target/classes/gonode-jvm.options -Xms1g -Xmx1g -XX:+ExitOnOutOfMemoryError \
    -cp bench/target/gonode-bench.jar dev.gonode.node.Main >"$DIR/node.log" 2>&1 &
  node_pid=$!
  for _ in $(seq 1 600); do
    grep -q "gonode job API listening" "$DIR/node.log" && return 0
    kill -0 "$node_pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$DIR/node.log" >&2; echo "the node did not start (log above)" >&2; exit 1
}

# Inserts n echo jobs tagged with round r in one transaction (waking the node's claimer at commit;
# ANALYZE in it gives the planner the table's new size, as the layer's modes' VACUUM ANALYZE does),
# waits until none of them is unfinished, and prints jobs/s from the first claim to the last end.
node_burndown() {
  local r="$1" n="$2" left=""
  sql "BEGIN; INSERT INTO gonode_job (handler, state, payload, max_attempts)
       SELECT 'echo', 'available', jsonb_build_object('n', g, 'r', '$r'), 3 FROM generate_series(1, $n) g;
       ANALYZE gonode_job; SELECT pg_notify('gonode_job_available', 'echo'); COMMIT;" >/dev/null
  for _ in $(seq 1 6000); do
    left=$(sql "SELECT count(*) FROM gonode_job WHERE payload->>'r' = '$r' AND state NOT IN ('succeeded','failed','discarded','aborted','cancelled')")
    [ "$left" = 0 ] && break
    sleep 0.1
  done
  read -r jobs ok first seconds < <(sql "SELECT count(*), count(*) FILTER (WHERE state = 'succeeded'),
      count(*) FILTER (WHERE attempt = 1),
      round(extract(epoch FROM max(finished_at) - min(attempted_at))::numeric, 3)
      FROM gonode_job WHERE payload->>'r' = '$r'" | tr '|' ' ')
  if [ "$left" != 0 ] || [ "$jobs" != "$n" ] || [ "$ok" != "$n" ] || [ "$first" != "$n" ]; then
    echo "node burn-down $r FAILED: $jobs rows, $ok succeeded, $first on their first attempt, $left unfinished" >&2
    exit 1
  fi
  sql "TRUNCATE gonode_job" >/dev/null # each round starts on a fresh table, as the layer's modes do
  awk -v n="$n" -v s="$seconds" 'BEGIN {printf "burn-down mode=node jobs=%d seconds=%.3f jobs/s=%d\n", n, s, n / s}'
}

echo "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}'), $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ " $MODES " == *" node "* ]]; then
  start_node
  node_burndown warmup $((JOBS / 5)) | sed 's/^/warm-up (not counted) /'
fi
for round in $(seq 1 "${ROUNDS:-3}"); do
  "$BIN/pgbench" -h 127.0.0.1 -p "$PORT" -U postgres -c "$WORKERS" -j 2 -T ${PGBENCH_SECONDS:-20} pgbench 2>/dev/null \
    | awk -v r="$round" '/^tps/ {printf "round %s pgbench clients='"$WORKERS"' tps=%d\n", r, $3}'
  for mode in $MODES; do
    if [ "$mode" = node ]; then
      node_burndown "$round" "$JOBS" | sed "s/^/round $round /"
      continue
    fi
    "$JAVA" @bench/target/classes/gonode-jvm.options \
      -cp bench/target/gonode-bench.jar dev.gonode.bench.store.PostgresBurnDown \
      "jdbc:postgresql://127.0.0.1:$PORT/gonode" postgres "" "$JOBS" "$WORKERS" "$BATCH" "$mode" \
      | grep "^burn-down" \
      | sed "s/^/round $round /"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
