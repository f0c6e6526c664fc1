package dev.gonode.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The runtime's JVM options have one source, the parent pom.xml: every other file that spells one
 * of them out is either listed here with the reason it names it, or a copy that fails this test.
 * The launchers, the image, the benchmarks and the tests' child JVMs take them from the pom
 * (manifests, Surefire, a generated argument file) instead.
 */
class JvmOptionsTest {

    /** What a copy spells: the opened or exported package with its target, or the poller mode. */
    private static final Pattern OPTION = Pattern.compile(
            "java\\.base/(java\\.lang|jdk\\.internal\\.vm)\\b|jdk\\.pollerMode");

    /** The files that may name an option, and why. */
    private static final Map<String, String> NAMERS = new TreeMap<>(Map.ofEntries(
            Map.entry("pom.xml", "the source"),
            Map.entry("README.md", "the operator reference: what each option is for"),
            Map.entry("runtime/src/main/java/dev/gonode/runtime/internal/sched/PollerMode.java",
                    "sets jdk.pollerMode in the runtime"),
            Map.entry("runtime/src/main/java/dev/gonode/runtime/internal/sched/VirtualThreads.java",
                    "the fallback reason names the option that is missing"),
            Map.entry("runtime/src/main/java/dev/gonode/runtime/internal/sched/GoRuntime.java",
                    "the fallback reason names the option that is missing"),
            Map.entry("runtime/src/main/java/dev/gonode/runtime/internal/sched/GoroutineContainer.java",
                    "documents the option it needs"),
            Map.entry("runtime/src/test/java/dev/gonode/runtime/ChildJvmTest.java",
                    "asserts the fallback reason and that a given poller mode is kept"),
            Map.entry("runtime/src/test/java/dev/gonode/runtime/testing/ChildMain.java",
                    "prints the poller mode the child ran with"),
            Map.entry("runtime/src/test/java/dev/gonode/runtime/internal/sched/GoroutineRegistryTest.java",
                    "a failure message names the option the weak container needs"),
            Map.entry("deploy-tests/src/test/java/dev/gonode/deploy/JvmOptionsTest.java", "this test")));

    @Test
    void onlyThePomAndTheListedFilesNameTheRuntimeJvmOptions() throws Exception {
        List<String> copies = new ArrayList<>();
        for (String file : trackedFiles()) {
            if (NAMERS.containsKey(file)) {
                continue;
            }
            String text;
            try {
                text = Files.readString(Repo.file(file), StandardCharsets.UTF_8);
            } catch (MalformedInputException | java.nio.file.NoSuchFileException binaryOrDeleted) {
                continue;
            }
            var m = OPTION.matcher(text);
            if (m.find()) {
                int line = (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
                copies.add(file + ":" + line + ": " + m.group());
            }
        }
        assertEquals(List.of(), copies, "the runtime's JVM options are spelled out outside pom.xml; take them from"
                + " the pom (gonode.jvm.options through Surefire, the jars' manifests, BenchMain or"
                + " @bench/target/classes/gonode-jvm.options), or list the file in JvmOptionsTest with the reason");
    }

    @Test
    void theListedFilesExistAndNameAnOption() throws Exception {
        for (String file : NAMERS.keySet()) {
            Path path = Repo.file(file);
            assertTrue(Files.isRegularFile(path), file + " is listed but does not exist: drop it from the list");
            assertTrue(OPTION.matcher(Files.readString(path)).find(), file + " is listed but names no option: drop it");
        }
    }

    /** The files git tracks plus the untracked ones it does not ignore (build output is ignored). */
    private static List<String> trackedFiles() throws IOException, InterruptedException {
        Repo.Result r = Repo.run(List.of("git", "ls-files", "--cached", "--others", "--exclude-standard"), Repo.root());
        assertEquals(0, r.status(), "git ls-files:\n" + r.output());
        return r.output().lines().filter(l -> !l.isBlank()).toList();
    }
}
