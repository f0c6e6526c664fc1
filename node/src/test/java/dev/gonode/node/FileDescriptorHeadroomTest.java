package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gonode.testing.Await;
import dev.gonode.testing.NodeProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A connection flood cannot take the admin port's file descriptors: a node started with a low
 * open-file limit (ulimit -n 512) derives its job API cap from it (512 minus 256 kept for the
 * rest), and with more connections than the limit open on the public port its kubelet probes
 * still answer. Without the cap, those connections would exhaust the descriptors and the admin
 * listener could accept nothing, for as long as the flood held them open.
 */
class FileDescriptorHeadroomTest {

    private static final int FD_LIMIT = 512;
    private static final int DERIVED_CAP = FD_LIMIT - 256;
    private static final Duration START = Duration.ofSeconds(30);

    @Test
    void aFloodOfPublicConnectionsLeavesTheAdminProbesTheirDescriptors() throws Exception {
        List<String> lowLimit = List.of("bash", "-c", "ulimit -n " + FD_LIMIT + " && exec \"$@\"", "bash");
        List<RawHttp> flood = new ArrayList<>();
        try (NodeProcess node = NodeProcess.start(lowLimit, NodeProcess.RUNTIME_JVM_OPTIONS, Map.of())) {
            int admin = node.awaitAdminPort(START);
            int jobs = node.awaitJobPort(START);
            node.awaitLine(Pattern.compile("job API: at most " + DERIVED_CAP + " connections"), START);
            AdminClient probes = new AdminClient("127.0.0.1", admin);
            try {
                // A node that has served a request has loaded its classes; this one runs from class
                // directories, where loading a class during the flood would need a descriptor too.
                try (RawHttp warm = new RawHttp(jobs)) {
                    assertEquals(404, warm.get("/v1/jobs/no-such-job").read().status());
                }
                assertEquals(200, probes.get("/metrics").status());
                for (int i = 0; i < FD_LIMIT + 100; i++) {
                    flood.add(new RawHttp(jobs));
                }
                // The acceptor may outrun the refusals for a moment (Netty then pauses accepting for a
                // second); once they catch up, exactly the cap is held and the rest were refused.
                Await.until(() -> gauge(probes.get("/metrics").body(), "gonode_http_connections") == DERIVED_CAP
                        && gauge(probes.get("/metrics").body(), "gonode_http_connections_refused_total")
                        >= FD_LIMIT + 100 - DERIVED_CAP);
                for (String probe : new String[] {"/healthz", "/readyz"}) {
                    try (RawHttp client = new RawHttp(admin)) {
                        RawHttp.Answer answer = client.get(probe).read();
                        assertEquals(200, answer.status(), probe + ": " + answer.body());
                    }
                }
                // The connections under the cap are served.
                RawHttp.Answer served = flood.getFirst().get("/v1/jobs/no-such-job").read();
                assertEquals(404, served.status(), served.body());
            } catch (Exception | AssertionError e) {
                throw new AssertionError("the node's output:\n" + node.output(), e);
            } finally {
                for (RawHttp client : flood) {
                    client.close();
                }
            }
        }
    }

    private static double gauge(String scrape, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*listener=\"job_api\"[^}]*\\} (\\S+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
