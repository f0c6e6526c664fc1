package dev.gonode.runtime.internal.sched;

/**
 * Keeps the JDK's socket pollers on platform threads ({@code jdk.pollerMode=1}) without a command
 * line option: {@link GoRuntime} calls {@link #keepPollersOnPlatformThreads()} before its first
 * goroutine exists.
 *
 * <p>Implementation notes. A virtual thread that blocks on a socket parks and registers its file
 * descriptor with a poller, {@code sun.nio.ch.Poller}. JDK 25 picks the pollers' mode once, in that
 * class's static initialiser ({@code Poller.Pollers}), from {@code System.getProperty("jdk.pollerMode")}:
 * 1 means dedicated platform threads ({@code Read-Poller}, {@code Write-Poller}), 2 (the Linux
 * default) virtual threads that poll and yield. gonode wants 1, so that polling never competes
 * with goroutines for carriers. The class is initialised on the first blocking socket or selector
 * operation of any virtual thread (or by {@code jcmd Thread.vthread_pollers}); before gonode's
 * first goroutine, in a JVM that has used no virtual threads for I/O, setting the property is
 * therefore as good as passing it on the command line. A value already given (on the command line
 * or by an earlier {@code System.setProperty}) is left as it is. {@code ChildJvmTest} starts a
 * JVM without the option and finds the platform poller threads after a goroutine's socket read.
 */
final class PollerMode {

    static final String PROPERTY = "jdk.pollerMode";
    private static final String SYSTEM_THREADS = "1";

    private PollerMode() {
    }

    /** Sets {@code jdk.pollerMode=1} unless the property is already set. */
    static void keepPollersOnPlatformThreads() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, SYSTEM_THREADS);
        }
    }
}
