#!/usr/bin/env bash
# POST /v1/jobs/echo on a gonode node against a plain Vert.x route (PlainEchoServer) answering the
# same JSON shape from its event loop: same JVM, same options, same Vert.x defaults, one event loop
# each (the node's job API listens on one), same run. wrk (Debian's package) is the client. Prints
# one line per wrk run, with the CPU time the server and wrk spent per request, and a summary
# (min/median/max of req/s and p99, and the ratio per round).
#
#   bench/wrk/echo.sh [ROUNDS] [DURATION] [CONNECTIONS...]     defaults: 3 20s 64 256
#   WARMUP=30s (each server, before the first round: the node's JIT needs longer than the plain route's)
#   GONODE_BENCH_JAR=path (another build of the bench jar, to compare before and after a change)
#
# Needs bench/target/gonode-bench.jar (./mvnw -q -B -DskipTests -pl bench -am package).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source bin/lib/common.sh
find_java
rounds="${1:-3}"; duration="${2:-20s}"; shift $(( $# > 2 ? 2 : $# )) || true
conns=("$@"); [ ${#conns[@]} -gt 0 ] || conns=(64 256)
jar="${GONODE_BENCH_JAR:-bench/target/gonode-bench.jar}"
[ -f "$jar" ] || { echo "build the bench jar first: ./mvnw -q -B -DskipTests -pl bench -am package" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

opts=(@bench/target/classes/gonode-jvm.options -Xms1g -Xmx1g -XX:+ExitOnOutOfMemoryError)
log=$(mktemp -d)
# Both servers bind free ports (0) and name them in their logs.
GONODE_SERVER_HOST=127.0.0.1 GONODE_SERVER_PORT=0 GONODE_ADMIN_PORT=0 \
  "$GONODE_JAVA" "${opts[@]}" -cp "$jar" dev.gonode.node.Main >"$log/node.log" 2>&1 &
node_pid=$!
"$GONODE_JAVA" "${opts[@]}" -cp "$jar" dev.gonode.bench.node.PlainEchoServer 0 1 >"$log/plain.log" 2>&1 &
plain_pid=$!
trap 'kill $node_pid $plain_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$log"' EXIT
port_in() { sed -n "s/.*$2 listening on 127.0.0.1:\([0-9]*\).*/\1/p" "$1" | head -n 1; }
node_port=""; plain_port=""
for _ in $(seq 1 600); do
  node_port=$(port_in "$log/node.log" "gonode job API"); plain_port=$(port_in "$log/plain.log" "plain vert.x echo")
  [ -n "$node_port" ] && [ -n "$plain_port" ] && break
  sleep 0.1
done
[ -n "$node_port" ] && [ -n "$plain_port" ] || { cat "$log"/*.log >&2; echo "a server did not start" >&2; exit 1; }
script="bench/wrk/post-json.lua"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# Warm both JITs up before measuring.
for port in $node_port $plain_port; do
  wrk -t2 -c64 -d"${WARMUP:-30s}" -s "$script" "http://127.0.0.1:$port/v1/jobs/echo" >/dev/null
done
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
tick_us=$(( 1000000 / $(getconf CLK_TCK) ))
results="$log/results"
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) print v / 1000; else if (v ~ /ms$/) print v + 0; else print v * 1000 }'; }
for c in "${conns[@]}"; do
  for r in $(seq 1 "$rounds"); do
    for target in gonode vertx; do
      port=$([ $target = gonode ] && echo $node_port || echo $plain_port)
      pid=$([ $target = gonode ] && echo $node_pid || echo $plain_pid)
      before=$(cpu_ticks "$pid")
      out=$( { /usr/bin/time -f "wrk-cpu %U %S" wrk -t2 -c"$c" -d"$duration" --latency -s "$script" \
               "http://127.0.0.1:$port/v1/jobs/echo"; } 2>&1 )
      after=$(cpu_ticks "$pid")
      rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
      requests=$(awk '/requests in/ {print $1}' <<<"$out")
      p50=$(awk '$1=="50%" {print $2}' <<<"$out")
      p99=$(awk '$1=="99%" {print $2}' <<<"$out")
      errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
      cpu=$(awk -v t=$(( (after - before) * tick_us )) -v n="$requests" 'BEGIN {printf "%.1f", t / n}')
      wrk_cpu=$(awk -v n="$requests" '/^wrk-cpu/ {printf "%.1f", ($2 + $3) * 1e6 / n}' <<<"$out")
      echo "c=$c round=$r $target req/s=$rps p50=$p50 p99=$p99 server-cpu=${cpu}us/req wrk-cpu=${wrk_cpu}us/req $errors"
      echo "$c $target $rps $(to_ms "$p99")" >>"$results"
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "summary (min / median / max over the rounds; ratios gonode/vertx per round):"
for c in "${conns[@]}"; do
  for target in gonode vertx; do
    for col in 3 4; do
      awk -v c="$c" -v t="$target" -v k=$col '$1==c && $2==t {print $k}' "$results" | sort -n \
        | awk -v c="$c" -v t="$target" -v what=$([ $col = 3 ] && echo "req/s" || echo "p99-ms") \
            '{v[NR]=$1} END {printf "c=%s %-6s %-6s %s / %s / %s\n", c, t, what, v[1], v[int((NR+1)/2)], v[NR]}'
    done
  done
  paste <(awk -v c="$c" '$1==c && $2=="gonode" {print $3, $4}' "$results") \
        <(awk -v c="$c" '$1==c && $2=="vertx" {print $3, $4}' "$results") \
    | awk -v c="$c" '{printf "c=%s round %d: throughput %.2fx, p99 %.2fx\n", c, NR, $1/$3, $2/$4}'
done
