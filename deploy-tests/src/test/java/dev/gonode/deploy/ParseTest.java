package dev.gonode.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every YAML and JSON file under k8s/ and deploy/ parses. */
class ParseTest {

    @Test
    void everyYamlFileParses() throws Exception {
        List<Path> files = new ArrayList<>(Repo.files("k8s", ".yaml", ".yml"));
        files.addAll(Repo.files("deploy", ".yaml", ".yml"));
        assertTrue(files.size() >= 15, "expected the k8s/ and deploy/ YAML files, found " + files);
        List<String> failures = new ArrayList<>();
        for (Path f : files) {
            try {
                List<JsonNode> docs = Repo.yamlDocuments(f);
                assertFalse(docs.isEmpty(), f + " is empty");
            } catch (Exception e) {
                failures.add(Repo.root().relativize(f) + ": " + e.getMessage());
            }
        }
        assertTrue(failures.isEmpty(), "YAML that does not parse:\n" + String.join("\n", failures));
        System.out.println("parsed " + files.size() + " YAML files");
    }

    @Test
    void everyJsonFileParses() throws Exception {
        List<Path> files = new ArrayList<>(Repo.files("k8s", ".json"));
        files.addAll(Repo.files("deploy", ".json"));
        assertFalse(files.isEmpty(), "the Grafana dashboard is JSON");
        for (Path f : files) {
            JsonNode node = Repo.JSON.readTree(f.toFile());
            assertTrue(node.isObject(), f + " is not a JSON object");
        }
    }
}
