package dev.gonode.admin;

import dev.gonode.admin.internal.AdminException;
import dev.gonode.admin.internal.AdminHttp;
import dev.gonode.admin.internal.DumpCommands;
import dev.gonode.admin.internal.JfrCommand;
import dev.gonode.admin.internal.NodeCommands;
import dev.gonode.admin.internal.ProfileCommand;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gonode-admin}: the operator's command line for a running node, over its admin port.
 *
 * <p>Exit status: 0 ok; 1 the node answered with an error; 2 bad usage; 3 leaks found with
 * {@code leaks --fail}; 4 the node cannot be reached.
 */
@Command(name = "gonode-admin", mixinStandardHelpOptions = true,
        versionProvider = GonodeAdmin.Version.class,
        description = "Inspect and control a running gonode node through its admin port.",
        subcommands = {
                DumpCommands.DumpGoroutines.class, DumpCommands.Leaks.class, NodeCommands.Sched.class,
                DumpCommands.Top.class, NodeCommands.Gomaxprocs.class, JfrCommand.class, ProfileCommand.class, NodeCommands.Drain.class,
                NodeCommands.Health.class, NodeCommands.Ready.class, NodeCommands.Metrics.class,
                GonodeAdmin.Completion.class},
        footerHeading = "%nExit status:%n",
        footer = {"  0  ok", "  1  the node answered with an error (its message is shown)",
                "  2  bad usage", "  3  leaks found (leaks --fail)",
                "  4  cannot reach the node (check --url; kubectl port-forward deploy/gonode 9090)",
                "", "Examples:",
                "  kubectl port-forward deploy/gonode 9090 &",
                "  gonode-admin dump-goroutines --reason 'chan receive' --min-wait 1m",
                "  gonode-admin leaks --fail",
                "  GONODE_ADMIN_TOKEN=... gonode-admin --url http://10.0.0.7:9090 sched --watch 1s"})
public final class GonodeAdmin implements Runnable {

    @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:GONODE_ADMIN_URL:-http://127.0.0.1:9090}",
            description = "The node's admin port (default: $GONODE_ADMIN_URL, else ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:GONODE_ADMIN_TOKEN}",
            description = "Bearer token for the admin endpoints (default: $GONODE_ADMIN_TOKEN).")
    String token;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s", converter = GoDurations.class,
            description = "How long to wait for the node, as 500ms, 10s or 1m (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
            description = "text or json (default: ${DEFAULT-VALUE}).")
    Output output;

    /** {@code --output}. */
    public enum Output { text, json }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with {@code args}; returns its exit status. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new GonodeAdmin()).setCaseInsensitiveEnumValuesAllowed(true);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof AdminException admin) {
                commandLine.getErr().println("gonode-admin: " + admin.getMessage());
                return admin.exitCode();
            }
            throw e;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say which command to run");
    }

    /** The client for the node, from the global options. */
    public AdminHttp http() {
        return new AdminHttp(url, token, timeout);
    }

    /** Whether {@code --output json} was given. */
    public boolean json() {
        return output == Output.json;
    }

    /** Go-style durations for options: 500ms, 10s, 1m30s. */
    public static final class GoDurations implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return dev.gonode.admin.internal.Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration; use one such as"
                        + " 500ms, 10s or 1m");
            }
        }
    }

    /** {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = GonodeAdmin.class.getPackage().getImplementationVersion();
            return new String[] {"gonode-admin " + (v == null ? "(development build)" : v)};
        }
    }

    /** {@code completion bash|zsh}. */
    @Command(name = "completion", description = "Print a shell completion script: source <(gonode-admin completion bash).")
    static final class Completion implements Runnable {
        @CommandLine.Parameters(paramLabel = "SHELL", description = "bash or zsh")
        String shell;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            String s = shell.toLowerCase(Locale.ROOT);
            if (!s.equals("bash") && !s.equals("zsh")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "unknown shell '" + shell
                        + "': use bash or zsh");
            }
            CommandLine root = spec.root().commandLine();
            String script = AutoComplete.bash("gonode-admin", root);
            if (s.equals("zsh")) {
                script = "autoload -U +X bashcompinit && bashcompinit\n" + script;
            }
            spec.commandLine().getOut().print(script);
            spec.commandLine().getOut().flush();
        }
    }
}
