package dev.gonode.testing;

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
 * The real node in a child JVM: {@code [launcher] java [options] -cp <test class path>
 * dev.gonode.node.Main [args]}, on the JDK running the tests. Its stdout and stderr are merged and
 * collected line by line, and tests wait on that output (never on time) for it to reach a state.
 * The child's environment is the test's minus {@code GONODE_*} and {@code GOMAXPROCS}, plus
 * loopback listeners on free ports, plus what the test adds.
 */
public final class NodeProcess implements AutoCloseable {

    /** The node's main class, named here so this module needs no gonode module. */
    public static final String MAIN_CLASS = "dev.gonode.node.Main";

    /** The options the runtime needs (the parent pom's, through Surefire). */
    public static final List<String> RUNTIME_JVM_OPTIONS = JvmOptions.runtime();

    /** The runtime's options plus a quicker start (C1 only, the JDK's class-data archive). */
    public static final List<String> QUICK_START_JVM_OPTIONS = concat(RUNTIME_JVM_OPTIONS,
            List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1"));

    public static final Pattern ADMIN = Pattern.compile("gonode admin listening on ([^\\s]+):(\\d+)");
    public static final Pattern JOB_API = Pattern.compile("gonode job API listening on ([^\\s]+):(\\d+)");

    /** The environment every child node gets unless a test overrides it: loopback, free ports. */
    public static final Map<String, String> FREE_PORTS = Map.of(
            "GONODE_ADMIN_HOST", "127.0.0.1", "GONODE_ADMIN_PORT", "0",
            "GONODE_SERVER_HOST", "127.0.0.1", "GONODE_SERVER_PORT", "0");

    private final String name;
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private boolean ended;

    private NodeProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        Thread reader = new Thread(this::readOutput, "node-output-" + name + "-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts "the node" with {@code jvmOptions} and {@code env}, without arguments. */
    public static NodeProcess start(List<String> jvmOptions, Map<String, String> env) throws IOException {
        return start("the node", List.of(), jvmOptions, List.of(), env);
    }

    /**
     * Like {@link #start(List, Map)}, with the java command run by {@code launcher} (such as a shell
     * that lowers a resource limit and then execs its arguments, so the node keeps its pid).
     */
    public static NodeProcess start(List<String> launcher, List<String> jvmOptions, Map<String, String> env)
            throws IOException {
        return start("the node", launcher, jvmOptions, List.of(), env);
    }

    /** Starts a node called {@code name} (in messages) with {@link #QUICK_START_JVM_OPTIONS} and {@code args}. */
    public static NodeProcess start(String name, List<String> args, Map<String, String> env) throws IOException {
        return start(name, List.of(), QUICK_START_JVM_OPTIONS, args, env);
    }

    /** Starts a node: {@code launcher java jvmOptions -cp <test class path> dev.gonode.node.Main args}. */
    public static NodeProcess start(String name, List<String> launcher, List<String> jvmOptions, List<String> args,
            Map<String, String> env) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot tell which java runs the tests"));
        List<String> command = new ArrayList<>(launcher);
        command.add(java);
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(MAIN_CLASS);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("GONODE_") || k.equals("GOMAXPROCS"));
        builder.environment().putAll(FREE_PORTS);
        builder.environment().putAll(env);
        return new NodeProcess(name, builder.start());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
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
    public synchronized Matcher awaitLine(Pattern pattern, Duration timeout) throws InterruptedException {
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

    /** Waits for the admin listener and returns its port. */
    public int awaitAdminPort(Duration timeout) throws InterruptedException {
        return Integer.parseInt(awaitLine(ADMIN, timeout).group(2));
    }

    /** Waits for the job API listener and returns its port. */
    public int awaitJobPort(Duration timeout) throws InterruptedException {
        return Integer.parseInt(awaitLine(JOB_API, timeout).group(2));
    }

    /** Waits for the process to exit and its output to be read; fails with the output on timeout. */
    public int awaitExit(Duration timeout) throws InterruptedException {
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

    /**
     * Sends SIGTERM. Through the process's {@link ProcessHandle}: {@link Process#destroy()} sends the
     * same signal on Linux but then closes our end of the child's stdout, losing what it logs while
     * it stops.
     */
    public void sigterm() {
        if (!process.toHandle().destroy()) {
            throw new AssertionError("cannot send SIGTERM to " + name + " (pid " + process.pid() + ")");
        }
    }

    /** The process id, for tools such as jcmd. */
    public long pid() {
        return process.pid();
    }

    /** A name for messages ("the node" unless the test named it). */
    public String name() {
        return name;
    }

    /** Everything the node printed so far. */
    public synchronized String output() {
        return String.join("\n", lines);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
