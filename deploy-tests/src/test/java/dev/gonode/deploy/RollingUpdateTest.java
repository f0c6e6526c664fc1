package dev.gonode.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gonode.testing.Await;
import dev.gonode.testing.NodeProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A rolling update on this machine, as the Deployment does it: two nodes (child JVMs on the fleet's
 * gonode.yaml) behind a client-side endpoint list; a bounded load of synchronous sleep and sha256
 * jobs, each with an Idempotency-Key, whose client retries a 503, a 429 or a refused/reset
 * connection on another node. Mid-load node A gets SIGTERM (the endpoint list drops it once its
 * /readyz says 503, as the endpoints controller would), a replacement starts and joins, then the
 * same for node B. Every job must get exactly one successful answer, and every stopped node must
 * exit 0 within its drain timeout.
 */
class RollingUpdateTest {

    private static final Duration DRAIN = Duration.ofSeconds(8);
    private static final Duration START = Duration.ofSeconds(40);
    private static final int CLIENTS = 16;
    private static final int MAX_JOBS = 3000;
    private static final int MAX_ATTEMPTS = 30;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** A ready node as the client sees it. */
    record Endpoint(String name, int jobPort, int adminPort) {
    }

    private final List<Endpoint> endpoints = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> answeredBy = new ConcurrentHashMap<>();
    private final LongAdder retries = new LongAdder();
    private final LongAdder answers = new LongAdder();
    private final AtomicInteger submitted = new AtomicInteger();
    private final Map<String, List<String>> successes = new ConcurrentHashMap<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stopLoad = new AtomicBoolean();

    private NodeProcess startNode(String name) throws IOException {
        return NodeProcess.start(name, List.of("--config", Repo.file("k8s/base/gonode.yaml").toString()), Map.of(
                "GONODE_DRAIN_TIMEOUT", DRAIN.toSeconds() + "s",
                "GONODE_HANDLERS_SLEEP_TIMEOUT", "5s",
                "GONODE_HANDLERS_SHA256_TIMEOUT", "5s",
                "GONODE_HANDLERS_FANOUT_TIMEOUT", "5s",
                "GONODE_HANDLERS_ECHO_TIMEOUT", "5s",
                "GOMAXPROCS", "2"));
    }

    private Endpoint ready(NodeProcess node) throws Exception {
        Endpoint e = new Endpoint(node.name(), node.awaitJobPort(START), node.awaitAdminPort(START));
        Await.until(() -> status(e.adminPort(), "/readyz") == 200);
        inFlight.putIfAbsent(e.name(), new AtomicInteger());
        answeredBy.putIfAbsent(e.name(), new LongAdder());
        return e;
    }

    private int status(int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** One client: takes job numbers until the load stops; each job is retried until one node answers 200. */
    private void client() {
        while (!stopLoad.get()) {
            int n = submitted.getAndIncrement();
            if (n >= MAX_JOBS) {
                return;
            }
            runJob(n);
        }
    }

    private void runJob(int n) {
        String key = "rolling-" + n;
        String handler = n % 3 == 0 ? "sha256" : "sleep";
        String payload = handler.equals("sleep") ? "{\"ms\":" + (50 + (n * 37) % 250) + "}"
                : "{\"data\":\"job " + n + "\",\"rounds\":" + (2000 + (n * 131) % 8000) + "}";
        List<String> tried = new ArrayList<>();
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            List<Endpoint> live = List.copyOf(endpoints);
            if (live.isEmpty()) {
                failures.add(key + ": no endpoint");
                return;
            }
            Endpoint e = live.get(Math.floorMod(n + attempt, live.size()));
            if (attempt > 0) {
                retries.increment();
            }
            inFlight.get(e.name()).incrementAndGet();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + e.jobPort() + "/v1/jobs/" + handler))
                        .header("Content-Type", "application/json").header("Idempotency-Key", key)
                        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(payload)).build(),
                        HttpResponse.BodyHandlers.ofString());
                answers.increment();
                if (r.statusCode() == 200) {
                    JsonNode body = Repo.JSON.readTree(r.body());
                    if (!"succeeded".equals(body.path("status").asText())) {
                        failures.add(key + ": 200 without success: " + r.body());
                    }
                    successes.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(e.name() + ":" + body.path("id").asText());
                    answeredBy.get(e.name()).increment();
                    return;
                }
                if (r.statusCode() != 503 && r.statusCode() != 429) {
                    failures.add(key + ": " + r.statusCode() + " from " + e.name() + ": " + r.body());
                    return;
                }
                tried.add(e.name() + ":" + r.statusCode());
            } catch (IOException refusedOrReset) {
                tried.add(e.name() + ":" + refusedOrReset.getClass().getSimpleName());
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                failures.add(key + ": interrupted");
                return;
            } finally {
                inFlight.get(e.name()).decrementAndGet();
            }
        }
        failures.add(key + ": no success after " + MAX_ATTEMPTS + " attempts: " + tried);
    }

    /** SIGTERMs {@code node} while it has jobs in flight, then checks its drain; returns the stop time. */
    private Duration stopMidLoad(NodeProcess node, Endpoint e) throws Exception {
        long answeredBefore = answeredBy.get(e.name()).sum();
        Await.until(() -> inFlight.get(e.name()).get() >= 4 && answeredBy.get(e.name()).sum() >= answeredBefore + 20);
        long start = System.nanoTime();
        node.sigterm();
        // The endpoints controller's part: the node leaves the list once it reports not ready.
        Await.until(() -> status(e.adminPort(), "/readyz") != 200);
        endpoints.remove(e);
        int exit = node.awaitExit(DRAIN);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(0, exit, e.name() + " exits 0 after its drain; output:\n" + node.output());
        assertTrue(took.compareTo(DRAIN) < 0, e.name() + " stopped in " + took + ", not within drain.timeout " + DRAIN);
        assertTrue(node.output().contains(" 0 aborted"), e.name() + " aborted jobs:\n" + node.output());
        return took;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void rollingUpdateLosesNoJobAndAnswersEachExactlyOnce() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<NodeProcess> all = new ArrayList<>();
        try {
            NodeProcess a = startNode("node-a");
            all.add(a);
            NodeProcess b = startNode("node-b");
            all.add(b);
            Endpoint ea = ready(a);
            Endpoint eb = ready(b);
            endpoints.addAll(List.of(ea, eb));

            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                running.add(clients.submit(this::client));
            }

            Duration stopA = stopMidLoad(a, ea);
            NodeProcess a2 = startNode("node-a2");
            all.add(a2);
            Endpoint ea2 = ready(a2);
            endpoints.add(ea2);

            Duration stopB = stopMidLoad(b, eb);
            NodeProcess b2 = startNode("node-b2");
            all.add(b2);
            Endpoint eb2 = ready(b2);
            endpoints.add(eb2);

            // The new nodes take a share of the load before it stops.
            long a2Before = answeredBy.get(ea2.name()).sum();
            Await.until(() -> answeredBy.get(eb2.name()).sum() >= 10 && answeredBy.get(ea2.name()).sum() >= a2Before + 10);
            stopLoad.set(true);
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }

            int jobs = Math.min(submitted.get(), MAX_JOBS);
            assertTrue(failures.isEmpty(), failures.size() + " jobs went wrong:\n" + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
            assertEquals(jobs, successes.size(), "every job got a successful answer");
            List<String> twice = successes.entrySet().stream().filter(en -> en.getValue().size() != 1)
                    .map(en -> en.getKey() + " " + en.getValue()).toList();
            assertTrue(twice.isEmpty(), "jobs answered more than once: " + twice);
            Set<String> ids = ConcurrentHashMap.newKeySet();
            successes.values().forEach(v -> ids.add(v.get(0)));
            assertEquals(jobs, ids.size(), "each answer is a distinct job");

            System.out.printf("rolling update: %d jobs, %d retries, %d answers (%d successful); answered by %s;"
                            + " node-a stopped in %d ms, node-b in %d ms (drain.timeout %d s)%n",
                    jobs, retries.sum(), answers.sum(), successes.size(),
                    new java.util.TreeMap<>(Map.of(ea.name(), answeredBy.get(ea.name()).sum(), eb.name(), answeredBy.get(eb.name()).sum(),
                            ea2.name(), answeredBy.get(ea2.name()).sum(), eb2.name(), answeredBy.get(eb2.name()).sum())),
                    stopA.toMillis(), stopB.toMillis(), DRAIN.toSeconds());

            for (NodeProcess n : List.of(a2, b2)) {
                n.sigterm();
                assertEquals(0, n.awaitExit(DRAIN), n.output());
            }
        } finally {
            stopLoad.set(true);
            clients.shutdownNow();
            all.forEach(NodeProcess::close);
        }
    }
}
