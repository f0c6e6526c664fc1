package dev.gonode.runtime.leak;

import dev.gonode.runtime.GoDuration;
import dev.gonode.runtime.WaitReason;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The findings of one {@link LeakDetector} check.
 *
 * <p>Two kinds of finding are leaks, and only they make a report {@linkplain #hasLeaks() fail}:
 * <b>proven leaks</b>, goroutines the garbage collector collected while parked (nothing could ever
 * wake them), and <b>growth</b>, a creation site whose live count rose at every one of the last
 * checks (sustained, not one sample). <b>Long waits</b> are information: goroutines parked longer
 * than the threshold, which an idle pool does by design; each group carries its baseline, the most
 * goroutines it had at recent checks, and only a group above its baseline is {@linkplain
 * LongWait#isNews() news}.
 *
 * @param time             when the check ran
 * @param goroutines       live goroutines at the check
 * @param longWaits        goroutines waiting longer than the threshold, grouped by creation site, wait site and
 *                         wait reason, largest group first
 * @param provenLeaks      goroutines the garbage collector collected while parked since the previous check
 * @param provenLeaksTotal goroutines collected while parked since the detector was created (what
 *                         {@code gonode_goroutines_leaked_total} has counted since then)
 * @param growth           creation sites whose live count rose at every one of the last checks
 */
public record LeakReport(Instant time, long goroutines, List<LongWait> longWaits, List<ProvenLeak> provenLeaks,
                         long provenLeaksTotal, List<Growth> growth) {

    public LeakReport {
        longWaits = List.copyOf(longWaits);
        provenLeaks = List.copyOf(provenLeaks);
        growth = List.copyOf(growth);
    }

    /**
     * Goroutines waiting longer than the threshold with the same creation site, wait site and reason.
     *
     * @param creationSite  the frame that started them, or {@code null} if unknown
     * @param waitSite      the user frame they wait at (recorded at park, or from their stack), or {@code null}
     * @param reason        Go's wait reason
     * @param count         how many
     * @param baseline      the most goroutines this group had at the recent checks before this one (0 when it is
     *                      new): a steady pool stays at its baseline
     * @param longest       the longest wait among them
     * @param goroutineIds  up to 10 of their ids, lowest first
     */
    public record LongWait(StackTraceElement creationSite, StackTraceElement waitSite, WaitReason reason, int count,
                           int baseline, Duration longest, List<Long> goroutineIds) {

        /** Whether this group has more goroutines than ever at the recent checks: new, or above its baseline. */
        public boolean isNews() {
            return count > baseline;
        }
    }

    /**
     * A goroutine collected while parked: nothing could ever wake it.
     *
     * @param waitSite the stack recorded when it parked ({@code gonode.wait-sites}), empty when not recorded
     */
    public record ProvenLeak(long id, String name, long parentId, Map<String, String> labels,
                             StackTraceElement creationSite, WaitReason reason, List<StackTraceElement> waitSite) {
    }

    /**
     * A creation site whose live goroutine count keeps rising.
     *
     * @param counts its live count at each of the last checks, oldest first
     */
    public record Growth(StackTraceElement creationSite, List<Long> counts) {
    }

    /**
     * Whether the detector has found a leak: a goroutine collected while parked since it was created,
     * or a creation site growing now. Long waits never count: they are information. This is what
     * {@code gonode-admin leaks --fail} fails on.
     */
    public boolean hasLeaks() {
        return provenLeaksTotal > 0 || !growth.isEmpty();
    }

    /**
     * Whether this check found something new to tell: proven leaks since the previous check, a
     * growing site, or a long-wait group above its baseline. The detector logs and tells its
     * listeners only then, so a steady idle pool is reported once, not at every check.
     */
    public boolean hasNews() {
        return !provenLeaks.isEmpty() || !growth.isEmpty() || longWaits.stream().anyMatch(LongWait::isNews);
    }

    /** Total goroutines in long waits. */
    public long longWaitingGoroutines() {
        return longWaits.stream().mapToLong(LongWait::count).sum();
    }

    /** Whether the check found nothing at all, not even a long wait. */
    public boolean isEmpty() {
        return longWaits.isEmpty() && provenLeaks.isEmpty() && growth.isEmpty();
    }

    /** A text report for logs and the admin endpoint. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append("goroutine leak check at ").append(time).append(": ").append(goroutines).append(" goroutines, ")
                .append(hasLeaks() ? "LEAKS FOUND" : "no leaks").append(": ")
                .append(provenLeaks.size()).append(" proven leaks (").append(provenLeaksTotal).append(" since start), ")
                .append(growth.size()).append(" growing sites; information: ")
                .append(longWaitingGoroutines()).append(" in long waits (").append(longWaits.size()).append(" groups)\n");
        for (LongWait w : longWaits) {
            sb.append("\nlong wait: ").append(w.count()).append(w.count() == 1 ? " goroutine [" : " goroutines [")
                    .append(w.reason() == null ? "waiting" : w.reason().goName()).append(", longest ")
                    .append(GoDuration.format(w.longest())).append("] ids ").append(w.goroutineIds())
                    .append(w.isNews() ? (w.baseline() == 0 ? " (new)" : " (above its baseline of " + w.baseline() + ")")
                            : " (steady: baseline " + w.baseline() + ")").append('\n');
            sb.append("\tcreated at ").append(frame(w.creationSite())).append('\n');
            sb.append("\twaiting at ").append(frame(w.waitSite())).append('\n');
        }
        for (ProvenLeak p : provenLeaks) {
            sb.append("\nproven leak: goroutine ").append(p.id());
            if (p.name() != null) {
                sb.append(" \"").append(p.name()).append('"');
            }
            sb.append(" [").append(p.reason() == null ? "waiting" : p.reason().goName())
                    .append("] collected by the garbage collector while parked: nothing could wake it\n");
            if (!p.labels().isEmpty()) {
                sb.append("\tlabels ").append(p.labels()).append('\n');
            }
            sb.append("\tcreated at ").append(frame(p.creationSite()));
            if (p.parentId() != 0) {
                sb.append(" in goroutine ").append(p.parentId());
            }
            sb.append('\n');
            if (p.waitSite().isEmpty()) {
                sb.append("\twait site not recorded (run with -Dgonode.wait-sites=site)\n");
            } else {
                sb.append("\twaiting at ").append(frame(p.waitSite().get(0))).append('\n');
                for (int i = 1; i < p.waitSite().size(); i++) {
                    sb.append("\t\t").append(frame(p.waitSite().get(i))).append('\n');
                }
            }
        }
        for (Growth g : growth) {
            sb.append("\ngrowing: ").append(g.counts().get(g.counts().size() - 1)).append(" live goroutines, counts ")
                    .append(g.counts()).append(" over the last checks\n");
            sb.append("\tcreated at ").append(frame(g.creationSite())).append('\n');
        }
        return sb.toString();
    }

    static String frame(StackTraceElement frame) {
        if (frame == null) {
            return "(unknown)";
        }
        String file = frame.getFileName() == null ? "Unknown Source" : frame.getFileName();
        return frame.getClassName() + "." + frame.getMethodName() + " (" + file + ":" + Math.max(0, frame.getLineNumber()) + ")";
    }
}
