package dev.gonode.node;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real node in a child JVM: {@code java [options] -cp <test class path> dev.gonode.node.Main},
 * on the JDK running the tests. Its stdout and stderr are merged and collected line by line, and
 * tests wait on that output (never on time) for it to reach a state.
 */
final class NodeProcess implements AutoCloseable {

    /** The options the runtime needs, as Surefire, the launchers and the jar manifest set them. */
    static final List<String> RUNTIME_JVM_OPTIONS = List.of(
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED",
            "-Djdk.pollerMode=1");

    static final Pattern LISTENING = Pattern.compile("gonode admin listening on ([^\\s]+):(\\d+)");
    static final Pattern JOB_API = Pattern.compile("gonode job API listening on ([^\\s]+):(\\d+)");

    /** The environment every child node gets unless a test overrides it: free loopback ports. */
    static final Map<String, String> FREE_PORTS = Map.of(
            "GONODE_ADMIN_PORT", "0", "GONODE_SERVER_PORT", "0", "GONODE_SERVER_HOST", "127.0.0.1");

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private boolean ended;

    private NodeProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(this::readOutput, "node-process-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the node with {@code jvmOptions} and {@code env} added to this process's environment minus GONODE_*. */
    static NodeProcess start(List<String> jvmOptions, Map<String, String> env) throws IOException {
        return start(List.of(), jvmOptions, env);
    }

    /**
     * Like {@link #start(List, Map)}, with the java command run by {@code launcher} (such as a shell
     * that lowers a resource limit and then execs its arguments, so the node keeps its pid).
     */
    static NodeProcess start(List<String> launcher, List<String> jvmOptions, Map<String, String> env)
            throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot tell which java runs the tests"));
        List<String> command = new ArrayList<>(launcher);
        command.add(java);
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("GONODE_"));
        builder.environment().putAll(FREE_PORTS);
        builder.environment().putAll(env);
        return new NodeProcess(builder.start());
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                synchronized (this) {
                    lines.add(line);
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // the process went away; what it printed so far is kept
        } finally {
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        }
    }

    /**
     * Waits until a line of output matches {@code pattern} and returns the match; fails with the
     * whole output when the output ends or {@code timeout} passes first.
     */
    synchronized Matcher awaitLine(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        while (true) {
            for (; seen < lines.size(); seen++) {
                Matcher m = pattern.matcher(lines.get(seen));
                if (m.find()) {
                    return m;
                }
            }
            long left = deadline - System.nanoTime();
            if (ended || left <= 0) {
                throw new AssertionError("the node never printed a line matching /" + pattern + "/ ("
                        + (ended ? "its output ended" : "waited " + timeout) + "); its output:\n" + output());
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** Waits for the admin listener and returns its port. */
    int awaitAdminPort(Duration timeout) throws InterruptedException {
        return Integer.parseInt(awaitLine(LISTENING, timeout).group(2));
    }

    /** Waits for the job API listener and returns its port. */
    int awaitJobPort(Duration timeout) throws InterruptedException {
        return Integer.parseInt(awaitLine(JOB_API, timeout).group(2));
    }

    /** Waits for the process to exit and its output to be read; fails with the output on timeout. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the node did not exit within " + timeout + "; its output:\n" + output());
        }
        synchronized (this) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!ended && deadline - System.nanoTime() > 0) {
                TimeUnit.NANOSECONDS.timedWait(this, deadline - System.nanoTime());
            }
        }
        return process.exitValue();
    }

    /**
     * Sends SIGTERM. Through the process's {@link ProcessHandle}: {@link Process#destroy()} sends the
     * same signal on Linux but then closes our end of the child's stdout, losing what it logs while
     * it stops.
     */
    void sigterm() {
        if (!process.toHandle().destroy()) {
            throw new AssertionError("cannot send SIGTERM to the node (pid " + process.pid() + ")");
        }
    }

    synchronized String output() {
        return String.join("\n", lines);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
