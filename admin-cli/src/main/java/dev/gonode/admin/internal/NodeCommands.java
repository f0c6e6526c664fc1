package dev.gonode.admin.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gonode.admin.GonodeAdmin;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** The commands that read or change the node's state: health, ready, sched, gomaxprocs, drain, metrics. */
public final class NodeCommands {

    private NodeCommands() {
    }

    /** Prints the answer: its JSON as is with --output json, else {@code text}. */
    static void print(GonodeAdmin root, PrintWriter out, AdminHttp.Answer answer, String text) {
        out.println(root.json() ? answer.body().strip() : text);
        out.flush();
    }

    @Command(name = "health", description = "Is the node alive? (GET /healthz: a probe goroutine must run within 1 s)")
    public static final class Health implements Runnable, JsonOutput {
        @ParentCommand
        GonodeAdmin root;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            AdminHttp.Answer a = AdminHttp.of(root).get("/healthz");
            print(root, spec.commandLine().getOut(), a, a.json().path("status").asText());
        }
    }

    @Command(name = "ready", description = "Does the node take jobs? (GET /readyz; exit 1 while starting or draining)")
    public static final class Ready implements Runnable, JsonOutput {
        @ParentCommand
        GonodeAdmin root;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            AdminHttp.Answer a = AdminHttp.of(root).get("/readyz");
            print(root, spec.commandLine().getOut(), a, a.json().path("status").asText());
        }
    }

    @Command(name = "sched", description = {"One schedtrace-style line: GOMAXPROCS, idle Ps, carriers, spinning,"
            + " the global queue and each P's local queue.", "Example: gonode-admin sched --watch 1s"})
    public static final class Sched implements Runnable, JsonOutput {
        @ParentCommand
        GonodeAdmin root;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--watch", paramLabel = "DURATION", converter = GonodeAdmin.GoDurations.class,
                description = "Repeat every DURATION until interrupted.")
        Duration watch;

        @Override
        public void run() {
            AdminHttp http = AdminHttp.of(root);
            long start = System.nanoTime();
            do {
                AdminHttp.Answer a = http.get("/debug/sched");
                print(root, spec.commandLine().getOut(), a, line(a.json(), System.nanoTime() - start));
                if (watch != null) {
                    LockSupport.parkNanos(watch.toNanos());
                }
            } while (watch != null && !Thread.currentThread().isInterrupted());
        }

        /** Go's schedtrace shape: {@code SCHED 12ms: gomaxprocs=2 idleprocs=1 threads=3 ...}. */
        static String line(JsonNode s, long sinceNanos) {
            StringBuilder queues = new StringBuilder();
            for (JsonNode q : s.path("localQueues")) {
                queues.append(queues.isEmpty() ? "" : " ").append(q.asLong());
            }
            return "SCHED " + (sinceNanos / 1_000_000) + "ms: gomaxprocs=" + s.path("gomaxprocs").asInt()
                    + " idleprocs=" + s.path("idleProcs").asInt() + " carriers=" + s.path("carriers").asInt()
                    + " spinning=" + s.path("spinning").asInt() + " runqueue=" + s.path("globalQueue").asLong()
                    + " [" + queues + "] goroutines=" + s.path("goroutines").asLong()
                    + " steals=" + s.path("steals").asLong() + " handoffs=" + s.path("handoffs").asLong()
                    + " scheduler=" + s.path("scheduler").asText();
        }
    }

    @Command(name = "gomaxprocs", description = {"Show GOMAXPROCS, or set it to N.", "Example: gonode-admin gomaxprocs 4"})
    public static final class Gomaxprocs implements Runnable, JsonOutput {
        @ParentCommand
        GonodeAdmin root;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Parameters(arity = "0..1", paramLabel = "N", description = "The new value, 1 to 10000.")
        Integer n;

        @Override
        public void run() {
            if (n == null) {
                AdminHttp.Answer a = AdminHttp.of(root).get("/admin/gomaxprocs");
                print(root, spec.commandLine().getOut(), a, a.json().path("gomaxprocs").asText());
                return;
            }
            if (n < 1 || n > 10_000) {
                throw new CommandLine.ParameterException(spec.commandLine(), "N must be from 1 to 10000, got " + n);
            }
            AdminHttp.Answer a = AdminHttp.of(root).put("/admin/gomaxprocs", "{\"gomaxprocs\":" + n + "}");
            print(root, spec.commandLine().getOut(), a, "gomaxprocs " + a.json().path("previous").asInt() + " -> " + n);
        }
    }

    @Command(name = "drain", description = {"Start draining: the node turns not-ready, refuses new jobs and lets accepted"
            + " ones finish (up to its drain timeout).", "Example: gonode-admin drain --wait"})
    public static final class Drain implements Runnable, JsonOutput {
        @ParentCommand
        GonodeAdmin root;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--wait", description = "Wait until every accepted job has its answer.")
        boolean await;

        @Override
        public void run() {
            AdminHttp http = await ? new AdminHttp(AdminHttp.of(root), Duration.ofMinutes(10)) : AdminHttp.of(root);
            AdminHttp.Answer a = http.post("/admin/drain" + (await ? "?wait=true" : ""));
            JsonNode j = a.json();
            String text = j.path("status").asText();
            if (j.has("finished")) {
                text += ": " + j.path("finished").asInt() + " job(s) finished, " + j.path("aborted").asInt()
                        + " aborted, in " + j.path("took").asText();
            }
            print(root, spec.commandLine().getOut(), a, text);
        }
    }

    @Command(name = "metrics", description = {"Print the node's Prometheus metrics (text only: no --output json).",
            "Example: gonode-admin metrics --grep '^gonode_jobs'"})
    public static final class Metrics implements Runnable {
        @ParentCommand
        GonodeAdmin root;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--grep", paramLabel = "REGEX", description = "Only lines matching REGEX.")
        String grep;

        @Override
        public void run() {
            Pattern p;
            try {
                p = grep == null ? null : Pattern.compile(grep);
            } catch (PatternSyntaxException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--grep '" + grep
                        + "' is not a regular expression: " + e.getDescription());
            }
            AdminHttp.Answer a = AdminHttp.of(root).get("/metrics");
            PrintWriter out = spec.commandLine().getOut();
            a.body().lines().filter(l -> p == null || p.matcher(l).find()).forEach(out::println);
            out.flush();
        }
    }
}
