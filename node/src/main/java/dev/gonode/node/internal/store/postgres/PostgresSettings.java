package dev.gonode.node.internal.store.postgres;

import dev.gonode.node.StartupException;
import java.time.Duration;
import java.util.Properties;
import org.postgresql.Driver;

/**
 * How a node reaches the shared queue. The configuration keys (see {@code node/README-postgres.md}):
 *
 * <ul>
 *   <li>{@code jobs.postgres.url}: {@code jdbc:postgresql://host[:port]/database[?params]} (also
 *       accepted without the {@code jdbc:} prefix). Never with a password in it.</li>
 *   <li>{@code jobs.postgres.user} ({@code GONODE_JOBS_POSTGRES_USER}).</li>
 *   <li>the password: the environment variable {@code GONODE_POSTGRES_PASSWORD}, or the file named
 *       by {@code jobs.postgres.password-file} (a mounted Kubernetes Secret); never in the
 *       configuration file, never logged.</li>
 *   <li>{@code jobs.postgres.pool-size}: connections this node keeps (default 10, 1 to 1000), plus
 *       one for {@code LISTEN}. Pods x (pool size + 1) must stay below the server's
 *       {@code max_connections}.</li>
 *   <li>{@code jobs.postgres.connect-timeout}: how long a call waits for a connection before it
 *       reports the store unavailable (default 5s, 250ms to 5m).</li>
 * </ul>
 *
 * {@link #toString()} hides the password.
 */
public record PostgresSettings(String url, String user, String password, int poolSize, Duration connectTimeout) {

    public static final int DEFAULT_POOL_SIZE = 10;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    static final String URL_KEY = "jobs.postgres.url";
    static final String USER_KEY = "jobs.postgres.user";
    static final String PASSWORD_SOURCES = "GONODE_POSTGRES_PASSWORD or the file named by jobs.postgres.password-file";
    private static final String POOL_SIZE_KEY = "jobs.postgres.pool-size";
    private static final String CONNECT_TIMEOUT_KEY = "jobs.postgres.connect-timeout";
    private static final int MAX_POOL_SIZE = 1000;
    private static final Duration MIN_CONNECT_TIMEOUT = Duration.ofMillis(250);
    private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofMinutes(5);

    /** Settings with the default pool size and connect timeout. */
    public static PostgresSettings of(String url, String user, String password) {
        return new PostgresSettings(url, user, password, DEFAULT_POOL_SIZE, DEFAULT_CONNECT_TIMEOUT);
    }

    public PostgresSettings withPoolSize(int size) {
        return new PostgresSettings(url, user, password, size, connectTimeout);
    }

    public PostgresSettings withConnectTimeout(Duration timeout) {
        return new PostgresSettings(url, user, password, poolSize, timeout);
    }

    @Override
    public String toString() {
        return "PostgresSettings[url=" + (url == null ? null : redactedUrl()) + ", user=" + user
                + ", password=" + (password == null ? "(none)" : "(hidden)") + ", poolSize=" + poolSize
                + ", connectTimeout=" + connectTimeout + "]";
    }

    /** The URL as the JDBC driver wants it: {@code jdbc:} prepended where the operator left it off. */
    String jdbcUrl() {
        String u = url.strip();
        return u.startsWith("jdbc:") ? u : "jdbc:" + u;
    }

    /** {@code host:port/database} for messages: never the query string, where secrets could hide. */
    public String redactedUrl() {
        String u = jdbcUrl();
        int at = u.indexOf('@');
        if (at >= 0) {
            // user:password@host is refused by validate(); never show what sits before the '@'
            u = "jdbc:postgresql://" + u.substring(at + 1);
        }
        Properties p = Driver.parseURL(u, new Properties());
        if (p == null) {
            return "(unparsable URL)";
        }
        return p.getProperty("PGHOST") + ":" + p.getProperty("PGPORT") + "/" + p.getProperty("PGDBNAME");
    }

    String databaseName() {
        return Driver.parseURL(jdbcUrl(), new Properties()).getProperty("PGDBNAME");
    }

    /** Refuses settings that cannot work, naming the key and the fix. Never echoes the URL's query. */
    void validate() throws StartupException {
        if (url == null || url.isBlank()) {
            throw new StartupException(URL_KEY + " is not set: give the database as"
                    + " jdbc:postgresql://host:5432/database");
        }
        String u = jdbcUrl();
        if (!u.startsWith("jdbc:postgresql://")) {
            throw new StartupException(URL_KEY + " must start with jdbc:postgresql:// (or postgresql://), as in"
                    + " jdbc:postgresql://host:5432/database");
        }
        String authority = u.substring("jdbc:postgresql://".length()).split("[/?]", 2)[0];
        if (authority.contains("@") || u.toLowerCase(java.util.Locale.ROOT).matches(".*[?&]password=.*")) {
            throw new StartupException(URL_KEY + " must not carry credentials: give the user in " + USER_KEY
                    + " and the password in " + PASSWORD_SOURCES);
        }
        Properties parsed = Driver.parseURL(u, new Properties());
        if (parsed == null || parsed.getProperty("PGDBNAME", "").isEmpty()) {
            throw new StartupException(URL_KEY + " is not a valid PostgreSQL URL: use"
                    + " jdbc:postgresql://host:5432/database (the database name is required)");
        }
        if (user == null || user.isBlank()) {
            throw new StartupException(USER_KEY + " is not set: name the database role the node logs in as"
                    + " (GONODE_JOBS_POSTGRES_USER)");
        }
        if (poolSize < 1 || poolSize > MAX_POOL_SIZE) {
            throw new StartupException(POOL_SIZE_KEY + " must be 1 to " + MAX_POOL_SIZE + ", not " + poolSize);
        }
        if (connectTimeout == null || connectTimeout.compareTo(MIN_CONNECT_TIMEOUT) < 0
                || connectTimeout.compareTo(MAX_CONNECT_TIMEOUT) > 0) {
            throw new StartupException(CONNECT_TIMEOUT_KEY + " must be between " + MIN_CONNECT_TIMEOUT.toMillis()
                    + "ms and " + MAX_CONNECT_TIMEOUT.toMinutes() + "m, not " + connectTimeout);
        }
    }
}
