package dev.gonode.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.testing.ExternalTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code dump-goroutines} prints, read by Go's tools on the defaults ({@code | panicparse},
 * {@code --pprof FILE} then {@code go tool pprof -top}), and when {@code leaks --fail} fails: on a
 * proven leak, not on a healthy node. A node of its own, because a proven leak stays on its record.
 */
class GoToolsAndLeaksCommandsTest {

    @RegisterExtension
    static final CliTestNode NODE = CliTestNode.withSleepWorkers();

    @Test
    void dumpGoroutinesOnTheDefaultsIsReadByPanicparse(@TempDir Path dir) throws Exception {
        Path panicparse = ExternalTools.require("panicparse", "apt-get install -y panicparse");
        CliTestNode.Run dump = NODE.run("dump-goroutines");
        assertEquals(0, dump.status(), dump.err());
        Path file = dir.resolve("goroutines.txt");
        Files.writeString(file, dump.out());
        ExternalTools.Run read = ExternalTools.run(List.of(panicparse.toString(), "-parse=false", "-rebase=false",
                "-no-color", file.toString()));
        assertEquals(0, read.exitCode(), () -> read.output() + "\non:\n" + dump.out());
        assertFalse(read.output().contains("Failed:"), () -> read.output() + "\non:\n" + dump.out());
        long counted = 0;
        Matcher bucket = Pattern.compile("^(\\d+): ", Pattern.MULTILINE).matcher(read.output());
        while (bucket.find()) {
            counted += Long.parseLong(bucket.group(1));
        }
        assertEquals(dump.out().lines().filter(l -> l.startsWith("goroutine ")).count(), counted, read.output());
    }

    @Test
    void styleGonodeShowsJavaNamesAndLabelsAndAnUnknownStyleIsBadUsage() {
        CliTestNode.Run rich = NODE.run("dump-goroutines", "--style", "gonode", "--label", "handler=sleep", "--limit", "1");
        assertEquals(0, rich.status(), rich.err());
        assertTrue(rich.out().contains("\nlabels: {") && rich.out().contains("\"handler\":\"sleep\""), rich.out());
        assertTrue(rich.out().contains(".java:"), rich.out());
        CliTestNode.Run go = NODE.run("dump-goroutines", "--label", "handler=sleep", "--limit", "1");
        assertFalse(go.out().contains("labels:"), "Go's style has no labels line: " + go.out());
        assertTrue(go.out().contains(".java.go:"), go.out());
        CliTestNode.Run bad = NODE.run("dump-goroutines", "--style", "pretty");
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("--style") && bad.err().contains("pretty"), bad.err());
    }

    @Test
    void dumpGoroutinesPprofIsReadByGoToolPprofTop(@TempDir Path dir) throws Exception {
        Path go = ExternalTools.require("go", "apt-get install -y golang-go", "/usr/lib/go/bin/go", "/usr/lib/go-1.19/bin/go");
        Path profile = dir.resolve("goroutine.pb.gz");
        CliTestNode.Run save = NODE.run("dump-goroutines", "--pprof", profile.toString());
        assertEquals(0, save.status(), save.err());
        ExternalTools.Run top = ExternalTools.run(List.of(go.toString(), "tool", "pprof", "-top", profile.toString()));
        assertEquals(0, top.exitCode(), top.output());
        assertTrue(top.output().contains("Type: goroutine") && top.output().contains("dev.gonode."), top.output());
    }

    @Test
    void leaksFailExitsZeroOnAHealthyNodeAndThreeOnceAGoroutineIsProvenLeaked() {
        CliTestNode.Run healthy = NODE.run("leaks", "--fail");
        assertEquals(0, healthy.status(), healthy.out() + healthy.err());
        assertTrue(healthy.out().contains("no leaks"), healthy.out());

        leakAReceiverNobodySendsTo();
        AtomicReference<CliTestNode.Run> leaked = new AtomicReference<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        do {
            System.gc(); // the proof: the collector finds the parked goroutine unreachable
            leaked.set(NODE.run("leaks", "--fail"));
            if (leaked.get().status() != 0) {
                break;
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos()); // between collections: no event to wait on
        } while (System.nanoTime() - deadline < 0);
        assertEquals(3, leaked.get().status(), leaked.get().out() + leaked.get().err());
        assertTrue(leaked.get().out().contains("LEAKS FOUND"), leaked.get().out());
        assertTrue(leaked.get().err().contains("leaks found"), leaked.get().err());
    }

    /** The seed's "receive forever": a goroutine blocked on a channel that nothing else references. */
    private static void leakAReceiverNobodySendsTo() {
        Channel<String> nobodySends = Channel.make();
        Go.go("leaky receiver", nobodySends::receive);
    }
}
