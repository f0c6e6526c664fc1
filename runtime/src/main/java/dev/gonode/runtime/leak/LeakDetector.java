package dev.gonode.runtime.leak;

import dev.gonode.runtime.WaitReason;
import dev.gonode.runtime.internal.sched.G;
import dev.gonode.runtime.RuntimeHandle;
import dev.gonode.runtime.internal.sched.GoRuntime;
import dev.gonode.runtime.internal.sched.RuntimeHandles;
import dev.gonode.runtime.internal.sched.Park;
import dev.gonode.runtime.internal.sched.UserFrames;
import dev.gonode.runtime.jfr.LeakFoundEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The run-time goroutine leak detector: checks a runtime periodically and reports proven leaks and
 * growing creation sites, with long waits as information ({@link LeakReport}), to its listeners,
 * as JFR {@code gonode.LeakFound} events and in the log, when a check has news.
 *
 * <p>It does not cry wolf: only a goroutine collected while parked (proven) and a creation site
 * whose live count rose at every one of the last {@code growthChecks} checks (sustained) are
 * leaks ({@link LeakReport#hasLeaks()}). A pool of workers parked for hours is normal for a
 * server; long waits are kept in the report, grouped, each group with a baseline (the most it has
 * had at the recent checks), and a group is news only above its baseline, so an idle node logs a
 * steady pool once, when it first passes the threshold, not at every check.
 *
 * <pre>{@code
 * LeakDetector detector = LeakDetector.create(RuntimeHandle.processWide(), LeakDetectorOptions.defaults());
 * detector.addListener(report -> alert(report.format()));
 * detector.start();            // a check every minute, on a goroutine
 * LeakReport now = detector.check();   // or on demand
 * }</pre>
 *
 * <p>Implementation notes. A check is one pass over the registry's live goroutines reading fields
 * the runtime keeps anyway (creation site, wait reason, wait start): O(goroutines), no stack walks
 * and no allocation per goroutine except for those in long waits. A long waiter's wait site is the
 * one recorded at park ({@code gonode.wait-sites=site|full}); when none was recorded, its stack is
 * taken (10–25 µs) once per wait and cached by goroutine and wait start until the next check, so a
 * stuck fleet of 100,000 goroutines pays the stack walks once, not every check. Groups are keyed by
 * (creation site, wait site, wait reason). Proven leaks come from the registry's history of
 * goroutines the garbage collector collected while parked; the detector remembers which of those
 * it has reported (at most the history's size), and counts them all from the registry's total,
 * which also covers any that left the bounded history between two checks. Growth keeps, per
 * creation site, the live counts of the last {@code growthChecks + 1} checks and reports a site
 * whose counts strictly rise and end at or above {@code growthMinimum}; sites with no live
 * goroutine are forgotten. Requiring a rise at every check makes chance negligible: counts that
 * only fluctuate rise {@code growthChecks} times in a row with probability
 * {@code 1/(growthChecks+1)!} (1 in 40 million at the default 10). Long-wait baselines are kept
 * per group (creation site, wait site, reason) as the group's high-water count, and forgotten once
 * the group has been absent for {@value #BASELINE_CHECKS} checks, so memory follows the groups
 * seen in the last hour at the default interval.
 *
 * <p>Periodic checks run on a goroutine of the checked runtime ({@code gonode-leak-detector}) that
 * sleeps on the runtime's timers between checks: no platform thread, and nothing runs between
 * checks. The detector excludes its own goroutine from every finding. {@link #check()} is
 * synchronized, so on-demand and periodic checks never interleave.
 */
public final class LeakDetector implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.gonode.runtime.leak");
    private static final int SAMPLE_IDS = 10;
    /** Checks a long-wait group's baseline outlives the group's absence (an hour at the default interval). */
    static final int BASELINE_CHECKS = 60;

    private final GoRuntime runtime;
    private final LeakDetectorOptions options;
    private final List<LeakListener> listeners = new CopyOnWriteArrayList<>();
    private volatile G checker;
    private volatile boolean closed;
    private volatile LeakReport last;

    // guarded by this
    private final Map<StackTraceElement, ArrayDeque<Long>> siteHistory = new HashMap<>();
    private Map<G, CachedSite> waitSiteCache = new HashMap<>();
    private final Set<G> reportedProven = new HashSet<>();
    private final Map<GroupKey, Baseline> baselines = new HashMap<>();
    private final long leakedBeforeStart;
    private long checks;

    private record CachedSite(long waitSince, StackTraceElement frame) {
    }

    /** A long-wait group's high-water count, and the check that last saw the group. */
    private record Baseline(int highWater, long lastSeen) {
    }

    private record GroupKey(StackTraceElement creationSite, StackTraceElement waitSite, WaitReason reason) {
    }

    private static final class Group {
        int count;
        long longestNanos;
        final List<Long> ids = new ArrayList<>();
    }

    private LeakDetector(GoRuntime runtime, LeakDetectorOptions options) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.options = Objects.requireNonNull(options, "options");
        // goroutines collected before the detector existed are not its findings
        reportedProven.addAll(runtime.registry().leaked());
        leakedBeforeStart = runtime.registry().leakedTotal();
    }

    /** A detector for {@code runtime} that checks when asked; {@link #start()} adds periodic checks. */
    public static LeakDetector create(RuntimeHandle runtime, LeakDetectorOptions options) {
        return new LeakDetector(RuntimeHandles.of(runtime), options);
    }

    /** A detector for the process-wide runtime behind {@link dev.gonode.runtime.Go}. */
    public static LeakDetector create(LeakDetectorOptions options) {
        return create(GoRuntime.get(), options);
    }

    public LeakDetectorOptions options() {
        return options;
    }

    public void addListener(LeakListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(LeakListener listener) {
        listeners.remove(listener);
    }

    /** The report of the latest check, or {@code null} before the first. */
    public LeakReport lastReport() {
        return last;
    }

    /**
     * Starts checking every {@link LeakDetectorOptions#interval()} on a goroutine of the runtime.
     *
     * @throws IllegalStateException if already started or closed
     */
    public synchronized LeakDetector start() {
        if (closed) {
            throw new IllegalStateException("this leak detector is closed");
        }
        if (checker != null) {
            throw new IllegalStateException("this leak detector is already running");
        }
        checker = runtime.go("gonode-leak-detector", this::checkPeriodically, this);
        return this;
    }

    private void checkPeriodically() {
        long interval = options.interval().toNanos();
        long next = System.nanoTime() + interval;
        while (!closed) {
            long now = System.nanoTime();
            if (now - next < 0) {
                Park.parkUntil(WaitReason.SLEEP, this, next);
                continue;
            }
            try {
                check();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "goroutine leak check failed", e);
            }
            next = Math.max(next + interval, System.nanoTime() + interval / 2);
        }
    }

    /** Stops periodic checks. */
    @Override
    public void close() {
        closed = true;
        G g = checker;
        if (g != null) {
            Thread t = g.get();
            if (t != null) {
                Park.unpark(t);
            }
        }
    }

    /**
     * Runs a check now, tells the listeners if it has {@linkplain LeakReport#hasNews() news}, and
     * returns its report. O(goroutines): call it off any event loop.
     */
    public synchronized LeakReport check() {
        checks++;
        long now = System.nanoTime();
        long threshold = options.waitThreshold().toNanos();
        G self = checker;
        Map<StackTraceElement, Long> liveBySite = new HashMap<>();
        Map<GroupKey, Group> groups = new HashMap<>();
        Map<G, CachedSite> nextCache = new HashMap<>();
        long live = 0;
        for (Iterator<G> it = runtime.registry().goroutines().iterator(); it.hasNext(); ) {
            G g = it.next();
            if (g == self) {
                continue;
            }
            live++;
            List<StackTraceElement> created = g.creationSite();
            StackTraceElement site = created.isEmpty() ? null : created.get(0);
            liveBySite.merge(site, 1L, Long::sum);
            WaitReason reason = g.waitReason();
            if (reason == null) {
                continue;
            }
            long since = g.waitSinceNanos();
            long waited = now - since;
            if (waited <= threshold) {
                continue;
            }
            Group group = groups.computeIfAbsent(new GroupKey(site, waitSite(g, since, nextCache), reason), k -> new Group());
            group.count++;
            group.longestNanos = Math.max(group.longestNanos, waited);
            group.ids.add(g.id());
        }
        waitSiteCache = nextCache;

        List<LeakReport.LongWait> longWaits = new ArrayList<>();
        groups.forEach((k, v) -> longWaits.add(new LeakReport.LongWait(k.creationSite(), k.waitSite(), k.reason(),
                v.count, baseline(k, v.count), Duration.ofNanos(v.longestNanos),
                v.ids.stream().sorted().limit(SAMPLE_IDS).toList())));
        longWaits.sort(Comparator.comparingInt(LeakReport.LongWait::count).reversed());
        baselines.values().removeIf(b -> checks - b.lastSeen() > BASELINE_CHECKS);

        List<LeakReport.ProvenLeak> proven = provenLeaks();
        LeakReport report = new LeakReport(Instant.now(), live, longWaits, proven,
                runtime.registry().leakedTotal() - leakedBeforeStart, growth(liveBySite));
        last = report;
        if (report.hasNews()) {
            publish(report);
        }
        return report;
    }

    /** {@code group}'s baseline before this check, recording {@code count} into it. */
    private int baseline(GroupKey group, int count) {
        Baseline before = baselines.get(group);
        int highWater = before == null ? 0 : before.highWater();
        baselines.put(group, new Baseline(Math.max(highWater, count), checks));
        return highWater;
    }

    private StackTraceElement waitSite(G g, long since, Map<G, CachedSite> nextCache) {
        StackTraceElement[] recorded = g.waitSite();
        if (recorded != null) {
            return UserFrames.userFrame(recorded);
        }
        CachedSite cached = waitSiteCache.get(g);
        if (cached == null || cached.waitSince() != since) {
            cached = new CachedSite(since, UserFrames.userFrame(g.stackTrace()));
        }
        nextCache.put(g, cached);
        return cached.frame();
    }

    private List<LeakReport.ProvenLeak> provenLeaks() {
        List<G> history = runtime.registry().leaked();
        reportedProven.retainAll(new HashSet<>(history));
        List<LeakReport.ProvenLeak> fresh = new ArrayList<>();
        for (G g : history) {
            if (reportedProven.add(g)) {
                List<StackTraceElement> created = g.creationSite();
                StackTraceElement[] waitSite = g.waitSite();
                fresh.add(new LeakReport.ProvenLeak(g.id(), g.name(), g.parentId(), g.labels(),
                        created.isEmpty() ? null : created.get(0), g.waitReason(),
                        waitSite == null ? List.of() : List.of(waitSite)));
            }
        }
        return fresh;
    }

    private List<LeakReport.Growth> growth(Map<StackTraceElement, Long> liveBySite) {
        siteHistory.keySet().retainAll(liveBySite.keySet());
        int keep = options.growthChecks() + 1;
        List<LeakReport.Growth> growing = new ArrayList<>();
        liveBySite.forEach((site, count) -> {
            ArrayDeque<Long> counts = siteHistory.computeIfAbsent(site, s -> new ArrayDeque<>(keep));
            counts.addLast(count);
            while (counts.size() > keep) {
                counts.removeFirst();
            }
            if (counts.size() == keep && count >= options.growthMinimum() && strictlyRising(counts)) {
                growing.add(new LeakReport.Growth(site, List.copyOf(counts)));
            }
        });
        growing.sort(Comparator.comparingLong((LeakReport.Growth g) -> g.counts().get(g.counts().size() - 1)).reversed());
        return growing;
    }

    private static boolean strictlyRising(ArrayDeque<Long> counts) {
        long previous = Long.MIN_VALUE;
        for (long c : counts) {
            if (c <= previous) {
                return false;
            }
            previous = c;
        }
        return true;
    }

    private void publish(LeakReport report) {
        for (LeakReport.LongWait w : report.longWaits()) {
            if (!w.isNews()) {
                continue;
            }
            LeakFoundEvent e = new LeakFoundEvent();
            if (e.shouldCommit()) {
                e.kind = "long-wait";
                e.goroutines = w.count();
                e.creationSite = LeakReport.frame(w.creationSite());
                e.waitSite = LeakReport.frame(w.waitSite());
                e.waitReason = w.reason().goName();
                e.summary = w.count() + " goroutines waiting up to " + w.longest();
                e.commit();
            }
        }
        for (LeakReport.ProvenLeak p : report.provenLeaks()) {
            LeakFoundEvent e = new LeakFoundEvent();
            if (e.shouldCommit()) {
                e.kind = "proven";
                e.goroutines = 1;
                e.creationSite = LeakReport.frame(p.creationSite());
                e.waitSite = p.waitSite().isEmpty() ? null : LeakReport.frame(UserFrames.userFrame(
                        p.waitSite().toArray(StackTraceElement[]::new)));
                e.waitReason = p.reason() == null ? null : p.reason().goName();
                e.summary = "goroutine " + p.id() + " collected while parked";
                e.commit();
            }
        }
        for (LeakReport.Growth g : report.growth()) {
            LeakFoundEvent e = new LeakFoundEvent();
            if (e.shouldCommit()) {
                e.kind = "growth";
                e.goroutines = g.counts().get(g.counts().size() - 1);
                e.creationSite = LeakReport.frame(g.creationSite());
                e.summary = "live count " + g.counts();
                e.commit();
            }
        }
        System.Logger.Level level = report.provenLeaks().isEmpty() && report.growth().isEmpty()
                ? System.Logger.Level.INFO : System.Logger.Level.WARNING;
        if (LOG.isLoggable(level)) {
            LOG.log(level, report.format());
        }
        for (LeakListener listener : listeners) {
            try {
                listener.leaksFound(report);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "a goroutine leak listener failed", e);
            }
        }
    }
}
