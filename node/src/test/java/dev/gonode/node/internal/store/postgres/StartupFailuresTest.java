package dev.gonode.node.internal.store.postgres;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.node.StartupException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Each way a node's store settings can be wrong, against a real server: the message names the setting and the fix. */
@PostgresTest
class StartupFailuresTest {

    private static final String SECRET = "Sup3r-secret-pw-never-shown";

    private static StartupException refused(PostgresSettings settings) {
        StartupException e = assertThrows(StartupException.class, () -> PostgresJobQueue.connect(settings).close());
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains(SECRET), "the password leaked into: " + t.getMessage());
        }
        assertFalse(settings.toString().contains(SECRET));
        return e;
    }

    private static void assertMentions(StartupException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "\"" + part + "\" missing from: " + e.getMessage());
        }
    }

    @Test
    void urlThatIsNotPostgresNamesTheSettingAndTheForm() {
        assertMentions(refused(PostgresSettings.of("mysql://localhost/db", "app", SECRET)),
                "jobs.postgres.url", "jdbc:postgresql://");
        assertMentions(refused(PostgresSettings.of(" ", "app", SECRET)), "jobs.postgres.url is not set");
        assertMentions(refused(PostgresSettings.of("jdbc:postgresql://localhost:5432/", "app", SECRET)),
                "jobs.postgres.url", "database name is required");
    }

    @Test
    void credentialsInTheUrlAreRefusedWithoutEchoingThem(TestDatabase db) {
        StartupException e = refused(PostgresSettings.of(db.jdbcUrl() + "?user=app&password=" + SECRET, "app", null));
        assertMentions(e, "jobs.postgres.url must not carry credentials", "GONODE_POSTGRES_PASSWORD");
        refused(PostgresSettings.of("postgresql://app:" + SECRET + "@127.0.0.1:5432/db", "app", null));
    }

    @Test
    void unreachableServerNamesTheAddressAndTheSetting() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        StartupException e = refused(PostgresSettings.of("jdbc:postgresql://127.0.0.1:" + closedPort + "/jobs", "app",
                SECRET).withConnectTimeout(Duration.ofSeconds(2)));
        assertMentions(e, "cannot reach PostgreSQL at 127.0.0.1:" + closedPort + "/jobs", "jobs.postgres.url",
                "host and port");
    }

    @Test
    void wrongPasswordNamesTheRoleAndWhereThePasswordComesFrom(TestDatabase db) {
        StartupException e = refused(PostgresSettings.of(db.jdbcUrl(), db.server().adminUser(), SECRET));
        assertMentions(e, "refused the login of role \"" + db.server().adminUser() + "\"", "jobs.postgres.user",
                "GONODE_POSTGRES_PASSWORD");
    }

    @Test
    void missingDatabaseSaysHowToCreateIt(TestDatabase db) {
        String url = db.server().jdbcUrl("no_such_db");
        StartupException e = refused(PostgresSettings.of(url, db.server().adminUser(), db.server().adminPassword()));
        assertMentions(e, "database \"no_such_db\" does not exist", "createdb no_such_db", "jobs.postgres.url");
    }

    @Test
    void roleWithoutTheRightToCreateTablesSaysWhatToGrant(TestDatabase db) throws Exception {
        db.sql("DROP ROLE IF EXISTS gonode_reader");
        db.sql("CREATE ROLE gonode_reader LOGIN PASSWORD '" + SECRET + "'");
        db.sql("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
        try {
            StartupException e = refused(PostgresSettings.of(db.jdbcUrl(), "gonode_reader", SECRET));
            assertMentions(e, "role \"gonode_reader\" may not create gonode's tables", "jobs.postgres.user",
                    "GRANT CREATE ON SCHEMA public TO \"gonode_reader\"");
        } finally {
            db.sql("DROP OWNED BY gonode_reader");
            db.sql("DROP ROLE gonode_reader");
        }
    }

    @Test
    void roleWithOnlyDataRightsRunsOnceAnOwnerHasMigrated(TestDatabase db) throws Exception {
        PostgresJobQueue.connect(db.settings()).close();
        db.sql("DROP ROLE IF EXISTS gonode_worker");
        db.sql("CREATE ROLE gonode_worker LOGIN PASSWORD '" + SECRET + "'");
        db.sql("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
        db.sql("GRANT SELECT, INSERT, UPDATE, DELETE ON gonode_job TO gonode_worker");
        db.sql("GRANT SELECT ON gonode_schema_history TO gonode_worker");
        db.sql("GRANT USAGE ON SEQUENCE gonode_lease_token_seq TO gonode_worker");
        try (PostgresJobQueue queue = PostgresJobQueue.connect(PostgresSettings.of(db.jdbcUrl(), "gonode_worker", SECRET))) {
            queue.enqueue("echo", "{}", null, null, 3);
            assertTrue(queue.complete(queue.claim("echo", 1, "pod-a", Duration.ofMinutes(1)).jobs().getFirst().lease(),
                    Outcome.succeeded("{}")));
        } finally {
            db.sql("DROP OWNED BY gonode_worker");
            db.sql("DROP ROLE gonode_worker");
        }
    }

    @Test
    void outOfRangePoolAndTimeoutAreRefused(TestDatabase db) {
        PostgresSettings ok = db.settings();
        assertMentions(refused(ok.withPoolSize(0)), "jobs.postgres.pool-size must be 1 to 1000, not 0");
        assertMentions(refused(ok.withConnectTimeout(Duration.ofMillis(10))), "jobs.postgres.connect-timeout");
    }
}
