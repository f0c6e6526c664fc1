package dev.gonode.node.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.node.NodeConfig;
import dev.gonode.node.StartupException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code periodic:} in a --config file: read, defaulted, and every bad entry refused naming it. */
class PeriodicConfigTest {

    @TempDir
    Path dir;

    private NodeConfig load(String yaml) throws Exception {
        Path file = dir.resolve("gonode.yaml");
        Files.writeString(file, yaml);
        return ConfigLoader.load(Optional.of(file), Map.of(), w -> { });
    }

    private String refusal(String yaml) {
        return assertThrows(StartupException.class, () -> load(yaml)).getMessage();
    }

    @Test
    void entriesAreReadWithTheirDefaults() throws Exception {
        NodeConfig c = load("""
                periodic:
                  - {handler: echo, every: 30s}
                  - {name: nightly, handler: sleep, payload: {ms: 5}, cron: "0 3 * * *"}
                """);
        assertEquals(2, c.periodic().size());
        assertEquals("echo", c.periodic().get(0).name(), "an entry is named after its handler by default");
        assertEquals("{}", c.periodic().get(0).payload().toString());
        assertEquals(Duration.ofSeconds(30), c.periodic().get(0).every());
        assertEquals("{\"ms\":5}", c.periodic().get(1).payload().toString());
        assertEquals("0 3 * * *", c.periodic().get(1).cron());
        assertTrue(ConfigLoader.embeddedDefaults().periodic().isEmpty());
    }

    @Test
    void aBadEntryStopsTheStartNamingIt() {
        assertTrue(refusal("periodic:\n  - {handler: nosuch, every: 5m}\n").contains("periodic[0] (nosuch): handler \"nosuch\" is not configured"));
        assertTrue(refusal("periodic:\n  - {handler: echo}\n").contains("periodic[0] (echo): give exactly one of every"));
        assertTrue(refusal("periodic:\n  - {handler: echo, every: soon}\n").contains("periodic[0].every"));
        assertTrue(refusal("periodic:\n  - {handler: echo, cron: \"99 * * * *\"}\n").contains("periodic[0] (echo): cron \"99 * * * *\""));
        assertTrue(refusal("periodic:\n  - {handler: echo, every: 1m}\n  - {handler: echo, every: 2m}\n")
                .contains("periodic[1] (echo): another entry is named \"echo\""));
        assertTrue(refusal("periodic:\n  - {handler: echo, every: 1m, evry: 2m}\n").contains("periodic[0].evry"));
        assertTrue(refusal("periodic:\n  - {every: 1m}\n").contains("periodic[0].handler is missing"));
        assertTrue(refusal("periodic:\n  - {name: \"Bad Name\", handler: echo, every: 1m}\n").contains("name \"Bad Name\""));
        assertTrue(refusal("periodic: every 5m\n").contains("periodic"));
        assertTrue(refusal("periodic:\n  - echo\n").contains("periodic[0]"));
    }
}
