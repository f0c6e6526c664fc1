package dev.gonode.examples.errgroup;

import dev.gonode.runtime.context.Context;
import dev.gonode.runtime.sync.ErrGroup;
import java.util.Arrays;
import java.util.List;

/**
 * Fetches URLs concurrently with an {@link ErrGroup}: all bodies in URL order, or the first error.
 *
 * <pre>{@code
 * List<String> pages = FetchAll.fetchAll(requestCtx, urls, (ctx, url) -> http.get(ctx, url));
 * }</pre>
 */
public final class FetchAll {

    /** Fetches one URL; should give up (throwing {@code ctx.err()}) once {@code ctx} is done. */
    @FunctionalInterface
    public interface Fetcher {
        String fetch(Context ctx, String url) throws Exception;
    }

    private FetchAll() {
    }

    /**
     * Fetches every URL in its own goroutine and returns the bodies in the order of {@code urls}.
     * The first fetch to fail cancels the context the others were given, and its exception is the
     * one thrown here (not the cancellations it caused). Cancelling {@code ctx} cancels them all.
     */
    public static List<String> fetchAll(Context ctx, List<String> urls, Fetcher fetcher) throws Exception {
        ErrGroup.WithContext g = ErrGroup.withContext(ctx);
        String[] bodies = new String[urls.size()];
        for (int i = 0; i < bodies.length; i++) {
            int index = i;
            g.group().go(() -> bodies[index] = fetcher.fetch(g.context(), urls.get(index)));
        }
        Exception first = g.group().await();    // await() happens after every write to bodies
        if (first != null) {
            throw first;
        }
        return Arrays.asList(bodies);
    }
}
