package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.node.internal.store.postgres.PostgresTest;
import dev.gonode.node.internal.store.postgres.TestDatabase;
import dev.gonode.testing.NodeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The node as an operator runs it ({@code Main} in a child JVM) on {@code jobs.store: postgres},
 * configured only through the environment: it starts and serves jobs, and a wrong password stops
 * it at start with exit code 2 and a message naming the settings, never the password.
 */
@PostgresTest
class PostgresNodeProcessTest {

    private static final Duration START = Duration.ofSeconds(60);

    private static Map<String, String> env(TestDatabase db, String password) {
        return Map.of("GONODE_JOBS_STORE", "postgres", "GONODE_JOBS_POSTGRES_URL", db.jdbcUrl(),
                "GONODE_JOBS_POSTGRES_USER", db.server().adminUser(), "GONODE_POSTGRES_PASSWORD", password,
                "GONODE_NODE_NAME", "child-node");
    }

    @Test
    void startsOnPostgresFromTheEnvironmentServesJobsAndNeverLogsThePassword(TestDatabase db) throws Exception {
        try (NodeProcess node = NodeProcess.start(NodeProcess.RUNTIME_JVM_OPTIONS, env(db, db.server().adminPassword()))) {
            int port = node.awaitJobPort(START);
            node.awaitAdminPort(START);
            AdminClient.Reply reply = new AdminClient("127.0.0.1", port).postJson("/v1/jobs/echo", "{\"child\":1}");
            assertEquals(200, reply.status(), reply.body());
            node.sigterm();
            assertEquals(0, node.awaitExit(Duration.ofSeconds(60)), node.output());
            String output = node.output();
            assertTrue(output.contains("job store: postgres at"), output);
            assertTrue(output.contains("claiming as node child-node"), output);
            assertFalse(output.contains(db.server().adminPassword()), "the password leaked into the log:\n" + output);
        }
    }

    @Test
    void aWrongPasswordStopsTheStartWithExitTwoNamingTheSettingsNotThePassword(TestDatabase db) throws Exception {
        String wrong = "Wr0ng-pw-that-must-not-show";
        try (NodeProcess node = NodeProcess.start(NodeProcess.RUNTIME_JVM_OPTIONS, env(db, wrong))) {
            assertEquals(Main.EXIT_USAGE, node.awaitExit(START), node.output());
            String output = node.output();
            assertTrue(output.contains("refused the login of role \"" + db.server().adminUser() + "\""), output);
            assertTrue(output.contains("jobs.postgres.user") && output.contains("GONODE_POSTGRES_PASSWORD"), output);
            assertFalse(output.contains(wrong), "the password leaked:\n" + output);
        }
    }

    @Test
    void aMissingPasswordFileStopsTheStartNamingTheKey(TestDatabase db) throws Exception {
        Path missing = Files.createTempDirectory("gonode-secret").resolve("password");
        Map<String, String> env = new java.util.HashMap<>(env(db, ""));
        env.remove("GONODE_POSTGRES_PASSWORD");
        env.put("GONODE_JOBS_POSTGRES_PASSWORD_FILE", missing.toString());
        try (NodeProcess node = NodeProcess.start(NodeProcess.RUNTIME_JVM_OPTIONS, env)) {
            assertEquals(Main.EXIT_USAGE, node.awaitExit(START), node.output());
            assertTrue(node.output().contains("jobs.postgres.password-file " + missing + ": no such file"), node.output());
        }
    }
}
