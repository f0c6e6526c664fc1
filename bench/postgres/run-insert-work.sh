#!/usr/bin/env bash
# Insert+work end to end on jobs.store=postgres, beside pgbench, on a private PostgreSQL cluster
# started here with the server's defaults (fsync and synchronous_commit on), like run-burndown.sh.
# One node runs on the cluster; wrk POSTs echo jobs over HTTP for DURATION while the node works
# them off the shared queue. The figure is **completed rows per second** measured by the database's
# clock: the jobs this round inserted, divided by the time from the first insert to the last
# completion (so a backlog left when wrk stops counts until it is worked off). A round fails unless
# every accepted job (HTTP 202 with wait=false, 200 with wait=true) ends `succeeded`.
#
# Usage (from the repository root, after ./mvnw -q -B -DskipTests -pl bench -am package):
#   bench/postgres/run-insert-work.sh [rounds=3] [duration=20s] [connections=64] [wait=false]
# Environment:
#   NODE_CMD         the node's start command (default: the bench jar's dev.gonode.node.Main on the
#                    JDK bin/lib/common.sh finds, with the runtime's JVM options and a 1 GiB heap).
#                    It gets GONODE_JOBS_STORE=postgres, GONODE_JOBS_POSTGRES_URL/_USER and free
#                    ports, and must log "gonode job API listening on 127.0.0.1:PORT".
#   NODE_ENV         extra VAR=value words for the node (e.g. "GONODE_JOBS_POSTGRES_POOL_SIZE=16")
#   PGBENCH_SECONDS  pgbench's duration (default 20); PGBENCH_CLIENTS (default 4)
#   DRAIN_SECONDS    how long a round waits for the backlog to be worked off (default 120)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROUNDS=${1:-3}; DURATION=${2:-20s}; CONNS=${3:-64}; WAIT=${4:-false}
case "$WAIT" in true|false) ;; *) echo "wait must be true or false, not '$WAIT'" >&2; exit 2 ;; esac
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "rounds must be a positive integer, not '$ROUNDS'" >&2; exit 2; }
[[ "$CONNS" =~ ^[1-9][0-9]*$ ]] || { echo "connections must be a positive integer, not '$CONNS'" >&2; exit 2; }
[[ "$DURATION" =~ ^[1-9][0-9]*[smh]?$ ]] || { echo "duration must be like 20s, not '$DURATION'" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
DIR=$(mktemp -d /tmp/gonode-bench-pgiw.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
AS=(); [ "$(id -u)" -eq 0 ] && { chown postgres "$DIR"; AS=(runuser -u postgres --); }
node_pid=""
cleanup() {
  [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null
  "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT
"${AS[@]}" "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
"${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
  -o "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$DIR" start >/dev/null
PSQL=("$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -X -q -v ON_ERROR_STOP=1)
"${PSQL[@]}" -c "CREATE DATABASE gonode" -c "CREATE DATABASE pgbench"
"$BIN/pgbench" -h 127.0.0.1 -p "$PORT" -U postgres -i -s 10 -q pgbench 2>/dev/null

if [ -z "${NODE_CMD:-}" ]; then
  jar=bench/target/gonode-bench.jar
  [ -f "$jar" ] || { echo "build the bench jar first: ./mvnw -q -B -DskipTests -pl bench -am package" >&2; exit 1; }
  JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
  NODE_CMD="$JAVA @bench/target/classes/gonode-jvm.options -Xms1g -Xmx1g -XX:+ExitOnOutOfMemoryError -cp $jar dev.gonode.node.Main"
fi
# shellcheck disable=SC2086 # NODE_CMD and NODE_ENV are word lists
env GONODE_SERVER_HOST=127.0.0.1 GONODE_SERVER_PORT=0 GONODE_ADMIN_HOST=127.0.0.1 GONODE_ADMIN_PORT=0 \
  GONODE_JOBS_STORE=postgres GONODE_JOBS_POSTGRES_URL="jdbc:postgresql://127.0.0.1:$PORT/gonode" \
  GONODE_JOBS_POSTGRES_USER=postgres ${NODE_ENV:-} $NODE_CMD >"$DIR/node.log" 2>&1 &
node_pid=$!
api=""
for _ in $(seq 1 600); do
  api=$(sed -n 's/.*gonode job API listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$DIR/node.log" | head -n 1)
  [ -n "$api" ] && break
  kill -0 "$node_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$api" ] || { cat "$DIR/node.log" >&2; echo "the node did not start (log above)" >&2; exit 1; }
# The node must really be on the shared queue: its migrations made the table.
"${PSQL[@]}" -d gonode -tAc "SELECT 1 FROM gonode_job LIMIT 0" >/dev/null \
  || { cat "$DIR/node.log" >&2; echo "the node is not on jobs.store=postgres: no gonode_job table" >&2; exit 1; }
url="http://127.0.0.1:$api/v1/jobs/echo?wait=$WAIT"
script=bench/wrk/post-json.lua
sql() { "${PSQL[@]}" -d gonode -tAc "$1"; }
echo "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}'), $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg);" \
  "wrk -c$CONNS -d$DURATION POST $url"
wrk -t2 -c"$CONNS" -d10s -s "$script" "$url" >/dev/null # warm-up (not counted)
results="$DIR/results"
for round in $(seq 1 "$ROUNDS"); do
  "$BIN/pgbench" -h 127.0.0.1 -p "$PORT" -U postgres -c "${PGBENCH_CLIENTS:-4}" -j 2 -T "${PGBENCH_SECONDS:-20}" pgbench 2>/dev/null \
    | awk -v r="$round" -v c="${PGBENCH_CLIENTS:-4}" '/^tps/ {printf "round %s pgbench clients=%s tps=%d\n", r, c, $3}'
  # Let the warm-up's (or the last round's) backlog finish, then mark the round's start.
  for _ in $(seq 1 "${DRAIN_SECONDS:-120}"); do
    [ "$(sql "SELECT count(*) FROM gonode_job WHERE state IN ('available','running','retryable','scheduled')")" = 0 ] && break
    sleep 1
  done
  start=$(sql "SELECT clock_timestamp()")
  out=$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s "$script" "$url")
  accepted_rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out"); non2xx=${non2xx:-0}
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  left=""
  for _ in $(seq 1 "${DRAIN_SECONDS:-120}"); do
    left=$(sql "SELECT count(*) FROM gonode_job WHERE created_at >= '$start' AND state IN ('available','running','retryable','scheduled')")
    [ "$left" = 0 ] && break
    sleep 1
  done
  read -r jobs succeeded seconds < <(sql "SELECT count(*), count(*) FILTER (WHERE state = 'succeeded'),
      round(extract(epoch FROM max(finished_at) - min(created_at))::numeric, 3)
      FROM gonode_job WHERE created_at >= '$start'" | tr '|' ' ')
  # wrk does not count the requests still in flight when it stops (at most one per connection),
  # which the node may have accepted: the rows are the answered 2xx plus at most CONNS.
  answered=$((requests - non2xx))
  if [ "$left" != 0 ] || [ "$jobs" != "$succeeded" ] || [ "$jobs" -lt "$answered" ] || [ "$jobs" -gt $((answered + CONNS)) ]; then
    echo "round $round FAILED: $requests requests, $non2xx non-2xx, $jobs rows, $succeeded succeeded, $left unfinished" >&2
    exit 1
  fi
  rate=$(awk -v n="$jobs" -v s="$seconds" 'BEGIN {printf "%d", n / s}')
  echo "round $round insert+work jobs=$jobs seconds=$seconds completed/s=$rate http_accepted/s=$accepted_rps" \
    "p50=$(awk '$1=="50%" {print $2}' <<<"$out") p99=$(awk '$1=="99%" {print $2}' <<<"$out") non2xx=$non2xx"
  echo "$rate" >>"$results"
done
sort -n "$results" | awk '{v[NR]=$1} END {printf "insert+work completed/s min / median / max: %s / %s / %s\n", v[1], v[int((NR+1)/2)], v[NR]}'
