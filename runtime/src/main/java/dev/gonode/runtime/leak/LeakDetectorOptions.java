package dev.gonode.runtime.leak;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link LeakDetector}.
 *
 * @param interval       time between checks (default 1 minute)
 * @param waitThreshold  a goroutine waiting longer than this is reported as a long wait, as information (default
 *                       5 minutes, as operators read Go dumps: {@code [chan receive, 5 minutes]})
 * @param growthChecks   a creation site is reported as growing once its live count has risen at this many
 *                       consecutive checks (default 10: ten minutes of rises, which counts that only fluctuate
 *                       produce by chance once in 40 million windows)
 * @param growthMinimum  ... and has at least this many live goroutines (default 100), so that a pool warming
 *                       up is not reported
 */
public record LeakDetectorOptions(Duration interval, Duration waitThreshold, int growthChecks, int growthMinimum) {

    public LeakDetectorOptions {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(waitThreshold, "waitThreshold");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the leak check interval must be positive, got " + interval);
        }
        if (waitThreshold.isNegative()) {
            throw new IllegalArgumentException("the long-wait threshold must not be negative, got " + waitThreshold);
        }
        if (growthChecks < 1) {
            throw new IllegalArgumentException("growthChecks must be at least 1, got " + growthChecks);
        }
        if (growthMinimum < 1) {
            throw new IllegalArgumentException("growthMinimum must be at least 1, got " + growthMinimum);
        }
    }

    /** Checks every minute; 5-minute waits; growth over 10 checks from 100 goroutines. */
    public static LeakDetectorOptions defaults() {
        return new LeakDetectorOptions(Duration.ofMinutes(1), Duration.ofMinutes(5), 10, 100);
    }

    public LeakDetectorOptions withInterval(Duration d) {
        return new LeakDetectorOptions(d, waitThreshold, growthChecks, growthMinimum);
    }

    public LeakDetectorOptions withWaitThreshold(Duration d) {
        return new LeakDetectorOptions(interval, d, growthChecks, growthMinimum);
    }

    public LeakDetectorOptions withGrowth(int checks, int minimum) {
        return new LeakDetectorOptions(interval, waitThreshold, checks, minimum);
    }
}
