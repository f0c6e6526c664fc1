#!/usr/bin/env bash
# The cross-P channel workloads side by side in one script run: gonode, the JDK's queues on virtual
# threads and jox under JMH, then the same workloads in Go (bench/go), repeated ROUNDS times, and a
# table of min / median / max per implementation with gonode's ratio to Go from the same round.
#
# "floor" (W1 only) is ContinuationFloorBench: park/unpark ping-pong on a trivial one-carrier
# scheduler, the least any JDK 25 hand-off between two virtual threads on one carrier costs.
#
# Usage: bench/cross-p.sh [ROUNDS] [P]    (defaults: 3 rounds, P=2; build the jar first:
#        ./mvnw -q -B -DskipTests -pl bench -am package)
# Env:   JAR (default: bench/target/gonode-bench.jar), JAVA (default: the Temurin 25 JDK), JMH_OPTS (default: -f 1 -wi 3 -i 5 -w 1 -r 1),
#        GO_COUNT (Go repetitions per round, default 5), OUT (results directory, default a temp dir).
set -euo pipefail

rounds=${1:-3}
procs=${2:-2}
here=$(cd "$(dirname "$0")" && pwd)
java=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
jmh_opts=${JMH_OPTS:--f 1 -wi 3 -i 5 -w 1 -r 1}
go_count=${GO_COUNT:-5}
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
jar=${JAR:-$here/target/gonode-bench.jar}
[[ -f $jar ]] || { echo "cross-p.sh: $jar is missing; build it with ./mvnw -q -B -DskipTests -pl bench -am package" >&2; exit 2; }
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "cross-p.sh: ROUNDS must be a positive integer, got '$rounds'" >&2; exit 2; }
[[ $procs =~ ^[1-9][0-9]*$ ]] || { echo "cross-p.sh: P must be a positive integer, got '$procs'" >&2; exit 2; }

# -jvmArgsAppend on JMH's command line replaces the @Fork annotation's (-Xmx4g); the runtime's own
# options come before them from the jar's main class (dev.gonode.bench.BenchMain).
jvm_args="-Xmx4g"

for r in $(seq 1 "$rounds"); do
    echo "== round $r of $rounds (P=$procs), results in $out" >&2
    # shellcheck disable=SC2086
    "$java" -jar "$jar" 'ChanBench.(pingPongUnbuffered|bufferedMpmc)|ChanSelectBench|ContinuationFloorBench' $jmh_opts \
        -jvmArgsAppend "$jvm_args -Dgonode.gomaxprocs=$procs -Djdk.virtualThreadScheduler.parallelism=$procs" \
        -rf json -rff "$out/jmh-$r.json" > "$out/jmh-$r.log"
    (cd "$here/go" && GOMAXPROCS=$procs go test -run '^$' \
        -bench 'PingPongUnbuffered|BufferedMPMC4x4|SelectTwoFed' -benchtime 1s -count "$go_count") \
        > "$out/go-$r.txt"
done

python3 - "$out" "$rounds" <<'EOF'
import json, re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
names = {"pingPongOneCarrier": "W1 ping-pong", "pingPongUnbuffered": "W1 ping-pong", "bufferedMpmc": "W3 4x4 buffered", "selectTwoFed": "W4 select over 2"}
go_names = {"PingPongUnbuffered": "W1 ping-pong", "BufferedMPMC4x4": "W3 4x4 buffered", "SelectTwoFed": "W4 select over 2"}
reps = {}      # (workload, impl) -> every repetition over all rounds
medians = {}   # (workload, impl) -> per-round median
for r in range(1, rounds + 1):
    for b in json.load(open(f"{out}/jmh-{r}.json")):
        w = names[b["benchmark"].rsplit(".", 1)[1]]
        impl = b.get("params", {}).get("impl", "floor")  # ContinuationFloorBench: the JDK's park/unpark floor
        raw = [x for fork in b["primaryMetric"]["rawData"] for x in fork]
        reps.setdefault((w, impl), []).extend(raw)
        medians.setdefault((w, impl), []).append(statistics.median(raw))
    go = {}
    for line in open(f"{out}/go-{r}.txt"):
        m = re.match(r"Benchmark(\w+?)(-\d+)?\s+\d+\s+.*?([\d.]+) ns/msg", line)
        if m and m.group(1) in go_names:
            go.setdefault(go_names[m.group(1)], []).append(float(m.group(3)))
    for w, xs in go.items():
        reps.setdefault((w, "go"), []).extend(xs)
        medians.setdefault((w, "go"), []).append(statistics.median(xs))
print("| workload | impl | median per round | repetitions min / median / max | max/min | gonode/impl per round |")
print("|---|---|---|---|---|---|")
for w in dict.fromkeys(names.values()):
    for impl in ["go", "gonode", "jdk", "jox", "floor"]:
        if (w, impl) not in reps:
            continue
        xs = reps[(w, impl)]
        per_round = medians[(w, impl)]
        ratio = ""
        if impl != "gonode" and (w, "gonode") in medians:
            ratio = " / ".join(f"{g / o:.2f}" for g, o in zip(medians[(w, "gonode")], per_round))
        print(f"| {w} | {impl} | {' / '.join(f'{m:.1f}' for m in per_round)} | "
              f"{min(xs):.1f} / {statistics.median(xs):.1f} / {max(xs):.1f} | {max(xs) / min(xs):.2f} | {ratio} |")
EOF
