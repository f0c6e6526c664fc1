package dev.gonode.admin.internal;

import dev.gonode.admin.GonodeAdmin;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code jfr start|stop|dump}: a JDK Flight Recorder recording on the node. */
@Command(name = "jfr", description = {"Record with JDK Flight Recorder on the node.",
        "Example: gonode-admin jfr start --duration 2m --settings gonode; gonode-admin jfr dump -o node.jfr"},
        subcommands = {JfrCommand.Start.class, JfrCommand.Stop.class, JfrCommand.Dump.class})
public final class JfrCommand implements Runnable {

    @ParentCommand
    GonodeAdmin root;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say start, stop or dump");
    }

    @Command(name = "start", description = "Start a recording (one at a time).")
    static final class Start implements Runnable, JsonOutput {
        @ParentCommand
        JfrCommand jfr;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--duration", paramLabel = "DURATION", description = "Stop by itself after DURATION, as 2m.")
        String duration;
        @Option(names = "--settings", paramLabel = "NAME", defaultValue = "gonode", completionCandidates = Settings.class,
                description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
        String settings;
        @Option(names = "--max-size", paramLabel = "SIZE", description = "Keep at most SIZE on disk, as 100m.")
        String maxSize;

        @Override
        public void run() {
            StringBuilder q = new StringBuilder();
            DumpCommands.add(q, "settings", settings);
            DumpCommands.add(q, "duration", duration);
            DumpCommands.add(q, "max-size", maxSize);
            AdminHttp.Answer a = AdminHttp.of(jfr.root).post("/debug/jfr/start?" + q.substring(1));
            NodeCommands.print(jfr.root, spec.commandLine().getOut(), a, "recording (settings " + settings + ")");
        }
    }

    /** The recording settings the node knows: the JDK's two and gonode's own. */
    static final class Settings extends ArrayList<String> {
        Settings() {
            super(List.of("default", "profile", "gonode"));
        }
    }

    @Command(name = "stop", description = "Stop the recording (its data stays for dump).")
    static final class Stop implements Runnable, JsonOutput {
        @ParentCommand
        JfrCommand jfr;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            AdminHttp.Answer a = AdminHttp.of(jfr.root).post("/debug/jfr/stop");
            NodeCommands.print(jfr.root, spec.commandLine().getOut(), a, "stopped");
        }
    }

    @Command(name = "dump", description = "Save the recording to a file (jfr print FILE, or JDK Mission Control).")
    static final class Dump implements Runnable {
        @ParentCommand
        JfrCommand jfr;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = {"-o", "--out"}, paramLabel = "FILE", required = true, description = "Where to save it.")
        Path out;

        @Override
        public void run() {
            try (OutputStream file = Files.newOutputStream(out)) {
                new AdminHttp(AdminHttp.of(jfr.root), Duration.ofMinutes(5)).stream("/debug/jfr/dump", file);
            } catch (IOException e) {
                throw new AdminException(AdminException.USAGE, "cannot write " + out + ": " + e.getMessage());
            }
            spec.commandLine().getErr().println("wrote " + out);
        }
    }
}
