package dev.gonode.node.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.node.NodeConfig;
import dev.gonode.node.StartupException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Path file(String yaml) throws IOException {
        Path f = dir.resolve("node.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private static void assertMessage(StartupException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "\"" + part + "\" missing from: " + e.getMessage());
        }
    }

    @Test
    void embeddedDefaultsAreTheDocumentedOnes() throws StartupException {
        NodeConfig config = ConfigLoader.embeddedDefaults();
        assertEquals(new NodeConfig.Server("0.0.0.0", 8080, 1_048_576, Duration.ofSeconds(75), Duration.ofSeconds(10), 0),
                config.server());
        assertEquals(new NodeConfig.Health(Duration.ofSeconds(10), Duration.ofSeconds(1)), config.health());
        assertEquals(new NodeConfig.Admin("127.0.0.1", 9090, ""), config.admin());
        assertEquals(Duration.ofSeconds(25), config.drain().timeout());
        assertEquals(Duration.ofMinutes(10), config.jobs().resultsTtl());
        assertEquals(10_000, config.jobs().resultsMax());
        assertEquals(Runtime.getRuntime().maxMemory() / 8, config.jobs().resultsMaxBytes());
        assertEquals(Runtime.getRuntime().maxMemory() / 4, config.jobs().queuedMaxBytes());
        assertEquals(Duration.ofSeconds(30), config.jobs().workerIdleTimeout());
        assertEquals(List.of("echo", "sleep", "sha256", "fanout", "flaky"), List.copyOf(config.handlers().keySet()));
        assertEquals(new NodeConfig.Handler(8, 1024, Duration.ofSeconds(5)), config.handlers().get("echo"));
    }

    @Test
    void environmentOverridesKeysByTheirDerivedNames() throws StartupException {
        NodeConfig config = ConfigLoader.load(Map.of(
                "GONODE_SERVER_PORT", "0",
                "GONODE_ADMIN_HOST", "0.0.0.0",
                "GONODE_ADMIN_TOKEN", "s3cret",
                "GONODE_SERVER_MAX_BODY_BYTES", "2048",
                "GONODE_DRAIN_TIMEOUT", "40s",
                "GONODE_HANDLERS_ECHO_CONCURRENCY", " 3 ",
                "GONODE_JAVA_OPTS", "-Xmx1g")); // a launcher's variable, not a key: left alone
        assertEquals(0, config.server().port());
        assertEquals(2048, config.server().maxBodyBytes());
        assertEquals("0.0.0.0", config.admin().host());
        assertEquals("s3cret", config.admin().token());
        assertEquals(Duration.ofSeconds(40), config.drain().timeout());
        assertEquals(3, config.handlers().get("echo").concurrency());
    }

    @Test
    void configFileOverlaysOnlyTheKeysItSets() throws Exception {
        Path f = file("""
                server:
                  port: 18080
                handlers:
                  sleep:
                    timeout: 3s
                """);
        NodeConfig config = ConfigLoader.load(Optional.of(f), Map.of());
        assertEquals(18080, config.server().port());
        assertEquals("0.0.0.0", config.server().host());
        assertEquals(Duration.ofSeconds(3), config.handlers().get("sleep").timeout());
        assertEquals(4096, config.handlers().get("sleep").concurrency());
        assertEquals(5, config.handlers().size());
        assertEquals(NodeConfig.Handler.DEFAULT_MAX_ATTEMPTS, config.handlers().get("sleep").maxAttempts());
    }

    @Test
    void environmentWinsOverTheFile() throws Exception {
        Path f = file("server:\n  port: 18080\n");
        assertEquals(18081, ConfigLoader.load(Optional.of(f), Map.of("GONODE_SERVER_PORT", "18081")).server().port());
    }

    @Test
    void unknownKeyIsRefusedNamingItAndTheAllowedOnes() throws Exception {
        Path f = file("server:\n  prot: 1\n");
        StartupException e = assertThrows(StartupException.class, () -> ConfigLoader.load(Optional.of(f), Map.of()));
        assertMessage(e, "unknown key", "server.prot", "did you mean port?", "host", f.toString());
        Path far = file("server:\n  listen-backlog: 1\n");
        StartupException noGuess = assertThrows(StartupException.class, () -> ConfigLoader.load(Optional.of(far), Map.of()));
        assertMessage(noGuess, "server.listen-backlog", "the keys allowed there are");
        assertTrue(!noGuess.getMessage().contains("did you mean"), noGuess.getMessage());
    }

    @Test
    void misspeltVariableIsReportedWithTheClosestKnownOne() throws StartupException {
        List<String> warnings = new ArrayList<>();
        NodeConfig config = ConfigLoader.load(Optional.empty(), Map.of("GONODE_SERVER_PROT", "18080", "PATH", "/bin"),
                warnings::add);
        assertEquals(8080, config.server().port(), "the misspelt variable sets nothing");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.getFirst().contains("GONODE_SERVER_PROT")
                && warnings.getFirst().contains("did you mean GONODE_SERVER_PORT (the key server.port)?"), warnings.getFirst());
        assertTrue(warnings.getFirst().contains("config.strict"), warnings.getFirst());
    }

    @Test
    void everyUnknownVariableIsReportedAndAHandlersVariableSaysWhy() throws StartupException {
        List<String> warnings = new ArrayList<>();
        ConfigLoader.load(Optional.empty(), Map.of(
                "GONODE_JAVA_OPT", "-Xmx1g",
                "GONODE_HANDLERS_ECHOO_MAILBOX", "5",
                "GONODE_COMPLETELY_DIFFERENT_THING", "x"), warnings::add);
        assertEquals(3, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("GONODE_COMPLETELY_DIFFERENT_THING") && warnings.get(0).contains("see config/gonode.yaml")
                && !warnings.get(0).contains("did you mean"), warnings.get(0));
        assertTrue(warnings.get(1).contains("did you mean GONODE_HANDLERS_ECHO_MAILBOX")
                && warnings.get(1).contains("only for handlers in the configuration"), warnings.get(1));
        assertTrue(warnings.get(2).contains("did you mean GONODE_JAVA_OPTS"), warnings.get(2));
    }

    @Test
    void launcherCliTestAndKubernetesServiceVariablesAreNotReported() throws StartupException {
        List<String> warnings = new ArrayList<>();
        ConfigLoader.load(Optional.empty(), Map.of(
                "GONODE_JAVA_OPTS", "-Xmx1g",
                "GONODE_ADMIN_URL", "http://127.0.0.1:9090",
                "GONODE_EXTERNAL_TOOLS", "required",
                "GONODE_SERVICE_HOST", "10.96.0.12",
                "GONODE_SERVICE_PORT_HTTP", "8080",
                "GONODE_PORT", "tcp://10.96.0.12:8080",
                "GONODE_PORT_8080_TCP_ADDR", "10.96.0.12",
                "GONODE_METRICS_PORT", "tcp://10.96.0.13:9090",
                "GONODE_METRICS_SERVICE_PORT", "9090"), warnings::add);
        assertEquals(List.of(), warnings);
        // the value tells a Service's GONODE_<NAME>_PORT from a misspelt key
        ConfigLoader.load(Optional.empty(), Map.of("GONODE_ADMN_PORT", "9091"), warnings::add);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.getFirst().contains("did you mean GONODE_ADMIN_PORT"), warnings.getFirst());
    }

    @Test
    void strictMakesAnUnknownVariableStopTheStart() throws Exception {
        StartupException e = assertThrows(StartupException.class, () -> ConfigLoader.load(Optional.empty(),
                Map.of("GONODE_CONFIG_STRICT", "true", "GONODE_SERVER_PROT", "1"), w -> { }));
        assertMessage(e, "GONODE_SERVER_PROT", "did you mean GONODE_SERVER_PORT", "config.strict is true");
        Path strictFile = file("config:\n  strict: true\n");
        assertMessage(assertThrows(StartupException.class, () -> ConfigLoader.load(Optional.of(strictFile),
                Map.of("GONODE_DRAIN_TIMOUT", "1s"), w -> { })), "GONODE_DRAIN_TIMOUT", "GONODE_DRAIN_TIMEOUT");
        // strict with nothing unknown starts, and the variable may turn it off again
        assertEquals(ConfigLoader.embeddedDefaults(), ConfigLoader.load(Optional.of(strictFile), Map.of()));
        List<String> warnings = new ArrayList<>();
        ConfigLoader.load(Optional.of(strictFile), Map.of("GONODE_CONFIG_STRICT", "false", "GONODE_X", "1"), warnings::add);
        assertEquals(1, warnings.size());
    }

    @Test
    void strictMustBeTrueOrFalseAndConfigHasNoOtherKey() throws Exception {
        assertMessage(assertThrows(StartupException.class, () -> ConfigLoader.load(Map.of("GONODE_CONFIG_STRICT", "yes"))),
                "config.strict", "GONODE_CONFIG_STRICT=\"yes\"", "true or false");
        Path typo = file("config:\n  strikt: true\n");
        assertMessage(assertThrows(StartupException.class, () -> ConfigLoader.load(Optional.of(typo), Map.of())),
                "unknown key \"config.strikt\"", "strict");
        Path notMapping = file("config: true\n");
        assertMessage(assertThrows(StartupException.class, () -> ConfigLoader.load(Optional.of(notMapping), Map.of())),
                "config", "mapping");
    }

    @Test
    void editDistanceCountsASwapAsOneEdit() {
        assertEquals(1, ConfigLoader.editDistance("GONODE_SERVER_PROT", "GONODE_SERVER_PORT"));
        assertEquals(0, ConfigLoader.editDistance("a", "a"));
        assertEquals(3, ConfigLoader.editDistance("", "abc"));
        assertEquals(1, ConfigLoader.editDistance("JAVA_OPT", "JAVA_OPTS"));
    }

    @Test
    void wrongTypeIsRefusedNamingKeyValueAndWhatIsExpected() throws Exception {
        Path f = file("handlers:\n  echo:\n    concurrency: lots\n");
        StartupException e = assertThrows(StartupException.class, () -> ConfigLoader.load(Optional.of(f), Map.of()));
        assertMessage(e, "handlers.echo.concurrency", "lots", "whole number");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "90 90", "9090x", "1.5"})
    void portThatIsNotANumberIsRefusedNamingTheVariable(String value) {
        StartupException e = assertThrows(StartupException.class,
                () -> ConfigLoader.load(Map.of("GONODE_ADMIN_PORT", value)));
        assertMessage(e, "admin.port", "GONODE_ADMIN_PORT=\"" + value + "\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "65536"})
    void portOutOfRangeIsRefusedNamingVariableValueAndRange(String value) {
        StartupException e = assertThrows(StartupException.class,
                () -> ConfigLoader.load(Map.of("GONODE_ADMIN_PORT", value)));
        assertMessage(e, "GONODE_ADMIN_PORT=\"" + value + "\"", "0 to 65535");
    }

    @Test
    void badDurationIsRefusedWithAnExample() {
        StartupException e = assertThrows(StartupException.class,
                () -> ConfigLoader.load(Map.of("GONODE_DRAIN_TIMEOUT", "soon")));
        assertMessage(e, "drain.timeout", "soon", "10s");
    }

    @Test
    void handlerTimeoutLongerThanTheDrainTimeoutIsImpossible() {
        StartupException e = assertThrows(StartupException.class,
                () -> ConfigLoader.load(Map.of("GONODE_HANDLERS_SLEEP_TIMEOUT", "1m")));
        assertMessage(e, "handlers.sleep.timeout", "1m", "drain.timeout", "25s");
    }

    @Test
    void nonPositiveCountsAreRefused() {
        assertMessage(assertThrows(StartupException.class,
                () -> ConfigLoader.load(Map.of("GONODE_HANDLERS_ECHO_MAILBOX", "0"))), "handlers.echo.mailbox", "1 to");
        assertMessage(assertThrows(StartupException.class,
                () -> ConfigLoader.load(Map.of("GONODE_HANDLERS_ECHO_CONCURRENCY", "-2"))), "handlers.echo.concurrency");
        assertMessage(assertThrows(StartupException.class,
                () -> ConfigLoader.load(Map.of("GONODE_JOBS_RESULTS_MAX", "0"))), "jobs.results-max");
    }

    @Test
    void retryKeysDefaultForEveryHandlerAndTheEnvironmentSetsThem() throws Exception {
        NodeConfig defaults = ConfigLoader.load(Map.of());
        for (NodeConfig.Handler h : defaults.handlers().values()) {
            assertEquals(3, h.maxAttempts());
            assertEquals(Duration.ofSeconds(1), h.backoff());
            assertEquals(Duration.ofMinutes(5), h.backoffMax());
            assertEquals(Duration.ZERO, h.uniqueFor());
        }
        NodeConfig set = ConfigLoader.load(Map.of("GONODE_HANDLERS_ECHO_MAX_ATTEMPTS", "7",
                "GONODE_HANDLERS_ECHO_BACKOFF", "250ms", "GONODE_HANDLERS_ECHO_BACKOFF_MAX", "10s",
                "GONODE_HANDLERS_ECHO_UNIQUE_FOR", "1m"));
        NodeConfig.Handler echo = set.handlers().get("echo");
        assertEquals(7, echo.maxAttempts());
        assertEquals(Duration.ofMillis(250), echo.backoff());
        assertEquals(Duration.ofSeconds(10), echo.backoffMax());
        assertEquals(Duration.ofMinutes(1), echo.uniqueFor());
    }

    @ParameterizedTest
    @ValueSource(strings = {"GONODE_HANDLERS_ECHO_MAX_ATTEMPTS=0", "GONODE_HANDLERS_ECHO_MAX_ATTEMPTS=1001",
            "GONODE_HANDLERS_ECHO_BACKOFF=0s", "GONODE_HANDLERS_ECHO_BACKOFF_MAX=500ms",
            "GONODE_HANDLERS_ECHO_BACKOFF_MAX=25h", "GONODE_HANDLERS_ECHO_UNIQUE_FOR=-1s",
            "GONODE_HANDLERS_ECHO_UNIQUE_FOR=800h"})
    void retryKeysOutOfRangeAreRefusedNamingTheKey(String variable) {
        String[] kv = variable.split("=");
        String key = "handlers.echo." + kv[0].substring("GONODE_HANDLERS_ECHO_".length()).toLowerCase(Locale.ROOT)
                .replace('_', '-');
        assertMessage(assertThrows(StartupException.class, () -> ConfigLoader.load(Map.of(kv[0], kv[1]))), key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "10000001", "4294967297", "many"})
    void connectionCapOutOfRangeIsRefusedNamingTheVariable(String value) {
        StartupException e = assertThrows(StartupException.class,
                () -> ConfigLoader.load(Map.of("GONODE_SERVER_MAX_CONNECTIONS", value)));
        assertMessage(e, "server.max-connections", "GONODE_SERVER_MAX_CONNECTIONS=\"" + value + "\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GONODE_SERVER_IDLE_TIMEOUT", "GONODE_SERVER_REQUEST_HEADER_TIMEOUT",
            "GONODE_HEALTH_LIVENESS_TIMEOUT", "GONODE_HEALTH_PROBE_INTERVAL"})
    void connectionAndProbeTimeoutsMustBePositive(String variable) {
        StartupException e = assertThrows(StartupException.class, () -> ConfigLoader.load(Map.of(variable, "0s")));
        assertMessage(e, variable + "=\"0s\"", "positive");
    }

    @Test
    void probeIntervalLongerThanTheLivenessTimeoutIsRefused() {
        StartupException e = assertThrows(StartupException.class, () -> ConfigLoader.load(Map.of(
                "GONODE_HEALTH_PROBE_INTERVAL", "30s")));
        assertMessage(e, "health.probe-interval", "30s", "health.liveness-timeout 10s");
    }

    @Test
    void connectionSettingsAreRead() throws StartupException {
        NodeConfig config = ConfigLoader.load(Map.of("GONODE_SERVER_IDLE_TIMEOUT", "2m",
                "GONODE_SERVER_REQUEST_HEADER_TIMEOUT", "500ms", "GONODE_SERVER_MAX_CONNECTIONS", "5000",
                "GONODE_HEALTH_LIVENESS_TIMEOUT", "30s"));
        assertEquals(Duration.ofMinutes(2), config.server().idleTimeout());
        assertEquals(Duration.ofMillis(500), config.server().requestHeaderTimeout());
        assertEquals(5000, config.server().maxConnections());
        assertEquals(Duration.ofSeconds(30), config.health().livenessTimeout());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "local host"})
    void blankOrSpacedHostIsRefusedNamingTheVariable(String value) {
        StartupException e = assertThrows(StartupException.class,
                () -> ConfigLoader.load(Map.of("GONODE_ADMIN_HOST", value)));
        assertMessage(e, "admin.host", "GONODE_ADMIN_HOST");
    }

    @Test
    void missingOrMalformedFileIsNamed() throws Exception {
        Path missing = dir.resolve("nope.yaml");
        assertMessage(assertThrows(StartupException.class, () -> ConfigLoader.load(Optional.of(missing), Map.of())),
                "--config", "nope.yaml", "no such file");
        Path broken = file("server: [1, 2\n");
        assertMessage(assertThrows(StartupException.class, () -> ConfigLoader.load(Optional.of(broken), Map.of())),
                "--config", "not valid YAML");
        Path list = file("- a\n- b\n");
        assertMessage(assertThrows(StartupException.class, () -> ConfigLoader.load(Optional.of(list), Map.of())),
                "must be a YAML mapping");
    }

    @Test
    void emptyFileChangesNothing() throws Exception {
        assertEquals(ConfigLoader.embeddedDefaults(), ConfigLoader.load(Optional.of(file("")), Map.of()));
    }

    @Test
    void variableNamesFollowTheKeys() {
        assertEquals("GONODE_SERVER_MAX_BODY_BYTES", ConfigLoader.envName("server.max-body-bytes"));
        assertEquals("GONODE_HANDLERS_ECHO_CONCURRENCY", ConfigLoader.envName("handlers.echo.concurrency"));
    }

    @Test
    void theStoreIsMemoryByDefaultAndPostgresFromTheEnvironment() throws StartupException {
        NodeConfig defaults = ConfigLoader.embeddedDefaults();
        assertEquals("memory", defaults.jobs().store());
        assertEquals(10, defaults.jobs().postgres().poolSize());
        assertEquals(Duration.ofSeconds(30), defaults.jobs().postgres().lease());
        assertEquals("", defaults.node().name());
        NodeConfig pg = ConfigLoader.load(Map.of("GONODE_JOBS_STORE", "postgres",
                "GONODE_JOBS_POSTGRES_URL", "jdbc:postgresql://db:5432/jobs", "GONODE_JOBS_POSTGRES_USER", "gonode",
                "GONODE_JOBS_POSTGRES_LEASE", "45s", "GONODE_NODE_NAME", "pod-7", "GONODE_CONFIG_STRICT", "true",
                "GONODE_POSTGRES_PASSWORD", "not-a-key-and-not-reported"));
        assertTrue(pg.jobs().onPostgres());
        assertEquals("jdbc:postgresql://db:5432/jobs", pg.jobs().postgres().url());
        assertEquals(Duration.ofSeconds(45), pg.jobs().postgres().lease());
        assertEquals("pod-7", ConfigLoader.nodeName(pg, Map.of("POD_NAME", "ignored")));
        assertEquals("from-downward-api", ConfigLoader.nodeName(defaults, Map.of("POD_NAME", "from-downward-api",
                "HOSTNAME", "h")));
    }

    @Test
    void badStoreSettingsAreRefusedNamingTheKeyAndTheFix() {
        assertMessage(assertThrows(StartupException.class, () -> ConfigLoader.load(Map.of("GONODE_JOBS_STORE", "redis"))),
                "jobs.store (GONODE_JOBS_STORE=\"redis\")", "use memory", "or postgres");
        assertMessage(assertThrows(StartupException.class, () -> ConfigLoader.load(Map.of("GONODE_JOBS_STORE", "postgres"))),
                "jobs.postgres.url is not set", "GONODE_JOBS_POSTGRES_URL");
        assertMessage(assertThrows(StartupException.class, () -> ConfigLoader.load(Map.of("GONODE_JOBS_STORE", "postgres",
                "GONODE_JOBS_POSTGRES_URL", "jdbc:postgresql://db/jobs"))), "jobs.postgres.user is not set",
                "GONODE_JOBS_POSTGRES_USER");
        assertMessage(assertThrows(StartupException.class, () -> ConfigLoader.load(Map.of(
                "GONODE_JOBS_POSTGRES_POOL_SIZE", "0"))), "jobs.postgres.pool-size", "use 1 to 1000");
        assertMessage(assertThrows(StartupException.class, () -> ConfigLoader.load(Map.of(
                "GONODE_JOBS_POSTGRES_POOL_SIZE", "99999999999"))), "jobs.postgres.pool-size");
        assertMessage(assertThrows(StartupException.class, () -> ConfigLoader.load(Map.of(
                "GONODE_JOBS_POSTGRES_LEASE", "10ms"))), "jobs.postgres.lease", "use 1s to 1h0m0s");
        assertMessage(assertThrows(StartupException.class, () -> ConfigLoader.load(Map.of(
                "GONODE_JOBS_POSTGRES_POLL_INTERVAL", "soon"))), "jobs.postgres.poll-interval", "not a duration");
        assertMessage(assertThrows(StartupException.class, () -> ConfigLoader.load(Map.of(
                "GONODE_JOBS_POSTGRES_UNAVAILABLE_GRACE", "-1s"))), "jobs.postgres.unavailable-grace", "positive");
        assertMessage(assertThrows(StartupException.class, () -> ConfigLoader.load(Map.of(
                "GONODE_NODE_NAME", "two words"))), "node.name", "without spaces");
    }

    @Test
    void thePasswordComesFromTheEnvironmentElseTheFileAndIsNeverInAMessage(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("password"), "s3cret-from-file\n");
        NodeConfig.Postgres pg = NodeConfig.Postgres.UNSET.withDatabase("jdbc:postgresql://db/jobs", "gonode",
                file.toString());
        assertEquals("s3cret-from-file", ConfigLoader.postgresPassword(pg, Map.of()));
        assertEquals("from-env", ConfigLoader.postgresPassword(pg, Map.of("GONODE_POSTGRES_PASSWORD", "from-env")));
        assertEquals(null, ConfigLoader.postgresPassword(NodeConfig.Postgres.UNSET, Map.of()));
        StartupException missing = assertThrows(StartupException.class, () -> ConfigLoader.postgresPassword(
                pg.withDatabase("jdbc:postgresql://db/jobs", "gonode", dir.resolve("nope").toString()), Map.of()));
        assertMessage(missing, "jobs.postgres.password-file", "no such file", "GONODE_POSTGRES_PASSWORD");
        Files.writeString(file, "x".repeat(5000));
        StartupException big = assertThrows(StartupException.class, () -> ConfigLoader.postgresPassword(pg, Map.of()));
        assertMessage(big, "more than 4096 bytes");
        assertTrue(!big.getMessage().contains("xxxx"), big.getMessage());
    }
}
