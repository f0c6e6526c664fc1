package dev.gonode.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.internal.sched.GoRuntime;
import dev.gonode.runtime.internal.sched.RuntimeConfig;
import dev.gonode.runtime.leak.LeakDetector;
import dev.gonode.runtime.leak.LeakDetectorOptions;
import dev.gonode.testing.Await;
import dev.gonode.testing.ExternalTools;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The binder's meters as Prometheus scrapes them, checked by hand and by promtool. */
class GonodeMetricsTest {

    private final GoRuntime rt = new GoRuntime(RuntimeConfig.withGomaxprocs(2));
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Channel<String> never = Channel.make();

    @AfterEach
    void shutdown() {
        never.close();
        registry.close();
        rt.shutdown();
    }

    /** The value of the sample line {@code series} (name and labels exactly as scraped), or NaN if absent. */
    static double value(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private void pingPong(int rounds) {
        Channel<Integer> ping = Channel.make();
        Channel<Integer> pong = Channel.make();
        rt.go(null, () -> {
            for (Integer v : ping) {
                pong.send(v);
            }
        }, this);
        for (int i = 0; i < rounds; i++) {
            ping.send(i);
            pong.receive();
        }
        ping.close();
    }

    private String scrapeWithThreeWaiting(GonodeMetrics metrics) {
        metrics.bindTo(registry);
        for (int i = 0; i < 3; i++) {
            rt.go(null, never::receive, this);
        }
        Await.until("three goroutines parked", () -> rt.registry().goroutines()
                .filter(g -> g.waitReason() == WaitReason.CHAN_RECEIVE).count() == 3);
        pingPong(200);
        Await.until("the scrape shows them", () -> value(registry.scrape(), "gonode_goroutines{state=\"waiting\"}") >= 3);
        return registry.scrape();
    }

    @Test
    void scrapeHasEveryMeterWithGonodePrefixAndBaseUnits() {
        LeakDetector detector = LeakDetector.create(rt, LeakDetectorOptions.defaults().withWaitThreshold(Duration.ZERO));
        String scrape = scrapeWithThreeWaiting(new GonodeMetrics(rt).leakDetector(detector).latencySampling(1));
        detector.check();
        scrape = registry.scrape();
        assertTrue(value(scrape, "gonode_goroutines{state=\"waiting\"}") >= 3, scrape);
        assertTrue(value(scrape, "gonode_goroutines{state=\"running\"}") >= 0, scrape);
        assertTrue(value(scrape, "gonode_goroutines{state=\"runnable\"}") >= 0, scrape);
        assertTrue(scrape.contains("# TYPE gonode_goroutines_started_total counter"), scrape);
        assertTrue(value(scrape, "gonode_goroutines_started_total") >= 4, scrape);
        assertEquals(0, value(scrape, "gonode_goroutines_leaked_total"), scrape);
        assertEquals(2, value(scrape, "gonode_sched_gomaxprocs_threads"), scrape);
        assertTrue(value(scrape, "gonode_sched_procs_idle") <= 2, scrape);
        assertTrue(value(scrape, "gonode_sched_carriers_threads") >= 1, scrape);
        assertTrue(value(scrape, "gonode_sched_spinning_threads") >= 0, scrape);
        assertTrue(value(scrape, "gonode_sched_global_queue_goroutines") >= 0, scrape);
        assertTrue(value(scrape, "gonode_sched_local_queue_goroutines{p=\"0\"}") >= 0, scrape);
        assertTrue(value(scrape, "gonode_sched_local_queue_goroutines{p=\"1\"}") >= 0, scrape);
        for (String counter : new String[] {"steals", "handoffs", "hogs", "parks"}) {
            assertTrue(scrape.contains("# TYPE gonode_sched_" + counter + "_total counter"), counter + ": " + scrape);
        }
        assertTrue(value(scrape, "gonode_sched_parks_total") >= 3, "the three waiting goroutines parked: " + scrape);
        assertEquals(1, value(scrape, "gonode_sched_info{scheduler=\"gonode\",weak_container=\"true\"}"), scrape);
        assertTrue(value(scrape, "gonode_leak_long_waiting_goroutines") >= 3, scrape);
        assertEquals(0, value(scrape, "gonode_leak_growing_sites"), scrape);
        assertTrue(scrape.contains("# TYPE gonode_sched_latencies_seconds histogram"), scrape);
        double samples = value(scrape, "gonode_sched_latencies_seconds_count");
        assertTrue(samples >= 1, "sampling every submission: " + scrape);
        assertEquals(samples, value(scrape, "gonode_sched_latencies_seconds_bucket{le=\"+Inf\"}"), scrape);
        assertTrue(value(scrape, "gonode_sched_latencies_seconds_bucket{le=\"0.001\"}") > 0, scrape);
    }

    @Test
    void gaugesFollowGomaxprocsAndARemovedPReadsNaN() {
        new GonodeMetrics(rt).bindTo(registry);
        assertEquals(2, value(registry.scrape(), "gonode_sched_gomaxprocs_threads"));
        rt.gomaxprocs(1);
        Await.until("the snapshot shows GOMAXPROCS 1",
                () -> value(registry.scrape(), "gonode_sched_gomaxprocs_threads") == 1);
        String scrape = registry.scrape();
        assertTrue(value(scrape, "gonode_sched_local_queue_goroutines{p=\"0\"}") >= 0, scrape);
        assertTrue(Double.isNaN(value(scrape, "gonode_sched_local_queue_goroutines{p=\"1\"}"))
                && scrape.contains("gonode_sched_local_queue_goroutines{p=\"1\"} NaN"), scrape);
    }

    @Test
    void closingTheBinderStopsLatencySampling() {
        GonodeMetrics metrics = new GonodeMetrics(rt).latencySampling(1);
        metrics.bindTo(registry);
        pingPong(100);
        metrics.close();
        double before = value(registry.scrape(), "gonode_sched_latencies_seconds_count");
        assertTrue(before >= 1, "sampled while bound: " + before);
        pingPong(100);
        assertEquals(before, value(registry.scrape(), "gonode_sched_latencies_seconds_count"), "no samples after close");
    }

    @Test
    void withoutSamplingThereIsNoLatencyHistogram() {
        new GonodeMetrics(rt).latencySampling(0).bindTo(registry);
        pingPong(10);
        assertTrue(!registry.scrape().contains("gonode_sched_latencies"), registry.scrape());
    }

    @Test
    void badSamplingRateIsRejectedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GonodeMetrics(rt).latencySampling(3));
        assertTrue(e.getMessage().contains("got 3") && e.getMessage().contains("power of two"), e.getMessage());
        GonodeMetrics bound = new GonodeMetrics(rt);
        bound.bindTo(registry);
        assertThrows(IllegalStateException.class, () -> bound.latencySampling(16));
        bound.close();
    }

    @Test
    void promtoolAcceptsTheScrape(@TempDir Path dir) throws Exception {
        String promtool = ExternalTools.require("promtool", "apt-get install -y prometheus").toString();
        LeakDetector detector = LeakDetector.create(rt, LeakDetectorOptions.defaults());
        String scrape = scrapeWithThreeWaiting(new GonodeMetrics(rt).leakDetector(detector).latencySampling(1));
        detector.check();
        Path file = dir.resolve("scrape.txt");
        Files.writeString(file, registry.scrape(), StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(promtool, "check", "metrics").redirectInput(file.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool finished");
        assertEquals(0, p.exitValue(), "promtool check metrics found problems:\n" + out + "\nin:\n" + scrape);
    }
}
