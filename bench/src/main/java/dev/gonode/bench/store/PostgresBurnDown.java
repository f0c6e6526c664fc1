package dev.gonode.bench.store;

import dev.gonode.node.internal.store.postgres.BatchCompleter;
import dev.gonode.node.internal.store.postgres.Outcome;
import dev.gonode.node.internal.store.postgres.PostgresJobQueue;
import dev.gonode.node.internal.store.postgres.PostgresJobQueue.Completion;
import dev.gonode.node.internal.store.postgres.PostgresSettings;
import dev.gonode.node.internal.store.postgres.StoredJob;
import dev.gonode.runtime.sync.WaitGroup;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Burn-down of the PostgreSQL queue layer alone: pre-inserts N {@code echo} jobs (untimed, then
 * {@code VACUUM ANALYZE}), then W worker goroutines each loop "claim up to B jobs, complete them"
 * until the queue is empty, and prints jobs per second. Mode {@code batch}: the worker completes
 * its B jobs in one {@code completeAll}. Mode {@code perjob}: the worker starts one goroutine per
 * job, which completes it alone through a shared {@link BatchCompleter} (the engine's shape: jobs
 * end one by one, writes are grouped), and claims again once they are all done. The "work" is
 * echoing the payload back as the result; no handler runs. At the end it checks in SQL that
 * exactly N jobs succeeded, each on its first attempt.
 *
 * <p>Arguments: {@code jdbcUrl user password [jobs=100000] [workers=4] [batch=200] [mode=batch]}. Run with the
 * runtime's JVM options (goroutines on gonode's scheduler); {@code bench/postgres/run-burndown.sh}
 * starts a private PostgreSQL and runs this beside {@code pgbench}.
 */
public final class PostgresBurnDown {

    private PostgresBurnDown() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args[1];
        String password = args[2];
        int jobs = args.length > 3 ? Integer.parseInt(args[3]) : 100_000;
        int workers = args.length > 4 ? Integer.parseInt(args[4]) : 4;
        int batch = args.length > 5 ? Integer.parseInt(args[5]) : 200;
        boolean perJob = args.length > 6 && args[6].equals("perjob");

        try (PostgresJobQueue queue = PostgresJobQueue.connect(
                PostgresSettings.of(url, user, password).withPoolSize(workers))) {
            try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
                s.execute("TRUNCATE gonode_job");
                s.execute("INSERT INTO gonode_job (handler, state, payload, max_attempts)"
                        + " SELECT 'echo', 'available', jsonb_build_object('n', g), 3 FROM generate_series(1, " + jobs + ") g");
                s.execute("VACUUM ANALYZE gonode_job");
            }

            AtomicLong done = new AtomicLong();
            WaitGroup wg = new WaitGroup();
            BatchCompleter completer = new BatchCompleter(queue, batch * workers);
            long start = System.nanoTime();
            for (int w = 0; w < workers; w++) {
                String owner = "bench-" + w;
                wg.go(() -> {
                    while (true) {
                        List<StoredJob> claimed = queue.claim("echo", batch, owner, Duration.ofMinutes(5)).jobs();
                        if (claimed.isEmpty()) {
                            return;
                        }
                        if (perJob) {
                            WaitGroup running = new WaitGroup();
                            for (StoredJob j : claimed) {
                                running.go(() -> {
                                    if (completer.complete(j.lease(), Outcome.succeeded(j.payload()))) {
                                        done.incrementAndGet();
                                    }
                                });
                            }
                            running.waitAll();
                            continue;
                        }
                        List<Completion> completions = new ArrayList<>(claimed.size());
                        for (StoredJob j : claimed) {
                            completions.add(new Completion(j.lease(), Outcome.succeeded(j.payload())));
                        }
                        done.addAndGet(queue.completeAll(completions).size());
                    }
                });
            }
            wg.waitAll();
            double seconds = (System.nanoTime() - start) / 1e9;
            completer.close();

            try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FILTER (WHERE state = 'succeeded' AND attempt = 1),"
                         + " count(*) FROM gonode_job")) {
                rs.next();
                if (rs.getLong(1) != jobs || rs.getLong(2) != jobs || done.get() != jobs) {
                    throw new IllegalStateException("expected " + jobs + " jobs succeeded once, found " + rs.getLong(1)
                            + " of " + rs.getLong(2) + " (completed " + done.get() + ")");
                }
            }
            System.out.printf("burn-down mode=%s jobs=%d workers=%d batch=%d seconds=%.2f jobs_per_s=%.0f%n",
                    perJob ? "perjob" : "batch", jobs, workers, batch, seconds, jobs / seconds);
        }
    }
}
