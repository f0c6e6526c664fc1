package dev.gonode.admin.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gonode.admin.GonodeAdmin;
import dev.gonode.runtime.GoDuration;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code jobs list|get|retry|cancel|stats}: the node's queue admin ({@code /admin/jobs}). */
@Command(name = "jobs", description = {"List, inspect, retry and cancel jobs; count them by handler and state.",
        "On jobs.store: postgres this is the whole fleet's queue; on memory, the node's own jobs.",
        "Example: gonode-admin jobs list --state discarded --handler sha256 --since 1h"},
        subcommands = {JobsCommand.List.class, JobsCommand.Get.class, JobsCommand.Retry.class,
                JobsCommand.Cancel.class, JobsCommand.Stats.class})
public final class JobsCommand implements Runnable {

    @ParentCommand
    GonodeAdmin root;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say list, get, retry, cancel or stats");
    }

    /** The states a filter may name. */
    static final class States extends java.util.ArrayList<String> {
        States() {
            super(java.util.List.of("queued", "available", "scheduled", "running", "retryable", "succeeded", "failed",
                    "cancelled", "aborted", "discarded"));
        }
    }

    private static final Pattern ID = Pattern.compile("[0-9A-Za-z-]{1,64}");

    static String id(CommandLine.Model.CommandSpec spec, String id) {
        if (!ID.matcher(id).matches()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "ID '" + id + "' is not a job id; give the id"
                    + " a job answer or jobs list shows, such as 0192f3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d");
        }
        return id;
    }

    @Command(name = "list", description = {"Jobs, newest first, a page at a time (GET /admin/jobs).",
            "Example: gonode-admin jobs list --state failed,discarded --since 2h --limit 20"})
    static final class List implements Runnable, JsonOutput {
        @ParentCommand
        JobsCommand jobs;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--state", paramLabel = "STATE[,STATE]", completionCandidates = States.class,
                description = "Only jobs in these states: ${COMPLETION-CANDIDATES} (queued = available, scheduled, retryable).")
        String state;
        @Option(names = "--handler", paramLabel = "NAME", description = "Only jobs of this handler.")
        String handler;
        @Option(names = "--since", paramLabel = "TIME", description = "Created at or after TIME: RFC 3339"
                + " (2025-01-31T12:00:00Z) or a duration ago (90m).")
        String since;
        @Option(names = "--until", paramLabel = "TIME", description = "Created before TIME (as --since).")
        String until;
        @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "Jobs per page, 1 to 500"
                + " (default ${DEFAULT-VALUE}).")
        int limit;
        @Option(names = "--cursor", paramLabel = "CURSOR", description = "Start after this page (the next: line of"
                + " the previous page, or its nextCursor).")
        String cursor;

        @Override
        public void run() {
            if (limit < 1 || limit > 500) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be from 1 to 500, got " + limit);
            }
            if (state != null) {
                for (String s : state.split(",", -1)) {
                    if (!new States().contains(s.strip())) {
                        throw new CommandLine.ParameterException(spec.commandLine(), "--state '" + s + "' is not a"
                                + " state; use " + String.join(", ", new States()));
                    }
                }
            }
            StringBuilder q = new StringBuilder();
            DumpCommands.add(q, "state", state);
            DumpCommands.add(q, "handler", handler);
            DumpCommands.add(q, "since", time("--since", since));
            DumpCommands.add(q, "until", time("--until", until));
            DumpCommands.add(q, "limit", Integer.toString(limit));
            DumpCommands.add(q, "cursor", cursor);
            AdminHttp.Answer a = AdminHttp.of(jobs.root).get("/admin/jobs?" + q.substring(1));
            PrintWriter out = spec.commandLine().getOut();
            if (jobs.root.json()) {
                NodeCommands.print(jobs.root, out, a, "");
                return;
            }
            JsonNode page = a.json();
            out.printf("%-36s  %-10s  %-10s  %7s  %-24s  %s%n", "ID", "HANDLER", "STATE", "ATTEMPT", "CREATED", "ERROR");
            for (JsonNode j : page.path("jobs")) {
                String attempt = j.path("attempt").asText() + (j.has("maxAttempts") ? "/" + j.path("maxAttempts").asText() : "");
                out.printf("%-36s  %-10s  %-10s  %7s  %-24s  %s%n", j.path("id").asText(), j.path("handler").asText(),
                        j.path("state").asText(), attempt, j.path("createdAt").asText(), j.path("errorCode").asText(""));
            }
            if (page.has("nextCursor")) {
                out.println("next: gonode-admin jobs list --cursor " + page.path("nextCursor").asText()
                        + " (with the same filters)");
            }
            out.flush();
        }

        private String time(String option, String value) {
            if (value == null) {
                return null;
            }
            try {
                return OffsetDateTime.parse(value).toInstant().toString();
            } catch (DateTimeParseException notATime) {
                try {
                    Duration ago = GoDuration.parse(value);
                    if (!ago.isNegative()) {
                        return Instant.now().minus(ago).toString();
                    }
                } catch (IllegalArgumentException notADuration) {
                    // answered below
                }
            }
            throw new CommandLine.ParameterException(spec.commandLine(), option + " '" + value + "' is neither an"
                    + " RFC 3339 time (2025-01-31T12:00:00Z) nor a duration ago (90m, 2h)");
        }
    }

    @Command(name = "get", description = {"One job with its payload, result and every attempt's error (GET /admin/jobs/ID).",
            "Example: gonode-admin jobs get 0192f3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d"})
    static final class Get implements Runnable, JsonOutput {
        @ParentCommand
        JobsCommand jobs;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "ID", description = "The job's id.")
        String id;

        @Override
        public void run() {
            AdminHttp.Answer a = AdminHttp.of(jobs.root).get("/admin/jobs/" + id(spec, id));
            NodeCommands.print(jobs.root, spec.commandLine().getOut(), a, describe(a.json()));
        }
    }

    @Command(name = "retry", description = {"Run a failed, discarded, cancelled or aborted job again, keeping its id"
            + " (POST /admin/jobs/ID/retry; exit 1 if it runs, waits or succeeded).",
            "Example: gonode-admin jobs retry 0192f3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d"})
    static final class Retry implements Runnable, JsonOutput {
        @ParentCommand
        JobsCommand jobs;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "ID", description = "The job's id.")
        String id;

        @Override
        public void run() {
            AdminHttp.Answer a = AdminHttp.of(jobs.root).post("/admin/jobs/" + id(spec, id) + "/retry");
            NodeCommands.print(jobs.root, spec.commandLine().getOut(), a, "retried: " + describe(a.json()));
        }
    }

    @Command(name = "cancel", description = {"Cancel a waiting or running job (POST /admin/jobs/ID/cancel; exit 1 if"
            + " it has ended).", "Example: gonode-admin jobs cancel 0192f3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d"})
    static final class Cancel implements Runnable, JsonOutput {
        @ParentCommand
        JobsCommand jobs;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "ID", description = "The job's id.")
        String id;

        @Override
        public void run() {
            AdminHttp.Answer a = AdminHttp.of(jobs.root).post("/admin/jobs/" + id(spec, id) + "/cancel");
            NodeCommands.print(jobs.root, spec.commandLine().getOut(), a, "cancelled: " + describe(a.json()));
        }
    }

    @Command(name = "stats", description = {"Jobs by handler and state, and each handler's oldest waiting job"
            + " (GET /admin/jobs/stats).", "Example: gonode-admin jobs stats"})
    static final class Stats implements Runnable, JsonOutput {
        @ParentCommand
        JobsCommand jobs;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            AdminHttp.Answer a = AdminHttp.of(jobs.root).get("/admin/jobs/stats");
            JsonNode s = a.json();
            StringBuilder text = new StringBuilder("store " + s.path("store").asText() + ": "
                    + s.path("total").asLong() + " job(s)");
            for (JsonNode h : s.path("handlers")) {
                text.append('\n').append(String.format("%-12s %6d ", h.path("handler").asText(), h.path("total").asLong()));
                for (Iterator<Map.Entry<String, JsonNode>> it = h.path("states").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    text.append(' ').append(e.getKey()).append('=').append(e.getValue().asLong());
                }
                if (h.has("oldestWaitingAgeSeconds")) {
                    text.append("  oldest waiting ").append(h.path("oldestWaitingAgeSeconds").asDouble()).append('s');
                }
            }
            NodeCommands.print(jobs.root, spec.commandLine().getOut(), a, text.toString());
        }
    }

    /** A job on a few lines: id, handler, state, attempts, times, and its errors. */
    static String describe(JsonNode j) {
        StringBuilder s = new StringBuilder(j.path("id").asText() + " " + j.path("handler").asText() + " "
                + j.path("state").asText() + " (attempt " + j.path("attempt").asText()
                + (j.has("maxAttempts") ? " of " + j.path("maxAttempts").asText() : "") + ")");
        for (String t : new String[] {"createdAt", "scheduledAt", "attemptedAt", "finishedAt", "owner", "idempotencyKey"}) {
            if (j.has(t)) {
                s.append("\n  ").append(t).append(": ").append(j.path(t).asText());
            }
        }
        if (j.has("payload") && !j.path("payload").isNull()) {
            s.append("\n  payload: ").append(j.path("payload"));
        }
        if (j.has("result")) {
            s.append("\n  result: ").append(j.path("result"));
        }
        for (JsonNode e : j.path("errors")) {
            s.append("\n  error (attempt ").append(e.path("attempt").asText()).append(", ").append(e.path("at").asText("?"))
                    .append("): ").append(e.path("code").asText()).append(": ").append(e.path("message").asText());
        }
        return s.toString();
    }
}
