package dev.gonode.admin.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gonode.admin.GonodeAdmin;
import dev.gonode.runtime.GoDuration;
import dev.gonode.runtime.GoroutineState;
import java.io.Console;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** The commands about goroutines: dump-goroutines, top, leaks. */
public final class DumpCommands {

    private DumpCommands() {
    }

    /** The dump filters, as the node's {@code /debug/pprof/goroutine} takes them. */
    static final class Filters {
        @Option(names = "--state", paramLabel = "STATE", completionCandidates = States.class,
                description = "${COMPLETION-CANDIDATES}, or several separated by commas.")
        String state;
        @Option(names = "--reason", paramLabel = "REASON", description = "A wait reason, as 'chan receive'.")
        String reason;
        @Option(names = "--min-wait", paramLabel = "DURATION", description = "Only goroutines waiting at least this long, as 1m.")
        String minWait;
        @Option(names = "--label", paramLabel = "K=V", description = "Label selector; repeat for several.")
        List<String> labels = new ArrayList<>();
        @Option(names = "--name", paramLabel = "REGEX", description = "Goroutine name pattern.")
        String name;
        @Option(names = "--limit", paramLabel = "N", description = "At most N goroutines.")
        Integer limit;

        String query() {
            StringBuilder q = new StringBuilder();
            add(q, "state", state);
            add(q, "reason", reason);
            add(q, "min_wait", minWait);
            if (!labels.isEmpty()) {
                add(q, "label", String.join(",", labels));
            }
            add(q, "name", name);
            add(q, "limit", limit == null ? null : limit.toString());
            return q.toString();
        }
    }

    /** The states a live goroutine can be in, as Go spells them (for completion and help). */
    static final class States extends ArrayList<String> {
        States() {
            for (GoroutineState state : GoroutineState.values()) {
                if (state != GoroutineState.DEAD) {
                    add(state.goName());
                }
            }
        }
    }

    static void add(StringBuilder q, String key, String value) {
        if (value != null) {
            q.append('&').append(key).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }

    @Command(name = "dump-goroutines", description = {
            "Dump the node's goroutines: Go's debug=2 text by default, in Go's shapes so that panicparse reads it"
                    + " (--style gonode: Java names and each goroutine's labels), grouped with labels (--debug 1),"
                    + " JSON (--json), or a pprof profile for go tool pprof (--pprof FILE).",
            "Examples:",
            "  gonode-admin dump-goroutines | panicparse",
            "  gonode-admin dump-goroutines --reason 'chan receive' --min-wait 1m --style gonode",
            "  gonode-admin dump-goroutines --label handler=echo --json -o goroutines.json",
            "  gonode-admin dump-goroutines --pprof goroutine.pb.gz && go tool pprof -top goroutine.pb.gz"})
    public static final class DumpGoroutines implements Runnable, JsonOutput {
        @ParentCommand
        GonodeAdmin root;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin
        Filters filters = new Filters();
        @Option(names = "--debug", paramLabel = "LEVEL", defaultValue = "2", description = "2 (one block per goroutine) or 1 (grouped by stack).")
        int debug;
        @Option(names = "--json", description = "JSON instead of text.")
        boolean json;
        @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Write to FILE instead of stdout.")
        Path out;
        @Option(names = "--pprof", paramLabel = "FILE", description = "Save the gzipped pprof profile to FILE.")
        Path pprof;
        @Option(names = "--style", paramLabel = "STYLE", defaultValue = "go", completionCandidates = Styles.class,
                description = "Text style: go (default; Go's names, read by panicparse) or gonode (Java names, labels).")
        String style;

        @Override
        public void run() {
            if (debug != 1 && debug != 2) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--debug must be 1 or 2, got " + debug);
            }
            if (!Styles.NAMES.contains(style)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--style must be go or gonode, got " + style);
            }
            String query;
            Path target = out;
            if (pprof != null) {
                query = "debug=0";
                target = pprof;
            } else if (json || root.json()) {
                query = "format=json";
            } else {
                query = "debug=" + debug + "&style=" + style;
            }
            String path = "/debug/pprof/goroutine?" + query + filters.query();
            AdminHttp http = new AdminHttp(AdminHttp.of(root), Duration.ofMinutes(5));
            if (target == null) {
                http.stream(path, spec.commandLine().getOut());
                return;
            }
            try (OutputStream file = Files.newOutputStream(target)) {
                http.stream(path, file);
            } catch (IOException e) {
                throw new AdminException(AdminException.USAGE, "cannot write " + target + ": " + e.getMessage());
            }
            spec.commandLine().getErr().println("wrote " + target);
        }
    }

    /** The text styles of {@code dump-goroutines --style}, for validation and completion. */
    static final class Styles implements Iterable<String> {
        static final List<String> NAMES = List.of("go", "gonode");

        @Override
        public java.util.Iterator<String> iterator() {
            return NAMES.iterator();
        }
    }

    @Command(name = "leaks", description = {"The node's goroutine leak report: proven leaks (goroutines collected while"
            + " parked), creation sites with sustained growth, and long waits as information.",
            "Example (cron, CI): gonode-admin leaks --fail"})
    public static final class Leaks implements Runnable, JsonOutput {
        @ParentCommand
        GonodeAdmin root;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--fail", description = "Exit with status 3 when the node has a proven leak or a growing creation"
                + " site (the report's \"clean\": false); long waits alone never fail.")
        boolean fail;

        @Override
        public void run() {
            AdminHttp http = AdminHttp.of(root);
            AdminHttp.Answer report = http.get("/debug/leaks");
            boolean clean = report.json().path("clean").asBoolean(true);
            PrintWriter out = spec.commandLine().getOut();
            if (root.json()) {
                out.println(report.body().strip());
            } else {
                out.print(http.get("/debug/leaks?format=text").body());
            }
            out.flush();
            if (fail && !clean) {
                throw new AdminException(AdminException.LEAKS_FOUND, "leaks found");
            }
        }
    }

    @Command(name = "top", description = {"Goroutines by state and by creation site, biggest first. In a terminal"
            + " it refreshes until you press q (or Ctrl-C); otherwise, and with --output json, it prints once.",
            "Example: gonode-admin top --limit 20"})
    public static final class Top implements Runnable, JsonOutput {
        @ParentCommand
        GonodeAdmin root;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--limit", paramLabel = "N", defaultValue = "15", description = "Creation sites shown (default ${DEFAULT-VALUE}).")
        int limit;
        @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "2s", converter = GonodeAdmin.GoDurations.class,
                description = "Refresh period in a terminal (default ${DEFAULT-VALUE}).")
        Duration interval;

        @Override
        public void run() {
            if (limit < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be at least 1, got " + limit);
            }
            AdminHttp http = new AdminHttp(AdminHttp.of(root), Duration.ofMinutes(2));
            PrintWriter out = spec.commandLine().getOut();
            if (root.json() || !terminal()) {
                Summary summary = Summary.of(http.get("/debug/pprof/goroutine?format=json").json());
                out.print(root.json() ? summary.json(limit) + "\n" : summary.text(limit));
                out.flush();
                return;
            }
            try (QuitKey keys = QuitKey.onTerminal()) {
                do {
                    Summary summary = Summary.of(http.get("/debug/pprof/goroutine?format=json").json());
                    out.print("\033[H\033[2J");
                    out.print(summary.text(limit));
                    out.print("\n(every " + GoDuration.format(interval) + "; q quits)\n");
                    out.flush();
                } while (!keys.pressedWithin(interval));
            }
        }

        private static boolean terminal() {
            Console console = System.console();
            return console != null && console.isTerminal();
        }
    }

    /** What {@code top} shows: goroutines by state (or wait reason) and by creation site. */
    record Summary(int total, List<Map.Entry<String, Integer>> byState, List<Map.Entry<String, Integer>> bySite) {

        static Summary of(JsonNode dump) {
            JsonNode goroutines = dump.has("goroutines") ? dump.get("goroutines") : dump;
            Map<String, Integer> byState = new TreeMap<>();
            Map<String, Integer> bySite = new LinkedHashMap<>();
            int total = 0;
            for (JsonNode g : goroutines) {
                total++;
                String state = g.path("waitReason").isTextual() && !g.path("waitReason").asText().isEmpty()
                        ? g.path("waitReason").asText() : g.path("state").asText();
                byState.merge(state, 1, Integer::sum);
                bySite.merge(site(g.path("creationSite")), 1, Integer::sum);
            }
            return new Summary(total, biggestFirst(byState), biggestFirst(bySite));
        }

        String text(int limit) {
            StringBuilder sb = new StringBuilder("goroutines: " + total + "\n\nSTATE / WAIT REASON\n");
            byState.forEach(e -> sb.append(String.format("%8d  %s%n", e.getValue(), e.getKey())));
            sb.append("\nCREATED AT\n");
            bySite.stream().limit(limit).forEach(e -> sb.append(String.format("%8d  %s%n", e.getValue(), e.getKey())));
            return sb.toString();
        }

        /** {@code {"goroutines":N,"states":[{"state":...,"count":N}],"sites":[{"site":...,"count":N}]}}. */
        String json(int limit) {
            return Json.write(g -> {
                g.writeStartObject();
                g.writeNumberField("goroutines", total);
                g.writeArrayFieldStart("states");
                for (Map.Entry<String, Integer> e : byState) {
                    g.writeStartObject();
                    g.writeStringField("state", e.getKey());
                    g.writeNumberField("count", e.getValue());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeArrayFieldStart("sites");
                for (Map.Entry<String, Integer> e : bySite.subList(0, Math.min(limit, bySite.size()))) {
                    g.writeStartObject();
                    g.writeStringField("site", e.getKey());
                    g.writeNumberField("count", e.getValue());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            });
        }

        private static List<Map.Entry<String, Integer>> biggestFirst(Map<String, Integer> counts) {
            return counts.entrySet().stream()
                    .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
                    .toList();
        }

        private static String site(JsonNode site) {
            if (site.isTextual()) {
                return site.asText();
            }
            if (site.isArray() && !site.isEmpty()) {
                site = site.get(0);
            }
            if (site.isObject()) {
                return site.path("function").asText() + " (" + site.path("file").asText() + ":" + site.path("line").asInt() + ")";
            }
            return "(unknown)";
        }
    }
}
