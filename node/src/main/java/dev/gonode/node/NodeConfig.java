package dev.gonode.node;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The node's configuration, as {@code config/gonode.yaml} lays it out and documents it. The
 * embedded defaults come from that file; {@code --config FILE} and {@code GONODE_*} environment
 * variables override it (see {@code dev.gonode.node.internal.ConfigLoader}). The constructors check
 * only what makes a value meaningless; the loader checks the rest and names the key.
 *
 * @param server   the public job API listener
 * @param admin    the admin listener
 * @param health   the liveness probe
 * @param drain    how the node stops
 * @param jobs     how long finished jobs are remembered
 * @param leaks    the run-time goroutine leak detector
 * @param handlers the job handlers to run, by name, in the order configured
 * @param node     this node's identity in a fleet
 * @param periodic the periodic jobs, in configuration order ({@code periodic:}; the loader reads
 *                 and checks the list itself)
 */
public record NodeConfig(Server server, Admin admin, Health health, Drain drain, Jobs jobs, Leaks leaks,
                         Map<String, Handler> handlers, Identity node, List<Periodic> periodic) {

    public NodeConfig {
        Objects.requireNonNull(node, "node");
        periodic = List.copyOf(Objects.requireNonNull(periodic, "periodic"));
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(drain, "drain");
        Objects.requireNonNull(jobs, "jobs");
        Objects.requireNonNull(leaks, "leaks");
        handlers = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(handlers, "handlers")));
    }

    /** A configuration with no periodic jobs. */
    public NodeConfig(Server server, Admin admin, Health health, Drain drain, Jobs jobs, Leaks leaks,
                      Map<String, Handler> handlers, Identity node) {
        this(server, admin, health, drain, jobs, leaks, handlers, node, List.of());
    }

    /** A configuration with the default identity (the name derived from the environment at start). */
    public NodeConfig(Server server, Admin admin, Health health, Drain drain, Jobs jobs, Leaks leaks,
                      Map<String, Handler> handlers) {
        this(server, admin, health, drain, jobs, leaks, handlers, Identity.DERIVED, List.of());
    }

    /** This configuration with other periodic jobs. */
    public NodeConfig withPeriodic(List<Periodic> periodic) {
        return new NodeConfig(server, admin, health, drain, jobs, leaks, handlers, node, periodic);
    }

    /** This configuration with other job settings (tests switch the store). */
    public NodeConfig withJobs(Jobs jobs) {
        return new NodeConfig(server, admin, health, drain, jobs, leaks, handlers, node, periodic);
    }

    /** This configuration with another node name. */
    public NodeConfig withNodeName(String name) {
        return new NodeConfig(server, admin, health, drain, jobs, leaks, handlers, new Identity(name), periodic);
    }

    /** This configuration with other admin listener settings (tests bind port 0). */
    public NodeConfig withAdmin(Admin admin) {
        return new NodeConfig(server, admin, health, drain, jobs, leaks, handlers, node, periodic);
    }

    /** This configuration with other job API listener settings. */
    public NodeConfig withServer(Server server) {
        return new NodeConfig(server, admin, health, drain, jobs, leaks, handlers, node, periodic);
    }

    /** This configuration with other liveness probe settings. */
    public NodeConfig withHealth(Health health) {
        return new NodeConfig(server, admin, health, drain, jobs, leaks, handlers, node, periodic);
    }

    /** This configuration with another drain timeout. */
    public NodeConfig withDrain(Drain drain) {
        return new NodeConfig(server, admin, health, drain, jobs, leaks, handlers, node, periodic);
    }

    /**
     * The public job API. The two timeouts apply to the admin listener too.
     *
     * @param host                 the address to bind ({@code server.host})
     * @param port                 the TCP port, 0 picks a free one ({@code server.port})
     * @param maxBodyBytes         the largest payload accepted ({@code server.max-body-bytes})
     * @param idleTimeout          how long a connection may wait for its next request after an
     *                             answer ({@code server.idle-timeout})
     * @param requestHeaderTimeout how long a new connection may take to send its first request's
     *                             headers ({@code server.request-header-timeout})
     * @param maxConnections       how many connections the job API holds open at most; 0 derives the
     *                             cap from the process's file-descriptor limit ({@code server.max-connections})
     */
    public record Server(String host, int port, long maxBodyBytes, Duration idleTimeout, Duration requestHeaderTimeout,
                         int maxConnections) {
        public Server {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            Objects.requireNonNull(requestHeaderTimeout, "requestHeaderTimeout");
        }

        /** These settings on another address (tests bind 127.0.0.1:0). */
        public Server withAddress(String host, int port) {
            return new Server(host, port, maxBodyBytes, idleTimeout, requestHeaderTimeout, maxConnections);
        }
    }

    /**
     * The admin listener.
     *
     * @param host  the address to bind ({@code admin.host})
     * @param port  the TCP port, 0 picks a free one ({@code admin.port})
     * @param token the bearer token the admin endpoints require; empty for none ({@code admin.token})
     */
    public record Admin(String host, int port, String token) {
        public Admin {
            Objects.requireNonNull(host, "host");
            token = token == null ? "" : token;
        }

        /** Whether a token is configured. */
        public boolean hasToken() {
            return !token.isEmpty();
        }

        /** Never prints the token. */
        @Override
        public String toString() {
            return "Admin[host=" + host + ", port=" + port + ", token=" + (hasToken() ? "(set)" : "(none)") + "]";
        }
    }

    /**
     * The liveness probe behind {@code /healthz}: a probe goroutine is started every
     * {@code probeInterval}, and the node is live unless one has waited longer than
     * {@code livenessTimeout} to run.
     *
     * @param livenessTimeout how long a probe goroutine may wait to run before {@code /healthz}
     *                        answers 503 ({@code health.liveness-timeout})
     * @param probeInterval   how often a probe goroutine is started ({@code health.probe-interval})
     */
    public record Health(Duration livenessTimeout, Duration probeInterval) {
        public Health {
            Objects.requireNonNull(livenessTimeout, "livenessTimeout");
            Objects.requireNonNull(probeInterval, "probeInterval");
        }
    }

    /** @param timeout how long queued and running jobs get to finish on a drain ({@code drain.timeout}) */
    public record Drain(Duration timeout) {
        public Drain {
            Objects.requireNonNull(timeout, "timeout");
        }
    }

    /**
     * @param resultsTtl        how long a finished job stays readable ({@code jobs.results-ttl}); on
     *                          postgres, how long finished rows are kept before one node prunes them
     * @param resultsMax        how many finished jobs are kept at most ({@code jobs.results-max})
     * @param resultsMaxBytes   how many bytes finished jobs' results may hold; 0 for an eighth of the
     *                          heap ({@code jobs.results-max-bytes})
     * @param queuedMaxBytes    how many payload bytes the jobs accepted and not yet finished may hold;
     *                          0 for a quarter of the heap ({@code jobs.queued-max-bytes})
     * @param workerIdleTimeout how long a handler's worker goroutine waits for a job before it ends
     *                          ({@code jobs.worker-idle-timeout})
     * @param store             where jobs live: {@code memory} (this node) or {@code postgres} (a
     *                          fleet's shared queue) ({@code jobs.store})
     * @param postgres          the shared queue's settings, used when {@code store} is postgres
     */
    public record Jobs(Duration resultsTtl, int resultsMax, long resultsMaxBytes, long queuedMaxBytes,
                       Duration workerIdleTimeout, String store, Postgres postgres) {

        /** {@code jobs.store: memory}. */
        public static final String MEMORY = "memory";
        /** {@code jobs.store: postgres}. */
        public static final String POSTGRES = "postgres";

        public Jobs {
            Objects.requireNonNull(resultsTtl, "resultsTtl");
            Objects.requireNonNull(workerIdleTimeout, "workerIdleTimeout");
            store = store == null ? MEMORY : store;
            postgres = postgres == null ? Postgres.UNSET : postgres;
            if (resultsMaxBytes == 0) {
                resultsMaxBytes = Runtime.getRuntime().maxMemory() / 8;
            }
            if (queuedMaxBytes == 0) {
                queuedMaxBytes = Runtime.getRuntime().maxMemory() / 4;
            }
        }

        /** Settings for the memory store. */
        public Jobs(Duration resultsTtl, int resultsMax, long resultsMaxBytes, long queuedMaxBytes,
                    Duration workerIdleTimeout) {
            this(resultsTtl, resultsMax, resultsMaxBytes, queuedMaxBytes, workerIdleTimeout, MEMORY, Postgres.UNSET);
        }

        /** Whether jobs live in the fleet's shared PostgreSQL queue. */
        public boolean onPostgres() {
            return POSTGRES.equals(store);
        }

        /** These settings on the postgres store with {@code postgres}. */
        public Jobs withPostgres(Postgres postgres) {
            return new Jobs(resultsTtl, resultsMax, resultsMaxBytes, queuedMaxBytes, workerIdleTimeout, POSTGRES,
                    postgres);
        }
    }

    /**
     * The fleet's shared queue ({@code jobs.postgres.*}). The password is never a key: it comes
     * from {@code GONODE_POSTGRES_PASSWORD} or the file named by {@code passwordFile}.
     *
     * @param url              {@code jdbc:postgresql://host:5432/database}; empty when unset
     * @param user             the role the node logs in as; empty when unset
     * @param passwordFile     a file holding the password (a mounted Secret); empty for none
     * @param poolSize         connections this node keeps, besides one for LISTEN
     * @param connectTimeout   how long a call waits for a connection before the store counts as unavailable
     * @param lease            how long a claimed job is leased; its owner renews it every third of that
     * @param pollInterval     how often claimers and waiters look without a notification
     * @param unavailableGrace how long the store may be unreachable before {@code /readyz} fails
     */
    public record Postgres(String url, String user, String passwordFile, int poolSize, Duration connectTimeout,
                           Duration lease, Duration pollInterval, Duration unavailableGrace) {

        /** No database configured (the memory store's value). */
        public static final Postgres UNSET = new Postgres("", "", "", 10, Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofSeconds(1), Duration.ofSeconds(10));

        public Postgres {
            url = url == null ? "" : url.strip();
            user = user == null ? "" : user.strip();
            passwordFile = passwordFile == null ? "" : passwordFile.strip();
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(lease, "lease");
            Objects.requireNonNull(pollInterval, "pollInterval");
            Objects.requireNonNull(unavailableGrace, "unavailableGrace");
        }

        /** These settings for the database at {@code url} as {@code user}, the password in {@code passwordFile}. */
        public Postgres withDatabase(String url, String user, String passwordFile) {
            return new Postgres(url, user, passwordFile, poolSize, connectTimeout, lease, pollInterval, unavailableGrace);
        }

        /** These settings with other timings (tests shorten them). */
        public Postgres withTimings(Duration connectTimeout, Duration lease, Duration pollInterval,
                                    Duration unavailableGrace) {
            return new Postgres(url, user, passwordFile, poolSize, connectTimeout, lease, pollInterval, unavailableGrace);
        }
    }

    /**
     * This node in a fleet.
     *
     * @param name the owner recorded on the jobs it claims ({@code node.name}); empty: {@code $POD_NAME},
     *             else {@code $HOSTNAME}, else the host's name
     */
    public record Identity(String name) {

        /** The name derived from the environment at start. */
        public static final Identity DERIVED = new Identity("");

        public Identity {
            name = name == null ? "" : name.strip();
        }
    }

    /**
     * @param interval      how often the leak detector checks ({@code leaks.interval})
     * @param waitThreshold how long a goroutine must be parked to be reported as a long wait
     *                      ({@code leaks.wait-threshold}); information, never an alert on its own
     */
    public record Leaks(Duration interval, Duration waitThreshold) {
        public Leaks {
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(waitThreshold, "waitThreshold");
        }
    }

    /**
     * One handler's actor.
     *
     * @param concurrency how many worker goroutines take jobs from the mailbox
     * @param mailbox     how many jobs may wait in the mailbox
     * @param timeout     a job's default deadline, for each attempt
     * @param maxAttempts how many attempts a job gets before it is discarded ({@code max-attempts}, 1 to 1000)
     * @param backoff     the delay before the first retry; each later retry waits twice the one before
     * @param backoffMax  the longest delay before a retry (the cap of the doubling)
     * @param uniqueFor   the uniqueness window ({@code unique-for}): a job whose payload equals one
     *                    submitted to this handler in the same window is not run again (the earlier
     *                    job is answered); {@link Duration#ZERO}: off
     */
    public record Handler(int concurrency, int mailbox, Duration timeout, int maxAttempts, Duration backoff,
                          Duration backoffMax, Duration uniqueFor) {

        /** Attempts a job gets unless its handler says otherwise. */
        public static final int DEFAULT_MAX_ATTEMPTS = 3;
        /** The first retry's delay unless the handler says otherwise. */
        public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);
        /** The longest retry delay unless the handler says otherwise. */
        public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMinutes(5);

        public Handler {
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(backoff, "backoff");
            Objects.requireNonNull(backoffMax, "backoffMax");
            Objects.requireNonNull(uniqueFor, "uniqueFor");
        }

        /** A handler with the default retries and no uniqueness window. */
        public Handler(int concurrency, int mailbox, Duration timeout) {
            this(concurrency, mailbox, timeout, DEFAULT_MAX_ATTEMPTS, DEFAULT_BACKOFF, DEFAULT_BACKOFF_MAX, Duration.ZERO);
        }

        /** This handler with other retry settings. */
        public Handler withRetries(int maxAttempts, Duration backoff, Duration backoffMax) {
            return new Handler(concurrency, mailbox, timeout, maxAttempts, backoff, backoffMax, uniqueFor);
        }

        /** This handler with a uniqueness window ({@link Duration#ZERO}: off). */
        public Handler withUniqueFor(Duration window) {
            return new Handler(concurrency, mailbox, timeout, maxAttempts, backoff, backoffMax, window);
        }
    }

    /**
     * A job the fleet enqueues on a schedule ({@code periodic:} entries). Each tick runs once across
     * the fleet: the leader node enqueues it with the idempotency key
     * {@code periodic:<name>:<tick in epoch seconds>}.
     *
     * @param name    unique among the entries; part of each tick's idempotency key
     * @param handler the configured handler that runs it
     * @param payload the job's payload ({@code {}} when not given)
     * @param every   the period (ticks at multiples of it since the Unix epoch), or {@code null}
     * @param cron    a crontab expression in UTC (minute hour day-of-month month day-of-week), or
     *                {@code null}; exactly one of {@code every} and {@code cron} is set
     */
    public record Periodic(String name, String handler, com.fasterxml.jackson.databind.JsonNode payload, Duration every,
                           String cron) {
        public Periodic {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(handler, "handler");
            Objects.requireNonNull(payload, "payload");
        }
    }
}
