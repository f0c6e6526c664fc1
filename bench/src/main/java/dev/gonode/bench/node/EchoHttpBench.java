package dev.gonode.bench.node;

import dev.gonode.node.Node;
import dev.gonode.node.NodeConfig;
import dev.gonode.node.internal.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code POST /v1/jobs/echo} on a gonode node against a plain Vert.x route answering the same JSON
 * (the job's answer shape, built on the event loop) in the same JVM and run: what the job
 * machinery (mailbox, worker goroutine, reply goroutine, the hop back to the event loop) costs per
 * request. Eight client threads with keep-alive connections; JMH's sample mode gives the latency
 * distribution (p99) and, through the sample count, throughput.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(8)
@Fork(value = 1)
public class EchoHttpBench {

    static final String BODY = "{\"order\":42,\"items\":[\"a\",\"b\",\"c\"]}";

    @Param({"gonode", "vertx"})
    public String server;

    private Node node;
    private Vertx vertx;
    private HttpClient client;
    private HttpRequest request;

    @Setup(Level.Trial)
    public void start() throws Exception {
        int port;
        if (server.equals("gonode")) {
            NodeConfig defaults = ConfigLoader.embeddedDefaults();
            node = Node.start(defaults
                    .withServer(defaults.server().withAddress("127.0.0.1", 0))
                    .withAdmin(new NodeConfig.Admin("127.0.0.1", 0, "")));
            port = node.serverPort();
        } else {
            vertx = Vertx.vertx();
            Router router = Router.router(vertx);
            router.post("/v1/jobs/echo").handler(BodyHandler.create(false)).handler(ctx -> ctx.response()
                    .putHeader("Content-Type", "application/json; charset=utf-8")
                    .end("{\"id\":\"00000000-0000-0000-0000-000000000000\",\"handler\":\"echo\",\"status\":\"succeeded\","
                            + "\"result\":" + ctx.body().asString() + "}\n"));
            HttpServer http = vertx.createHttpServer().requestHandler(router);
            port = http.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS)
                    .actualPort();
        }
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/jobs/echo"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY))
                .build();
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        if (node != null) {
            node.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Benchmark
    public String echo() throws Exception {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("echo answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }
}
