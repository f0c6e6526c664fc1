#!/usr/bin/env bash
# A/B: POST /v1/jobs/echo (synchronous, jobs.store=memory) on two node jars side by side in one run,
# the order of the two alternating each round, wrk (Debian's package) as the client. For a change to
# the job path: build the base (for instance in a scratch `git worktree add /tmp/base main`, then
# ./mvnw -q -B -o -pl node -am package -DskipTests there) and this tree the same way.
#
#   bench/wrk/echo-ab.sh BASE_JAR NEW_JAR [ROUNDS=6] [DURATION=10s] [CONNECTIONS=64]
#
# Each node gets a 30 s warm-up (the JIT's) before the rounds. Prints one line per wrk run and
# min / median / max per jar.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source bin/lib/common.sh
find_java
[ $# -ge 2 ] || { echo "usage: $0 BASE_JAR NEW_JAR [ROUNDS] [DURATION] [CONNECTIONS]" >&2; exit 2; }
jars=("$1" "$2"); rounds=${3:-6}; dur=${4:-10s}; conns=${5:-64}
for j in "${jars[@]}"; do [ -f "$j" ] || { echo "no such jar: $j" >&2; exit 2; }; done
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
log=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$log"' EXIT
for i in 0 1; do
  GONODE_SERVER_HOST=127.0.0.1 GONODE_SERVER_PORT=0 GONODE_ADMIN_PORT=0 \
    "$GONODE_JAVA" -Xms1g -Xmx1g -XX:+ExitOnOutOfMemoryError -jar "${jars[$i]}" >"$log/$i.log" 2>&1 &
  pids+=($!)
done
port_in() { sed -n 's/.*gonode job API listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$1" | head -n 1; }
ports=("" "")
for _ in $(seq 1 900); do
  ports=("$(port_in "$log/0.log")" "$(port_in "$log/1.log")")
  [ -n "${ports[0]}" ] && [ -n "${ports[1]}" ] && break
  sleep 0.1
done
[ -n "${ports[0]}" ] && [ -n "${ports[1]}" ] || { cat "$log"/*.log >&2; echo "a node did not start" >&2; exit 1; }
script=bench/wrk/post-json.lua
for p in "${ports[@]}"; do wrk -t2 -c"$conns" -d30s -s "$script" "http://127.0.0.1:$p/v1/jobs/echo" >/dev/null; done
for r in $(seq 1 "$rounds"); do
  order="0 1"; [ $((r % 2)) -eq 0 ] && order="1 0"
  for i in $order; do
    out=$(wrk -t2 -c"$conns" -d"$dur" -s "$script" "http://127.0.0.1:${ports[$i]}/v1/jobs/echo")
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    echo "round=$r jar=$i req/s=$rps $(awk '/Non-2xx|Socket errors/' <<<"$out" | tr '\n' ' ')"
    echo "$i $rps" >>"$log/results"
  done
done
for i in 0 1; do
  awk -v i="$i" '$1==i {print $2}' "$log/results" | sort -n \
    | awk -v j="${jars[$i]}" '{v[NR]=$1} END {printf "%s: req/s min / median / max %s / %s / %s\n", j, v[1], v[int((NR+1)/2)], v[NR]}'
done
