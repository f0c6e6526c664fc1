package dev.gonode.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.testing.ExternalTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code gonode-admin profile} saves files that Go's {@code go tool pprof FILE} reads. */
class ProfileCommandTest {

    @RegisterExtension
    static final CliTestNode NODE = CliTestNode.plain();

    @Test
    void everyProfileIsSavedWhereGoToolPprofReadsIt(@TempDir Path dir) throws Exception {
        Path go = ExternalTools.require("go", "apt-get install -y golang-go", "/usr/lib/go/bin/go", "/usr/lib/go-1.19/bin/go");
        String[][] cases = {
                {"cpu", "--seconds", "1", "Type: cpu"},
                {"allocs", "--seconds", "1", "Type: alloc_space"},
                {"heap", null, null, "Type: inuse_space"},
                {"block", null, null, "Type: delay"},
                {"mutex", null, null, "Type: delay"},
                {"goroutine", null, null, "Type: goroutine"}};
        for (String[] c : cases) {
            Path file = dir.resolve(c[0] + ".pb.gz");
            CliTestNode.Run saved = c[1] == null ? NODE.run("profile", c[0], "-o", file.toString())
                    : NODE.run("profile", c[0], c[1], c[2], "-o", file.toString());
            assertEquals(0, saved.status(), c[0] + ": " + saved.err());
            assertTrue(saved.err().contains("wrote " + file), saved.err());
            ExternalTools.Run top = ExternalTools.run(List.of(go.toString(), "tool", "pprof", "-top", file.toString()));
            assertEquals(0, top.exitCode(), c[0] + ": " + top.output());
            assertTrue(top.output().contains(c[3]), c[0] + ": " + top.output());
        }
    }

    @Test
    void badSecondsAndUnknownProfilesAreUsageErrors(@TempDir Path dir) {
        Path file = dir.resolve("x.pb.gz");
        assertEquals(2, NODE.run("profile", "cpu", "--seconds", "0", "-o", file.toString()).status());
        assertEquals(2, NODE.run("profile", "cpu", "--seconds", "601", "-o", file.toString()).status());
        CliTestNode.Run block = NODE.run("profile", "block", "--seconds", "5", "-o", file.toString());
        assertEquals(2, block.status());
        assertTrue(block.err().contains("--seconds applies to cpu, allocs and heap"), block.err());
        assertEquals(2, NODE.run("profile", "trace", "-o", file.toString()).status());
        assertEquals(2, NODE.run("profile", "cpu").status(), "-o is required");
        assertTrue(Files.notExists(file), "nothing written on a usage error");
    }
}
