package dev.gonode.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.deploy.Dockerfile.Copy;
import dev.gonode.deploy.Dockerfile.Instruction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's build stage without a Docker engine: its COPY and RUN lines replayed in order in a
 * temporary tree that stands for the stage's {@code /src}, holding exactly the files the COPY lines
 * name (less what the Dockerfile's ignore file excludes). A module the stage does not copy, a
 * source directory it forgets or a broken Maven command fails here as it would fail {@code docker
 * build}.
 *
 * <p>The dependency-download RUN (go-offline) runs as written, online like in the image; every
 * other RUN runs offline ({@code MAVEN_ARGS=-o}) against the local repository. The build never
 * installs: it writes only into the temporary tree.
 */
class DockerImageBuildTest {

    private static final String WORKDIR = "/src";

    @Test
    void everyModuleOfTheReactorHasItsPomCopiedBeforeTheFirstRun() throws Exception {
        List<Instruction> build = Dockerfile.stage(Dockerfile.instructions(), "build");
        List<String> copiedBeforeRun = new ArrayList<>();
        for (Instruction i : build) {
            if (i.keyword().equals("RUN")) {
                break;
            }
            if (i.keyword().equals("COPY")) {
                Copy copy = Copy.of(i);
                copy.sources().forEach(s -> copiedBeforeRun.add(copy.sources().size() == 1 && !copy.destination().endsWith("/")
                        ? copy.destination() : s));
            }
        }
        List<String> modules = modules();
        assertTrue(modules.size() >= 6, "the root pom's modules: " + modules);
        for (String module : modules) {
            assertTrue(copiedBeforeRun.contains(module + "/pom.xml"), "deploy/Dockerfile's build stage does not copy "
                    + module + "/pom.xml before its first RUN; Maven reads every module of the reactor, even with -pl"
                    + " (\"Child module /src/" + module + " ... does not exist\"). Add: COPY " + module + "/pom.xml "
                    + module + "/pom.xml");
        }
        assertTrue(copiedBeforeRun.containsAll(List.of("mvnw", "pom.xml", ".mvn/")), copiedBeforeRun.toString());
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void theBuildStageBuildsTheJarsTheRuntimeStageCopies(@TempDir Path src) throws Exception {
        List<Instruction> all = Dockerfile.instructions();
        List<String> ignore = Dockerfile.ignorePatterns();
        int runs = 0;
        for (Instruction i : Dockerfile.stage(all, "build")) {
            switch (i.keyword()) {
                case "FROM" -> assertTrue(i.arguments().startsWith("eclipse-temurin:25-jdk"), i.toString());
                case "WORKDIR" -> assertEquals(WORKDIR, i.arguments(), "the replay maps " + WORKDIR + " to its temporary tree");
                case "COPY" -> copy(Copy.of(i), src, ignore);
                case "RUN" -> {
                    runs++;
                    run(i, src);
                }
                default -> throw new AssertionError("the replay does not know " + i.keyword() + " (" + i + "); teach it");
            }
        }
        assertEquals(2, runs, "the stage downloads dependencies, then builds");
        // What the runtime stage takes from the build stage is there.
        List<String> fromBuild = new ArrayList<>();
        for (Instruction i : all) {
            if (i.keyword().equals("COPY") && i.arguments().startsWith("--from=build ")) {
                String[] words = i.arguments().substring("--from=build ".length()).trim().split("\\s+");
                for (int k = 0; k < words.length - 1; k++) {
                    fromBuild.add(words[k]);
                }
            }
        }
        assertEquals(List.of("/src/node/target/gonode-node.jar", "/src/admin-cli/target/gonode-admin.jar"), fromBuild);
        for (String artifact : fromBuild) {
            Path built = src.resolve(artifact.substring(WORKDIR.length() + 1));
            assertTrue(Files.isRegularFile(built) && Files.size(built) > 1_000_000,
                    artifact + " was not built (or is not the shaded jar) by the build stage's RUN lines");
        }
    }

    /** The modules of the root pom. */
    static List<String> modules() throws IOException {
        Matcher m = Pattern.compile("<module>\\s*([^<\\s]+)\\s*</module>").matcher(Files.readString(Repo.file("pom.xml")));
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** Docker's COPY from the repository (the build context) into the tree, relative to WORKDIR. */
    private static void copy(Copy copy, Path tree, List<String> ignore) throws IOException {
        Path root = Repo.root();
        String dest = copy.destination();
        if (dest.startsWith("/")) {
            assertTrue(dest.startsWith(WORKDIR + "/"), "the replay only maps paths under " + WORKDIR + ": " + copy);
            dest = dest.substring(WORKDIR.length() + 1);
        }
        boolean intoDirectory = dest.endsWith("/") || copy.sources().size() > 1;
        for (String source : copy.sources()) {
            Path from = root.resolve(source).normalize();
            assertTrue(from.startsWith(root) && Files.exists(from), "COPY source " + source + " is not in the build context: " + copy);
            if (Files.isDirectory(from)) {
                Path to = tree.resolve(dest);
                try (Stream<Path> walk = Files.walk(from)) {
                    walk.filter(Files::isRegularFile).forEach(f -> {
                        if (!Dockerfile.ignored(root.relativize(f), ignore)) {
                            copyFile(f, to.resolve(from.relativize(f).toString()));
                        }
                    });
                }
            } else {
                copyFile(from, intoDirectory ? tree.resolve(dest).resolve(from.getFileName().toString()) : tree.resolve(dest));
            }
        }
    }

    private static void copyFile(Path from, Path to) {
        try {
            Files.createDirectories(to.getParent());
            Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A RUN line as /bin/sh -c runs it, in the tree; Maven offline except for the dependency download. */
    private static void run(Instruction run, Path tree) throws Exception {
        String command = run.arguments();
        assertFalse(command.matches(".*\\binstall\\b.*"), "the build stage must not run `mvn install`: " + run);
        boolean download = command.contains(":go-offline");
        Repo.Result r = Repo.run(List.of("/bin/sh", "-c", command), tree,
                Map.of("MAVEN_ARGS", download ? "" : "-o"), Duration.ofMinutes(12));
        assertEquals(0, r.status(), "RUN " + command + (download ? "" : " (offline)") + " failed in the replayed build stage:\n"
                + r.output());
    }
}
