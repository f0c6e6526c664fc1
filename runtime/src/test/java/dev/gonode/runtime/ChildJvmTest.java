package dev.gonode.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.testing.ChildMain;
import dev.gonode.testing.JvmOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Process-wide behaviour, checked in child JVMs. */
class ChildJvmTest {

    private static final List<String> RUNTIME_OPTIONS = JvmOptions.runtime();

    record Result(int exitCode, String stdout, String stderr) {
    }

    private static Result run(List<String> jvmOptions, Map<String, String> env, String scenario) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ChildMain.class.getName());
        command.add(scenario);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("GOMAXPROCS");
        pb.environment().putAll(env);
        Process p = pb.start();
        boolean exited = p.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
            throw new AssertionError("child JVM did not exit: " + read(p.getErrorStream()));
        }
        return new Result(p.exitValue(), read(p.getInputStream()), read(p.getErrorStream()));
    }

    private static String read(java.io.InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void gomaxprocsComesFromTheEnvironment() throws Exception {
        Result r = run(RUNTIME_OPTIONS, Map.of("GOMAXPROCS", "3"), "stats");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().contains("scheduler=gonode"), r.stdout());
        assertTrue(r.stdout().contains("gomaxprocs=3"), r.stdout());
    }

    @Test
    void withoutTheModuleOptionsGoroutinesFallBackToTheJdkScheduler() throws Exception {
        Result r = run(List.of("-Dgonode.gomaxprocs=2"), Map.of(), "stats");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().contains("scheduler=jdk-default"), r.stdout());
        assertTrue(r.stdout().contains("gomaxprocs=2"), r.stdout());
        assertTrue(r.stdout().contains("--add-opens java.base/java.lang=ALL-UNNAMED"), "the reason says what to do: " + r.stdout());
        assertTrue(r.stderr().contains("gonode runs goroutines on the JDK's default virtual-thread scheduler"),
                "the fallback is logged: " + r.stderr());
    }

    @Test
    void panicWithExitPolicyPrintsGoShapeAndExitsWithCode2() throws Exception {
        List<String> options = new ArrayList<>(RUNTIME_OPTIONS);
        options.add("-Dgonode.panic=exit");
        Result r = run(options, Map.of(), "panic");
        assertEquals(2, r.exitCode(), r.stderr());
        assertTrue(r.stderr().startsWith("panic: java.lang.IllegalStateException: boom\n\ngoroutine "), r.stderr());
        assertTrue(r.stderr().contains(" [running]:\n"), r.stderr());
        assertTrue(r.stderr().contains("created by " + ChildMain.class.getName() + ".main"), r.stderr());
    }

    @Test
    void exceedingTheCarrierLimitIsAFatalErrorWithAClearMessage() throws Exception {
        List<String> options = new ArrayList<>(RUNTIME_OPTIONS);
        options.add("-Dgonode.sched.max-carriers=1");
        Result r = run(options, Map.of("GOMAXPROCS", "1"), "carrier-limit");
        assertEquals(2, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("fatal error: gonode: program exceeds the 1-carrier limit"), r.stderr());
    }

    @Test
    void aBadGomaxprocsIsReportedAndIgnored() throws Exception {
        Result r = run(RUNTIME_OPTIONS, Map.of("GOMAXPROCS", "lots"), "stats");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("ignoring GOMAXPROCS=\"lots\": expected a whole number of at least 1"), r.stderr());
    }

    @Test
    void socketPollersRunOnPlatformThreadsWithoutTheCommandLineOption() throws Exception {
        Result r = run(RUNTIME_OPTIONS, Map.of(), "pollers");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().contains("read=42"), r.stdout());
        assertTrue(r.stdout().contains("pollerMode=1"), "the runtime sets jdk.pollerMode=1: " + r.stdout());
        assertTrue(r.stdout().contains("Read-Poller"), "a platform read poller: " + r.stdout());
        assertFalse(r.stdout().contains("MasterPoller"), "no virtual-thread pollers: " + r.stdout());
    }

    @Test
    void aPollerModeGivenOnTheCommandLineIsKept() throws Exception {
        List<String> options = new ArrayList<>(RUNTIME_OPTIONS);
        options.add("-Djdk.pollerMode=2");
        Result r = run(options, Map.of(), "pollers");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().contains("pollerMode=2"), r.stdout());
        assertTrue(r.stdout().contains("MasterPoller"), "virtual-thread pollers under a master: " + r.stdout());
    }
}
