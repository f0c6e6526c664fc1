package dev.gonode.runtime.internal.sched;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The operating system's view of a thread, read from Linux's {@code /proc}. Elsewhere every answer
 * is "unknown" and sysmon relies on CPU time alone.
 */
final class OsThreads {

    private static final Path THREAD_SELF = Path.of("/proc/thread-self/stat");

    private OsThreads() {
    }

    /** The calling thread's Linux thread id, or -1 when there is no {@code /proc}. */
    static int currentThreadId() {
        try {
            String stat = Files.readString(THREAD_SELF, StandardCharsets.US_ASCII);
            return Integer.parseInt(stat.substring(0, stat.indexOf(' ')));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * The scheduling state letter of thread {@code tid} in this process ({@code R} running or
     * runnable, {@code S} sleeping, {@code D} uninterruptible sleep, ...), or {@code '?'} if unknown.
     */
    static char state(int tid) {
        if (tid < 0) {
            return '?';
        }
        try {
            String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"), StandardCharsets.US_ASCII);
            int close = stat.lastIndexOf(')'); // the command name may contain spaces and parentheses
            return close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
        } catch (IOException | RuntimeException e) {
            return '?';
        }
    }
}
