package dev.gonode.deploy;

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
 * A real node in a child JVM ({@code java <runtime options> -cp <test class path> dev.gonode.node.Main
 * [args]}), as node/src/test/java/dev/gonode/node/NodeProcess.java does it: output collected line by
 * line, and tests wait on that output, never on time.
 */
final class NodeProcess implements AutoCloseable {

    /** The options the runtime needs (bin/lib/common.sh GONODE_JVM_OPTS). */
    static final List<String> RUNTIME_JVM_OPTIONS = List.of(
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED",
            "-Djdk.pollerMode=1", "-Xshare:auto", "-XX:TieredStopAtLevel=1");

    static final Pattern ADMIN = Pattern.compile("gonode admin listening on ([^\\s]+):(\\d+)");
    static final Pattern JOB_API = Pattern.compile("gonode job API listening on ([^\\s]+):(\\d+)");

    final String name;
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private boolean ended;

    private NodeProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        Thread reader = new Thread(this::readOutput, "node-output-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts a node with {@code args}; the environment is this one's minus GONODE_*, plus free loopback ports and {@code env}. */
    static NodeProcess start(String name, List<String> args, Map<String, String> env) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot tell which java runs the tests"));
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(RUNTIME_JVM_OPTIONS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.gonode.node.Main");
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("GONODE_") || k.equals("GOMAXPROCS"));
        builder.environment().putAll(Map.of("GONODE_ADMIN_HOST", "127.0.0.1", "GONODE_ADMIN_PORT", "0",
                "GONODE_SERVER_HOST", "127.0.0.1", "GONODE_SERVER_PORT", "0"));
        builder.environment().putAll(env);
        return new NodeProcess(name, builder.start());
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                synchronized (this) {
                    lines.add(line);
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // the process went away; what it printed is kept
        } finally {
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        }
    }

    /** Waits for a line matching {@code pattern}; fails with the output when it ends or {@code timeout} passes. */
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
                throw new AssertionError(name + " never printed a line matching /" + pattern + "/ ("
                        + (ended ? "its output ended" : "waited " + timeout) + "); its output:\n" + output());
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    int awaitAdminPort(Duration timeout) throws InterruptedException {
        return Integer.parseInt(awaitLine(ADMIN, timeout).group(2));
    }

    int awaitJobPort(Duration timeout) throws InterruptedException {
        return Integer.parseInt(awaitLine(JOB_API, timeout).group(2));
    }

    /** Waits for the exit; fails with the output when {@code timeout} passes first. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not exit within " + timeout + "; its output:\n" + output());
        }
        synchronized (this) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!ended && deadline - System.nanoTime() > 0) {
                TimeUnit.NANOSECONDS.timedWait(this, deadline - System.nanoTime());
            }
        }
        return process.exitValue();
    }

    /** SIGTERM through the ProcessHandle, which keeps our end of the child's output open. */
    void sigterm() {
        if (!process.toHandle().destroy()) {
            throw new AssertionError("cannot send SIGTERM to " + name + " (pid " + process.pid() + ")");
        }
    }

    long pid() {
        return process.pid();
    }

    synchronized String output() {
        return String.join("\n", lines);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
