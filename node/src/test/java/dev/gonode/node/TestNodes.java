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

    /** The defaults with both listeners on 127.0.0.1:0 and the test handlers {@code gate} and {@code boom}. */
    public static NodeConfig config() throws StartupException {
        NodeConfig defaults = ConfigLoader.embeddedDefaults();
        Map<String, NodeConfig.Handler> handlers = new LinkedHashMap<>(defaults.handlers());
        handlers.put("gate", new NodeConfig.Handler(2, 2, Duration.ofSeconds(20)));
        handlers.put("boom", new NodeConfig.Handler(1, 8, Duration.ofSeconds(5)));
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
