package dev.gonode.node;

import dev.gonode.node.internal.ConfigLoader;
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
}
