package dev.gonode.runtime.internal.sched;

import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.GoroutineState;
import dev.gonode.runtime.WaitReason;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A goroutine's record (Go's {@code g}): identity, ancestry, labels, creation site and wait state.
 *
 * <p>Implementation notes. A goroutine is a virtual thread; this record is its uncaught-exception
 * handler, which gives a cheap, allocation-free {@link #current()} (a field read on the current
 * thread). The record refers to its thread only weakly and the registry holds only records, so a
 * parked goroutine that nothing else references can be collected; the reference is then enqueued
 * and the registry reports the goroutine, with its creation and wait sites, as a proven leak.
 * The wait reason and wait start are written by the goroutine itself around each park and read
 * racily by dumps, which is fine: a dump is a snapshot. They are written with plain and release
 * stores, not volatile ones: a volatile store is a full fence on x86, and four of them per park
 * were a measurable share of a channel hand-off; a reader reads the (volatile) reason first, so it
 * sees a start time and wait site at least as new as that reason.
 */
public final class G extends WeakReference<Thread> implements Goroutine, Thread.UncaughtExceptionHandler {

    private static final java.lang.invoke.VarHandle WAIT_SITE;
    private static final java.lang.invoke.VarHandle WAIT_REASON;
    private static final java.lang.invoke.VarHandle WAIT_SINCE;

    static {
        try {
            java.lang.invoke.MethodHandles.Lookup l = java.lang.invoke.MethodHandles.lookup();
            WAIT_SITE = l.findVarHandle(G.class, "waitSite", Object.class);
            WAIT_REASON = l.findVarHandle(G.class, "waitReason", WaitReason.class);
            WAIT_SINCE = l.findVarHandle(G.class, "waitSinceNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final GoRuntime runtime;
    private final long id;
    private final long parentId;
    private final String name;
    private final List<StackTraceElement> creationSite;
    private volatile Map<String, String> labels;
    private volatile WaitReason waitReason;
    private volatile long waitSinceNanos;
    /** The park's wait site: null, an unresolved capture (a Throwable), or its resolved frames. */
    private volatile Object waitSite;
    private volatile boolean finished;
    // The registry's links (GoroutineRegistry), guarded by the lock of this goroutine's stripe.
    G registryPrev;
    G registryNext;
    boolean registered;

    G(GoRuntime runtime, Thread thread, ReferenceQueue<Thread> queue, long id, long parentId, String name,
      Map<String, String> labels, List<StackTraceElement> creationSite) {
        super(thread, queue);
        this.runtime = runtime;
        this.id = id;
        this.parentId = parentId;
        this.name = name;
        this.labels = labels;
        this.creationSite = creationSite;
    }

    /** The goroutine running on the current thread, or {@code null} on a plain thread. */
    public static G current() {
        return Thread.currentThread().getUncaughtExceptionHandler() instanceof G g ? g : null;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public long parentId() {
        return parentId;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Map<String, String> labels() {
        return labels;
    }

    /** Replaces the labels; only the goroutine itself calls this (through {@code Labels.with}). */
    public void setLabels(Map<String, String> labels) {
        this.labels = labels;
    }

    @Override
    public GoroutineState state() {
        if (finished) {
            return GoroutineState.DEAD;
        }
        Thread t = get();
        return t == null ? GoroutineState.WAITING : VirtualThreads.stateOf(t);
    }

    @Override
    public WaitReason waitReason() {
        return waitReason;
    }

    @Override
    public Duration waitDuration() {
        return waitReason == null ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - waitSinceNanos);
    }

    /** The {@link System#nanoTime()} at which the current wait began; meaningful while waiting. */
    public long waitSinceNanos() {
        return waitSinceNanos;
    }

    /**
     * Where the goroutine last parked in a gonode primitive, when wait-site recording is on
     * ({@code gonode.wait-sites}): the first frame outside gonode's runtime ({@code site}) or the
     * whole stack ({@code full}); kept after the goroutine's stack is gone. {@code null} when not
     * recorded.
     *
     * <p>The park only captures the stack (a {@code Throwable}, whose frames the JVM resolves
     * lazily); the first call here resolves it, which costs microseconds, and keeps the result.
     */
    public StackTraceElement[] waitSite() {
        Object site = waitSite;
        if (site instanceof Throwable capture) {
            StackTraceElement[] stack = capture.getStackTrace();
            StackTraceElement[] resolved = runtime.config().waitSites() == RuntimeConfig.WaitSites.SITE
                    ? new StackTraceElement[] {UserFrames.userFrame(stack)} : stack;
            WAIT_SITE.compareAndSet(this, capture, resolved); // unless a newer park replaced it
            return resolved;
        }
        return (StackTraceElement[]) site;
    }

    @Override
    public List<StackTraceElement> creationSite() {
        return creationSite;
    }

    @Override
    public StackTraceElement[] stackTrace() {
        Thread t = get();
        return t == null || finished ? new StackTraceElement[0] : t.getStackTrace();
    }

    @Override
    public boolean isAlive() {
        return !finished && get() != null;
    }

    @Override
    public void join() throws InterruptedException {
        Thread t = get();
        if (t != null) {
            t.join();
        }
    }

    @Override
    public boolean join(Duration timeout) throws InterruptedException {
        Thread t = get();
        return t == null || t.join(timeout);
    }

    /** The runtime this goroutine belongs to. */
    public GoRuntime runtime() {
        return runtime;
    }

    void beginWait(WaitReason reason, Throwable site) {
        WAIT_SINCE.set(this, System.nanoTime());
        WAIT_SITE.set(this, site);
        WAIT_REASON.setRelease(this, reason); // publishes the two above to a reader that sees the reason
    }

    void endWait() {
        WAIT_REASON.setRelease(this, null);
    }

    boolean finished() {
        return finished;
    }

    void markFinished() {
        finished = true;
    }

    @Override
    public void uncaughtException(Thread thread, Throwable panic) {
        runtime.panicked(this, panic);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }

    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public String toString() {
        return "goroutine " + id + (name != null ? " \"" + name + "\"" : "");
    }

}
