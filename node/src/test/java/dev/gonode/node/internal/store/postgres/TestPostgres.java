package dev.gonode.node.internal.store.postgres;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL for the tests, one per test JVM.
 *
 * <p>With {@code GONODE_TEST_PG_URL} set ({@code jdbc:postgresql://host:port/postgres}, plus
 * {@code GONODE_TEST_PG_USER} and {@code GONODE_TEST_PG_PASSWORD} for a role that may create
 * databases and roles) the tests use that server. Otherwise they start a private cluster from
 * Debian's binaries ({@code /usr/lib/postgresql/<version>/bin}): {@code initdb} into a temporary
 * directory, {@code pg_ctl start} on a free loopback port with password (SCRAM) logins, run as
 * user {@code postgres} through {@code runuser} when the tests run as root (PostgreSQL refuses
 * root). The cluster trades durability for speed ({@code fsync=off}); it is stopped and deleted
 * when the JVM's tests end.
 *
 * <p>Policy as for the other external tools: with {@code GONODE_EXTERNAL_TOOLS=required} (CI) a
 * missing PostgreSQL fails the tests; otherwise they are skipped with the reason.
 */
public final class TestPostgres implements AutoCloseable {

    static final String ADMIN_PASSWORD = "gonode-test-admin-pw";
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final String host;
    private final int port;
    private final String adminUser;
    private final String adminPassword;
    /** The private cluster's directory and binaries; {@code null} for an external server. */
    private final Path dir;
    private final Path bin;
    private boolean stopped;

    private TestPostgres(String host, int port, String adminUser, String adminPassword, Path dir, Path bin) {
        this.host = host;
        this.port = port;
        this.adminUser = adminUser;
        this.adminPassword = adminPassword;
        this.dir = dir;
        this.bin = bin;
    }

    /** The external server named by the environment, or a new private cluster. */
    static TestPostgres startOrConnect() throws Exception {
        String url = System.getenv("GONODE_TEST_PG_URL");
        if (url != null && !url.isBlank()) {
            Properties parsed = org.postgresql.Driver.parseURL(url, new Properties());
            if (parsed == null) {
                fail("GONODE_TEST_PG_URL is not a PostgreSQL JDBC URL: use jdbc:postgresql://host:5432/postgres");
            }
            return new TestPostgres(parsed.getProperty("PGHOST"), Integer.parseInt(parsed.getProperty("PGPORT")),
                    System.getenv().getOrDefault("GONODE_TEST_PG_USER", "postgres"),
                    System.getenv().getOrDefault("GONODE_TEST_PG_PASSWORD", ""), null, null);
        }
        return startPrivateCluster();
    }

    private static TestPostgres startPrivateCluster() throws Exception {
        Path bin = findBinaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("gonode-pg-");
        Path pwfile = Files.writeString(dir.resolve("pwfile"), ADMIN_PASSWORD + "\n");
        if (root) {
            UserPrincipal postgres;
            try {
                postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            } catch (IOException e) {
                missing("the tests run as root and there is no user postgres to run PostgreSQL as"
                        + " (Debian's postgresql package creates it)");
                throw new AssertionError("unreachable");
            }
            Files.setOwner(dir, postgres);
            Files.setOwner(pwfile, postgres);
        }
        TestPostgres server = new TestPostgres("127.0.0.1", freePort(), "postgres", ADMIN_PASSWORD, dir, bin);
        server.runAsOwner(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres",
                "--pwfile=" + pwfile, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                "--locale=C", "--no-sync");
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "gonode-test-postgres-stop"));
        return server;
    }

    private static Path findBinaries() {
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                List<Path> bins = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                        .sorted(Comparator.comparing(b -> versionOf(b.getParent())))
                        .toList();
                if (!bins.isEmpty()) {
                    return bins.getLast();
                }
            } catch (IOException e) {
                missing("cannot list " + root + ": " + e.getMessage());
            }
        }
        missing("PostgreSQL is not installed: apt-get install -y postgresql (looked in /usr/lib/postgresql/*/bin),"
                + " or set GONODE_TEST_PG_URL to a server");
        throw new AssertionError("unreachable");
    }

    private static Integer versionOf(Path versionDir) {
        try {
            return Integer.parseInt(versionDir.getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void missing(String reason) {
        if ("required".equals(System.getenv("GONODE_EXTERNAL_TOOLS"))) {
            fail("GONODE_EXTERNAL_TOOLS=required but " + reason);
        }
        Assumptions.abort(reason + "; set GONODE_EXTERNAL_TOOLS=required to make this a failure, as CI does");
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    boolean isPrivate() {
        return dir != null;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String adminUser() {
        return adminUser;
    }

    public String adminPassword() {
        return adminPassword;
    }

    String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** Starts the private cluster (again, after {@link #stop()}) and waits until it accepts connections. */
    public synchronized void start() throws IOException, InterruptedException {
        requirePrivate();
        runAsOwner(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
                "-l", dir.resolve("server.log").toString(), "-w", "-t", "60",
                "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir
                        + " -c fsync=off -c full_page_writes=off -c max_connections=200",
                "start");
        stopped = false;
    }

    /** Stops the private cluster at once ({@code -m fast}: sessions are disconnected). */
    public synchronized void stop() throws IOException, InterruptedException {
        requirePrivate();
        runAsOwner(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop");
        stopped = true;
    }

    private void requirePrivate() {
        Assumptions.assumeTrue(isPrivate(), "needs the private cluster (GONODE_TEST_PG_URL names a server the tests"
                + " may not stop)");
    }

    /** Stops and deletes a private cluster; nothing for an external server. Idempotent. */
    @Override
    public synchronized void close() {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            if (!stopped) {
                runAsOwner(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate",
                        "-w", "stop");
                stopped = true;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException | InterruptedException e) {
            System.err.println("could not remove the test PostgreSQL cluster in " + dir + ": " + e);
        }
    }

    /** A new, empty database with a unique name. */
    String createDatabase(String hint) throws SQLException {
        String name = ("gonode_t" + DATABASES.incrementAndGet() + "_" + hint.toLowerCase().replaceAll("[^a-z0-9]", ""));
        name = name.substring(0, Math.min(name.length(), 60));
        adminSql("postgres", "CREATE DATABASE " + name);
        return name;
    }

    void dropDatabase(String name) throws SQLException {
        adminSql("postgres", "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    /** Runs {@code sql} in {@code database} as the administrator. */
    void adminSql(String database, String sql) throws SQLException {
        try (Connection c = adminConnection(database); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    Connection adminConnection(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), adminUser, adminPassword);
    }

    private void runAsOwner(String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(List.of(command));
        Path out = Files.createTempFile("gonode-pg-cmd-", ".out");
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(full + " did not finish within 90 s");
            }
            if (p.exitValue() != 0) {
                String log = dir == null ? "" : tail(dir.resolve("server.log"));
                fail(full + " exited with " + p.exitValue() + ":\n" + Files.readString(out, StandardCharsets.UTF_8) + log);
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "";
        }
        List<String> lines = Files.readAllLines(log);
        return "\nserver.log:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }
}
