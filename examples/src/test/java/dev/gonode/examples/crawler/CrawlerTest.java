package dev.gonode.examples.crawler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.chan.Channel;
import dev.gonode.runtime.leak.GoroutineLeaks;
import dev.gonode.runtime.leak.LeakOptions;
import dev.gonode.runtime.leak.VerifyNoGoroutineLeaks;
import dev.gonode.testing.Await;
import java.io.FileNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Every test also checks that the crawl's goroutines are gone once it has returned. */
@VerifyNoGoroutineLeaks
class CrawlerTest {

    private static final String ROOT = "https://shop.test/";
    private static final String MISSING = "https://shop.test/gone";
    private static final int SECTIONS = 30;

    /**
     * An in-memory site: the root links to 30 sections; each section links back to the root, to
     * the next section (a cycle) and to two pages of its own; one page links to a missing page.
     */
    private static Map<String, List<String>> site() {
        Map<String, List<String>> site = new HashMap<>();
        List<String> sections = new ArrayList<>();
        for (int i = 0; i < SECTIONS; i++) {
            String section = ROOT + "s" + i;
            sections.add(section);
            site.put(section, List.of(ROOT, ROOT + "s" + (i + 1) % SECTIONS, section + "/a", section + "/b"));
            site.put(section + "/a", List.of(section));
            site.put(section + "/b", List.of());
        }
        site.put(ROOT, sections);
        site.put(ROOT + "s7/a", List.of(ROOT + "s7", MISSING));
        return site;
    }

    /** The site as a {@link Crawler.Fetcher} that counts fetches and how many run at once. */
    private static final class FakeWeb implements Crawler.Fetcher {
        final Map<String, List<String>> pages = site();
        final Map<String, AtomicInteger> fetches = new ConcurrentHashMap<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        /** Every fetch but the root's waits until this is closed. */
        final Channel<Object> gate = Channel.make();

        @Override
        public List<String> links(String url) throws Exception {
            fetches.computeIfAbsent(url, u -> new AtomicInteger()).incrementAndGet();
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                if (!url.equals(ROOT)) {
                    gate.receive();
                }
                List<String> links = pages.get(url);
                if (links == null) {
                    throw new FileNotFoundException("404 " + url);
                }
                return links;
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    @Test
    void everyPageIsFetchedOnceAndNeverMoreThanTheLimitAtATime() {
        int limit = 4;
        FakeWeb web = new FakeWeb();
        long lastIdBefore = Go.schedStats().created();
        LeakOptions startedByTheTest = LeakOptions.defaults().startedAfter(lastIdBefore).gracePeriod(Duration.ZERO);
        Channel<Crawler.Result> done = Channel.make(1);
        Go.go(() -> done.send(Crawler.crawl(ROOT, limit, web)));

        // The root has been fetched and each section has its goroutine (besides the caller's): 4
        // of them are fetching (held at the gate) and 26 wait for the semaphore. Without the
        // limit, all 30 would be fetching and this would never hold. (GoroutineLeaks.find with no
        // grace period simply lists the goroutines started since the baseline that are alive.)
        Await.until("4 fetches in flight and a goroutine for each of the 30 sections",
                () -> web.inFlight.get() == limit && GoroutineLeaks.find(startedByTheTest).size() == 1 + SECTIONS);
        web.gate.close();
        Crawler.Result result = done.receive();

        Set<String> everyUrl = new HashSet<>(web.pages.keySet());
        everyUrl.add(MISSING);
        assertEquals(everyUrl, result.visited());
        assertEquals(everyUrl, web.fetches.keySet());
        web.fetches.forEach((url, n) -> assertEquals(1, n.get(), "fetches of " + url));
        assertEquals(Set.of(MISSING), result.failed().keySet());
        assertEquals("404 " + MISSING, result.failed().get(MISSING).getMessage());
        assertEquals(limit, web.maxInFlight.get());
    }

    @Test
    void aLimitOfOneFetchesOnePageAtATime() {
        FakeWeb web = new FakeWeb();
        web.gate.close();

        Crawler.Result result = Crawler.crawl(ROOT, 1, web);

        assertEquals(1, web.maxInFlight.get());
        assertEquals(web.pages.size() + 1, result.visited().size());
    }

    @Test
    void aCrawlNeedsAtLeastOneFetchAtATime() {
        assertThrows(IllegalArgumentException.class, () -> Crawler.crawl(ROOT, 0, url -> List.of()));
    }
}
