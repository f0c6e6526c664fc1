package dev.gonode.node.internal;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.Go;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The guard every slow admin operation (a scrape, a leak check, a goroutine dump, JFR's start,
 * stop and dump) calls first: it fails on a Vert.x event loop and passes on a goroutine. With it,
 * a handler that ran such an operation on its event loop answers 500 in the tests (which run with
 * assertions enabled), and {@code AdminDiagnosticsTest#slowEndpointsAnswerFromAGoroutineNotTheEventLoop}
 * fails.
 */
class OffEventLoopTest {

    @Test
    void theGuardFailsOnAnEventLoopAndPassesOnAGoroutine() throws Exception {
        assertTrue(Diagnostics.class.desiredAssertionStatus(), "the tests run with assertions enabled (-ea)");
        Vertx vertx = Vertx.vertx();
        try {
            CompletableFuture<Throwable> onLoop = new CompletableFuture<>();
            vertx.runOnContext(v -> onLoop.complete(guard()));
            Throwable refused = onLoop.get(10, TimeUnit.SECONDS);
            assertTrue(refused instanceof AssertionError && refused.getMessage().contains("a leak check"),
                    "on an event loop: " + refused);

            CompletableFuture<Throwable> onGoroutine = new CompletableFuture<>();
            Go.go("off the loop", () -> onGoroutine.complete(guard()));
            assertNull(onGoroutine.get(10, TimeUnit.SECONDS), "on a goroutine");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static Throwable guard() {
        try {
            Diagnostics.assertOffEventLoop("a leak check");
            return null;
        } catch (AssertionError e) {
            return e;
        }
    }
}
