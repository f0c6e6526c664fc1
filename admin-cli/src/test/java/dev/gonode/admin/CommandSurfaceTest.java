package dev.gonode.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gonode.admin.internal.JsonOutput;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The CLI's surface, against a real node: help on every command, {@code --output json} honoured
 * or refused on every command, completion values checked by a real bash, and {@code top} quitting
 * on q in a real pseudo-terminal.
 */
class CommandSurfaceTest {

    @RegisterExtension
    static final CliTestNode NODE = CliTestNode.plain();

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every command's words, as typed after gonode-admin: [dump-goroutines], [jfr, start], ... */
    static List<List<String>> commands() {
        List<List<String>> all = new ArrayList<>();
        collect(GonodeAdmin.commandLine(GonodeAdmin.COMMANDS), List.of(), all);
        return all;
    }

    private static void collect(CommandLine command, List<String> words, List<List<String>> out) {
        for (var e : command.getSubcommands().entrySet()) {
            List<String> sub = new ArrayList<>(words);
            sub.add(e.getKey());
            out.add(sub);
            collect(e.getValue(), sub, out);
        }
    }

    @Test
    void everyCommandTakesDashHAndDashDashHelp() {
        List<List<String>> commands = commands();
        assertTrue(commands.size() >= 15, commands.toString());
        for (List<String> words : commands) {
            for (String flag : List.of("-h", "--help")) {
                List<String> args = new ArrayList<>(words);
                args.add(flag);
                CliTestNode.Run r = NODE.run(args.toArray(String[]::new));
                assertEquals(0, r.status(), args + ": " + r.err());
                assertTrue(r.out().contains("Usage: gonode-admin " + String.join(" ", words)), args + ": " + r.out());
                assertTrue(r.out().contains("Exit status:"), args + ": " + r.out());
            }
        }
    }

    @Test
    void helpCommandShowsEachTopLevelCommandsUsage() {
        for (String name : GonodeAdmin.commandLine(GonodeAdmin.COMMANDS).getSubcommands().keySet()) {
            CliTestNode.Run r = NODE.run("help", name);
            assertEquals(0, r.status(), name + ": " + r.err());
            assertTrue(r.out().contains("Usage: gonode-admin " + name), name + ": " + r.out());
        }
        CliTestNode.Run unknown = NODE.run("help", "frobnicate");
        assertTrue(unknown.status() != 0 || unknown.err().contains("frobnicate"), unknown.toString());
        assertTrue(NODE.run("help").out().contains("Commands:"));
    }

    @Test
    void anErrorInTheRootsOptionsListsEveryCommandEvenWhenACommandIsNamed() {
        CliTestNode.Run r = NODE.run("--bogus", "sched");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("Unknown option: '--bogus'"), r.err());
        for (String name : GonodeAdmin.commandLine(GonodeAdmin.COMMANDS).getSubcommands().keySet()) {
            assertTrue(r.err().contains("  " + name + " "), name + " missing from the usage: " + r.err());
        }
        CliTestNode.Run typo = NODE.run("shced");
        assertEquals(2, typo.status());
        assertTrue(typo.err().contains("sched"), "suggests the command: " + typo.err());
    }

    @Test
    void outputJsonIsHonouredOrRefusedByEveryCommand(@TempDir Path dir) throws Exception {
        List<String> honoured = new ArrayList<>();
        for (List<String> words : commands()) {
            CommandLine command = GonodeAdmin.commandLine(GonodeAdmin.COMMANDS);
            for (String w : words) {
                command = command.getSubcommands().get(w);
            }
            if (!command.getSubcommands().isEmpty() || command.getCommand() instanceof CommandLine.HelpCommand) {
                continue;
            }
            if (command.getCommand() instanceof JsonOutput) {
                honoured.add(String.join(" ", words));
                continue;
            }
            List<String> args = new ArrayList<>(List.of("--output", "json"));
            args.addAll(words);
            // what the command needs besides, so that only --output can be the reason it is refused
            args.addAll(switch (String.join(" ", words)) {
                case "jfr dump" -> List.of("-o", dir.resolve("never-written.jfr").toString());
                case "completion" -> List.of("bash");
                case "profile" -> List.of("cpu", "--seconds", "1", "-o", dir.resolve("never-written.pb.gz").toString());
                default -> List.of();
            });
            CliTestNode.Run r = NODE.run(args.toArray(String[]::new));
            assertEquals(2, r.status(), args + " must be refused as bad usage: " + r);
            assertTrue(r.err().contains("--output json does not apply to gonode-admin " + String.join(" ", words)), r.err());
            assertTrue(r.out().isEmpty(), r.out());
        }
        assertTrue(Files.notExists(dir.resolve("never-written.jfr")));
        assertTrue(Files.notExists(dir.resolve("never-written.pb.gz")));
        assertTrue(honoured.containsAll(List.of("sched", "top", "health", "ready", "gomaxprocs", "leaks", "dump-goroutines",
                "drain", "jfr start", "jfr stop")), honoured.toString());
        // the read-only ones, checked for real JSON
        for (String command : List.of("sched", "top", "health", "ready", "gomaxprocs", "leaks", "dump-goroutines")) {
            CliTestNode.Run r = NODE.run("--output", "json", command);
            assertEquals(0, r.status(), command + ": " + r.err());
            JSON.readTree(r.out());
        }
        JsonNode top = JSON.readTree(NODE.run("--output", "json", "top", "--limit", "3").out());
        assertTrue(top.path("goroutines").asInt() > 0, top.toString());
        assertTrue(top.path("states").isArray() && !top.path("states").isEmpty(), top.toString());
        assertTrue(top.path("sites").size() <= 3 && !top.path("sites").isEmpty(), top.toString());
        assertTrue(top.path("states").get(0).has("state") && top.path("sites").get(0).has("count"), top.toString());
    }

    @Test
    void durationOptionsTakeGoSyntaxAndMustBePositive() {
        assertEquals(0, NODE.run("--timeout", "1m30s", "health").status());
        assertEquals(0, NODE.run("--timeout", "1.5s", "health").status());
        CliTestNode.Run zero = NODE.run("--timeout", "0s", "health");
        assertEquals(2, zero.status());
        assertTrue(zero.err().contains("'0s' is not positive"), zero.err());
        CliTestNode.Run negative = NODE.run("sched", "--watch", "-1s");
        assertEquals(2, negative.status());
        assertTrue(negative.err().contains("not positive"), negative.err());
        CliTestNode.Run parsecs = NODE.run("top", "--interval", "5 parsecs");
        assertEquals(2, parsecs.status());
        assertTrue(parsecs.err().contains("'5 parsecs' is not a duration"), parsecs.err());
    }

    @Test
    void bashCompletionOffersValuesNotFileNames(@TempDir Path dir) throws Exception {
        CliTestNode.Run script = NODE.run("completion", "bash");
        assertEquals(0, script.status(), script.err());
        Path file = dir.resolve("gonode-admin.bash");
        Files.writeString(file, script.out());
        assertEquals("default profile gonode", complete(file, "jfr", "start", "--settings", ""));
        assertEquals("runnable running waiting", complete(file, "dump-goroutines", "--state", ""));
        assertEquals("runnable running", complete(file, "dump-goroutines", "--state", "r"));
        assertEquals("bash zsh", complete(file, "completion", ""));
        assertEquals("text json", complete(file, "--output", ""));
    }

    /** What bash's completion offers for the words typed after gonode-admin (the last one is being typed). */
    private static String complete(Path script, String... words) throws Exception {
        StringBuilder line = new StringBuilder("gonode-admin");
        StringBuilder array = new StringBuilder("gonode-admin");
        for (String w : words) {
            line.append(' ').append(w);
            array.append(" '").append(w).append('\'');
        }
        // compopt only works while bash is completing interactively; outside it is a no-op here.
        String program = "compopt() { :; }; source '" + script + "'; COMP_WORDS=(" + array + "); COMP_CWORD=" + words.length
                + "; COMP_LINE='" + line + "'; COMP_POINT=${#COMP_LINE}; _complete_gonode-admin; echo \"${COMPREPLY[*]}\"";
        Process bash = new ProcessBuilder("bash", "-c", program).redirectErrorStream(true).start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(bash.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, bash.exitValue(), out);
        return out;
    }

    @Test
    void topInATerminalRefreshesUntilQIsPressed() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        // --interval 1h: only q can end it within the test's time.
        String command = quote(java) + " -cp " + quote(System.getProperty("java.class.path"))
                + " dev.gonode.admin.GonodeAdmin --url " + NODE.url() + " top --interval 1h";
        // script(1) runs the command in a pseudo-terminal: the CLI sees a terminal as an operator's would.
        Process pty = new ProcessBuilder("script", "-q", "-e", "-c", command, "/dev/null")
                .redirectErrorStream(true).start();
        try {
            BufferedReader screen = new BufferedReader(new InputStreamReader(pty.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            String line;
            while ((line = screen.readLine()) != null && !line.contains("q quits")) {
                seen.append(line).append('\n');
            }
            assertTrue(line != null, "top never drew its screen: " + seen);
            assertTrue(seen.toString().contains("goroutines: "), seen.toString());
            OutputStream keys = pty.getOutputStream();
            keys.write('q');
            keys.flush();
            assertTrue(pty.waitFor(60, TimeUnit.SECONDS), "top did not quit on q");
            assertEquals(0, pty.exitValue());
        } finally {
            pty.destroyForcibly();
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
