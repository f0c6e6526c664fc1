package dev.gonode.runtime.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.GoroutineState;
import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.internal.sched.G;
import dev.gonode.runtime.internal.sched.GoRuntime;
import dev.gonode.runtime.internal.sched.RuntimeConfig;
import dev.gonode.testing.Await;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gonode's JFR events, read back from real recordings. */
class GonodeJfrTest {

    private GoRuntime rt;
    private GonodeJfr.Installation jfr;
    private RecordingStream stream;
    private final Queue<RecordedEvent> seen = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void start() {
        rt = new GoRuntime(RuntimeConfig.withGomaxprocs(3));
        jfr = GonodeJfr.install(rt);
        stream = new RecordingStream();
        stream.onEvent(seen::add);
    }

    @AfterEach
    void stop() {
        stream.close();
        jfr.close();
        rt.shutdown();
    }

    private List<RecordedEvent> events(String name) {
        return seen.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }

    private RecordedEvent awaitEvent(String name, java.util.function.Predicate<RecordedEvent> match) {
        Await.until(Duration.ofSeconds(30), "a " + name + " event", () -> events(name).stream().anyMatch(match));
        return events(name).stream().filter(match).findFirst().orElseThrow();
    }

    @Test
    void goroutineBlockedLongerThanTheThresholdIsRecordedWithReasonDurationAndChannel() {
        stream.enable("gonode.GoroutineBlocked").with("minimumWait", "30 ms");
        stream.startAsync();
        Channel<String> ch = Channel.make();
        CountDownLatch received = new CountDownLatch(1);
        G receiver = rt.go("receiver", () -> {
            ch.receive();
            received.countDown();
        }, this);
        Await.until("the receiver waited 50 ms", () -> receiver.waitReason() == WaitReason.CHAN_RECEIVE
                && receiver.waitDuration().toMillis() >= 50);
        ch.send("wake up");
        RecordedEvent e = awaitEvent("gonode.GoroutineBlocked", x -> x.getLong("goroutineId") == receiver.id());
        assertEquals("chan receive", e.getString("reason"));
        assertEquals("receiver", e.getString("goroutineName"));
        assertTrue(e.getString("channel").startsWith("chan(") && e.getString("channel").contains("cap=0"),
                e.getString("channel"));
        assertTrue(e.getDuration("waited").toMillis() >= 50, "the wait: " + e.getDuration("waited"));
    }

    @Test
    void parksShorterThanTheThresholdAreNotRecorded() {
        stream.enable("gonode.GoroutineBlocked").with("minimumWait", "60 s");
        stream.enable("gonode.Job");
        stream.startAsync();
        Channel<Integer> ping = Channel.make();
        Channel<Integer> pong = Channel.make();
        G echo = rt.go("echo", () -> {
            for (Integer v : ping) {
                pong.send(v);
            }
        }, this);
        for (int i = 0; i < 1000; i++) {
            ping.send(i);
            pong.receive();
        }
        ping.close();
        // A marker committed after the parks: once it arrives, the recording has been flushed past them.
        JobEvent marker = new JobEvent();
        marker.jobId = "marker";
        marker.commit();
        awaitEvent("gonode.Job", x -> "marker".equals(x.getString("jobId")));
        assertTrue(events("gonode.GoroutineBlocked").stream().noneMatch(x -> x.getLong("goroutineId") == echo.id()),
                "1000 short parks, none over the threshold");
    }

    @Test
    void cpuHogIsRecordedWithItsPAndGoroutine() {
        stream.enable("gonode.GoroutineHog");
        stream.startAsync();
        AtomicBoolean stop = new AtomicBoolean();
        G hog = rt.go("hog", () -> {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!stop.get() && System.nanoTime() < end) {
                Thread.onSpinWait();
            }
        }, this);
        try {
            RecordedEvent e = awaitEvent("gonode.GoroutineHog", x -> x.getLong("goroutineId") == hog.id());
            assertTrue(e.getInt("p") >= 0 && e.getInt("p") < 3, "p " + e.getInt("p"));
            assertTrue(e.getDuration("running").toMillis() >= 10, "past handoff-after (10 ms): " + e.getDuration("running"));
        } finally {
            stop.set(true);
        }
    }

    @Test
    void carrierHandoffIsRecordedWithPGoroutineAndHeldTime(@TempDir Path dir) throws Exception {
        stream.enable("gonode.CarrierHandoff");
        stream.startAsync();
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor(), "mkfifo failed");
        CountDownLatch done = new CountDownLatch(1);
        G reader = rt.go("fifo-reader", () -> {
            // opening a FIFO blocks in native code until a writer opens it: the carrier is stuck
            try (FileInputStream in = new FileInputStream(fifo.toFile())) {
                in.read();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
            done.countDown();
        }, this);
        try {
            RecordedEvent e = awaitEvent("gonode.CarrierHandoff", x -> x.getLong("goroutineId") == reader.id());
            assertTrue(e.getDuration("held").toMillis() >= 10, "held past handoff-after (10 ms): " + e.getDuration("held"));
            assertTrue(e.getInt("p") >= 0 && e.getInt("p") < 3, "p " + e.getInt("p"));
        } finally {
            try (FileOutputStream out = new FileOutputStream(fifo.toFile())) {
                out.write(1);
            }
        }
        assertTrue(done.await(20, TimeUnit.SECONDS), "the reader finished");
    }

    @Test
    void periodicSchedStatsAndPerProcQueueEventsDescribeTheRuntime() {
        stream.enable("gonode.SchedStats").withPeriod(Duration.ofMillis(100));
        stream.enable("gonode.ProcQueue").withPeriod(Duration.ofMillis(100));
        stream.startAsync();
        RecordedEvent stats = awaitEvent("gonode.SchedStats", x -> x.getInt("gomaxprocs") == 3);
        assertTrue(stats.getInt("idleProcs") <= 3);
        assertTrue(stats.getLong("goroutines") >= 0 && stats.getLong("steals") >= 0 && stats.getLong("handoffs") >= 0);
        Await.until("a ProcQueue event for each of the 3 Ps", () -> events("gonode.ProcQueue").stream()
                .map(x -> x.getInt("p")).collect(Collectors.toSet()).containsAll(Set.of(0, 1, 2)));
        assertTrue(events("gonode.ProcQueue").stream().allMatch(x -> x.getInt("length") >= 0));
    }

    @Test
    void closingTheInstallationStopsThePeriodicEvents() {
        jfr.close();
        stream.enable("gonode.SchedStats").withPeriod(Duration.ofMillis(50));
        stream.enable("gonode.Job");
        GoRuntime otherRuntime = new GoRuntime(RuntimeConfig.withGomaxprocs(5));
        GonodeJfr.Installation other = GonodeJfr.install(otherRuntime);
        try {
            stream.startAsync();
            awaitEvent("gonode.SchedStats", x -> x.getInt("gomaxprocs") == 5);
            assertFalse(events("gonode.SchedStats").stream().anyMatch(x -> x.getInt("gomaxprocs") == 3),
                    "the closed installation's runtime (GOMAXPROCS 3) still emits");
        } finally {
            other.close();
            otherRuntime.shutdown();
        }
    }

    @Test
    void jobAndDrainEventsWrittenToAFileReadBackWithTheirFields(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rec.jfr");
        try (Recording recording = new Recording(GonodeJfr.configuration())) {
            recording.start();
            JobEvent job = new JobEvent();
            job.begin();
            job.jobId = "job-7";
            job.handler = "echo";
            job.outcome = "ok";
            job.goroutineId = 42;
            job.commit();
            DrainEvent drain = new DrainEvent();
            drain.begin();
            drain.phase = "wait-for-jobs";
            drain.jobsQueued = 1;
            drain.jobsRunning = 2;
            drain.jobsCancelled = 3;
            drain.commit();
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> all = RecordingFile.readAllEvents(file);
        RecordedEvent job = all.stream().filter(e -> e.getEventType().getName().equals("gonode.Job")).findFirst().orElseThrow();
        assertEquals("job-7", job.getString("jobId"));
        assertEquals("echo", job.getString("handler"));
        assertEquals("ok", job.getString("outcome"));
        assertEquals(42, job.getLong("goroutineId"));
        RecordedEvent drain = all.stream().filter(e -> e.getEventType().getName().equals("gonode.Drain")).findFirst().orElseThrow();
        assertEquals("wait-for-jobs", drain.getString("phase"));
        assertEquals(1, drain.getLong("jobsQueued"));
        assertEquals(2, drain.getLong("jobsRunning"));
        assertEquals(3, drain.getLong("jobsCancelled"));
    }

    @Test
    void gonodeJfcEnablesEveryGonodeEventInTheGonodeCategory() {
        var settings = GonodeJfr.configuration().getSettings();
        Set<String> names = GonodeJfr.eventTypes().stream().map(EventType::getEventType).map(EventType::getName)
                .collect(Collectors.toSet());
        for (String name : names) {
            assertEquals("true", settings.get(name + "#enabled"), name + " is enabled in gonode.jfc");
        }
        assertEquals("20 ms", settings.get("gonode.GoroutineBlocked#minimumWait"));
        for (Class<? extends jdk.jfr.Event> type : GonodeJfr.eventTypes()) {
            assertEquals(List.of("gonode"), EventType.getEventType(type).getCategoryNames(), type.getName());
        }
        assertTrue(FlightRecorder.getFlightRecorder().getEventTypes().stream()
                .map(EventType::getName).collect(Collectors.toSet()).containsAll(names), "registered by install");
    }

    @Test
    void parkHookIsRemovedWhenTheInstallationCloses() {
        jfr.close();
        stream.enable("gonode.GoroutineBlocked").with("minimumWait", "0 ns");
        stream.enable("gonode.Job");
        stream.startAsync();
        Channel<String> ch = Channel.make();
        G receiver = rt.go(null, ch::receive, this);
        Await.until("the receiver parked", () -> receiver.state() == GoroutineState.WAITING
                && receiver.waitReason() == WaitReason.CHAN_RECEIVE);
        ch.send("x");
        Await.until("the receiver finished", () -> !receiver.isAlive());
        JobEvent marker = new JobEvent();
        marker.jobId = "after";
        marker.commit();
        awaitEvent("gonode.Job", x -> "after".equals(x.getString("jobId")));
        assertTrue(events("gonode.GoroutineBlocked").stream().noneMatch(x -> x.getLong("goroutineId") == receiver.id()));
    }
}
