package dev.gonode.node;

import dev.gonode.node.internal.ConfigLoader;
import dev.gonode.node.internal.store.postgres.TestDatabase;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Node configurations for tests: the embedded defaults on free loopback ports, plus test handlers. */
public final class TestNodes {

    private TestNodes() {
    }

    /** The backoff the test configuration gives {@code flaky} and {@code sleep}: short, so retries take little time. */
    public static final Duration TEST_BACKOFF = Duration.ofMillis(200);
    public static final Duration TEST_BACKOFF_MAX = Duration.ofSeconds(1);
    /** The uniqueness window of the test handler {@code counter}. */
    public static final Duration UNIQUE_FOR = Duration.ofDays(30);

    /**
     * The defaults with both listeners on 127.0.0.1:0, the test handlers {@code gate} and
     * {@code boom} (one attempt each: their tests are about a single attempt), {@code counter}
     * (unique for {@link #UNIQUE_FOR}), and short backoffs
     * for {@code flaky} and {@code sleep} ({@link #TEST_BACKOFF}, three attempts).
     */
    public static NodeConfig config() throws StartupException {
        NodeConfig defaults = ConfigLoader.embeddedDefaults();
        Map<String, NodeConfig.Handler> handlers = new LinkedHashMap<>(defaults.handlers());
        handlers.put("gate", new NodeConfig.Handler(2, 2, Duration.ofSeconds(20)).withRetries(1, TEST_BACKOFF,
                TEST_BACKOFF_MAX));
        handlers.put("boom", new NodeConfig.Handler(1, 8, Duration.ofSeconds(5)).withRetries(1, TEST_BACKOFF,
                TEST_BACKOFF_MAX));
        handlers.put("counter", new NodeConfig.Handler(4, 64, Duration.ofSeconds(5)).withUniqueFor(UNIQUE_FOR));
        handlers.computeIfPresent("flaky", (name, h) -> h.withRetries(3, TEST_BACKOFF, TEST_BACKOFF_MAX));
        handlers.computeIfPresent("sleep", (name, h) -> h.withRetries(3, TEST_BACKOFF, TEST_BACKOFF_MAX));
        NodeConfig.Server server = defaults.server();
        return new NodeConfig(new NodeConfig.Server("127.0.0.1", 0, 4096, server.idleTimeout(),
                server.requestHeaderTimeout(), server.maxConnections()), new NodeConfig.Admin("127.0.0.1", 0, ""),
                defaults.health(), defaults.drain(), defaults.jobs(), defaults.leaks(), handlers);
    }

    /** Timings for nodes on a test database: a short lease, poll and outage grace, so that tests run quickly. */
    public static NodeConfig.Postgres postgres(TestDatabase db) {
        return NodeConfig.Postgres.UNSET.withDatabase(db.jdbcUrl(), db.server().adminUser(), "")
                .withTimings(Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofMillis(200), Duration.ofSeconds(1));
    }

    /**
     * Starts {@code config} as node {@code name} on the test database, with the password given the
     * way an operator gives it (GONODE_POSTGRES_PASSWORD).
     */
    public static Node startOnPostgres(TestDatabase db, String name, NodeConfig config) throws StartupException {
        return startOnPostgres(db, config.withNodeName(name).withJobs(config.jobs().withPostgres(postgres(db))));
    }

    /** Starts {@code config} (already on postgres) with the test database's password in the environment. */
    public static Node startOnPostgres(TestDatabase db, NodeConfig config) throws StartupException {
        return Node.start(config, Map.of(ConfigLoader.POSTGRES_PASSWORD_VARIABLE, db.server().adminPassword()));
    }
}
