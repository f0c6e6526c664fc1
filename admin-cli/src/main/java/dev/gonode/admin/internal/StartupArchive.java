package dev.gonode.admin.internal;

import dev.gonode.admin.GonodeAdmin;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;

/**
 * Builds the CLI's class-data-sharing archive, so that a command starts in a fraction of the time:
 * {@code java -cp gonode-admin.jar dev.gonode.admin.internal.StartupArchive OUT.jsa [JVM options]}.
 * The launchers run it once (bin/gonode-admin on first use, the container image at build time) with
 * the JVM options they then run the CLI with, and pass {@code -XX:SharedArchiveFile=OUT.jsa}.
 *
 * <p>Implementation notes. A JVM spends most of a short command's life loading, parsing and
 * verifying classes; a CDS archive holds them already parsed and verified, mapped from one file. The
 * archive is made in three steps, each in a child JVM of the same {@code java} and options:
 * <ol>
 *   <li>Training: {@link Training} runs the CLI's usual commands in-process against a small loopback
 *       HTTP server shaped like a node's admin port, with {@code -XX:DumpLoadedClassList}, which
 *       records every class loaded (and the constant-pool entries and lambdas resolved).</li>
 *   <li>The list is cut down to what CDS can keep: picocli is compiled for Java 5, and CDS cannot
 *       archive an "old" class (nor a class that implements one of its interfaces) once it has been
 *       linked; the list's resolution hints ({@code @cp}, {@code @lambda-proxy}) for the jar's
 *       classes would link them during the dump. Without the hints the jar's classes are archived
 *       unlinked and linked at run time, which costs little.</li>
 *   <li>Dump: {@code -Xshare:dump -XX:SharedClassListFile=... -XX:SharedArchiveFile=...}, written
 *       beside the target and moved into place, so a reader never maps a half-written archive.</li>
 * </ol>
 * JDK 25's AOT cache ({@code -XX:AOTCacheOutput}) does the same in one step but records classes as
 * the training run linked them, so it leaves out all of picocli; the class-list route keeps it.
 * The archive is valid only for the same JVM and the same jar (path and time stamp): the JVM
 * checks both and ignores an archive that does not match, and the launchers rebuild it when either
 * changes.
 */
public final class StartupArchive {

    private StartupArchive() {
    }

    /** {@code OUT.jsa [JVM options]}: builds the archive; exit status 0, or 1 with the reason on stderr. */
    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: java -cp gonode-admin.jar " + StartupArchive.class.getName()
                    + " OUT.jsa [JVM options the CLI runs with]");
            System.exit(2);
        }
        try {
            build(Path.of(args[0]).toAbsolutePath(), List.of(args).subList(1, args.length));
        } catch (IOException | RuntimeException e) {
            System.err.println("gonode-admin: cannot build the start-up archive " + args[0] + ": " + e.getMessage());
            System.exit(1);
        } catch (InterruptedException e) {
            System.exit(1);
        }
    }

    static void build(Path archive, List<String> jvmOptions) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new IOException("cannot tell which java runs this"));
        Path jar = jar();
        Path dir = Files.createTempDirectory("gonode-admin-cds");
        try {
            Path loaded = dir.resolve("loaded.classlist");
            List<String> training = new ArrayList<>(List.of(java));
            training.addAll(jvmOptions);
            training.addAll(List.of("-XX:DumpLoadedClassList=" + loaded, "-cp", jar.toString(),
                    Training.class.getName()));
            run(training, dir.resolve("training.log"));

            Path classes = dir.resolve("archived.classlist");
            Files.write(classes, archivable(Files.readAllLines(loaded), classesIn(jar)));

            // unique, so that two first runs at once do not write the same file
            Path partial = Files.createTempFile(archive.toAbsolutePath().getParent(), archive.getFileName() + ".", ".partial");
            List<String> dump = new ArrayList<>(List.of(java));
            dump.addAll(jvmOptions);
            dump.addAll(List.of("-Xshare:dump", "-XX:SharedClassListFile=" + classes,
                    "-XX:SharedArchiveFile=" + partial, "-cp", jar.toString()));
            try {
                run(dump, dir.resolve("dump.log"));
                Files.move(partial, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(partial);
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** The class list without the resolution hints that name a class of the jar (see the notes). */
    static List<String> archivable(List<String> classList, Set<String> jarClasses) {
        List<String> kept = new ArrayList<>();
        for (String line : classList) {
            if (line.startsWith("@cp ") || line.startsWith("@lambda-proxy ")) {
                boolean namesJarClass = false;
                for (String word : line.split("[ ;()\\[]+")) {
                    String name = word.startsWith("L") && !jarClasses.contains(word) ? word.substring(1) : word;
                    if (jarClasses.contains(name)) {
                        namesJarClass = true;
                        break;
                    }
                }
                if (namesJarClass) {
                    continue;
                }
            }
            kept.add(line);
        }
        return kept;
    }

    /** The internal names (a/b/C) of the classes in {@code jar}. */
    private static Set<String> classesIn(Path jar) throws IOException {
        Set<String> names = new HashSet<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            file.stream().map(e -> e.getName())
                    .filter(n -> n.endsWith(".class") && !n.startsWith("META-INF/"))
                    .forEach(n -> names.add(n.substring(0, n.length() - ".class".length())));
        }
        return names;
    }

    private static Path jar() throws IOException {
        try {
            Path jar = Path.of(StartupArchive.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(jar)) {
                throw new IOException("run it from gonode-admin.jar (it runs from " + jar + ")");
            }
            return jar;
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }

    private static void run(List<String> command, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (p.waitFor() != 0) {
            List<String> lines = Files.readAllLines(log);
            throw new IOException(String.join(" ", command) + " failed with exit status " + p.exitValue() + ":\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
        }
    }

    /**
     * The training run: the CLI's everyday commands, in this JVM, against a loopback server that
     * answers as a node's admin port does (the shapes the commands read; the values do not matter).
     */
    static final class Training {

        private Training() {
        }

        /** The commands run, and the exit status each must end with against the server below. */
        static final Map<String, Integer> COMMANDS = commands();

        private static Map<String, Integer> commands() {
            Map<String, Integer> commands = new LinkedHashMap<>();
            for (String ok : List.of("--help", "sched -h", "help top", "sched", "--output json sched", "health", "ready",
                    "gomaxprocs", "top", "leaks", "dump-goroutines --limit 1", "metrics")) {
                commands.put(ok, 0);
            }
            commands.put("jfr stop", AdminException.NODE_ERROR); // answered 409
            commands.put("--token wrong gomaxprocs 3", AdminException.NODE_ERROR); // answered 401
            return commands;
        }

        public static void main(String[] args) throws IOException {
            Map<String, Integer> wrong = run();
            if (!wrong.isEmpty()) {
                throw new IllegalStateException("training commands ended with unexpected exit statuses: " + wrong);
            }
        }

        /** Runs {@link #COMMANDS}; returns those whose exit status was not the expected one, with it. */
        static Map<String, Integer> run() throws IOException {
            Map<String, Integer> wrong = new LinkedHashMap<>();
            try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                Thread.ofPlatform().daemon().start(() -> serve(server));
                String url = "http://127.0.0.1:" + server.getLocalPort();
                PrintWriter discard = new PrintWriter(Writer.nullWriter());
                COMMANDS.forEach((command, expected) -> {
                    List<String> argv = new ArrayList<>(List.of("--url", url));
                    argv.addAll(List.of(command.split(" ")));
                    int status = GonodeAdmin.run(argv.toArray(String[]::new), discard, discard);
                    if (status != expected) {
                        wrong.put(command, status);
                    }
                });
            }
            return wrong;
        }

        private static void serve(ServerSocket server) {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    answer(s.getInputStream(), s.getOutputStream());
                } catch (IOException e) {
                    return; // closed at the end of the training
                }
            }
        }

        /** Reads one request's head and answers it (HTTP/1.1, one request per connection). */
        private static void answer(InputStream in, OutputStream out) throws IOException {
            StringBuilder head = new StringBuilder();
            int c;
            while (!head.toString().endsWith("\r\n\r\n") && (c = in.read()) != -1) {
                head.append((char) c);
            }
            String request = head.toString();
            String target = request.isEmpty() ? "/" : request.split(" ")[1];
            int length = 0;
            for (String line : request.split("\r\n")) {
                if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                    length = Integer.parseInt(line.substring(15).strip());
                }
            }
            in.readNBytes(length);
            int status = 200;
            String type = "application/json";
            String body;
            if (request.contains("Authorization: Bearer wrong")) {
                status = 401;
                body = "{\"error\":{\"code\":\"unauthorized\",\"message\":\"admin token required\"}}";
            } else if (target.startsWith("/debug/sched")) {
                body = "{\"scheduler\":\"gonode\",\"gomaxprocs\":2,\"idleProcs\":1,\"carriers\":2,\"spinning\":0,"
                        + "\"globalQueue\":0,\"localQueues\":[0,1],\"goroutines\":7,\"steals\":3,\"handoffs\":0}";
            } else if (target.startsWith("/healthz") || target.startsWith("/readyz")) {
                body = "{\"status\":\"ok\"}";
            } else if (target.startsWith("/admin/gomaxprocs")) {
                body = "{\"gomaxprocs\":2,\"previous\":2}";
            } else if (target.contains("format=json")) {
                body = "{\"goroutines\":[{\"id\":1,\"state\":\"waiting\",\"waitReason\":\"chan receive\",\"labels\":{},"
                        + "\"creationSite\":[{\"function\":\"a.B.c\",\"file\":\"B.java\",\"line\":1}]}],\"count\":1}";
            } else if (target.startsWith("/debug/leaks?format=text") || target.startsWith("/debug/pprof")
                    || target.startsWith("/metrics")) {
                type = "text/plain";
                body = "goroutine 1 [chan receive]:\n";
            } else if (target.startsWith("/debug/leaks")) {
                body = "{\"clean\":true,\"longWaits\":[],\"provenLeaks\":[],\"growth\":[]}";
            } else {
                status = 409;
                body = "{\"error\":{\"code\":\"conflict\",\"message\":\"no recording\"}}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            out.write(("HTTP/1.1 " + status + " X\r\nContent-Type: " + type + "\r\nContent-Length: " + bytes.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
        }
    }
}
