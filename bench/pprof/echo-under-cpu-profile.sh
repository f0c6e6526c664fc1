#!/usr/bin/env bash
# Echo throughput of a node with and without a CPU profile running, measured with wrk (an external
# client, as users load a node), side by side in one run: ROUNDS rounds, each a plain wrk run then
# a wrk run while GET /debug/pprof/profile?seconds=(DURATION+4) collects. Prints requests/s per run
# and the ratio per round. Usage: bench/pprof/echo-under-cpu-profile.sh [ROUNDS] [DURATION_S]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
rounds=${1:-3}
duration=${2:-10}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
api=$(free_port)
admin=$(free_port)
work=$(mktemp -d)
trap 'kill "$node_pid" 2>/dev/null || true; wait "$node_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
GONODE_SERVER_HOST=127.0.0.1 GONODE_SERVER_PORT=$api GONODE_ADMIN_PORT=$admin bin/gonode >"$work/node.log" 2>&1 &
node_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$admin/readyz" >/dev/null 2>&1 && break
  sleep 0.2 # polling a process start, bounded: there is no event to wait on
done
curl -fsS "http://127.0.0.1:$admin/readyz" >/dev/null
cat >"$work/echo.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"hello":"world"}'
wrk.headers["Content-Type"] = "application/json"
LUA
load() { wrk -t2 -c16 -d"${duration}s" -s "$work/echo.lua" "http://127.0.0.1:$api/v1/jobs/echo" | awk '/Requests\/sec/ {print $2}'; }
load >/dev/null # warm-up
echo "round plain_rps profiled_rps ratio"
for r in $(seq 1 "$rounds"); do
  plain=$(load)
  curl -fsS -o "$work/cpu.pb.gz" "http://127.0.0.1:$admin/debug/pprof/profile?seconds=$((duration + 4))" &
  curl_pid=$!
  sleep 2 # let the profile's JFR stream start before the load does
  profiled=$(load)
  wait "$curl_pid"
  test -s "$work/cpu.pb.gz"
  echo "$r $plain $profiled $(python3 -c "print(f'{$profiled/$plain:.3f}')")"
done
