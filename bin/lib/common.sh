# Shared by the launchers in bin/: finds a JDK >= 25 and builds what is missing. Sourced, not run.
# (The JVM options the runtime needs travel in the node jar's manifest: see pom.xml.)

GONODE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
GONODE_MIN_JAVA=25

# Prints the feature version of the java binary $1 (17, 21, 25, ...), or nothing if it is not a JDK.
# Reads the JDK's release file with shell built-ins (no process per candidate: the CLI's launcher
# runs this on every command); follows a symlink such as /usr/bin/java to its JDK; runs
# java -version only for a JDK without a release file.
java_feature_version() {
  local release="${1%/bin/java}/release" line v="" real
  if [ ! -r "$release" ] && [ -L "$1" ] && real=$(readlink -f "$1" 2>/dev/null); then
    release="${real%/bin/java}/release"
  fi
  if [ -r "$release" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      case "$line" in
        JAVA_VERSION=\"*) v="${line#JAVA_VERSION=\"}"; v="${v%%[!0-9]*}"; break ;;
      esac
    done < "$release"
  fi
  if [ -z "$v" ]; then
    v=$("$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
  fi
  echo "$v"
}

# Sets GONODE_JAVA to a java >= 25: JAVA_HOME when it is new enough, otherwise the newest JDK
# found in the usual install locations. Exits with a message naming what it looked at otherwise.
find_java() {
  local searched=()
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    local v; v=$(java_feature_version "$JAVA_HOME/bin/java")
    if [ -n "$v" ] && [ "$v" -ge "$GONODE_MIN_JAVA" ]; then
      GONODE_JAVA="$JAVA_HOME/bin/java"; return 0
    fi
    searched+=("JAVA_HOME=$JAVA_HOME (Java $v)")
  fi
  local best="" bestv=0 candidate v
  for candidate in /usr/lib/jvm/*/bin/java /opt/java/*/bin/java /opt/*/bin/java \
                   "$HOME"/.jdks/*/bin/java "$HOME"/.sdkman/candidates/java/*/bin/java \
                   /Library/Java/JavaVirtualMachines/*/Contents/Home/bin/java \
                   "$(command -v java 2>/dev/null)"; do
    [ -x "$candidate" ] || continue
    v=$(java_feature_version "$candidate")
    [ -n "$v" ] || continue
    searched+=("$candidate (Java $v)")
    if [ "$v" -ge "$GONODE_MIN_JAVA" ] && [ "$v" -gt "$bestv" ]; then best="$candidate"; bestv="$v"; fi
  done
  if [ -z "$best" ]; then
    {
      echo "gonode needs a JDK >= $GONODE_MIN_JAVA and found none."
      echo "Looked at JAVA_HOME, /usr/lib/jvm, /opt/java, ~/.jdks, ~/.sdkman and java on PATH:"
      local s; for s in "${searched[@]}"; do echo "  $s"; done
      echo "Install one (for example Temurin 25) or point JAVA_HOME at it."
    } >&2
    exit 1
  fi
  GONODE_JAVA="$best"
}

# Builds module $1's jar $2 (with the modules it needs) when it is missing or older than any source.
build_if_stale() {
  local module="$1" jar="$2"
  if [ -f "$jar" ] && [ -z "$(find "$GONODE_HOME/pom.xml" "$GONODE_HOME/runtime" "$GONODE_HOME/$module" \
        "$GONODE_HOME/config" \( -name target -prune \) -o -type f -newer "$jar" -print -quit 2>/dev/null)" ]; then
    return 0
  fi
  echo "gonode: building $module (first run or sources changed) ..." >&2
  # Maven runs on JAVA_HOME or the java on PATH (any recent JDK; the build itself picks JDK >= 25
  # through toolchains). On a machine with neither, it runs on the JDK find_java found.
  local maven_java_home="${JAVA_HOME:-}"
  if [ -z "$maven_java_home" ] && ! command -v java >/dev/null 2>&1; then
    maven_java_home="$(dirname "$(dirname "$GONODE_JAVA")")"
  fi
  (cd "$GONODE_HOME" && JAVA_HOME="$maven_java_home" ./mvnw -q -B -DskipTests -pl "$module" -am package) >&2 || {
    echo "gonode: the build of $module failed; see the Maven output above." >&2; exit 1; }
}
