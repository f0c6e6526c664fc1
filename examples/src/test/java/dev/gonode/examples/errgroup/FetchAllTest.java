package dev.gonode.examples.errgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.context.Context;
import dev.gonode.runtime.leak.VerifyNoGoroutineLeaks;
import dev.gonode.testing.Await;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Every test also checks that no fetch goroutine outlives {@code fetchAll}. */
@VerifyNoGoroutineLeaks
class FetchAllTest {

    /**
     * Fetches of "/slow" pages never answer: they wait until their context is done, note why, and
     * give up. Fetches of "/broken" fail at once. The rest answer at once.
     */
    private static final class FakeServer implements FetchAll.Fetcher {
        final IOException brokenError = new IOException("503 from /broken");
        final AtomicInteger slowFetchesWaiting = new AtomicInteger();
        final Map<String, Throwable> whySlowFetchesStopped = new ConcurrentHashMap<>();

        @Override
        public String fetch(Context ctx, String url) throws Exception {
            if (url.endsWith("/broken")) {
                throw brokenError;
            }
            if (url.endsWith("/slow")) {
                slowFetchesWaiting.incrementAndGet();
                ctx.done().receive();   // returns once the context is cancelled (closed channel)
                whySlowFetchesStopped.put(url, Context.cause(ctx));
                throw ctx.err();
            }
            return "body of " + url;
        }
    }

    @Test
    void returnsEveryBodyInTheOrderOfTheUrls() throws Exception {
        List<String> urls = List.of("https://a.test/1", "https://b.test/2", "https://c.test/3");

        List<String> bodies = FetchAll.fetchAll(Context.background(), urls, new FakeServer());

        assertEquals(List.of("body of https://a.test/1", "body of https://b.test/2", "body of https://c.test/3"), bodies);
    }

    @Test
    void theFirstErrorIsReturnedAndCancelsTheFetchesStillRunning() {
        FakeServer server = new FakeServer();
        List<String> urls = List.of("https://a.test/slow", "https://b.test/broken", "https://c.test/slow", "https://d.test/ok");

        // Without the cancellation the two slow fetches, and so this call, would wait for ever (and
        // the test timeout in junit-platform.properties would fail the test).
        Exception thrown = assertThrows(Exception.class, () -> FetchAll.fetchAll(Context.background(), urls, server));

        assertSame(server.brokenError, thrown, "the failure itself, not the cancellations it caused");
        assertEquals(Map.of("https://a.test/slow", server.brokenError, "https://c.test/slow", server.brokenError),
                server.whySlowFetchesStopped, "each slow fetch saw its context cancelled by the failure");
    }

    @Test
    void cancellingTheCallersContextStopsEveryFetch() {
        FakeServer server = new FakeServer();
        Context.WithCancel request = Context.withCancel(Context.background());
        Channel<Object> outcome = Channel.make(1);   // the bodies, or the exception
        Go.go(() -> {
            try {
                outcome.send(FetchAll.fetchAll(request.context(), List.of("https://a.test/slow", "https://b.test/slow"), server));
            } catch (Exception e) {
                outcome.send(e);
            }
        });

        Await.until("both fetches are waiting for an answer", () -> server.slowFetchesWaiting.get() == 2);
        request.cancel();

        assertSame(Context.CANCELED, outcome.receive());
        assertEquals(Map.of("https://a.test/slow", Context.CANCELED, "https://b.test/slow", Context.CANCELED),
                server.whySlowFetchesStopped);
    }
}
