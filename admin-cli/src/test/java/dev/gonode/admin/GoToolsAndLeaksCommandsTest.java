package dev.gonode.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.node.Node;
import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.testing.ExternalTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code dump-goroutines} prints, read by Go's tools on the defaults ({@code | panicparse},
 * {@code --pprof FILE} then {@code go tool pprof -top}), and when {@code leaks --fail} fails: on a
 * proven leak, not on a healthy node. A node of its own, because a proven leak stays on its record.
 */
class GoToolsAndLeaksCommandsTest {

    private static Node node;
    private static String url;

    @BeforeAll
    static void startNode() throws Exception {
        node = Node.start(GonodeAdminTest.config(""));
        url = "http://127.0.0.1:" + node.adminPort();
        GonodeAdminTest.startThreeSleepWorkers(node);
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private static GonodeAdminTest.Run run(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--url";
        all[1] = url;
        System.arraycopy(args, 0, all, 2, args.length);
        return GonodeAdminTest.runRaw(all);
    }

    @Test
    void dumpGoroutinesOnTheDefaultsIsReadByPanicparse(@TempDir Path dir) throws Exception {
        Path panicparse = ExternalTools.require("panicparse", "panicparse");
        GonodeAdminTest.Run dump = run("dump-goroutines");
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
        GonodeAdminTest.Run rich = run("dump-goroutines", "--style", "gonode", "--label", "handler=sleep", "--limit", "1");
        assertEquals(0, rich.status(), rich.err());
        assertTrue(rich.out().contains("\nlabels: {") && rich.out().contains("\"handler\":\"sleep\""), rich.out());
        assertTrue(rich.out().contains(".java:"), rich.out());
        GonodeAdminTest.Run go = run("dump-goroutines", "--label", "handler=sleep", "--limit", "1");
        assertFalse(go.out().contains("labels:"), "Go's style has no labels line: " + go.out());
        assertTrue(go.out().contains(".java.go:"), go.out());
        GonodeAdminTest.Run bad = run("dump-goroutines", "--style", "pretty");
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("--style") && bad.err().contains("pretty"), bad.err());
    }

    @Test
    void dumpGoroutinesPprofIsReadByGoToolPprofTop(@TempDir Path dir) throws Exception {
        Path go = ExternalTools.require("go", "golang-go", "/usr/lib/go/bin/go", "/usr/lib/go-1.19/bin/go");
        Path profile = dir.resolve("goroutine.pb.gz");
        GonodeAdminTest.Run save = run("dump-goroutines", "--pprof", profile.toString());
        assertEquals(0, save.status(), save.err());
        ExternalTools.Run top = ExternalTools.run(List.of(go.toString(), "tool", "pprof", "-top", profile.toString()));
        assertEquals(0, top.exitCode(), top.output());
        assertTrue(top.output().contains("Type: goroutine") && top.output().contains("dev.gonode."), top.output());
    }

    @Test
    void leaksFailExitsZeroOnAHealthyNodeAndThreeOnceAGoroutineIsProvenLeaked() {
        GonodeAdminTest.Run healthy = run("leaks", "--fail");
        assertEquals(0, healthy.status(), healthy.out() + healthy.err());
        assertTrue(healthy.out().contains("no leaks"), healthy.out());

        leakAReceiverNobodySendsTo();
        AtomicReference<GonodeAdminTest.Run> leaked = new AtomicReference<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        do {
            System.gc(); // the proof: the collector finds the parked goroutine unreachable
            leaked.set(run("leaks", "--fail"));
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
