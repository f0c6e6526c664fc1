package dev.gonode.admin;

import dev.gonode.admin.internal.AdminException;
import dev.gonode.admin.internal.DumpCommands;
import dev.gonode.admin.internal.JfrCommand;
import dev.gonode.admin.internal.JobsCommand;
import dev.gonode.admin.internal.JsonOutput;
import dev.gonode.admin.internal.NodeCommands;
import dev.gonode.admin.internal.ProfileCommand;
import dev.gonode.runtime.GoDuration;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gonode-admin}: the operator's command line for a running node, over its admin port.
 *
 * <p>Exit status: 0 ok; 1 the node answered with an error; 2 bad usage; 3 leaks found with
 * {@code leaks --fail}; 4 the node cannot be reached.
 *
 * <p>Implementation notes. Picocli builds a command's model by reflecting on its annotations, and
 * doing so for every command was the largest part of a command's start-up. So the subcommands are
 * listed in {@link #COMMANDS} rather than in the annotation, and a run adds only the ones its
 * arguments name: {@code gonode-admin sched} models the root and {@code sched}. Whenever the whole
 * tree can show — no command named, {@code help}, {@code -h}/{@code --help}, {@code completion}, or
 * an error in the root's own options (whose usage lists every command) — every command is added.
 */
@Command(name = "gonode-admin", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        versionProvider = GonodeAdmin.Version.class,
        description = {"Inspect and control a running gonode node through its admin port.",
                "Every command takes -h/--help; gonode-admin help COMMAND says the same.", "",
                "Examples:",
                "  kubectl port-forward deploy/gonode 9090 &",
                "  gonode-admin dump-goroutines --reason 'chan receive' --min-wait 1m",
                "  gonode-admin leaks --fail",
                "  gonode-admin jobs list --state discarded --since 1h",
                "  GONODE_ADMIN_TOKEN=... gonode-admin --url http://10.0.0.7:9090 sched --watch 1s", ""},
        // Every subcommand inherits the help options (-h, --help, -V, --version) and this footer.
        footerHeading = "%nExit status:%n",
        footer = {"  0  ok", "  1  the node answered with an error (its message is shown)",
                "  2  bad usage (including --output json where a command has no JSON form)",
                "  3  leaks found (leaks --fail)",
                "  4  cannot reach the node (check --url; kubectl port-forward deploy/gonode 9090)"})
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

    /** The subcommands, in the order the usage lists them. */
    static final List<Class<?>> COMMANDS = List.of(
            DumpCommands.DumpGoroutines.class, DumpCommands.Leaks.class, NodeCommands.Sched.class,
            DumpCommands.Top.class, NodeCommands.Gomaxprocs.class, JfrCommand.class, ProfileCommand.class, NodeCommands.Drain.class, JobsCommand.class,
            NodeCommands.Health.class, NodeCommands.Ready.class, NodeCommands.Metrics.class,
            GonodeAdmin.Completion.class, CommandLine.HelpCommand.class);

    /** The arguments after which every command must be known (see the implementation notes). */
    private static final Set<String> WHOLE_TREE = Set.of("-h", "--help", "help", "completion");

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with {@code args}; returns its exit status. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, false);
    }

    private static int run(String[] args, PrintWriter out, PrintWriter err, boolean wholeTree) {
        List<Class<?>> named = wholeTree ? COMMANDS : named(args);
        CommandLine cli = commandLine(named);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof AdminException admin) {
                commandLine.getErr().println("gonode-admin: " + admin.getMessage());
                return admin.exitCode();
            }
            throw e;
        });
        cli.setExecutionStrategy(GonodeAdmin::execute);
        if (named.size() < COMMANDS.size()) {
            CommandLine.IParameterExceptionHandler usual = cli.getParameterExceptionHandler();
            cli.setParameterExceptionHandler((e, arguments) -> e.getCommandLine() == cli
                    ? run(args, out, err, true) // the root's usage, with every command, comes with the error
                    : usual.handleParseException(e, arguments));
        }
        return cli.execute(args);
    }

    /** The command line with {@code commands} as its subcommands. */
    static CommandLine commandLine(List<Class<?>> commands) {
        CommandLine cli = new CommandLine(new GonodeAdmin());
        for (Class<?> command : commands) {
            cli.addSubcommand(command);
        }
        return cli.setCaseInsensitiveEnumValuesAllowed(true);
    }

    /** The commands {@code args} name, or all of them (see the implementation notes). */
    private static List<Class<?>> named(String[] args) {
        Set<String> words = new HashSet<>(Arrays.asList(args));
        if (words.stream().anyMatch(WHOLE_TREE::contains)) {
            return COMMANDS;
        }
        List<Class<?>> named = COMMANDS.stream()
                .filter(c -> words.contains(c.getAnnotation(Command.class).name()))
                .toList();
        return named.isEmpty() ? COMMANDS : named;
    }

    /** Runs the command picocli parsed, once {@code --output} is known to apply to it. */
    private static int execute(CommandLine.ParseResult parsed) {
        Integer help = CommandLine.executeHelpRequest(parsed);
        if (help != null) {
            return help;
        }
        List<CommandLine> commands = parsed.asCommandLineList();
        CommandLine last = commands.getLast();
        boolean json = ((GonodeAdmin) commands.getFirst().getCommand()).json();
        if (json && commands.size() > 1 && last.getSubcommands().isEmpty()
                && !(last.getCommand() instanceof JsonOutput) && !(last.getCommand() instanceof CommandLine.HelpCommand)) {
            throw new CommandLine.ParameterException(last, "--output json does not apply to "
                    + last.getCommandSpec().qualifiedName() + ": it has no JSON form; leave --output out");
        }
        return new CommandLine.RunLast().execute(parsed);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say which command to run");
    }

    /** The node's admin URL ({@code --url}). */
    public String url() {
        return url;
    }

    /** The bearer token for the admin port ({@code GONODE_ADMIN_TOKEN}), or {@code null}. */
    public String token() {
        return token;
    }

    /** How long a request may take ({@code --timeout}). */
    public Duration timeout() {
        return timeout;
    }

    /** Whether {@code --output json} was given. */
    public boolean json() {
        return output == Output.json;
    }

    /** Go-style durations for options (500ms, 10s, 1m30s), which must be positive. */
    public static final class GoDurations implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d;
            try {
                d = GoDuration.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration; use one such as"
                        + " 500ms, 10s or 1m");
            }
            if (d.isNegative() || d.isZero()) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not positive; use a duration such as"
                        + " 500ms, 10s or 1m");
            }
            return d;
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
        @CommandLine.Parameters(paramLabel = "SHELL", completionCandidates = Shells.class,
                description = "${COMPLETION-CANDIDATES}")
        String shell;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            String s = shell.toLowerCase(Locale.ROOT);
            if (!new Shells().contains(s)) {
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

    /** The shells {@code completion} writes for. */
    static final class Shells extends ArrayList<String> {
        Shells() {
            super(List.of("bash", "zsh"));
        }
    }
}
