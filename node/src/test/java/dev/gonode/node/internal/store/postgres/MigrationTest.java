package dev.gonode.node.internal.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

@PostgresTest
class MigrationTest {

    @Test
    void nodesStartingTogetherMigrateOnceAndTheOthersFindNothingToDo(TestDatabase db) throws Exception {
        int nodes = 8;
        CyclicBarrier start = new CyclicBarrier(nodes);
        List<MigrateResult> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(nodes)) {
            List<Future<MigrateResult>> futures = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                futures.add(pool.submit(() -> {
                    PGSimpleDataSource ds = new PGSimpleDataSource();
                    ds.setUrl(db.jdbcUrl());
                    ds.setUser(db.server().adminUser());
                    ds.setPassword(db.server().adminPassword());
                    start.await();
                    return PostgresJobQueue.migrate(ds);
                }));
            }
            for (Future<MigrateResult> f : futures) {
                results.add(f.get());
            }
        }
        int versions = versionsOnClasspath();
        assertEquals(List.of(versions), results.stream().map(r -> r.migrationsExecuted).filter(n -> n > 0).toList(),
                "exactly one node applied the migrations");
        assertEquals(versions, count(db, "SELECT count(*) FROM gonode_schema_history WHERE success AND version IS NOT NULL"));
        assertEquals(versions, count(db, "SELECT count(DISTINCT version) FROM gonode_schema_history"));
        try (PostgresJobQueue again = PostgresJobQueue.connect(db.settings())) {
            assertEquals(1, again.enqueue("echo", "{}", null, null, 3).job().attempt() + 1);
        }
        assertEquals(versions, count(db, "SELECT count(*) FROM gonode_schema_history"));
    }

    private static int versionsOnClasspath() throws Exception {
        var dir = java.nio.file.Path.of(MigrationTest.class.getResource("/db/migration").toURI());
        try (var files = java.nio.file.Files.list(dir)) {
            return (int) files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql")).count();
        }
    }

    private static long count(TestDatabase db, String sql) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
