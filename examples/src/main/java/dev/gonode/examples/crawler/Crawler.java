package dev.gonode.examples.crawler;

import dev.gonode.runtime.sync.Mutex;
import dev.gonode.runtime.sync.Semaphore;
import dev.gonode.runtime.sync.WaitGroup;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Crawls a site from one page, each page in its own goroutine, with at most {@code maxFetches}
 * fetches at once.
 *
 * <pre>{@code
 * Crawler.Result site = Crawler.crawl("https://example.com/", 8, url -> links(http.get(url)));
 * site.failed().forEach((url, e) -> log.warn("{}: {}", url, e.getMessage()));
 * }</pre>
 */
public final class Crawler {

    /** Fetches a page and returns the URLs it links to. */
    @FunctionalInterface
    public interface Fetcher {
        List<String> links(String url) throws Exception;
    }

    /** Every URL the crawl reached (each fetched once), and those whose fetch failed, with why. */
    public record Result(Set<String> visited, Map<String, Exception> failed) {
    }

    private final Fetcher fetcher;
    private final Semaphore fetchSlots;
    private final WaitGroup pending = new WaitGroup();
    private final Mutex mu = new Mutex();
    private final Set<String> visited = new HashSet<>();           // guarded by mu until the crawl ends
    private final Map<String, Exception> failed = new HashMap<>(); // guarded by mu until the crawl ends

    private Crawler(Fetcher fetcher, int maxFetches) {
        this.fetcher = fetcher;
        this.fetchSlots = new Semaphore(maxFetches);
    }

    /**
     * Crawls every page reachable from {@code root}, fetching each URL once and at most
     * {@code maxFetches} at a time, and returns when the whole site is done.
     *
     * @throws IllegalArgumentException if {@code maxFetches < 1}
     */
    public static Result crawl(String root, int maxFetches, Fetcher fetcher) {
        if (maxFetches < 1) {
            throw new IllegalArgumentException("a crawl needs at least one fetch at a time, got maxFetches=" + maxFetches);
        }
        Crawler crawl = new Crawler(fetcher, maxFetches);
        crawl.visit(root);
        crawl.pending.waitAll();   // every goroutine has finished: what they wrote is visible, unlocked
        return new Result(Set.copyOf(crawl.visited), Map.copyOf(crawl.failed));
    }

    /** Starts a goroutine for {@code url} unless some goroutine already has it. */
    private void visit(String url) {
        mu.lock();
        try {
            if (!visited.add(url)) {
                return;
            }
        } finally {
            mu.unlock();
        }
        pending.go(() -> {
            List<String> links;
            fetchSlots.acquire(1);        // wait reason "semacquire" while N fetches are running
            try {
                links = fetcher.links(url);
            } catch (Exception e) {
                recordFailure(url, e);
                return;
            } finally {
                fetchSlots.release(1);
            }
            links.forEach(this::visit);
        });
    }

    private void recordFailure(String url, Exception e) {
        mu.lock();
        try {
            failed.put(url, e);
        } finally {
            mu.unlock();
        }
    }
}
