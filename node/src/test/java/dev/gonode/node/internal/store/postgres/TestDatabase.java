package dev.gonode.node.internal.store.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** A test class's own database on the {@link TestPostgres} server, reached as its administrator. */
public record TestDatabase(TestPostgres server, String name) {

    public String jdbcUrl() {
        return server.jdbcUrl(name);
    }

    /** Settings for the node's queue, logging in as the administrator, with a small pool. */
    public PostgresSettings settings() {
        return PostgresSettings.of(jdbcUrl(), server.adminUser(), server.adminPassword()).withPoolSize(4);
    }

    public Connection connect() throws SQLException {
        return server.adminConnection(name);
    }

    public void sql(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
