package dev.gonode.admin.internal;

import dev.gonode.admin.GonodeAdmin;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code profile cpu|heap|allocs|block|mutex|goroutine [--seconds N] -o FILE}: one of the node's
 * pprof profiles, saved where {@code go tool pprof FILE} reads it.
 */
@Command(name = "profile", description = {"Save a pprof profile of the node for go tool pprof.",
        "cpu and allocs sample for --seconds (default 30); heap is the live heap by class (after a full GC),"
                + " with --seconds also allocation samples; block and mutex need a rate first"
                + " (PUT /admin/profiling, see the operator guide).",
        "Example: gonode-admin profile cpu --seconds 20 -o cpu.pb.gz && go tool pprof -top cpu.pb.gz"})
public final class ProfileCommand implements Runnable {

    /** The profiles, by the name Go gives them. */
    public enum Kind {
        cpu("profile"), heap("heap"), allocs("allocs"), block("block"), mutex("mutex"), goroutine("goroutine");

        final String path;

        Kind(String path) {
            this.path = path;
        }

        boolean sampled() {
            return this == cpu || this == allocs || this == heap;
        }
    }

    /** The node's limit on {@code seconds}. */
    static final int MAX_SECONDS = 600;

    @ParentCommand
    GonodeAdmin root;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PROFILE", description = "cpu, heap, allocs, block, mutex or goroutine.")
    Kind kind;

    @Option(names = "--seconds", paramLabel = "N", description = "How long cpu and allocs sample (1 to 600;"
            + " default 30); for heap, adds N seconds of allocation samples.")
    Integer seconds;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", required = true, description = "Where to save it.")
    Path out;

    @Override
    public void run() {
        if (seconds != null && !kind.sampled()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--seconds applies to cpu, allocs and heap;"
                    + " the " + kind + " profile is taken at once");
        }
        if (seconds != null && (seconds < 1 || seconds > MAX_SECONDS)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--seconds " + seconds
                    + " is out of range; use 1 to " + MAX_SECONDS);
        }
        int window = seconds != null ? seconds : kind == Kind.heap ? 0 : kind.sampled() ? 30 : 0;
        String path = "/debug/pprof/" + kind.path + (window > 0 ? "?seconds=" + window : "")
                + (kind == Kind.goroutine ? "?debug=0" : "");
        if (window > 0) {
            spec.commandLine().getErr().println("sampling " + kind + " for " + window + " s ...");
        }
        Path partial = out.resolveSibling(out.getFileName() + ".part");
        try {
            try (OutputStream file = Files.newOutputStream(partial)) {
                new AdminHttp(AdminHttp.of(root), Duration.ofSeconds(window + 60)).stream(path, file);
            }
            Files.move(partial, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new AdminException(AdminException.USAGE, "cannot write " + out + ": " + e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // the message above, or the move, says what went wrong
            }
        }
        spec.commandLine().getErr().println("wrote " + out + "; read it with: go tool pprof -top " + out);
    }
}
